"""CycleGAN (Zhu et al., 2017): unpaired translation A <-> B with two generators, two PatchGANs and cycle losses.

G: A -> B (``generator_ab``) and F: B -> A (``generator_ba``) are ResNet-block generators; D_A judges domain-A
images, D_B domain-B ones (70x70 PatchGANs at 256 px, instance norm). The generators minimise

    L_GAN(G, D_B) + L_GAN(F, D_A) + λ (E|F(G(a)) - a| + E|G(F(b)) - b|) + λ_id (E|F(a) - a| + E|G(b) - b|)

with the least-squares GAN loss E[(D(fake) - 1)²], λ = 10 and λ_id = 0.5 λ (section 4 and 5.2); the
discriminators minimise ½E[(D(real) - 1)²] + ½E[D(fake)²] on fakes drawn from a history pool of 50 past
generated images (:mod:`.image_pool`). Adam(2e-4, β1 = 0.5) for both players; the paper's linear decay of the
learning rate is :class:`keras_gans.callbacks.LinearDecay`. One step, as in the authors' code: one update of both
generators (one optimizer), then one of both discriminators on the step's fakes passed through the pools.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from keras_gans.engine import update
from keras_gans.engine.options import EngineOptions, check_number
from keras_gans.engine.players import Player
from keras_gans.models.registry import register_model
from keras_gans.models.translation import losses
from keras_gans.models.translation.base import (
    TranslationModel,
    UnpairedTranslationData,
    check_image_shape,
    take_examples,
)
from keras_gans.models.translation.image_pool import PAPER_POOL_SIZE, ImagePool
from keras_gans.networks.patchgan import build_patchgan_discriminator
from keras_gans.networks.resnet_translator import build_resnet_translator

__all__ = ["CycleGAN", "Draw"]

#: λ of the cycle-consistency terms (Zhu et al., 2017, section 4).
PAPER_CYCLE_WEIGHT = 10.0
#: λ_id / λ (section 5.2: "the weight of the identity mapping loss was 0.5λ").
PAPER_IDENTITY_RATIO = 0.5


class Draw:
    """Purposes of one step's random draws: the history pools' swap coins and slots."""

    POOL_A_SWAP, POOL_A_INDEX, POOL_B_SWAP, POOL_B_INDEX = 0, 1, 2, 3


@register_model
@keras.saving.register_keras_serializable(package="keras_gans")
class CycleGAN(TranslationModel):
    """Unpaired image-to-image translation (Zhu et al., 2017).

    Args:
        shape_a, shape_b: (H, W, C) of the images of domains A and B (the same H and W).
        generator_ab, generator_ba, discriminator_a, discriminator_b: your own networks instead of the defaults
            (all four or none).
        filters: width of the generators' first layer (64 in the paper).
        residual_blocks: residual blocks per generator (``None``: 6, or 9 at 256 px and more, as the paper).
        discriminator_filters, discriminator_layers: the PatchGANs' first width (64) and stride-2 layers (``None``:
            3 at >= 128 px, fewer for small images).
        cycle_weight: λ (10).
        identity_weight: λ_id (``None``: 0.5 λ; 0 turns the identity loss off).
        pool_size: the history pool of fakes per domain (50; 0: D sees the current fakes only).
        loss: ``"least_squares"`` (the paper) or ``"non_saturating"``.
        seed: seed of the model's noise streams.
        **options: the engine's options (``ema_decay``, ``skip_non_finite_gradients``, ``weight_clip``, ``precision``).
    """

    generators = {"a_to_b": "generator_ab", "b_to_a": "generator_ba"}
    sampled_networks = ("generator_ab", "generator_ba")
    primary_metric = ("cycle_l1", "min")

    @classmethod
    def data_arguments(cls, element_spec) -> dict:
        """``{"shape_a", "shape_b"}`` from a dataset of ``(a, b)`` batches (or ``{"a", "b"}`` dicts)."""
        first, second = UnpairedTranslationData.pair(element_spec, cls.__name__)
        return {"shape_a": tuple(int(d) for d in first.shape[1:]), "shape_b": tuple(int(d) for d in second.shape[1:])}

    def __init__(
        self,
        shape_a: tuple[int, int, int] | None = None,
        shape_b: tuple[int, int, int] | None = None,
        generator_ab: keras.Model | None = None,
        generator_ba: keras.Model | None = None,
        discriminator_a: keras.Model | None = None,
        discriminator_b: keras.Model | None = None,
        filters: int = 64,
        residual_blocks: int | None = None,
        discriminator_filters: int = 64,
        discriminator_layers: int | None = None,
        cycle_weight: float = PAPER_CYCLE_WEIGHT,
        identity_weight: float | None = None,
        pool_size: int = PAPER_POOL_SIZE,
        loss: str = "least_squares",
        seed: int | None = None,
        name: str | None = None,
        **options: Any,
    ):
        engine_options, base_kwargs = EngineOptions.from_model_kwargs("CycleGAN", options)
        self.cycle_weight = check_number("cycle_weight", cycle_weight, low=0.0)
        self.identity_weight = (
            PAPER_IDENTITY_RATIO * self.cycle_weight
            if identity_weight is None
            else check_number("identity_weight", identity_weight, low=0.0)
        )
        self._identity_weight_arg = identity_weight
        self.pool_size = check_number("pool_size", pool_size, low=0, integer=True)
        self.loss_name = loss
        self.objective = losses.adversarial_objective(loss)
        self.build_args = {
            "filters": filters,
            "residual_blocks": residual_blocks,
            "discriminator_filters": discriminator_filters,
            "discriminator_layers": discriminator_layers,
        }
        given = [generator_ab, generator_ba, discriminator_a, discriminator_b]
        if any(n is not None for n in given) and not all(n is not None for n in given):
            raise ValueError(
                "Pass all four of generator_ab=, generator_ba=, discriminator_a=, discriminator_b=, or none of them "
                "(and shape_a=, shape_b=) for the defaults."
            )
        if generator_ab is None:
            if shape_a is None or shape_b is None:
                raise ValueError(
                    "CycleGAN needs shape_a=(H, W, C) and shape_b=(H, W, C) for its default networks (or the four "
                    "networks); CycleGAN.data_arguments(dataset.element_spec) reads them."
                )
            shape_a, shape_b = check_image_shape("shape_a", shape_a), check_image_shape("shape_b", shape_b)
            if shape_a[:2] != shape_b[:2]:
                raise ValueError(
                    f"The default CycleGAN networks keep the image size, but shape_a={shape_a} and shape_b={shape_b} "
                    "differ in height/width: resize both domains to one size (keras_gans.data loaders take "
                    "image_size=)."
                )

            def generator(source, target, name):
                return build_resnet_translator(source, target[-1], filters, residual_blocks, name=name)

            def discriminator(shape, name):
                return build_patchgan_discriminator(
                    shape,
                    filters=discriminator_filters,
                    num_layers=discriminator_layers,
                    normalization="instance",
                    name=name,
                )

            generator_ab = generator(shape_a, shape_b, "generator_ab")
            generator_ba = generator(shape_b, shape_a, "generator_ba")
            discriminator_a = discriminator(shape_a, "discriminator_a")
            discriminator_b = discriminator(shape_b, "discriminator_b")
        self.shape_a = tuple(int(d) for d in generator_ab.inputs[0].shape[1:])
        self.shape_b = tuple(int(d) for d in generator_ab.outputs[0].shape[1:])
        self._check_networks(generator_ab, generator_ba, discriminator_a, discriminator_b)
        self.data_spec = UnpairedTranslationData(self.shape_a, self.shape_b)
        super().__init__(
            {
                "generator_ab": generator_ab,
                "generator_ba": generator_ba,
                "discriminator_a": discriminator_a,
                "discriminator_b": discriminator_b,
            },
            engine_options,
            seed=seed,
            name=name,
            **base_kwargs,
        )
        self._create_grid_weights(self.shape_a, self.shape_b)
        self.pool_a = ImagePool(self, self.shape_a, self.pool_size, "pool_a")
        self.pool_b = ImagePool(self, self.shape_b, self.pool_size, "pool_b")

    def _check_networks(self, generator_ab, generator_ba, discriminator_a, discriminator_b) -> None:
        def shapes(network, which):
            return tuple(int(d) for d in getattr(network, which)[0].shape[1:])

        if shapes(generator_ba, "inputs") != self.shape_b or shapes(generator_ba, "outputs") != self.shape_a:
            raise ValueError(
                f"generator_ab maps {self.shape_a} -> {self.shape_b}, so generator_ba must map {self.shape_b} -> "
                f"{self.shape_a}; it maps {shapes(generator_ba, 'inputs')} -> {shapes(generator_ba, 'outputs')}."
            )
        for network, shape, what in ((discriminator_a, self.shape_a, "A"), (discriminator_b, self.shape_b, "B")):
            if len(network.inputs) != 1 or shapes(network, "inputs") != shape:
                raise ValueError(f"discriminator_{what.lower()} must take one input, domain-{what} images {shape}.")

    # ----------------------------------------------------------------------------------------------------------
    # Players

    def players(self) -> tuple[Player, ...]:
        return (
            Player("generators", "g_optimizer", ("generator_ab", "generator_ba"), self._generator_loss, log_prefix="g"),
            Player(
                "discriminators",
                "d_optimizer",
                ("discriminator_a", "discriminator_b"),
                self._discriminator_loss,
                log_prefix="d",
            ),
        )

    def default_optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        """Adam(2e-4, β1 = 0.5) for both players (Zhu et al., 2017, section 4)."""
        return {
            "g_optimizer": keras.optimizers.Adam(2e-4, beta_1=0.5, name="g_adam"),
            "d_optimizer": keras.optimizers.Adam(2e-4, beta_1=0.5, name="d_adam"),
        }

    def log_names(self) -> list[str]:
        outputs = ["d_acc_real", "d_acc_fake"] if self.objective.outputs_are_logits else ["d_real", "d_fake"]
        names = ["d_loss", "d_a_loss", "d_b_loss", *outputs, "g_loss", "cycle_loss"]
        if self.identity_weight:
            names.append("identity_loss")
        return [*names, "g_total_loss", "d_grad_norm", "g_grad_norm", "diversity"]

    def unpack_batch(self, data) -> tuple:
        real_a, real_b = super().unpack_batch(data)
        return tf.cast(real_a, self.generator_ab.compute_dtype), tf.cast(real_b, self.generator_ba.compute_dtype)

    def _judge(self, network, images, training: bool = True):
        return tf.cast(network(images, training=training), tf.float32)

    def generator_terms(self, real_a, real_b, training: bool = True):
        """``(total, logs, (fake_a, fake_b))``: the generators' objective (module docstring) on one batch."""
        fake_b = self.generator_ab(real_a, training=training)
        fake_a = self.generator_ba(real_b, training=training)
        g_loss = self.objective.generator(
            self._judge(self.discriminator_b, fake_b, training)
        ) + self.objective.generator(self._judge(self.discriminator_a, fake_a, training))
        cycle = losses.cycle_consistency_loss(real_a, self.generator_ba(fake_b, training=training))
        cycle += losses.cycle_consistency_loss(real_b, self.generator_ab(fake_a, training=training))
        total = g_loss + self.cycle_weight * cycle
        logs = {"g_loss": g_loss, "cycle_loss": cycle}
        if self.identity_weight:
            identity = losses.identity_loss(real_b, self.generator_ab(real_b, training=training))
            identity += losses.identity_loss(real_a, self.generator_ba(real_a, training=training))
            total += self.identity_weight * identity
            logs["identity_loss"] = identity
        logs["g_total_loss"] = total
        logs["diversity"] = 0.5 * (_diversity(fake_a) + _diversity(fake_b))
        return total, logs, (fake_a, fake_b)

    def discriminator_terms(self, real_a, real_b, fake_a, fake_b, training: bool = True):
        """``(total, logs)``: D_A's and D_B's losses on real images and (pooled) fakes."""
        outputs = {}
        for domain, network, real, fake in (
            ("a", self.discriminator_a, real_a, fake_a),
            ("b", self.discriminator_b, real_b, fake_b),
        ):
            outputs[domain] = (
                self._judge(network, real, training),
                self._judge(network, tf.stop_gradient(fake), training),
            )
        d_a = self.objective.discriminator(*outputs["a"])
        d_b = self.objective.discriminator(*outputs["b"])
        real_out = tf.concat([tf.reshape(outputs[d][0], [-1]) for d in "ab"], 0)
        fake_out = tf.concat([tf.reshape(outputs[d][1], [-1]) for d in "ab"], 0)
        if self.objective.outputs_are_logits:
            extra = {
                "d_acc_real": tf.reduce_mean(tf.cast(real_out > 0, tf.float32)),
                "d_acc_fake": tf.reduce_mean(tf.cast(fake_out < 0, tf.float32)),
            }
        else:
            extra = {"d_real": tf.reduce_mean(real_out), "d_fake": tf.reduce_mean(fake_out)}
        total = d_a + d_b
        return total, {"d_loss": total, "d_a_loss": d_a, "d_b_loss": d_b, **extra}

    def _generator_loss(self, batch, step, repeat):
        total, logs, _ = self.generator_terms(*batch)
        return total, logs

    def _discriminator_loss(self, batch, step, repeat):
        """D's loss on ``(real_a, real_b, pooled fake_a, pooled fake_b)``: what :meth:`run_players` passes it."""
        return self.discriminator_terms(*batch)

    def run_players(self, batch: tuple, step) -> dict:
        """The generators' update, then the discriminators' on the step's fakes passed through the history pools."""
        generators, discriminators = self.players()
        real_a, real_b = batch
        g_grads, g_logs, (fake_a, fake_b) = self.xla_compiled(self._generator_gradients)(real_a, real_b)
        self.apply_player_update(generators, g_grads)
        # Drawn through xla_compiled so that the numbers are XLA's whenever the step's other draws are.
        draws_a, draws_b = self.xla_compiled(self._pool_draws)(tf.shape(real_a)[0], step)
        pooled_a = self.pool_a.query(fake_a, *draws_a)
        pooled_b = self.pool_b.query(fake_b, *draws_b)
        d_grads, d_logs = self.xla_compiled(self._discriminator_gradients)((real_a, real_b, pooled_a, pooled_b), step)
        self.apply_player_update(discriminators, d_grads)
        return {**g_logs, **d_logs}

    def _pool_draws(self, local_batch, step):
        return (
            ImagePool.global_draws(self.noise, local_batch, step, Draw.POOL_A_SWAP, Draw.POOL_A_INDEX),
            ImagePool.global_draws(self.noise, local_batch, step, Draw.POOL_B_SWAP, Draw.POOL_B_INDEX),
        )

    def _generator_gradients(self, real_a, real_b):
        """The generators' (replica- and loss-scaled) gradients, logs with their norm, and the step's fakes."""
        generators = self.players()[0]
        with tf.GradientTape() as tape:
            total, logs, fakes = self.generator_terms(real_a, real_b)
            scaled = update.scale_loss(self.g_optimizer, total)
        grads = tape.gradient(scaled, self._player_variables(generators))
        logs[generators.grad_norm_log] = update.global_norm(grads, self.g_optimizer)
        return grads, logs, tuple(tf.stop_gradient(f) for f in fakes)

    def _discriminator_gradients(self, parts, step):
        return self.player_gradients(self.players()[1], parts, step, 0)

    def test_step(self, data):
        """Both players' losses on held-out batches (current fakes, no pool, no update)."""
        real_a, real_b = self.unpack_batch(data)
        _, g_logs, (fake_a, fake_b) = self.generator_terms(real_a, real_b, training=False)
        _, d_logs = self.discriminator_terms(real_a, real_b, fake_a, fake_b, training=False)
        return self.record_logs({**g_logs, **d_logs})

    # ----------------------------------------------------------------------------------------------------------
    # Samples and quality

    def grid_columns(self, first: np.ndarray, second: np.ndarray) -> list[np.ndarray]:
        """a | G(a) | F(G(a)) rows for the domain-A examples, then b | F(b) | G(F(b)) rows for the domain-B ones."""
        fake_b = self.translate(first, "a_to_b")
        columns = [first, fake_b, self.translate(fake_b, "b_to_a")]
        if len(second) and self.shape_a == self.shape_b:
            fake_a = self.translate(second, "b_to_a")
            rows_b = [second, fake_a, self.translate(fake_a, "a_to_b")]
            columns = [np.concatenate([a, b]) for a, b in zip(columns, rows_b)]
        return columns

    def evaluate_quality(self, data, num_samples: int = 1000) -> dict[str, float]:
        """Cycle errors on ``num_samples`` examples of each domain: ``cycle_l1_a`` = E|F(G(a)) - a|, ``cycle_l1_b`` =
        E|G(F(b)) - b| and their mean ``cycle_l1`` (the translations' fidelity to their source)."""
        real_a, real_b = take_examples(data, int(num_samples))
        cycle_a = float(np.mean(np.abs(self.translate(self.translate(real_a, "a_to_b"), "b_to_a") - real_a)))
        cycle_b = float(np.mean(np.abs(self.translate(self.translate(real_b, "b_to_a"), "a_to_b") - real_b)))
        return {"cycle_l1_a": cycle_a, "cycle_l1_b": cycle_b, "cycle_l1": 0.5 * (cycle_a + cycle_b)}

    # ----------------------------------------------------------------------------------------------------------
    # Serialisation

    def get_config(self) -> dict:
        return {
            "name": self.name,
            **self.network_config(),
            **self.build_args,
            "cycle_weight": self.cycle_weight,
            "identity_weight": self._identity_weight_arg,
            "pool_size": self.pool_size,
            "loss": self.loss_name,
            "seed": self.seed,
            **self.options.to_config(),
        }

    @classmethod
    def from_config(cls, config: dict) -> CycleGAN:
        names = ("generator_ab", "generator_ba", "discriminator_a", "discriminator_b")
        return cls(**cls.deserialize_networks(config, names))


def _diversity(images) -> tf.Tensor:
    """Mean per-pixel standard deviation across a batch of translations (near 0: every input maps alike)."""
    return tf.reduce_mean(tf.math.reduce_std(tf.cast(images, tf.float32), axis=0))
