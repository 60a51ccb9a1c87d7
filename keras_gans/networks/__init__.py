"""Generator and discriminator builders."""

from keras_gans.networks.bicubic import BicubicResidual, bicubic_upsample
from keras_gans.networks.dcgan import build_dcgan_discriminator, build_dcgan_generator, num_upsamplings
from keras_gans.networks.layers import MinibatchStdDev
from keras_gans.networks.mlp import build_mlp_discriminator, build_mlp_generator
from keras_gans.networks.patchgan import build_patchgan_discriminator, patchgan_receptive_field
from keras_gans.networks.progressive import build_progressive_discriminator, build_progressive_generator
from keras_gans.networks.resnet_translator import build_resnet_translator
from keras_gans.networks.rrdb import build_rrdb_generator
from keras_gans.networks.sr_discriminator import build_sr_discriminator
from keras_gans.networks.srresnet import PixelShuffle, build_srresnet, receptive_radius
from keras_gans.networks.stylegan2 import build_stylegan2_discriminator, build_stylegan2_generator
from keras_gans.networks.unet import build_unet_generator

__all__ = [
    "BicubicResidual",
    "MinibatchStdDev",
    "PixelShuffle",
    "bicubic_upsample",
    "build_dcgan_discriminator",
    "build_dcgan_generator",
    "build_mlp_discriminator",
    "build_mlp_generator",
    "build_patchgan_discriminator",
    "build_progressive_discriminator",
    "build_progressive_generator",
    "build_resnet_translator",
    "build_rrdb_generator",
    "build_sr_discriminator",
    "build_srresnet",
    "build_stylegan2_discriminator",
    "build_stylegan2_generator",
    "build_unet_generator",
    "num_upsamplings",
    "patchgan_receptive_field",
    "receptive_radius",
]
