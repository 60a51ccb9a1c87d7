"""The model zoo: families on the engine (:mod:`keras_gans.engine`), one small module per model.

``latent/``: G(z[, y]) -> image models (GAN, DCGAN, CGAN, WGANGP, LSGAN, WGAN, ACGAN, InfoGAN, SNGAN). Every
model registers itself in :mod:`keras_gans.models.registry`.
"""

from keras_gans.models.latent import ACGAN, CGAN, DCGAN, GAN, LSGAN, SNGAN, WGAN, WGANGP, GANModel, InfoGAN
from keras_gans.models.latent.options import TrainingOptions
from keras_gans.models.latent.progan import ProGAN
from keras_gans.models.latent.stylegan2 import StyleGAN2
from keras_gans.models.registry import get_model_class, model_names, models_by_family
from keras_gans.models.super_resolution import ESRGAN, SRGAN, SuperResolutionGAN, interpolate_weights
from keras_gans.models.translation import CycleGAN, Pix2Pix, TranslationModel

__all__ = [
    "ACGAN",
    "CGAN",
    "DCGAN",
    "ESRGAN",
    "GAN",
    "GANModel",
    "InfoGAN",
    "LSGAN",
    "SNGAN",
    "SRGAN",
    "SuperResolutionGAN",
    "StyleGAN2",
    "ProGAN",
    "CycleGAN",
    "Pix2Pix",
    "TrainingOptions",
    "TranslationModel",
    "WGAN",
    "WGANGP",
    "get_model_class",
    "interpolate_weights",
    "model_names",
    "models_by_family",
]
