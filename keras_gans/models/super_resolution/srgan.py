"""SRGAN (Ledig et al., 2017): SRResNet generator, VGG-style discriminator, VGG54 content loss + 1e-3 adversarial."""

from __future__ import annotations

from typing import Any

import keras

from keras_gans.models.registry import register_model
from keras_gans.models.super_resolution.base import SuperResolutionGAN
from keras_gans.models.super_resolution.content import vgg19_features
from keras_gans.networks.sr_discriminator import build_sr_discriminator
from keras_gans.networks.srresnet import build_srresnet, check_scale

__all__ = ["SRGAN", "VGG_RESCALING", "content_network_from"]

#: SRGAN rescales VGG features by 1/12.75 so that the VGG loss is comparable with the MSE loss: a weight 1/12.75^2.
VGG_RESCALING = 1.0 / 12.75**2


def content_network_from(content, channels: int, layer: str, weights: str | None, before_activation: bool):
    """The content network a model's ``content=`` names: ``"vgg19"``, a keras.Model (used as is) or None."""
    if content is None or isinstance(content, keras.Model):
        return content
    if content == "vgg19":
        return vgg19_features(channels, layer, weights=weights, before_activation=before_activation)
    raise ValueError(f"content must be 'vgg19', a keras.Model (a feature extractor) or None (pixels), got {content!r}.")


@register_model
@keras.saving.register_keras_serializable(package="keras_gans")
class SRGAN(SuperResolutionGAN):
    """Photo-realistic super-resolution GAN (Ledig et al., 2017).

    Args:
        scale: 2, 4 (the paper's) or 8.
        channels: image channels.
        filters, num_blocks: SRResNet's width and residual blocks (64, 16).
        d_filters: the discriminator's first width (64).
        bicubic_skip: G predicts the residual over bicubic upsampling and starts as the bicubic baseline (VDSR's
            global residual; not the paper's). Recommended for short trainings on photographs.
        content: ``"vgg19"`` (VGG54 after ReLU, weighted ``1/12.75^2``), any keras.Model feature extractor
            (weighted 1), or ``None``: SRGAN-MSE, the content loss on pixels.
        content_layer, vgg_weights: VGG19's layer and a local ImageNet weights file (see
            :mod:`keras_gans.models.super_resolution.content`; ``None``: random weights).
        pretrain_steps: MSE-only SRResNet steps first (the paper trains 10^6; 1000 here by default).
        content_weight: ``None`` for the defaults above.
        generator, discriminator, content_network: your own networks instead.
        **kwargs: ``downsampling``, ``pixel_weight``, ``adversarial_weight`` (1e-3), ``seed``, engine options.
    """

    def __init__(
        self,
        scale: int = 4,
        channels: int = 3,
        filters: int = 64,
        num_blocks: int = 16,
        d_filters: int = 64,
        content: Any = "vgg19",
        content_layer: str = "block5_conv4",
        vgg_weights: str | None = None,
        pretrain_steps: int = 1000,
        content_weight: float | None = None,
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
            "num_blocks": num_blocks,
            "d_filters": d_filters,
            "bicubic_skip": bicubic_skip,
            "content_layer": content_layer,
        }
        if generator is None:
            generator = build_srresnet(channels, scale, filters, num_blocks, bicubic_skip=bicubic_skip)
        if discriminator is None:
            discriminator = build_sr_discriminator(channels, d_filters)
        if content_network is None:
            content_network = content_network_from(content, channels, content_layer, vgg_weights, False)
            if content_weight is None and content == "vgg19":
                content_weight = VGG_RESCALING
        super().__init__(
            generator,
            discriminator,
            scale,
            content_network=content_network,
            pretrain_steps=pretrain_steps,
            content_weight=1.0 if content_weight is None else content_weight,
            **kwargs,
        )

    def get_config(self) -> dict:
        return {**super().get_config(), **self.build_args, "content": None}
