"""Pix2Pix (Isola et al., 2017): paired translation with a U-Net G(x), a conditional PatchGAN D(x, y) and L1.

G minimises L_GAN + λ·E|y - G(x)| with λ = 100; D is the conditional PatchGAN on the channel concatenation of the
input and the (real or generated) output, trained on half its cross-entropy (the authors' code). Adam(2e-4,
β1 = 0.5) for both (section 4 / appendix 6.2). One step: a D update on the batch, then a G update; each draws its
own dropout masks from the model's noise streams (:class:`Draw`).
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from keras_gans.engine.options import EngineOptions, check_number
from keras_gans.engine.players import Player
from keras_gans.metrics.image_quality import image_quality_scores
from keras_gans.models.registry import register_model
from keras_gans.models.translation import losses
from keras_gans.models.translation.base import (
    PairedTranslationData,
    TranslationModel,
    check_image_shape,
    take_examples,
)
from keras_gans.networks.patchgan import build_patchgan_discriminator
from keras_gans.networks.unet import build_unet_generator, dropout_noise

__all__ = ["Draw", "Pix2Pix"]

#: λ of the L1 term (Isola et al., 2017, section 4).
PAPER_L1_WEIGHT = 100.0


class Draw:
    """Purposes of one step's random draws: the dropout masks of the D and G steps' generator passes (one purpose
    per dropout layer from these bases)."""

    D_DROPOUT, G_DROPOUT = 0, 16


@register_model
@keras.saving.register_keras_serializable(package="keras_gans")
class Pix2Pix(TranslationModel):
    """Paired image-to-image translation (Isola et al., 2017).

    Args:
        input_shape: (H, W, C_in) of the inputs x.
        output_channels: channels of the targets y (same H and W).
        generator, discriminator: your own G(x) -> y and D([x, y]) -> logits instead of the defaults (then
            ``input_shape`` / ``output_channels`` follow from them).
        filters: width of the first layer of the default U-Net (64 in the paper).
        discriminator_filters: width of the first PatchGAN layer (64).
        discriminator_layers: stride-2 PatchGAN layers (``None``: 3 for the 70x70 patches at >= 128 px, fewer for
            small images, see :func:`keras_gans.networks.patchgan.default_patchgan_layers`).
        dropout: the U-Net's dropout rate (0.5).
        normalization: ``"batch"`` (the paper) or ``"instance"`` in both default networks.
        l1_weight: λ (100).
        loss: ``"non_saturating"`` (the paper's cross-entropy GAN) or ``"least_squares"``.
        seed: seed of the model's noise streams.
        **options: the engine's options (``ema_decay``, ``skip_non_finite_gradients``, ``weight_clip``, ``precision``).
    """

    generators = {"a_to_b": "generator"}
    sampled_networks = ("generator",)
    primary_metric = ("psnr", "max")

    @classmethod
    def data_arguments(cls, element_spec) -> dict:
        """``{"input_shape", "output_channels"}`` from a dataset of ``(inputs, targets)`` (or its dict form)."""
        inputs, targets = PairedTranslationData.pair(element_spec, cls.__name__)
        return {"input_shape": tuple(int(d) for d in inputs.shape[1:]), "output_channels": int(targets.shape[-1])}

    def __init__(
        self,
        input_shape: tuple[int, int, int] | None = None,
        output_channels: int | None = None,
        generator: keras.Model | None = None,
        discriminator: keras.Model | None = None,
        filters: int = 64,
        discriminator_filters: int = 64,
        discriminator_layers: int | None = None,
        dropout: float = 0.5,
        normalization: str = "batch",
        l1_weight: float = PAPER_L1_WEIGHT,
        loss: str = "non_saturating",
        seed: int | None = None,
        name: str | None = None,
        **options: Any,
    ):
        engine_options, base_kwargs = EngineOptions.from_model_kwargs("Pix2Pix", options)
        self.l1_weight = check_number("l1_weight", l1_weight, low=0.0)
        self.loss_name = loss
        self.objective = losses.adversarial_objective(loss)
        self.build_args = {
            "filters": filters,
            "discriminator_filters": discriminator_filters,
            "discriminator_layers": discriminator_layers,
            "dropout": dropout,
            "normalization": normalization,
        }
        if (generator is None) != (discriminator is None):
            raise ValueError(
                "Pass both generator= and discriminator=, or neither (and input_shape=, output_channels=)."
            )
        if generator is None:
            if input_shape is None or output_channels is None:
                raise ValueError(
                    "Pix2Pix needs input_shape=(H, W, C_in) and output_channels= for its default networks (or "
                    "generator= and discriminator=); Pix2Pix.data_arguments(dataset.element_spec) reads them."
                )
            input_shape = check_image_shape("input_shape", input_shape)
            output_channels = check_number("output_channels", output_channels, low=1, integer=True)
            check_number("dropout", dropout, low=0.0, high=0.99)
            generator = build_unet_generator(
                input_shape,
                output_channels,
                filters=filters,
                dropout=dropout,
                normalization=normalization,
                name="generator",
            )
            discriminator = build_patchgan_discriminator(
                (*input_shape[:2], output_channels),
                conditioning_shape=input_shape,
                filters=discriminator_filters,
                num_layers=discriminator_layers,
                normalization=normalization,
                name="discriminator",
            )
        self.input_image_shape = tuple(int(d) for d in generator.inputs[0].shape[1:])
        self.output_image_shape = tuple(int(d) for d in generator.outputs[0].shape[1:])
        self._check_networks(generator, discriminator)
        self.data_spec = PairedTranslationData(self.input_image_shape, self.output_image_shape)
        super().__init__(
            {"generator": generator, "discriminator": discriminator},
            engine_options,
            seed=seed,
            name=name,
            **base_kwargs,
        )
        self._create_grid_weights(self.input_image_shape, self.output_image_shape)

    def _check_networks(self, generator, discriminator) -> None:
        if len(generator.inputs) != 1:
            raise ValueError(f"The generator must take one input (the image x), it takes {len(generator.inputs)}.")
        if self.input_image_shape[:2] != self.output_image_shape[:2]:
            raise ValueError(
                f"Pix2Pix maps images to images of the same size; the generator maps {self.input_image_shape} to "
                f"{self.output_image_shape}."
            )
        d_shapes = [tuple(int(d) for d in t.shape[1:]) for t in discriminator.inputs]
        if d_shapes != [self.input_image_shape, self.output_image_shape]:
            raise ValueError(
                f"The discriminator must take [x, y] with shapes [{self.input_image_shape}, "
                f"{self.output_image_shape}] (a conditional D(x, y)); it takes {d_shapes}."
            )

    # ----------------------------------------------------------------------------------------------------------
    # Players

    def players(self) -> tuple[Player, ...]:
        return (
            Player("discriminator", "d_optimizer", ("discriminator",), self._discriminator_loss, log_prefix="d"),
            Player("generator", "g_optimizer", ("generator",), self._generator_loss, log_prefix="g"),
        )

    def default_optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        """Adam(2e-4, β1 = 0.5) for both networks (Isola et al., 2017, section 4)."""
        return {
            "d_optimizer": keras.optimizers.Adam(2e-4, beta_1=0.5, name="d_adam"),
            "g_optimizer": keras.optimizers.Adam(2e-4, beta_1=0.5, name="g_adam"),
        }

    def log_names(self) -> list[str]:
        accuracy = ["d_acc_real", "d_acc_fake"] if self.objective.outputs_are_logits else ["d_real", "d_fake"]
        return ["d_loss", *accuracy, "g_loss", "l1_loss", "g_total_loss", "d_grad_norm", "g_grad_norm", "diversity"]

    def unpack_batch(self, data) -> tuple:
        inputs, targets = super().unpack_batch(data)
        dtype = self.generator.compute_dtype
        return tf.cast(inputs, dtype), tf.cast(targets, dtype)

    def _translate_in_step(self, inputs, step, base: int):
        with dropout_noise(lambda shape, stream: self.noise.uniform(shape, step, base + stream)):
            return self.generator(inputs, training=True)

    def _discriminate(self, inputs, images, training: bool = True):
        return tf.cast(self.discriminator([inputs, images], training=training), tf.float32)

    def _output_logs(self, real_out, fake_out) -> dict:
        if self.objective.outputs_are_logits:
            return {
                "d_acc_real": tf.reduce_mean(tf.cast(real_out > 0, tf.float32)),
                "d_acc_fake": tf.reduce_mean(tf.cast(fake_out < 0, tf.float32)),
            }
        return {"d_real": tf.reduce_mean(real_out), "d_fake": tf.reduce_mean(fake_out)}

    def _discriminator_loss(self, batch, step, repeat):
        """½ D's cross-entropy on (x, y) as real and (x, G(x)) as fake, per patch."""
        inputs, targets = batch
        fake = tf.stop_gradient(self._translate_in_step(inputs, step, Draw.D_DROPOUT))
        real_out = self._discriminate(inputs, targets)
        fake_out = self._discriminate(inputs, fake)
        d_loss = self.objective.discriminator(real_out, fake_out)
        return d_loss, {"d_loss": d_loss, **self._output_logs(real_out, fake_out)}

    def _generator_loss(self, batch, step, repeat):
        """L_GAN(G) + λ·E|y - G(x)|; logs the adversarial part as ``g_loss`` and the L1 as ``l1_loss``."""
        inputs, targets = batch
        fake = self._translate_in_step(inputs, step, Draw.G_DROPOUT)
        g_loss = self.objective.generator(self._discriminate(inputs, fake))
        l1 = losses.l1_loss(fake, targets)
        total = g_loss + self.l1_weight * l1
        logs = {"g_loss": g_loss, "l1_loss": l1, "g_total_loss": total, "diversity": _diversity(fake)}
        return total, logs

    def test_step(self, data):
        """The losses on held-out pairs with no update and no dropout (``evaluate``, ``validation_data``)."""
        inputs, targets = self.unpack_batch(data)
        fake = self.generator(inputs, training=False)
        real_out = self._discriminate(inputs, targets, training=False)
        fake_out = self._discriminate(inputs, fake, training=False)
        g_loss = self.objective.generator(fake_out)
        l1 = losses.l1_loss(fake, targets)
        logs = {
            "d_loss": self.objective.discriminator(real_out, fake_out),
            **self._output_logs(real_out, fake_out),
            "g_loss": g_loss,
            "l1_loss": l1,
            "g_total_loss": g_loss + self.l1_weight * l1,
            "diversity": _diversity(fake),
        }
        return self.record_logs(logs)

    # ----------------------------------------------------------------------------------------------------------
    # Samples and quality

    def grid_columns(self, first: np.ndarray, second: np.ndarray) -> list[np.ndarray]:
        """input | output | target (the target column when the examples have targets)."""
        columns = [first, self.translate(first)]
        if len(second) == len(first):
            columns.append(second)
        return columns

    def evaluate_quality(self, data, num_samples: int = 1000) -> dict[str, float]:
        """``{"psnr", "ssim", "l1"}`` of the translations of the first ``num_samples`` pairs against their targets."""
        inputs, targets = take_examples(data, int(num_samples))
        return image_quality_scores(self.translate(inputs), targets)

    # ----------------------------------------------------------------------------------------------------------
    # Serialisation

    def get_config(self) -> dict:
        return {
            "name": self.name,
            **self.network_config(),
            **self.build_args,
            "l1_weight": self.l1_weight,
            "loss": self.loss_name,
            "seed": self.seed,
            **self.options.to_config(),
        }

    @classmethod
    def from_config(cls, config: dict) -> Pix2Pix:
        return cls(**cls.deserialize_networks(config, ("generator", "discriminator")))


def _diversity(images) -> tf.Tensor:
    """Mean per-pixel standard deviation across the batch of translations (near 0: every input maps alike)."""
    return tf.reduce_mean(tf.math.reduce_std(tf.cast(images, tf.float32), axis=0))
