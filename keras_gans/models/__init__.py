"""The model zoo: families on the engine (:mod:`keras_gans.engine`), one small module per model.

``latent/``: G(z[, y]) -> image models (GAN, DCGAN, CGAN, WGANGP, LSGAN, WGAN, ACGAN, InfoGAN, SNGAN). Every
model registers itself in :mod:`keras_gans.models.registry`.
"""

from keras_gans.models.latent import ACGAN, CGAN, DCGAN, GAN, LSGAN, SNGAN, WGAN, WGANGP, GANModel, InfoGAN
from keras_gans.models.latent.options import TrainingOptions
from keras_gans.models.registry import get_model_class, model_names, models_by_family

__all__ = [
    "ACGAN",
    "CGAN",
    "DCGAN",
    "GAN",
    "GANModel",
    "InfoGAN",
    "LSGAN",
    "SNGAN",
    "TrainingOptions",
    "WGAN",
    "WGANGP",
    "get_model_class",
    "model_names",
    "models_by_family",
]
