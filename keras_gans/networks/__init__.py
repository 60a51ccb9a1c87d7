"""Generator and discriminator builders."""

from keras_gans.networks.dcgan import build_dcgan_discriminator, build_dcgan_generator, num_upsamplings
from keras_gans.networks.layers import MinibatchStdDev
from keras_gans.networks.mlp import build_mlp_discriminator, build_mlp_generator

__all__ = [
    "MinibatchStdDev",
    "build_dcgan_discriminator",
    "build_dcgan_generator",
    "build_mlp_discriminator",
    "build_mlp_generator",
    "num_upsamplings",
]
