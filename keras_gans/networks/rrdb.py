"""The ESRGAN generator (Wang et al., 2018): Residual-in-Residual Dense Blocks, no batch norm, residual scaling.

``conv3 -> B x RRDB -> conv3, + long skip -> log2(scale) x [nearest x2 -> conv3 -> LeakyReLU(0.2)] -> conv3 ->
LeakyReLU -> conv3 -> tanh``. A dense block has 5 convolutions, each taking the concatenation of the block's input
and every earlier output (``growth`` channels each, LeakyReLU(0.2) but the last), and returns
``x + residual_scaling * conv5``; an RRDB chains 3 dense blocks and returns ``x + residual_scaling * chain(x)``.
The paper's defaults: F = 64, growth 32, B = 23, residual scaling 0.2, convolutions initialised as He-normal times
0.1 (the paper's smaller initialisation for the residual blocks). The output ends with tanh (the package's [-1, 1]
convention; the paper's is linear, clamped).
"""

from __future__ import annotations

import math

import keras

from keras_gans.networks.srresnet import PixelShuffle, check_scale, high_res_output

__all__ = ["RESIDUAL_SCALING", "build_rrdb_generator"]

#: beta of the paper: the residuals of dense blocks and RRDBs are scaled by it before being added.
RESIDUAL_SCALING = 0.2
#: He-normal times 0.1 for the dense blocks' convolutions (variance times 0.01).
_SMALL_INIT = {"class_name": "VarianceScaling", "config": {"scale": 0.02, "mode": "fan_in", "distribution": "normal"}}


def _conv(filters: int, name: str, small: bool = False, activation=None):
    return keras.layers.Conv2D(
        filters,
        3,
        padding="same",
        name=name,
        activation=activation,
        kernel_initializer=keras.initializers.get(_SMALL_INIT) if small else "glorot_uniform",
    )


def _scaled_residual(x, residual, beta: float, name: str):
    scaled = keras.layers.Rescaling(beta, name=f"{name}_scale")(residual)
    return keras.layers.Add(name=f"{name}_add")([x, scaled])


def _dense_block(x, filters: int, growth: int, beta: float, name: str):
    features = [x]
    for i in range(4):
        inputs = features[0] if len(features) == 1 else keras.layers.Concatenate(name=f"{name}_cat{i}")(features)
        y = _conv(growth, f"{name}_conv{i}", small=True)(inputs)
        features.append(keras.layers.LeakyReLU(0.2, name=f"{name}_lrelu{i}")(y))
    y = _conv(filters, f"{name}_conv4", small=True)(keras.layers.Concatenate(name=f"{name}_cat4")(features))
    return _scaled_residual(x, y, beta, name)


def _rrdb(x, filters: int, growth: int, beta: float, name: str):
    y = x
    for i in range(3):
        y = _dense_block(y, filters, growth, beta, f"{name}_dense{i}")
    return _scaled_residual(x, y, beta, name)


def build_rrdb_generator(
    channels: int = 3,
    scale: int = 4,
    filters: int = 64,
    growth: int = 32,
    num_blocks: int = 23,
    residual_scaling: float = RESIDUAL_SCALING,
    bicubic_skip: bool = False,
    name: str = "rrdb_net",
) -> keras.Model:
    """RRDBNet: low-res images in [-1, 1] of any size -> ``scale`` x larger images in [-1, 1].

    Args:
        channels: image channels (input and output).
        scale: 2, 4 or 8 (nearest-neighbour x2 stages, each followed by a convolution).
        filters: trunk width (64); growth: channels each dense convolution adds (32).
        num_blocks: RRDBs (23 in the paper).
        residual_scaling: beta (0.2).
        bicubic_skip: predict the residual over bicubic upsampling (last convolution zero-initialised), as
            :func:`~keras_gans.networks.srresnet.build_srresnet`.
    """
    scale = check_scale(scale)
    if not 0.0 < float(residual_scaling) <= 1.0:
        raise ValueError(f"residual_scaling must be in (0, 1] (0.2 in the paper), got {residual_scaling!r}.")
    inputs = keras.Input((None, None, channels), name="low_res")
    head = x = _conv(filters, "head_conv")(inputs)
    for i in range(num_blocks):
        x = _rrdb(x, filters, growth, float(residual_scaling), f"rrdb{i}")
    x = _conv(filters, "trunk_conv")(x)
    x = keras.layers.Add(name="trunk_add")([head, x])
    for i in range(int(math.log2(scale))):
        # Nearest-neighbour x2 as depth_to_space of 4 copies: the same values as UpSampling2D, but the channel
        # count stays static with a dynamic image size, which LiteRT's convolutions need.
        x = keras.layers.Concatenate(name=f"up{i}_copies")([x, x, x, x])
        x = PixelShuffle(2, name=f"up{i}_nearest")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"up{i}_lrelu")(_conv(filters, f"up{i}_conv")(x))
    x = keras.layers.LeakyReLU(0.2, name="hr_lrelu")(_conv(filters, "hr_conv")(x))
    return keras.Model(inputs, high_res_output(inputs, x, channels, 3, scale, bicubic_skip), name=name)
