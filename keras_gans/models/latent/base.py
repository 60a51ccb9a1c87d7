"""Latent-space GANs: a generator G(z[, y]) -> image and a discriminator D(image[, y]) -> one output per image.

The family on the engine (:class:`keras_gans.engine.AdversarialModel`): it trains on images (or ``(images,
labels)`` when ``num_classes`` is set) and has two players, ``discriminator_steps`` discriminator updates then one
generator update per batch. With one D update and ``reuse_fake_batch=True`` the G update back-propagates through
the batch G made for the D update (one G forward pass per batch instead of two). With ``unrolled_steps=k`` the G
loss is taken through k unrolled D updates (Metz et al., 2017). The models (:mod:`.gan`, ``dcgan``, ``cgan``,
``wgan``, ``wgan_gp``, ``lsgan``, ``sngan``, ``acgan``, ``infogan``) choose networks, loss, defaults and, for
auxiliary heads (ACGAN's classifier, InfoGAN's Q), the hooks ``_auxiliary_d_loss``/``_auxiliary_g_loss``.

Randomness (latents, penalty interpolation, instance noise, augmentation) comes from the engine's named stateless
streams (:mod:`keras_gans.engine.randomness`), with the purposes of :class:`Draw`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_gans import augment as augment_lib
from keras_gans import losses as losses_lib
from keras_gans import penalties
from keras_gans.engine import update
from keras_gans.engine.data_spec import Images, LabeledImages
from keras_gans.engine.model import AdversarialModel
from keras_gans.engine.options import check_number
from keras_gans.engine.players import Player
from keras_gans.engine.randomness import sampling_normal
from keras_gans.engine.regularization import lazy_penalty
from keras_gans.models.latent.options import TrainingOptions

__all__ = ["Draw", "GANModel"]


class Draw:
    """Purposes of the random draws of one step. D's views of a batch are numbered 0 (real, D step), 1 (fake,
    D step) and 2 (fake, G step); augmentation of view v, op i uses ``AUGMENT + 8 * v + i``."""

    LATENT, ALPHA, NOISE, AUGMENT, G_LATENT, TEST_LATENT = 0, 1, 2, 8, 32, 33
    CODES, G_CODES, TEST_CODES, UNROLL_LATENT = 34, 35, 36, 40
    REAL_VIEW, FAKE_VIEW, G_VIEW = 0, 1, 2


def _check_size(name: str, value, low: int = 1) -> int:
    return check_number(name, value, low=low, integer=True)


@keras.saving.register_keras_serializable(package="keras_gans")
class GANModel(AdversarialModel):
    """A GAN trained with ``fit``: generator, discriminator, loss and training options.

    Args:
        generator: maps ``z`` (or ``[z, labels]`` when ``num_classes`` is set) to images in [-1, 1].
        discriminator: maps images (or ``[images, labels]``) to one output per image (a logit or critic value).
        latent_dim: size of the latent vector ``z ~ N(0, I)``.
        num_classes: number of classes of a conditional GAN; ``None`` for unconditional models.
        loss: a name from :func:`keras_gans.losses.names`.
        seed: seed of the model's noise stream (random when ``None``; saved with the model).
        **options: training options, see :class:`keras_gans.models.latent.options.TrainingOptions`.
    """

    family = "latent"
    default_loss = "non_saturating"
    #: precision="auto" keeps float32 until the family's bfloat16 FID is measured (issue 13).
    auto_bfloat16 = False
    sampled_networks = ("generator",)
    #: Whether D (and G) take the class label as an input (CGAN); ACGAN's labels go to G only.
    labels_condition_discriminator = True
    #: Whether the generator's output is linear (no final tanh: StyleGAN2, ProGAN, as in their papers): ``generate``
    #: and the exported signatures then clip the images to [-1, 1], as the papers' code does when it writes them.
    clips_samples = False

    @classmethod
    def data_arguments(cls, element_spec) -> dict:
        """``{"image_shape": ...}`` from batches of images or ``(images, labels)``."""
        images = element_spec[0] if isinstance(element_spec, tuple) else element_spec
        if isinstance(images, dict):
            images = images["image"]
        return {"image_shape": tuple(int(d) for d in images.shape[1:])}

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        latent_dim: int,
        num_classes: int | None = None,
        loss: str | None = None,
        seed: int | None = None,
        name: str | None = None,
        **options: Any,
    ):
        engine_options, base_kwargs = TrainingOptions.from_model_kwargs(type(self).__name__, options)
        self.options = engine_options
        self.latent_dim = _check_size("latent_dim", latent_dim)
        self.num_classes = None if num_classes is None else _check_size("num_classes", num_classes, low=2)
        self.loss_name = loss or self.default_loss
        self.gan_loss = losses_lib.get(self.loss_name)
        smoothing = {k: getattr(self.options, k) for k in ("label_smoothing", "fake_label_smoothing")}
        if not self.gan_loss.supports_targets and any(smoothing.values()):
            raise ValueError(
                f"{', '.join(k for k, v in smoothing.items() if v)} has no effect with the {self.loss_name!r} loss, "
                "which has no real/fake targets. Remove it, or use instance_noise or a gradient penalty "
                "(gradient_penalty_weight / r1_weight) to regularise this discriminator."
            )
        if self.options.unrolled_steps and self.options.reuse_fake_batch:
            raise ValueError("unrolled_steps and reuse_fake_batch do not combine: choose one.")
        self.image_shape = tuple(int(d) for d in generator.output_shape[1:])
        self.data_spec = (
            Images(self.image_shape) if self.num_classes is None else LabeledImages(self.image_shape, self.num_classes)
        )
        super().__init__(
            {"generator": generator, "discriminator": discriminator},
            self.options,
            seed=seed,
            name=name,
            **base_kwargs,
        )
        self._check_networks()
        self.data_spec.check_image_range = _ends_with_tanh(generator)

    @staticmethod
    def check_sizes(latent_dim, num_classes=None) -> tuple[int, int | None]:
        """``latent_dim`` and ``num_classes`` as validated ints (before a preset builds its default networks)."""
        latent_dim = _check_size("latent_dim", latent_dim)
        return latent_dim, None if num_classes is None else _check_size("num_classes", num_classes, low=2)

    @staticmethod
    def _networks(generator, discriminator, image_shape, build) -> tuple[keras.Model, keras.Model]:
        """The user's networks, or the preset's ``build(image_shape)`` ones when neither is given."""
        if generator is not None and discriminator is not None:
            return generator, discriminator
        if generator is not None or discriminator is not None:
            raise ValueError("Pass both generator= and discriminator=, or neither (and image_shape=) for the defaults.")
        if image_shape is None:
            raise ValueError("Pass image_shape=(H, W, C) for the default networks, or generator= and discriminator=.")
        if not isinstance(image_shape, (tuple, list)) or len(image_shape) != 3:
            raise ValueError(f"image_shape must be (height, width, channels), got {image_shape!r}.")
        return build(tuple(_check_size(f"image_shape[{i}]", d) for i, d in enumerate(image_shape)))

    # ----------------------------------------------------------------------------------------------------------
    # Construction checks and logs

    def _generator_input_count(self) -> int:
        return 2 if self.num_classes is not None else 1

    def _discriminator_input_count(self) -> int:
        return 2 if self.num_classes is not None and self.labels_condition_discriminator else 1

    def _check_networks(self) -> None:
        g_inputs = self.generator.inputs
        d_inputs = self.discriminator.inputs
        expected_g, expected_d = self._generator_input_count(), self._discriminator_input_count()
        if len(g_inputs) != expected_g or len(d_inputs) != expected_d:
            raise ValueError(
                f"{type(self).__name__} expects a generator with {expected_g} input(s) and a discriminator with "
                f"{expected_d}; got {len(g_inputs)} and {len(d_inputs)}. Build conditional networks with "
                "num_classes= for conditional models, and unconditional ones otherwise."
            )
        if int(g_inputs[0].shape[-1]) != self.generator_latent_size:
            raise ValueError(
                f"The generator takes z of size {g_inputs[0].shape[-1]} but {type(self).__name__} feeds it "
                f"{self.generator_latent_size} (latent_dim={self.latent_dim})."
            )
        d_shape = tuple(int(d) for d in d_inputs[0].shape[1:])
        if d_shape != self.image_shape:
            raise ValueError(
                f"The generator makes images of shape {self.image_shape} but the discriminator takes {d_shape}."
            )
        outputs = self.discriminator.outputs
        adversarial = outputs[0]
        if tuple(adversarial.shape[1:]) not in ((1,), ()):
            raise ValueError(
                f"The discriminator must give one output per image (shape (batch, 1)); its first output has shape "
                f"{tuple(adversarial.shape)}. End it with keras.layers.Dense(1)."
            )
        self._check_auxiliary_outputs(outputs[1:])
        last = self.discriminator.layers[-1] if self.discriminator.layers else None
        if getattr(last, "activation", None) is keras.activations.sigmoid:
            raise ValueError(
                "The discriminator ends with a sigmoid, but the losses take logits (raw scores): remove the "
                "activation of its last layer (losses apply the sigmoid stably themselves)."
            )
        if self.options.gradient_penalty_weight and any(
            isinstance(layer, keras.layers.BatchNormalization) for layer in self.discriminator._flatten_layers()
        ):
            import warnings

            warnings.warn(
                "A gradient penalty on a critic with batch normalization: the penalty is per sample, batch norm "
                "mixes samples (Gulrajani et al., 2017, section 4). Use a critic without it (normalization=None) "
                "or layer normalization.",
                stacklevel=3,
            )

    def _check_auxiliary_outputs(self, outputs) -> None:
        if outputs:
            raise ValueError(
                f"The discriminator has {len(outputs) + 1} outputs; {type(self).__name__} takes one per image. "
                "Use ACGAN or InfoGAN for auxiliary heads."
            )

    def generator_input_size(self, latent_dim: int) -> int:
        """The size of G's first input for ``latent_dim`` noise dimensions (InfoGAN appends its codes)."""
        return latent_dim

    @property
    def generator_latent_size(self) -> int:
        return self.generator_input_size(self.latent_dim)

    def log_names(self) -> list[str]:
        names = ["d_loss", "g_loss"]
        if self.gan_loss.outputs_are_logits:
            names += ["d_acc_real", "d_acc_fake"]
        else:
            names += ["d_real", "d_fake"]
        if self.gan_loss.estimates_wasserstein:
            names.append("wasserstein_estimate")
        if self.options.gradient_penalty_weight:
            names.append("gradient_penalty")
        if self.options.r1_weight:
            names.append("r1_penalty")
        names += self._auxiliary_log_names()
        names += ["d_grad_norm", "g_grad_norm", "diversity"]
        return names

    def _auxiliary_log_names(self) -> list[str]:
        return []

    # ----------------------------------------------------------------------------------------------------------
    # Players and optimizers

    def players(self) -> tuple[Player, ...]:
        return (
            Player(
                "discriminator",
                "d_optimizer",
                ("discriminator",),
                self._discriminator_loss,
                repeats=self.options.discriminator_steps,
                log_prefix="d",
                clipped=True,
            ),
            Player("generator", "g_optimizer", ("generator",), self._generator_loss, log_prefix="g"),
        )

    def default_optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        """The model's paper's optimizers; DCGAN's Adam(2e-4, beta_1=0.5) here."""
        return {
            "d_optimizer": keras.optimizers.Adam(2e-4, beta_1=0.5, name="d_adam"),
            "g_optimizer": keras.optimizers.Adam(2e-4, beta_1=0.5, name="g_adam"),
        }

    def compile(
        self,
        d_optimizer: keras.optimizers.Optimizer | str | dict | None = None,
        g_optimizer: keras.optimizers.Optimizer | str | dict | None = None,
        jit_compile: bool | str = "auto",
        steps_per_execution: int = 1,
        run_eagerly: bool = False,
        **kwargs: Any,
    ) -> None:
        """:meth:`AdversarialModel.compile` with the two optimizers also taken by position: ``compile(d, g)``."""
        super().compile(
            d_optimizer=d_optimizer,
            g_optimizer=g_optimizer,
            jit_compile=jit_compile,
            steps_per_execution=steps_per_execution,
            run_eagerly=run_eagerly,
            **kwargs,
        )

    # ----------------------------------------------------------------------------------------------------------
    # Network calls

    def _g_inputs(self, z, labels):
        return z if self.num_classes is None else [z, labels]

    def _d_inputs(self, images, labels):
        return images if self._discriminator_input_count() == 1 else [images, labels]

    def _discriminator_outputs(self, images, labels, training: bool = True):
        """(adversarial output float32, auxiliary outputs or None)."""
        outputs = self.discriminator(self._d_inputs(images, labels), training=training)
        if isinstance(outputs, (list, tuple)):
            return ops.cast(outputs[0], "float32"), [ops.cast(o, "float32") for o in outputs[1:]]
        return ops.cast(outputs, "float32"), None

    def _discriminate(self, images, labels, training: bool = True):
        return self._discriminator_outputs(images, labels, training)[0]

    def _d_view(self, images, step, view: int):
        """What D sees of a batch: optionally augmented (DiffAugment) and with decaying instance noise."""
        if self.options.augment:
            images = augment_lib.diff_augment(
                images,
                self.options.augment,
                lambda shape, i: self.noise.uniform(shape, step, Draw.AUGMENT + 8 * view + i),
            )
        std = self.options.instance_noise_std(self.step_counter)
        if std is not None:
            # A list shape (dynamic batch, static image dims): the noise source scales its first entry by replicas.
            noise = self.noise.normal([tf.shape(images)[0], *images.shape[1:]], step, Draw.NOISE + view)
            images = images + tf.cast(std, images.dtype) * tf.cast(noise, images.dtype)
        return images

    def _latents(self, batch, step, purpose: int):
        """``(generator input, codes)`` for one batch: z ~ N(0, I) here; InfoGAN appends its codes."""
        return self.noise.normal([batch, self.latent_dim], step, purpose), None

    # ----------------------------------------------------------------------------------------------------------
    # The losses of the two players

    def unpack_batch(self, data) -> tuple:
        parts = super().unpack_batch(data)
        images = tf.cast(parts[0], self.generator.compute_dtype)
        return (images, parts[1] if len(parts) > 1 else None)

    def _discriminator_loss(self, batch, step, repeat):
        """D loss (+ penalties, auxiliary losses) and logs: the D step's own latents, one batch of fakes."""
        real, labels = batch
        d_step = step * self.options.discriminator_steps + repeat
        z, codes = self._latents(tf.shape(real)[0], d_step, Draw.LATENT)
        fake = self.generator(self._g_inputs(z, labels), training=True)
        return self._discriminator_loss_on(real, fake, labels, codes, d_step)

    def _discriminator_loss_on(self, real, fake, labels, codes, d_step):
        """D loss (+ penalties, auxiliary losses) and logs for one batch of real and generated images."""
        opts = self.options
        fake = tf.stop_gradient(fake)
        alpha = self.noise.uniform([tf.shape(real)[0]] + [1] * len(self.image_shape), d_step, Draw.ALPHA)
        real_out, real_aux = self._discriminator_outputs(self._d_view(real, d_step, Draw.REAL_VIEW), labels)
        fake_out, fake_aux = self._discriminator_outputs(self._d_view(fake, d_step, Draw.FAKE_VIEW), labels)
        if self.gan_loss.supports_targets:
            d_loss = self.gan_loss.discriminator(
                real_out, fake_out, real_target=1.0 - opts.label_smoothing, fake_target=opts.fake_label_smoothing
            )
        else:
            d_loss = self.gan_loss.discriminator(real_out, fake_out)
        logs = {"d_loss": d_loss, **self._output_logs(real_out, fake_out)}
        total = d_loss
        critic = self._critic_fn(labels)
        scaling = update.penalty_loss_scaling(self.d_optimizer)
        if opts.gradient_penalty_weight:
            gp = penalties.gradient_penalty(critic, real, fake, alpha, *scaling)
            logs["gradient_penalty"] = gp
            total = total + opts.gradient_penalty_weight * gp
        if opts.r1_weight:
            r1, logs["r1_penalty"] = lazy_penalty(
                lambda: penalties.r1_penalty(critic, real, *scaling), d_step, opts.r1_interval
            )
            total = total + opts.r1_weight * r1
        if real_aux is not None:
            aux_loss, aux_logs = self._auxiliary_d_loss(real_aux, fake_aux, labels, codes)
            total = total + aux_loss
            logs.update(aux_logs)
        return total, logs

    def _auxiliary_d_loss(self, real_aux, fake_aux, labels, codes):
        raise NotImplementedError

    def _auxiliary_g_loss(self, fake_aux, labels, codes):
        raise NotImplementedError

    def _critic_fn(self, labels):
        return lambda x: self._discriminate(x, labels)

    def _output_logs(self, real_out, fake_out) -> dict:
        if self.gan_loss.outputs_are_logits:
            return {
                "d_acc_real": ops.mean(ops.cast(real_out > 0, "float32")),
                "d_acc_fake": ops.mean(ops.cast(fake_out < 0, "float32")),
            }
        logs = {"d_real": ops.mean(real_out), "d_fake": ops.mean(fake_out)}
        if self.gan_loss.estimates_wasserstein:
            logs["wasserstein_estimate"] = logs["d_real"] - logs["d_fake"]
        return logs

    def _generator_loss(self, batch, step, repeat):
        """G loss and logs for one batch of latents (through unrolled D updates when ``unrolled_steps``)."""
        real, labels = batch
        z, codes = self._latents(tf.shape(real)[0], step, Draw.G_LATENT)
        fake = self.generator(self._g_inputs(z, labels), training=True)
        return self._generator_loss_of(fake, labels, codes, step, real)

    def _generator_loss_of(self, fake, labels, codes, step, real=None):
        view = self._d_view(fake, step, Draw.G_VIEW)
        if self.options.unrolled_steps:
            (fake_out, fake_aux), real_out = self._unrolled_discriminator_outputs(real, view, labels, step)
            if self.gan_loss.zero_sum:
                # One value function V(G, D_K(G)): its real-data term depends on G through the unrolled D.
                g_loss = -self.gan_loss.discriminator(real_out, fake_out)
            else:
                g_loss = self.gan_loss.generator(fake_out)
        else:
            fake_out, fake_aux = self._discriminator_outputs(view, labels)
            g_loss = self.gan_loss.generator(fake_out)
        logs = {"g_loss": g_loss, "diversity": _diversity(fake)}
        total = g_loss
        if fake_aux is not None:
            aux_loss, aux_logs = self._auxiliary_g_loss(fake_aux, labels, codes)
            total = total + aux_loss
            logs.update(aux_logs)
        return total, logs

    def _unrolled_discriminator_outputs(self, real, fake_view, labels, step):
        """D's outputs on ``fake_view`` (and on ``real``) after ``unrolled_steps`` differentiable D updates.

        Metz et al. (2017), eq. 4-5: G minimises f_K(θ_G, θ_D) = f(θ_G, θ_D^K(θ_G, θ_D)). With a zero-sum loss
        (minimax, Wasserstein) f is the game's value, real-data term included; with the others, G's own loss on its
        samples is taken at θ_D^K.
        """
        from keras_gans.models.latent.unrolled import unrolled_discriminator_outputs

        return unrolled_discriminator_outputs(self, real, fake_view, labels, step)

    # ----------------------------------------------------------------------------------------------------------
    # One G forward per step (reuse_fake_batch)

    def run_players(self, batch: tuple, step) -> dict:
        if not (self.options.reuse_fake_batch and self.options.discriminator_steps == 1):
            return super().run_players(batch, step)
        discriminator, generator = self.players()
        real, labels = batch
        # Drawn through xla_compiled so that the numbers are XLA's whenever the step's other draws are.
        z, codes = self.xla_compiled(self._step_latents)(tf.shape(real)[0], step)
        with tf.GradientTape() as g_tape:
            fake = self.generator(self._g_inputs(z, labels), training=True)
        reused = dataclasses.replace(
            discriminator, loss=lambda parts, step, _: self._discriminator_loss_on(*parts, step)
        )
        d_grads, d_logs = self.xla_compiled(self._reused_fake_d_gradients(reused))((real, fake, labels, codes), step, 0)
        self.apply_player_update(discriminator, d_grads)
        fake_grads, g_logs = self.xla_compiled(self._fake_gradients)(fake, labels, codes, step)
        g_grads = g_tape.gradient(fake, self.generator.trainable_variables, output_gradients=fake_grads)
        g_logs["g_grad_norm"] = update.global_norm(g_grads, self.g_optimizer)
        self.apply_player_update(generator, g_grads)
        return {**d_logs, **g_logs}

    def _step_latents(self, size, step):
        return self._latents(size, step, Draw.LATENT)

    def _reused_fake_d_gradients(self, player: Player):
        def reused_fake_d_gradients(parts, step, repeat):
            return self.player_gradients(player, parts, step, repeat)

        return reused_fake_d_gradients

    def _fake_gradients(self, fake, labels, codes, step):
        """G loss, its (scaled) gradient with respect to a generated batch, and logs: the G step past G's output."""
        with tf.GradientTape() as tape:
            tape.watch(fake)
            g_loss, logs = self._generator_loss_of(fake, labels, codes, step)
            scaled = update.scale_loss(self.g_optimizer, g_loss)
        return tape.gradient(scaled, fake), logs

    # ----------------------------------------------------------------------------------------------------------
    # Evaluation

    def test_step(self, data):
        """Losses and D's outputs on held-out data, with no update (``evaluate`` and ``validation_data``)."""
        real, labels = self.unpack_batch(data)
        size = tf.shape(real)[0]
        step = self.step_counter
        z, _ = self._latents(size, step, Draw.TEST_LATENT)
        fake = self.generator(self._g_inputs(z, labels), training=False)
        real_out = self._discriminate(real, labels, training=False)
        fake_out = self._discriminate(fake, labels, training=False)
        if self.gan_loss.supports_targets:
            d_loss = self.gan_loss.discriminator(real_out, fake_out, real_target=1.0, fake_target=0.0)
        else:
            d_loss = self.gan_loss.discriminator(real_out, fake_out)
        logs = {"d_loss": d_loss, "g_loss": self.gan_loss.generator(fake_out), **self._output_logs(real_out, fake_out)}
        logs["diversity"] = _diversity(fake)
        return self.record_logs(logs)

    # ----------------------------------------------------------------------------------------------------------
    # Sampling

    derived_views = ("ema_generator", "sampling_generator")

    @property
    def ema_generator(self) -> keras.Model | None:
        """A copy of the generator holding the exponential moving average of its weights (``None`` without EMA).

        Batch-norm statistics are the live generator's. ``generate`` and ``export`` use it when EMA is on.
        """
        return None if self._ema is None else self.averaged_network("generator")

    @property
    def _ema_weights(self) -> list | None:
        return None if self._ema is None else self._ema.weights["generator"]

    @property
    def sampling_generator(self) -> keras.Model:
        """The generator used for sampling: the EMA copy when EMA is on, else the trained generator."""
        return self.averaged_network("generator")

    def latents(self, num_samples: int, seed: int | None = None) -> np.ndarray:
        """``num_samples`` latent vectors z ~ N(0, I), reproducible for a given ``seed``."""
        num_samples = _check_size("num_samples", num_samples, low=0)
        seed = int(np.random.randint(0, 2**31 - 1)) if seed is None else _check_seed(seed)
        return sampling_normal([num_samples, self.latent_dim], seed).numpy()

    def _check_labels(self, labels) -> np.ndarray:
        array = np.asarray(labels)
        if array.ndim > 1:
            raise ValueError(f"labels must be a flat list of class indices, got shape {array.shape} (one-hot?).")
        if array.dtype.kind not in "iu":
            if array.dtype.kind == "f" and array.size and np.all(array == np.round(array)) and array.ndim <= 1:
                array = array.astype("int64")
            else:
                raise ValueError(
                    f"labels must be integer class indices in [0, {self.num_classes}), got dtype {array.dtype} "
                    f"(shape {array.shape})."
                )
        array = array.astype("int32").reshape(-1)
        if array.size and (array.min() < 0 or array.max() >= self.num_classes):
            raise ValueError(f"labels must be in [0, {self.num_classes}), got {array.min()}..{array.max()}.")
        return array

    def generate(
        self,
        num_samples: int | None = None,
        seed: int | None = None,
        labels=None,
        z=None,
        batch_size: int = 256,
    ) -> np.ndarray:
        """Generated images, float32 in [-1, 1], shape (n, H, W, C).

        Args:
            num_samples: how many images; for conditional models it defaults to ``len(labels)``.
            seed: makes the latents (and so the images) reproducible.
            labels: class labels of a conditional model, one per image.
            z: explicit latent vectors (n, latent_dim) instead of drawing them.
            batch_size: images generated per forward pass.
        """
        batch_size = _check_size("batch_size", batch_size)
        if num_samples is not None:
            num_samples = _check_size("num_samples", num_samples, low=0)
        if self.num_classes is not None:
            if labels is None:
                raise ValueError(
                    f"{type(self).__name__} is conditional: pass labels=, e.g. generate(labels=[0, 1, 2], seed=0)."
                )
            labels = self._check_labels(labels)
            num_samples = len(labels) if num_samples is None else num_samples
            if num_samples != len(labels):
                raise ValueError(f"num_samples={num_samples} but {len(labels)} labels were given.")
        elif labels is not None:
            raise ValueError(f"{type(self).__name__} is unconditional: generate() takes no labels.")
        if z is None:
            if num_samples is None:
                raise ValueError("Pass num_samples (or z, or labels for a conditional model).")
            z = self.latents(num_samples, seed)
        z = np.asarray(z, dtype="float32")
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise ValueError(f"z must have shape (n, {self.latent_dim}), got {z.shape}.")
        if num_samples is not None and len(z) != num_samples:
            raise ValueError(f"num_samples={num_samples} but z has {len(z)} rows: pass one or the other.")
        if not np.all(np.isfinite(z)):
            raise ValueError("z holds NaN or inf values.")
        return self._clipped(self._run_generator(self._generator_batches(z, labels, batch_size)))

    def _clipped(self, images: np.ndarray) -> np.ndarray:
        return np.clip(images, -1.0, 1.0) if self.clips_samples else images

    def grid_samples(self, num_rows: int = 8, seed: int = 0) -> tuple[np.ndarray, int]:
        """Images for a sample grid, row by row, and its number of rows.

        Conditional models: every row holds each class once (one class per column); otherwise num_rows² samples.
        """
        num_rows = _check_size("num_rows", num_rows)
        if self.num_classes is not None:
            return self.generate(labels=np.tile(np.arange(self.num_classes), num_rows), seed=seed), num_rows
        return self.generate(num_rows * num_rows, seed=seed), num_rows

    def _generator_batches(self, z, labels, batch_size: int):
        for start in range(0, len(z), batch_size):
            z_batch = z[start : start + batch_size]
            yield z_batch if labels is None else [z_batch, labels[start : start + batch_size]]

    def _run_generator(self, batches) -> np.ndarray:
        generator = self.sampling_generator
        outputs = [ops.convert_to_numpy(ops.cast(generator(inputs, training=False), "float32")) for inputs in batches]
        if not outputs:
            return np.zeros((0, *self.image_shape), "float32")
        return np.concatenate(outputs, axis=0)

    def serving_endpoints(self) -> dict:
        """``serving_default``: z (+ labels) -> images; ``generate``: (num_samples | labels, seed) -> images.

        The ``generate`` signature draws ``generate(n, seed)``'s latents, so both give the same images. Labels
        outside [0, num_classes) and z of the wrong size are refused inside the signatures.
        """
        generator = self.sampling_generator
        latent_dim, num_classes = self.latent_dim, self.num_classes
        z_spec = tf.TensorSpec([None, latent_dim], tf.float32, name="z")
        labels_spec = tf.TensorSpec([None], tf.int32, name="labels")
        seed_spec = tf.TensorSpec([], tf.int64, name="seed")

        def checked_labels(labels):
            message = f"labels must be class indices in [0, {num_classes})"
            with tf.control_dependencies(
                [
                    tf.debugging.assert_non_negative(labels, message=message),
                    tf.debugging.assert_less(labels, tf.constant(num_classes, tf.int32), message=message),
                ]
            ):
                return tf.identity(labels)

        clips = self.clips_samples

        def images(z, labels=None):
            inputs = z if labels is None else [z, checked_labels(labels)]
            out = tf.cast(generator(inputs, training=False), tf.float32)
            return tf.clip_by_value(out, -1.0, 1.0) if clips else out

        if num_classes is not None:
            return {
                "serving_default": (lambda z, labels: images(z, labels), [z_spec, labels_spec]),
                "generate": (
                    lambda seed, labels: images(sampling_normal(tf.stack([tf.size(labels), latent_dim]), seed), labels),
                    [seed_spec, labels_spec],
                ),
            }

        def generate(num_samples, seed):
            with tf.control_dependencies(
                [tf.debugging.assert_non_negative(num_samples, message="num_samples must be >= 0")]
            ):
                return images(sampling_normal(tf.stack([num_samples, latent_dim]), seed))

        return {
            "serving_default": (lambda z: images(z), [z_spec]),
            "generate": (generate, [tf.TensorSpec([], tf.int32, name="num_samples"), seed_spec]),
        }

    # ----------------------------------------------------------------------------------------------------------
    # Serialisation (``from_preset``: :meth:`keras_gans.engine.AdversarialModel.from_preset`)

    def get_config(self) -> dict:
        return {
            "name": self.name,
            **self.network_config(),
            "latent_dim": self.latent_dim,
            "num_classes": self.num_classes,
            "loss": self.loss_name,
            "seed": self.seed,
            **self.options.to_config(),
        }

    @classmethod
    def from_config(cls, config: dict) -> GANModel:
        return cls(**cls.deserialize_networks(config, ("generator", "discriminator")))


def _ends_with_tanh(network: keras.Model) -> bool:
    """Whether the network's output passes through tanh last (shape-only layers such as Reshape aside)."""
    for layer in reversed(network.layers):
        activation = getattr(layer, "activation", None)
        if activation is not None and activation is not keras.activations.linear:
            return activation is keras.activations.tanh
        if layer.weights or activation is not None:
            return False
    return False


def _check_seed(seed) -> int:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)):
        raise ValueError(f"seed must be an integer, got {seed!r}.")
    return int(seed)


def _diversity(images) -> tf.Tensor:
    """Mean per-pixel standard deviation across a batch of samples: near 0 when the generator has collapsed."""
    images = tf.cast(images, tf.float32)
    return tf.reduce_mean(tf.math.reduce_std(images, axis=0))
