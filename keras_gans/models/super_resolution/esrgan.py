"""ESRGAN (Wang et al., 2018): RRDB generator, relativistic average D, L1 perceptual loss before activation + L1."""

from __future__ import annotations

from typing import Any

import keras

from keras_gans.models.registry import register_model
from keras_gans.models.super_resolution import losses
from keras_gans.models.super_resolution.base import SuperResolutionGAN
from keras_gans.models.super_resolution.srgan import content_network_from
from keras_gans.networks.rrdb import RESIDUAL_SCALING, build_rrdb_generator
from keras_gans.networks.sr_discriminator import build_sr_discriminator
from keras_gans.networks.srresnet import check_scale

__all__ = ["ESRGAN"]


@register_model
@keras.saving.register_keras_serializable(package="keras_gans")
class ESRGAN(SuperResolutionGAN):
    """Enhanced super-resolution GAN (Wang et al., 2018).

    The GAN phase's G loss is ``L_percep + 5e-3 L_G^Ra + 1e-2 L_1`` (the paper's lambda and eta), ``L_percep`` the
    L1 distance of VGG19 ``block5_conv4`` features before their ReLU; D is relativistic average
    (:func:`~keras_gans.models.super_resolution.losses.relativistic_average_discriminator_loss`). The first
    ``pretrain_steps`` train the PSNR-oriented RRDBNet on L1 alone; interpolate the PSNR and GAN weights with
    :func:`keras_gans.interpolate_weights` (the paper's network interpolation).

    Args:
        scale: 2, 4 (the paper's) or 8.
        channels: image channels.
        filters, growth, num_blocks, residual_scaling: RRDBNet (64, 32, 23, 0.2).
        d_filters: the discriminator's first width (64).
        bicubic_skip: G predicts the residual over bicubic upsampling, as for :class:`SRGAN`.
        content, content_layer, vgg_weights: the perceptual network, as for :class:`SRGAN` (before activation).
        pretrain_steps: L1-only steps first (1000 by default).
        generator, discriminator, content_network: your own networks instead.
        **kwargs: ``downsampling``, ``pixel_weight`` (1e-2), ``content_weight`` (1), ``adversarial_weight``
            (5e-3), ``seed``, engine options.
    """

    pixel_loss = staticmethod(losses.l1_loss)
    content_loss = staticmethod(losses.l1_loss)
    relativistic = True

    def __init__(
        self,
        scale: int = 4,
        channels: int = 3,
        filters: int = 64,
        growth: int = 32,
        num_blocks: int = 23,
        residual_scaling: float = RESIDUAL_SCALING,
        d_filters: int = 64,
        content: Any = "vgg19",
        content_layer: str = "block5_conv4",
        vgg_weights: str | None = None,
        pretrain_steps: int = 1000,
        pixel_weight: float = 1e-2,
        content_weight: float = 1.0,
        adversarial_weight: float = 5e-3,
        bicubic_skip: bool = False,
        generator: keras.Model | None = None,
        discriminator: keras.Model | None = None,
        content_network: keras.Model | None = None,
        **kwargs: Any,
    ):
        scale = check_scale(scale)
        self.build_args = {
            "channels": channels,
            "filters": filters,
            "growth": growth,
            "num_blocks": num_blocks,
            "residual_scaling": residual_scaling,
            "d_filters": d_filters,
            "bicubic_skip": bicubic_skip,
            "content_layer": content_layer,
        }
        if generator is None:
            generator = build_rrdb_generator(
                channels, scale, filters, growth, num_blocks, residual_scaling, bicubic_skip=bicubic_skip
            )
        if discriminator is None:
            discriminator = build_sr_discriminator(channels, d_filters)
        if content_network is None:
            content_network = content_network_from(content, channels, content_layer, vgg_weights, True)
        super().__init__(
            generator,
            discriminator,
            scale,
            content_network=content_network,
            pretrain_steps=pretrain_steps,
            pixel_weight=pixel_weight,
            content_weight=content_weight,
            adversarial_weight=adversarial_weight,
            **kwargs,
        )

    def default_optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        """Adam(1e-4, beta_1=0.9, beta_2=0.99) for both (the paper's GAN phase)."""
        return {
            "d_optimizer": keras.optimizers.Adam(1e-4, beta_1=0.9, beta_2=0.99, name="d_adam"),
            "g_optimizer": keras.optimizers.Adam(1e-4, beta_1=0.9, beta_2=0.99, name="g_adam"),
        }

    def get_config(self) -> dict:
        return {**super().get_config(), **self.build_args, "content": None}
