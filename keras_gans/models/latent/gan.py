"""The original GAN (Goodfellow et al., 2014): MLP networks and the non-saturating generator loss."""

from __future__ import annotations

import keras

from keras_gans.models.latent.base import GANModel
from keras_gans.models.registry import register_model
from keras_gans.networks import build_mlp_discriminator, build_mlp_generator

__all__ = ["GAN"]


@register_model
@keras.saving.register_keras_serializable(package="keras_gans")
class GAN(GANModel):
    """GAN with fully connected networks (see :mod:`keras_gans.networks.mlp`) and the non-saturating loss.

    The paper trained with SGD and momentum; the default optimizers are Adam(2e-4, beta_1=0.5) for both nets,
    which practitioners use for MLP GANs as well (Radford et al., 2016).

    Args:
        image_shape: (H, W, C) of the images, when building the default networks.
        latent_dim: size of z (100 as in most GAN code).
        generator, discriminator: your own networks instead of the defaults.
        hidden_units: (generator units, discriminator units) of the default MLPs.
        **kwargs: ``num_classes``, ``loss``, ``seed`` and the training options of :class:`GANModel`.
    """

    def __init__(
        self,
        image_shape: tuple[int, int, int] | None = None,
        latent_dim: int = 100,
        generator: keras.Model | None = None,
        discriminator: keras.Model | None = None,
        hidden_units: tuple[tuple[int, ...], tuple[int, ...]] = ((256, 512, 1024), (512, 256)),
        **kwargs,
    ):
        latent_dim, _ = self.check_sizes(latent_dim, kwargs.get("num_classes"))
        num_classes = kwargs.get("num_classes")
        generator, discriminator = self._networks(
            generator,
            discriminator,
            image_shape,
            lambda shape: (
                build_mlp_generator(latent_dim, shape, tuple(hidden_units[0]), num_classes=num_classes),
                build_mlp_discriminator(shape, tuple(hidden_units[1]), num_classes=num_classes),
            ),
        )
        super().__init__(generator, discriminator, latent_dim, **kwargs)
