"""Super-resolution GANs: SRGAN and ESRGAN, with tiled upscaling of images of any size."""

from keras_gans.models.super_resolution.base import SuperResolutionGAN
from keras_gans.models.super_resolution.esrgan import ESRGAN
from keras_gans.models.super_resolution.interpolation import interpolate_weights
from keras_gans.models.super_resolution.srgan import SRGAN

__all__ = ["ESRGAN", "SRGAN", "SuperResolutionGAN", "interpolate_weights"]
