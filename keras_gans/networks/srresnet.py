"""SRResNet (Ledig et al., 2017): the SRGAN generator, with sub-pixel (PixelShuffle) upsampling.

``conv9 -> PReLU -> B x [conv3 -> BN -> PReLU -> conv3 -> BN, + skip] -> conv3 -> BN, + long skip ->
log2(scale) x [conv3 (4 F channels) -> PixelShuffle(2) -> PReLU] -> conv9 -> tanh``. The paper's defaults: F = 64
filters, B = 16 blocks. Every layer is convolutional, so the network takes low-res images of any size
(``(None, None, channels)``); PReLU slopes are shared over the spatial axes for that reason.
"""

from __future__ import annotations

import math

import keras
import tensorflow as tf

from keras_gans.networks.bicubic import BicubicResidual

__all__ = ["SCALES", "PixelShuffle", "build_srresnet", "check_scale", "high_res_output", "receptive_radius"]

#: Upscaling factors of the sub-pixel networks: powers of two, one x2 stage each.
SCALES = (2, 4, 8)
#: Batch norm's moving-average momentum: PyTorch's 0.1 (Keras' 0.99 lags far behind a short pretraining).
BN_MOMENTUM = 0.9


def check_scale(scale) -> int:
    """``scale`` as an int of :data:`SCALES`, or a ValueError naming the choices."""
    if isinstance(scale, bool) or not isinstance(scale, int) or scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES} (one x2 upsampling stage each), got {scale!r}.")
    return scale


@keras.saving.register_keras_serializable(package="keras_gans")
class PixelShuffle(keras.layers.Layer):
    """Sub-pixel convolution's rearrangement (Shi et al., 2016): ``(N, H, W, r^2 C) -> (N, rH, rW, C)``, by
    ``tf.nn.depth_to_space``."""

    def __init__(self, factor: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.factor = int(factor)

    def call(self, inputs):
        return tf.nn.depth_to_space(inputs, self.factor)

    def compute_output_shape(self, input_shape):
        n, h, w, c = input_shape
        r = self.factor
        return (n, None if h is None else h * r, None if w is None else w * r, None if c is None else c // (r * r))

    def get_config(self):
        return {**super().get_config(), "factor": self.factor}


def _prelu(name: str):
    return keras.layers.PReLU(shared_axes=[1, 2], name=name)


def build_srresnet(
    channels: int = 3,
    scale: int = 4,
    filters: int = 64,
    num_blocks: int = 16,
    batch_norm: bool = True,
    bicubic_skip: bool = False,
    name: str = "srresnet",
) -> keras.Model:
    """The SRResNet generator: low-res images in [-1, 1] of any size -> ``scale`` x larger images in [-1, 1].

    Args:
        channels: image channels (input and output).
        scale: 2, 4 or 8.
        filters: width of every convolution but the last (64 in the paper).
        num_blocks: residual blocks (16 in the paper).
        batch_norm: batch normalisation in the residual blocks (the paper's; ``False`` as in EDSR).
        bicubic_skip: predict the residual over bicubic upsampling (:class:`~keras_gans.networks.bicubic.
            BicubicResidual`, last convolution zero-initialised: a new network is the bicubic baseline) instead of
            the image through tanh.
    """
    scale = check_scale(scale)
    inputs = keras.Input((None, None, channels), name="low_res")
    x = keras.layers.Conv2D(filters, 9, padding="same", name="head_conv")(inputs)
    head = x = _prelu("head_prelu")(x)
    for i in range(num_blocks):
        skip = x
        x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm, name=f"block{i}_conv1")(x)
        if batch_norm:
            x = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, synchronized=True, name=f"block{i}_bn1")(x)
        x = _prelu(f"block{i}_prelu")(x)
        x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm, name=f"block{i}_conv2")(x)
        if batch_norm:
            x = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, synchronized=True, name=f"block{i}_bn2")(x)
        x = keras.layers.Add(name=f"block{i}_add")([skip, x])
    x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=not batch_norm, name="body_conv")(x)
    if batch_norm:
        x = keras.layers.BatchNormalization(momentum=BN_MOMENTUM, synchronized=True, name="body_bn")(x)
    x = keras.layers.Add(name="body_add")([head, x])
    for i in range(int(math.log2(scale))):
        x = keras.layers.Conv2D(4 * filters, 3, padding="same", name=f"up{i}_conv")(x)
        x = PixelShuffle(2, name=f"up{i}_shuffle")(x)
        x = _prelu(f"up{i}_prelu")(x)
    return keras.Model(inputs, high_res_output(inputs, x, channels, 9, scale, bicubic_skip), name=name)


def high_res_output(low_res, features, channels: int, kernel_size: int, scale: int, bicubic_skip: bool):
    """The generators' head: ``tail_conv`` (``kernel_size``, ``channels`` out) on the high-res ``features``, then
    tanh; or with ``bicubic_skip`` the tail convolution zero-initialised and added to the bicubic upsampling of
    ``low_res`` (clipped to [-1, 1]). The output is float32 either way."""
    if not isinstance(bicubic_skip, bool):
        raise TypeError(f"bicubic_skip must be True or False, got {bicubic_skip!r}.")
    initializer = "zeros" if bicubic_skip else "glorot_uniform"
    x = keras.layers.Conv2D(channels, kernel_size, padding="same", kernel_initializer=initializer, name="tail_conv")(
        features
    )
    if bicubic_skip:
        return BicubicResidual(scale, name="high_res")([low_res, x])
    return keras.layers.Activation("tanh", dtype="float32", name="high_res")(x)


def receptive_radius(network: keras.Model) -> int:
    """An upper bound, in input pixels, of how far an output pixel of a convolutional network sees.

    The sum over its convolutions of ``dilation (kernel - 1) / 2`` divided by the upsampling reached before it
    (PixelShuffle, UpSampling2D): every path from an input to an output passes through a subset of them. A tile
    with this much context on every side upscales exactly as the whole image does.
    """
    radius, resolution = 0.0, 1
    for layer in network._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, keras.layers.Conv2D):
            kernel = max(layer.kernel_size)
            dilation = max(layer.dilation_rate)
            radius += dilation * (kernel - 1) / 2 / resolution
            stride = max(layer.strides)
            if stride != 1:
                raise ValueError(f"receptive_radius: {layer.name} has strides {layer.strides}; only stride 1 is tiled.")
        elif isinstance(layer, PixelShuffle):
            resolution *= layer.factor
        elif isinstance(layer, keras.layers.UpSampling2D):
            resolution *= max(layer.size)
        elif isinstance(layer, BicubicResidual):
            radius += layer.input_radius  # it reads the network's (low-res) input
    return int(math.ceil(radius))
