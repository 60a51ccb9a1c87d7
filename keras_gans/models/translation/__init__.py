"""Image-to-image translation: Pix2Pix (paired) and CycleGAN (unpaired)."""

from keras_gans.models.translation.base import TranslationModel
from keras_gans.models.translation.cyclegan import CycleGAN
from keras_gans.models.translation.pix2pix import Pix2Pix

__all__ = ["CycleGAN", "Pix2Pix", "TranslationModel"]
