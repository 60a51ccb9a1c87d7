"""The ResNet-block generator of Johnson et al. (2016) as CycleGAN uses it (Zhu et al., 2017, appendix 7.2).

``c7s1-64, d128, d256, R256 x n, u128, u64, c7s1-C``: a 7x7 stride-1 convolution, ``downsamplings`` 3x3 stride-2
convolutions doubling the width, ``residual_blocks`` residual blocks (two 3x3 convolutions each, 6 for 128 px and 9
for 256 px in the paper), as many 3x3 stride-2 transposed convolutions back, and a 7x7 convolution to the output
channels with tanh. Instance normalisation (``GroupNormalization(groups=-1)``) and ReLU after every convolution but
the last; reflection padding before the 7x7 and the residual convolutions (fewer border artefacts than zeros).
Weights from N(0, 0.02).
"""

from __future__ import annotations

import keras
from keras import ops

__all__ = ["PAPER_BLOCKS", "ReflectionPadding2D", "build_resnet_translator", "default_residual_blocks"]

#: Residual blocks of the paper: 6 at 128x128 and below, 9 at 256x256 and above.
PAPER_BLOCKS = {128: 6, 256: 9}


def default_residual_blocks(image_shape: tuple[int, ...]) -> int:
    """9 blocks for images of 256 px and more, 6 below (Zhu et al., 2017, appendix 7.2)."""
    return 9 if min(int(image_shape[0]), int(image_shape[1])) >= 256 else 6


@keras.saving.register_keras_serializable(package="keras_gans")
class ReflectionPadding2D(keras.layers.Layer):
    """Pads height and width by ``padding`` pixels per side, mirroring the image without repeating its edge."""

    def __init__(self, padding: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.padding = int(padding)

    def call(self, inputs):
        p = self.padding
        return ops.pad(inputs, [[0, 0], [p, p], [p, p], [0, 0]], mode="reflect")

    def compute_output_shape(self, input_shape):
        p = 2 * self.padding
        grow = [None if d is None else d + p for d in input_shape[1:3]]
        return (input_shape[0], *grow, input_shape[3])

    def get_config(self):
        return {**super().get_config(), "padding": self.padding}


def _instance_norm(name: str):
    return keras.layers.GroupNormalization(groups=-1, epsilon=1e-5, name=name)


def build_resnet_translator(
    input_shape: tuple[int, int, int],
    output_channels: int,
    filters: int = 64,
    residual_blocks: int | None = None,
    downsamplings: int = 2,
    name: str = "resnet_translator",
) -> keras.Model:
    """Images (N, H, W, C_in) -> (N, H, W, output_channels) in [-1, 1] through residual blocks.

    Args:
        input_shape: (H, W, C_in); both sides divisible by ``2**downsamplings``, and the smallest map larger than 1
            pixel per side (reflection padding mirrors at least one pixel).
        output_channels: channels of the output.
        filters: width of the first convolution (64 in the paper); doubled per downsampling.
        residual_blocks: ``None``: :func:`default_residual_blocks` (6, or 9 at 256 px).
        downsamplings: stride-2 convolutions before the blocks (2 in the paper).
    """
    if (
        not isinstance(input_shape, (tuple, list))
        or len(input_shape) != 3
        or any(int(d) != d or d < 1 for d in input_shape)
    ):
        raise ValueError(f"input_shape must be (height, width, channels) with positive sizes, got {input_shape!r}.")
    input_shape = tuple(int(d) for d in input_shape)
    residual_blocks = default_residual_blocks(input_shape) if residual_blocks is None else residual_blocks
    for what, value, low in (
        ("output_channels", output_channels, 1),
        ("filters", filters, 1),
        ("residual_blocks", residual_blocks, 0),
        ("downsamplings", downsamplings, 0),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{what} must be an integer >= {low}, got {value!r}.")
    height, width = input_shape[:2]
    factor = 2**downsamplings
    if height % factor or width % factor or min(height, width) // factor < 2 or min(height, width) < 4:
        raise ValueError(
            f"The ResNet translator with downsamplings={downsamplings} needs sides divisible by {factor} and at "
            f"least {2 * factor} (and 4) pixels, got {height}x{width}: resize the images or use fewer downsamplings."
        )
    init = keras.initializers.RandomNormal(stddev=0.02)
    images = keras.Input(input_shape, name="images")
    edge = min(3, min(height, width) - 1)  # the 7x7 convolution's reflection needs fewer pixels than the side
    x = ReflectionPadding2D(edge, name=f"{name}_in_pad")(images)
    x = keras.layers.Conv2D(filters, 2 * edge + 1, kernel_initializer=init, name=f"{name}_in_conv")(x)
    x = keras.layers.ReLU(name=f"{name}_in_relu")(_instance_norm(f"{name}_in_norm")(x))
    width_ = filters
    for i in range(downsamplings):
        width_ *= 2
        x = keras.layers.Conv2D(width_, 3, strides=2, padding="same", kernel_initializer=init, name=f"{name}_down_{i}")(
            x
        )
        x = keras.layers.ReLU(name=f"{name}_down_relu_{i}")(_instance_norm(f"{name}_down_norm_{i}")(x))
    for b in range(residual_blocks):
        skip = x
        for j in range(2):
            x = ReflectionPadding2D(1, name=f"{name}_res_{b}_pad_{j}")(x)
            x = keras.layers.Conv2D(width_, 3, kernel_initializer=init, name=f"{name}_res_{b}_conv_{j}")(x)
            x = _instance_norm(f"{name}_res_{b}_norm_{j}")(x)
            if j == 0:
                x = keras.layers.ReLU(name=f"{name}_res_{b}_relu")(x)
        x = keras.layers.Add(name=f"{name}_res_{b}_add")([skip, x])
    for i in range(downsamplings):
        width_ //= 2
        x = keras.layers.Conv2DTranspose(
            width_, 3, strides=2, padding="same", kernel_initializer=init, name=f"{name}_up_{i}"
        )(x)
        x = keras.layers.ReLU(name=f"{name}_up_relu_{i}")(_instance_norm(f"{name}_up_norm_{i}")(x))
    x = ReflectionPadding2D(edge, name=f"{name}_out_pad")(x)
    x = keras.layers.Conv2D(output_channels, 2 * edge + 1, kernel_initializer=init, name=f"{name}_out_conv")(x)
    outputs = keras.layers.Activation("tanh", dtype="float32", name=f"{name}_tanh")(x)
    return keras.Model(images, outputs, name=name)
