"""Latent-space GANs: G(z[, y]) -> image, trained against D(image[, y]); see :mod:`.base`."""

from keras_gans.models.latent.acgan import ACGAN
from keras_gans.models.latent.base import GANModel
from keras_gans.models.latent.cgan import CGAN
from keras_gans.models.latent.dcgan import DCGAN
from keras_gans.models.latent.gan import GAN
from keras_gans.models.latent.infogan import InfoGAN
from keras_gans.models.latent.lsgan import LSGAN
from keras_gans.models.latent.progan import ProGAN
from keras_gans.models.latent.sngan import SNGAN
from keras_gans.models.latent.stylegan2 import StyleGAN2
from keras_gans.models.latent.wgan import WGAN
from keras_gans.models.latent.wgan_gp import WGANGP

__all__ = [
    "ACGAN",
    "CGAN",
    "DCGAN",
    "GAN",
    "GANModel",
    "InfoGAN",
    "LSGAN",
    "ProGAN",
    "SNGAN",
    "StyleGAN2",
    "WGAN",
    "WGANGP",
]
