"""The one GAN train step, shared by every model of the zoo.

A :class:`GANModel` is a generator, a discriminator, a loss from :mod:`keras_gans.losses` and training options.
``train_step`` runs ``discriminator_steps`` discriminator updates and one generator update per batch; with one D
update and ``reuse_fake_batch=True`` the G update back-propagates through the batch G made for the D update (its
latents are the D step's; no G-step latents are drawn), one G forward pass per batch instead of two. The presets
(:mod:`keras_gans.models.gan`, ``dcgan``, ``cgan``, ``wgan_gp``, ``lsgan``) only choose networks, loss and defaults.

Randomness (latents, penalty interpolation, instance noise, augmentation) is drawn with stateless ops from
``(seed, step, purpose)``, so a step is reproducible, a resumed model continues the same noise stream, and under a
``tf.distribute`` strategy every replica takes its own slice of the same global draw: N replicas compute exactly
what one device computes on the global batch. Draws made inside an XLA cluster are not the numbers the same draw
gives outside one (TensorFlow 2.21 scrambles the Philox key once more under XLA, tensorflow/tensorflow#117644), so
a ``jit_compile=True`` run follows another, equally valid noise stream than a graph-mode run; in each mode every draw
is reproducible, and replicas agree with one device compiled the same way.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_gans import augment as augment_lib
from keras_gans import losses as losses_lib
from keras_gans import penalties
from keras_gans.models import distribution
from keras_gans.models.options import TrainingOptions

__all__ = ["GANModel"]

# Purposes of the random draws of one step; each gets its own stateless stream. D's views of a batch are
# numbered 0 (real, D step), 1 (fake, D step) and 2 (fake, G step).
_LATENT, _ALPHA, _NOISE, _AUGMENT, _G_LATENT, _TEST_LATENT = 0, 1, 2, 8, 32, 33
_GENERATE = 1
_DRAWS_PER_STEP = 64
_REAL_VIEW, _FAKE_VIEW, _G_VIEW = 0, 1, 2


@keras.saving.register_keras_serializable(package="keras_gans")
class GANModel(keras.Model):
    """A GAN trained with ``fit``: generator, discriminator, loss and training options.

    Args:
        generator: maps ``z`` (or ``[z, labels]`` when ``num_classes`` is set) to images in [-1, 1].
        discriminator: maps images (or ``[images, labels]``) to one output per image (a logit or critic value).
        latent_dim: size of the latent vector ``z ~ N(0, I)``.
        num_classes: number of classes of a conditional GAN; ``None`` for unconditional models.
        loss: a name from :func:`keras_gans.losses.names`.
        seed: seed of the model's noise stream (random when ``None``; saved with the model).
        **options: training options, see :class:`keras_gans.models.options.TrainingOptions`.
    """

    default_loss = "non_saturating"

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
        base_kwargs = {k: options.pop(k) for k in ("trainable", "dtype") if k in options}
        super().__init__(name=name, **base_kwargs)
        self.options = TrainingOptions(**options)
        self.generator = generator
        self.discriminator = discriminator
        self.latent_dim = int(latent_dim)
        self.num_classes = None if num_classes is None else int(num_classes)
        self.loss_name = loss or self.default_loss
        self.gan_loss = losses_lib.get(self.loss_name)
        smoothing = {k: getattr(self.options, k) for k in ("label_smoothing", "fake_label_smoothing")}
        if not self.gan_loss.supports_targets and any(smoothing.values()):
            raise ValueError(
                f"{', '.join(k for k, v in smoothing.items() if v)} has no effect with the {self.loss_name!r} loss, "
                "which has no real/fake targets. Remove it, or use instance_noise or a gradient penalty "
                "(gradient_penalty_weight / r1_weight) to regularise this discriminator."
            )
        self.seed = int(np.random.randint(0, 2**31 - 1) if seed is None else seed)
        self.image_shape = tuple(int(d) for d in generator.output_shape[1:])
        self._check_networks()
        self.d_optimizer = None
        self.g_optimizer = None
        self._trackers = {name: keras.metrics.Mean(name=name) for name in self._log_names()}
        self._ema_weights = None
        if self.options.ema_decay:
            self._ema_weights = [
                self.add_weight(
                    shape=v.shape,
                    initializer="zeros",
                    trainable=False,
                    name=f"ema_{i}",
                    aggregation="only_first_replica",
                )
                for i, v in enumerate(generator.trainable_variables)
            ]
            for ema, v in zip(self._ema_weights, generator.trainable_variables):
                ema.assign(v)
            self._ema_generator = None
        # No call(): fit() must not try to build the model from a data batch.
        self.built = True

    @staticmethod
    def _networks(generator, discriminator, image_shape, build) -> tuple[keras.Model, keras.Model]:
        """The user's networks, or the preset's ``build(image_shape)`` ones when neither is given."""
        if generator is not None and discriminator is not None:
            return generator, discriminator
        if generator is not None or discriminator is not None:
            raise ValueError("Pass both generator= and discriminator=, or neither (and image_shape=) for the defaults.")
        if image_shape is None:
            raise ValueError("Pass image_shape=(H, W, C) for the default networks, or generator= and discriminator=.")
        return build(tuple(int(d) for d in image_shape))

    # ----------------------------------------------------------------------------------------------------------
    # Construction checks and logs

    def _check_networks(self) -> None:
        g_inputs = self.generator.inputs
        d_inputs = self.discriminator.inputs
        expected = 2 if self.num_classes is not None else 1
        if len(g_inputs) != expected or len(d_inputs) != expected:
            kind = "[z, labels]" if expected == 2 else "a single z"
            raise ValueError(
                f"{type(self).__name__} expects networks with {expected} input(s) ({kind} for the generator); got a "
                f"generator with {len(g_inputs)} and a discriminator with {len(d_inputs)}. Build conditional networks "
                "with num_classes= for conditional models, and unconditional ones otherwise."
            )
        if int(g_inputs[0].shape[-1]) != self.latent_dim:
            raise ValueError(f"The generator takes z of size {g_inputs[0].shape[-1]} but latent_dim={self.latent_dim}.")
        d_shape = tuple(int(d) for d in d_inputs[0].shape[1:])
        if d_shape != self.image_shape:
            raise ValueError(
                f"The generator makes images of shape {self.image_shape} but the discriminator takes {d_shape}."
            )

    def _log_names(self) -> list[str]:
        names = ["d_loss", "g_loss"]
        if self.gan_loss.outputs_are_logits:
            names += ["d_acc_real", "d_acc_fake"]
        else:
            names += ["d_real", "d_fake"]
        if self.loss_name == "wasserstein":
            names.append("wasserstein_estimate")
        if self.options.gradient_penalty_weight:
            names.append("gradient_penalty")
        if self.options.r1_weight:
            names.append("r1_penalty")
        names += ["d_grad_norm", "g_grad_norm", "diversity"]
        return names

    @property
    def metrics(self) -> list[keras.metrics.Metric]:
        return list(self._trackers.values())

    # ----------------------------------------------------------------------------------------------------------
    # Compile

    def default_optimizers(self) -> tuple[keras.optimizers.Optimizer, keras.optimizers.Optimizer]:
        """(discriminator, generator) optimizers of the model's paper; DCGAN's Adam(2e-4, beta_1=0.5) here."""
        return (
            keras.optimizers.Adam(2e-4, beta_1=0.5, name="d_adam"),
            keras.optimizers.Adam(2e-4, beta_1=0.5, name="g_adam"),
        )

    def compile(
        self,
        d_optimizer: keras.optimizers.Optimizer | str | dict | None = None,
        g_optimizer: keras.optimizers.Optimizer | str | dict | None = None,
        jit_compile: bool | str = "auto",
        steps_per_execution: int = 1,
        run_eagerly: bool = False,
        **kwargs: Any,
    ) -> None:
        """Sets the two optimizers (the paper's when omitted) and the execution options.

        ``jit_compile="auto"`` turns XLA on only on GPU/TPU hosts: on CPU a DCGAN step ran 1.1-1.35x slower with it.
        ``jit_compile=True`` always works: under a ``tf.distribute`` strategy the per-replica gradient computation
        is XLA-compiled and the cross-replica reduction runs outside XLA.
        """
        if kwargs.get("loss") is not None or kwargs.get("optimizer") is not None:
            raise ValueError(
                "GAN models take d_optimizer= and g_optimizer= in compile(), and their loss in the constructor "
                f"(loss=..., one of {losses_lib.names()})."
            )
        defaults = self.default_optimizers()
        d_opt = keras.optimizers.get(d_optimizer) if d_optimizer is not None else defaults[0]
        g_opt = keras.optimizers.get(g_optimizer) if g_optimizer is not None else defaults[1]
        if d_opt is g_opt:
            raise ValueError("d_optimizer and g_optimizer must be two different optimizer objects.")
        if self.dtype_policy.name == "mixed_float16" or self.generator.dtype_policy.name == "mixed_float16":
            scaled = keras.optimizers.LossScaleOptimizer
            d_opt, g_opt = (opt if isinstance(opt, scaled) else scaled(opt) for opt in (d_opt, g_opt))
        if jit_compile == "auto":
            jit_compile = distribution.xla_is_faster() and not run_eagerly
        super().compile(
            optimizer=None,
            jit_compile=bool(jit_compile),
            steps_per_execution=steps_per_execution,
            run_eagerly=run_eagerly,
        )
        self.d_optimizer, self.g_optimizer = d_opt, g_opt
        # Built here, inside the model's strategy scope, before the first (possibly distributed) step.
        with self.distribute_strategy.scope():
            self.d_optimizer.build(self.discriminator.trainable_variables)
            self.g_optimizer.build(self.generator.trainable_variables)
        self._compile_args = {
            "d_optimizer": keras.saving.serialize_keras_object(d_opt),
            "g_optimizer": keras.saving.serialize_keras_object(g_opt),
            "jit_compile": bool(jit_compile),
            "steps_per_execution": steps_per_execution,
        }

    def get_compile_config(self) -> dict:
        return dict(getattr(self, "_compile_args", {}))

    def compile_from_config(self, config: dict) -> None:
        config = dict(config)
        for key in ("d_optimizer", "g_optimizer"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        self.compile(**config)

    # ----------------------------------------------------------------------------------------------------------
    # Randomness

    def _step_seed(self, step, purpose: int):
        return tf.stack([tf.constant(self.seed, tf.int64), tf.cast(step, tf.int64) * _DRAWS_PER_STEP + purpose])

    def _replica_slice(self, draw_fn, local_shape, step, purpose: int):
        """Draws ``local_shape`` values; under a strategy, this replica's slice of the global batch's draw."""
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        seed = self._step_seed(step, purpose)
        if replicas == 1:
            return draw_fn(local_shape, seed)
        local_batch = local_shape[0]
        values = draw_fn([local_batch * replicas, *local_shape[1:]], seed)
        replica_id = tf.cast(tf.distribute.get_replica_context().replica_id_in_sync_group, tf.int32)
        return values[replica_id * local_batch : (replica_id + 1) * local_batch]

    def _normal(self, shape, step, purpose):
        return self._replica_slice(
            lambda s, seed: tf.random.stateless_normal(s, seed, alg="philox"), shape, step, purpose
        )

    def _uniform(self, shape, step, purpose):
        return self._replica_slice(
            lambda s, seed: tf.random.stateless_uniform(s, seed, alg="philox"), shape, step, purpose
        )

    # ----------------------------------------------------------------------------------------------------------
    # Network calls

    def _g_inputs(self, z, labels):
        return z if self.num_classes is None else [z, labels]

    def _d_inputs(self, images, labels):
        return images if self.num_classes is None else [images, labels]

    def _discriminate(self, images, labels, training: bool = True):
        return ops.cast(self.discriminator(self._d_inputs(images, labels), training=training), "float32")

    def _d_view(self, images, step, view: int):
        """What D sees of a batch: optionally augmented (DiffAugment) and with decaying instance noise."""
        if self.options.augment:
            images = augment_lib.diff_augment(
                images,
                self.options.augment,
                lambda shape, i: self._uniform(shape, step, _AUGMENT + 8 * view + i),
            )
        std = self.options.instance_noise_std(self.g_optimizer.iterations)
        if std is not None:
            # A list shape (dynamic batch, static image dims): _replica_slice scales its first entry by the replicas.
            noise = self._normal([tf.shape(images)[0], *images.shape[1:]], step, _NOISE + view)
            images = images + tf.cast(std, images.dtype) * tf.cast(noise, images.dtype)
        return images

    # ----------------------------------------------------------------------------------------------------------
    # The train step

    def _unpack(self, data):
        if isinstance(data, (tuple, list)):
            if len(data) == 1:
                data = data[0]
            elif len(data) == 2 and data[1] is None:
                data = data[0]
        if self.num_classes is not None:
            if not isinstance(data, (tuple, list)) or len(data) != 2:
                raise ValueError(
                    f"{type(self).__name__} is conditional: it trains on (images, labels) pairs. "
                    "Pass fit(images, labels) or a dataset of (images, labels), e.g. a keras_gans.data loader "
                    "with with_labels=True."
                )
            images, labels = data
            labels = tf.cast(tf.reshape(labels, [-1]), tf.int32)
        else:
            if isinstance(data, (tuple, list)):
                raise ValueError(
                    f"{type(self).__name__} is unconditional but the data has labels: pass images only "
                    "(with_labels=False in keras_gans.data loaders), or use CGAN for class-conditional training."
                )
            images, labels = data, None
        self._check_images(images)
        return tf.cast(images, self.generator.compute_dtype), labels

    def _check_images(self, images) -> None:
        shape = tuple(images.shape[1:])
        if len(shape) != len(self.image_shape) or any(
            got is not None and got != want for got, want in zip(shape, self.image_shape)
        ):
            raise ValueError(
                f"{type(self).__name__} makes images of shape {self.image_shape} but the data has {shape}. "
                "Resize the data (keras_gans.data loaders take image_size=) or build the model with "
                f"image_shape={shape}."
            )
        if not images.dtype.is_floating:
            raise ValueError(
                f"Images must be floats in [-1, 1], got dtype {images.dtype.name}. Normalise them first: "
                "keras_gans.data.from_arrays(images) does it for uint8, or use images / 127.5 - 1."
            )

    def _discriminator_gradients(self, real, fake, labels, alpha, step):
        """D loss, its gradients and logs for one batch of real and generated images."""
        opts = self.options
        d_vars = self.discriminator.trainable_variables
        with tf.GradientTape() as tape:
            real_out = self._discriminate(self._d_view(real, step, _REAL_VIEW), labels)
            fake_out = self._discriminate(self._d_view(fake, step, _FAKE_VIEW), labels)
            if self.gan_loss.supports_targets:
                d_loss = self.gan_loss.discriminator(
                    real_out, fake_out, real_target=1.0 - opts.label_smoothing, fake_target=opts.fake_label_smoothing
                )
            else:
                d_loss = self.gan_loss.discriminator(real_out, fake_out)
            logs = {"d_loss": d_loss, **self._output_logs(real_out, fake_out)}
            total = d_loss
            critic = self._critic_fn(labels)
            if opts.gradient_penalty_weight:
                gp = penalties.gradient_penalty(critic, real, fake, alpha, *self._penalty_loss_scaling())
                logs["gradient_penalty"] = gp
                total = total + opts.gradient_penalty_weight * gp
            if opts.r1_weight:
                r1 = penalties.r1_penalty(critic, real, *self._penalty_loss_scaling())
                logs["r1_penalty"] = r1
                total = total + opts.r1_weight * r1
            scaled = self.d_optimizer.scale_loss(distribution.scale_loss_for_replicas(total))
        grads = tape.gradient(scaled, d_vars)
        logs["d_grad_norm"] = _global_norm(grads, self.d_optimizer)
        return grads, logs

    def _penalty_loss_scaling(self) -> tuple:
        """``(scale, unscale)`` for the penalties' inner input-gradient tape: under mixed_float16 D's float16 input
        gradients would underflow, so they are taken of the loss times the D optimizer's dynamic loss scale and divided
        back; a non-finite result makes the whole D step non-finite, which ``LossScaleOptimizer`` skips."""
        if not isinstance(self.d_optimizer, keras.optimizers.LossScaleOptimizer):
            return None, None
        loss_scale = self.d_optimizer.dynamic_scale
        return (lambda x: x * tf.cast(loss_scale, x.dtype)), (lambda g: g / tf.cast(loss_scale, g.dtype))

    def _critic_fn(self, labels):
        return lambda x: self._discriminate(x, labels)

    def _output_logs(self, real_out, fake_out) -> dict:
        if self.gan_loss.outputs_are_logits:
            return {
                "d_acc_real": ops.mean(ops.cast(real_out > 0, "float32")),
                "d_acc_fake": ops.mean(ops.cast(fake_out < 0, "float32")),
            }
        logs = {"d_real": ops.mean(real_out), "d_fake": ops.mean(fake_out)}
        if self.loss_name == "wasserstein":
            logs["wasserstein_estimate"] = logs["d_real"] - logs["d_fake"]
        return logs

    def _generator_gradients(self, z, labels, step):
        """G loss, its gradients and logs for one batch of latents."""
        g_vars = self.generator.trainable_variables
        with tf.GradientTape() as tape:
            fake = self.generator(self._g_inputs(z, labels), training=True)
            fake_out = self._discriminate(self._d_view(fake, step, _G_VIEW), labels)
            g_loss = self.gan_loss.generator(fake_out)
            scaled = self.g_optimizer.scale_loss(distribution.scale_loss_for_replicas(g_loss))
        grads = tape.gradient(scaled, g_vars)
        logs = {
            "g_loss": g_loss,
            "g_grad_norm": _global_norm(grads, self.g_optimizer),
            "diversity": _diversity(fake),
        }
        return grads, logs

    def _fake_gradients(self, fake, labels, step):
        """G loss, its (scaled) gradient with respect to a generated batch, and logs: the G step past G's output."""
        with tf.GradientTape() as tape:
            tape.watch(fake)
            fake_out = self._discriminate(self._d_view(fake, step, _G_VIEW), labels)
            g_loss = self.gan_loss.generator(fake_out)
            scaled = self.g_optimizer.scale_loss(distribution.scale_loss_for_replicas(g_loss))
        return tape.gradient(scaled, fake), {"g_loss": g_loss, "diversity": _diversity(fake)}

    def _compute(self, fn):
        """``fn``, XLA-compiled on its own when the whole step can't be (jit_compile=True under a strategy)."""
        if not getattr(self, "_xla_inside_step", False):
            return fn
        compiled = self.__dict__.setdefault("_xla_functions", {})
        if fn.__name__ not in compiled:
            compiled[fn.__name__] = tf.function(
                distribution.without_batch_norm_sync(self, fn), jit_compile=True, reduce_retracing=True
            )
        return compiled[fn.__name__]

    def train_step(self, data):
        real, labels = self._unpack(data)
        batch = tf.shape(real)[0]
        step = tf.identity(self.g_optimizer.iterations)
        d_grads_fn = self._compute(self._discriminator_gradients)
        g_grads_fn = self._compute(self._generator_gradients)
        alpha_shape = [batch] + [1] * len(self.image_shape)
        # reuse_fake_batch: the G step back-propagates through the D step's fake batch, one G forward per iteration.
        reuse = self.options.reuse_fake_batch and self.options.discriminator_steps == 1
        for k in range(self.options.discriminator_steps):
            d_step = step * self.options.discriminator_steps + k
            z = self._normal([batch, self.latent_dim], d_step, _LATENT)
            with tf.GradientTape(watch_accessed_variables=reuse) as g_tape:
                fake = self.generator(self._g_inputs(z, labels), training=True)
            alpha = self._uniform(alpha_shape, d_step, _ALPHA)
            d_grads, d_logs = d_grads_fn(real, tf.stop_gradient(fake), labels, alpha, d_step)
            self._apply(self.d_optimizer, d_grads, self.discriminator.trainable_variables)
        if reuse:
            fake_grads, g_logs = self._compute(self._fake_gradients)(fake, labels, step)
            g_grads = g_tape.gradient(fake, self.generator.trainable_variables, output_gradients=fake_grads)
            g_logs["g_grad_norm"] = _global_norm(g_grads, self.g_optimizer)
        else:
            z = self._normal([batch, self.latent_dim], step, _G_LATENT)
            g_grads, g_logs = g_grads_fn(z, labels, step)
        self._apply(self.g_optimizer, g_grads, self.generator.trainable_variables)
        if self._ema_weights is not None:
            self._update_ema()
        return self._record({**d_logs, **g_logs})

    def _apply(self, optimizer, grads, variables) -> None:
        if self.options.skip_non_finite_gradients:
            finite = tf.reduce_all([tf.reduce_all(tf.math.is_finite(g)) for g in grads if g is not None])
            grads = [None if g is None else tf.where(finite, g, tf.zeros_like(g)) for g in grads]
        optimizer.apply_gradients(zip(grads, variables))

    def _record(self, logs: dict) -> dict:
        for name, value in logs.items():
            self._trackers[name].update_state(value)
        results = {name: tracker.result() for name, tracker in self._trackers.items()}
        return distribution.prepare_logs(results)

    def test_step(self, data):
        """Losses and D's outputs on held-out data, with no update (``evaluate`` and ``validation_data``)."""
        real, labels = self._unpack(data)
        batch = tf.shape(real)[0]
        step = self.g_optimizer.iterations
        z = self._normal([batch, self.latent_dim], step, _TEST_LATENT)
        fake = self.generator(self._g_inputs(z, labels), training=False)
        real_out = self._discriminate(real, labels, training=False)
        fake_out = self._discriminate(fake, labels, training=False)
        if self.gan_loss.supports_targets:
            d_loss = self.gan_loss.discriminator(real_out, fake_out, real_target=1.0, fake_target=0.0)
        else:
            d_loss = self.gan_loss.discriminator(real_out, fake_out)
        logs = {"d_loss": d_loss, "g_loss": self.gan_loss.generator(fake_out), **self._output_logs(real_out, fake_out)}
        logs["diversity"] = _diversity(fake)
        return self._record(logs)

    # ----------------------------------------------------------------------------------------------------------
    # EMA generator

    def _update_ema(self) -> None:
        decay = self.options.ema_decay
        for ema, v in zip(self._ema_weights, self.generator.trainable_variables):
            ema.assign(decay * ema + (1.0 - decay) * tf.cast(v, ema.dtype))

    @property
    def ema_generator(self) -> keras.Model | None:
        """A copy of the generator holding the exponential moving average of its weights (``None`` without EMA).

        Batch-norm statistics are the live generator's. ``generate`` and ``export`` use it when EMA is on.
        """
        if self._ema_weights is None:
            return None
        if self._ema_generator is None:
            self._ema_generator = keras.models.clone_model(self.generator)
        for target, source in zip(self._ema_generator.weights, self.generator.weights):
            target.assign(source)
        for target, ema in zip(self._ema_generator.trainable_variables, self._ema_weights):
            target.assign(ema)
        return self._ema_generator

    @property
    def sampling_generator(self) -> keras.Model:
        """The generator used for sampling: the EMA copy when EMA is on, else the trained generator."""
        return self.ema_generator if self._ema_weights is not None else self.generator

    # ----------------------------------------------------------------------------------------------------------
    # Sampling

    def latents(self, num_samples: int, seed: int | None = None) -> np.ndarray:
        """``num_samples`` latent vectors z ~ N(0, I), reproducible for a given ``seed``."""
        seed = int(np.random.randint(0, 2**31 - 1)) if seed is None else int(seed)
        draw = tf.random.stateless_normal([num_samples, self.latent_dim], seed=[seed, _GENERATE], alg="philox")
        return draw.numpy()

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
        if self.num_classes is not None:
            if labels is None:
                raise ValueError(
                    f"{type(self).__name__} is conditional: pass labels=, e.g. generate(labels=[0, 1, 2], seed=0)."
                )
            labels = np.asarray(labels, dtype="int32").reshape(-1)
            if labels.size and (labels.min() < 0 or labels.max() >= self.num_classes):
                raise ValueError(f"labels must be in [0, {self.num_classes}), got {labels.min()}..{labels.max()}.")
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
        generator = self.sampling_generator
        outputs = []
        for start in range(0, len(z), batch_size):
            z_batch = z[start : start + batch_size]
            inputs = z_batch if labels is None else [z_batch, labels[start : start + batch_size]]
            outputs.append(ops.convert_to_numpy(ops.cast(generator(inputs, training=False), "float32")))
        if not outputs:
            return np.zeros((0, *self.image_shape), "float32")
        return np.concatenate(outputs, axis=0)

    # ----------------------------------------------------------------------------------------------------------
    # Presets and export (thin: the work is in keras_gans.hub and keras_gans.export)

    @classmethod
    def from_preset(cls, name_or_path: str, **kwargs: Any) -> GANModel:
        """A pretrained model from a preset name, folder, archive or URL; see :func:`keras_gans.hub.load_gan`."""
        from keras_gans import hub

        return hub.load_gan(name_or_path, expected_class=cls, **kwargs)

    def export(self, path: str, **kwargs: Any) -> str:
        """Writes a SavedModel for TF Serving; see :func:`keras_gans.export.export_saved_model`."""
        from keras_gans import export as export_lib

        return export_lib.export_saved_model(self, path, **kwargs)

    # ----------------------------------------------------------------------------------------------------------
    # Distribution and serialisation

    def make_train_function(self, force: bool = False):
        if self.train_function is not None and not force:
            return self.train_function
        self.train_function = distribution.make_step_function(self, self.train_step)
        return self.train_function

    def make_test_function(self, force: bool = False):
        if self.test_function is not None and not force:
            return self.test_function
        self.test_function = distribution.make_step_function(self, self.test_step)
        return self.test_function

    def _maybe_symbolic_build(self, iterator=None, data_batch=None):
        # Networks and optimizers are built by the constructor and compile(); Keras' symbolic build from a data
        # batch would reduce a per-replica batch eagerly, which fails under MultiWorkerMirroredStrategy.
        return

    def get_config(self) -> dict:
        config = {
            "name": self.name,
            "generator": keras.saving.serialize_keras_object(self.generator),
            "discriminator": keras.saving.serialize_keras_object(self.discriminator),
            "latent_dim": self.latent_dim,
            "num_classes": self.num_classes,
            "loss": self.loss_name,
            "seed": self.seed,
            **self.options.to_config(),
        }
        return config

    @classmethod
    def from_config(cls, config: dict) -> GANModel:
        config = dict(config)
        for key in ("generator", "discriminator"):
            config[key] = keras.saving.deserialize_keras_object(config[key])
        return cls(**config)


def _global_norm(grads, optimizer) -> tf.Tensor:
    grads = [tf.cast(g, tf.float32) for g in grads if g is not None]
    norm = tf.linalg.global_norm(grads) if grads else tf.constant(0.0)
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        norm = norm / tf.cast(optimizer.dynamic_scale, tf.float32)
    return norm


def _diversity(images) -> tf.Tensor:
    """Mean per-pixel standard deviation across a batch of samples: near 0 when the generator has collapsed."""
    images = tf.cast(images, tf.float32)
    return tf.reduce_mean(tf.math.reduce_std(images, axis=0))
