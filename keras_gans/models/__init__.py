"""The model zoo: one shared train step (:class:`GANModel`) and thin presets."""

from keras_gans.models.base import GANModel
from keras_gans.models.cgan import CGAN
from keras_gans.models.dcgan import DCGAN
from keras_gans.models.gan import GAN
from keras_gans.models.lsgan import LSGAN
from keras_gans.models.options import TrainingOptions
from keras_gans.models.wgan_gp import WGANGP

__all__ = ["CGAN", "DCGAN", "GAN", "GANModel", "LSGAN", "TrainingOptions", "WGANGP"]
