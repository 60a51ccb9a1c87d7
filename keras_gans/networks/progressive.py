"""Progressively grown generator and discriminator (Karras et al., 2018, "Progressive Growing of GANs").

Both networks are built once for every level, 4x4 (level 0) up to the full resolution (level ``L - 1``), with a
toRGB (generator) or fromRGB (discriminator) 1x1 convolution per level. Which levels are in use is the *growth
state*: the active ``level`` and the fade-in ``alpha``, two non-trainable weights of each network's ``growth`` layer
(:class:`GrowthState`), saved with it. Every level is computed at every step and the outputs are blended by
weights that are tf functions of the state, so the graph never changes while the networks grow (one XLA program for
the whole run; at 32x32 computing the unused levels costs little).

Generator at level ``l`` with alpha ``a`` (paper, figure 2)::

    image = (1 - a) · up(toRGB_{l-1}(f_{l-1})) + a · toRGB_l(f_l)        (a = 1 once the level is stable)

upsampled (nearest neighbour) to the full resolution, so the generator always outputs full-size images: at level
``l`` they are piecewise constant on 2^(L-1-l)-pixel squares. Discriminator: the full-size image is average-pooled
to each level's size; the input of block ``l - 1`` is ``(1 - a) · fromRGB_{l-1}(pool(x)) + a · block_l(fromRGB_l(x))``.

Layers (section 4 and table 2): equalised learning rate everywhere, pixel normalisation after every generator
convolution (and of the latent), leaky ReLU 0.2, linear toRGB, nearest upsampling / average pooling, a minibatch
standard-deviation feature (over groups of consecutive samples, so that replicas compute what one device does)
before the discriminator's last block, which ends with a 4x4 dense layer and a linear
output. Widths double from ``filters`` at the full resolution towards 4x4, capped at ``max_filters``.
"""

from __future__ import annotations

import math

import keras
from keras import ops

from keras_gans.networks.equalized import (
    HE_GAIN,
    EqualizedConv2D,
    EqualizedDense,
    GroupedMinibatchStdDev,
    PixelNormalization,
)

__all__ = [
    "GrowthState",
    "LevelInput",
    "ProgressiveOutput",
    "build_progressive_discriminator",
    "build_progressive_generator",
    "discriminator_input_weights",
    "generator_output_weights",
    "blend_to_level",
    "get_growth",
    "growth_state",
    "level_filters",
    "num_levels",
    "set_growth",
]

#: Side of the first level.
BASE_RESOLUTION = 4
#: Name of the layer holding a network's growth state.
GROWTH_LAYER = "growth"


def num_levels(image_shape) -> int:
    """The number of levels from 4x4 to ``image_shape``'s square, power-of-two size (4 -> 1, 8 -> 2, 32 -> 4)."""
    if not isinstance(image_shape, (tuple, list)) or len(image_shape) != 3:
        raise ValueError(f"image_shape must be (height, width, channels), got {image_shape!r}.")
    height, width, channels = (int(d) for d in image_shape)
    if height != width or height < BASE_RESOLUTION or height & (height - 1):
        raise ValueError(
            f"Progressive growing needs square images whose side is a power of two >= {BASE_RESOLUTION} "
            f"(4, 8, 16, 32, 64...), got {height}x{width}. Resize or pad the images, e.g. MNIST 28x28 padded to 32x32."
        )
    if channels < 1:
        raise ValueError(f"image_shape needs at least one channel, got {image_shape!r}.")
    return int(math.log2(height)) - 1


def level_filters(level: int, levels: int, filters: int, max_filters: int) -> int:
    """Width of ``level``: ``min(max_filters, filters · 2^(levels - 1 - level))`` (``filters`` at the full size)."""
    return min(max_filters, filters * 2 ** (levels - 1 - level))


def _effective_alpha(level, alpha):
    # Level 0 has no previous level to fade from.
    return ops.where(ops.equal(level, 0.0), ops.ones_like(alpha), alpha)


def generator_output_weights(state, levels: int):
    """Weights of every level's (upsampled) toRGB image in the generator's output, shape ``(levels,)``.

    ``a`` at the active level ``l``, ``1 - a`` at ``l - 1``, 0 elsewhere; ``state = [level, alpha]`` (float32).
    """
    level, alpha = state[0], _effective_alpha(state[0], state[1])
    index = ops.cast(ops.arange(levels), state.dtype)
    at_level = ops.cast(ops.equal(index, level), state.dtype)
    below = ops.cast(ops.equal(index, level - 1.0), state.dtype)
    return alpha * at_level + (1.0 - alpha) * below


def discriminator_input_weights(state, levels: int):
    """Weight of the higher level's features in the input of every discriminator block, shape ``(levels,)``.

    Block ``k`` takes ``(1 - d_k) · fromRGB_k(pool(x)) + d_k · block_{k+1}(...)`` with ``d_k = a`` for
    ``k = l - 1``, 1 for ``k < l - 1`` and 0 for ``k >= l`` (``fromRGB_l`` is the entry of the active level).
    """
    level, alpha = state[0], _effective_alpha(state[0], state[1])
    index = ops.cast(ops.arange(levels), state.dtype)
    below = ops.cast(ops.less(index, level - 1.0), state.dtype)
    fading = ops.cast(ops.equal(index, level - 1.0), state.dtype)
    return below + alpha * fading


@keras.saving.register_keras_serializable(package="keras_gans")
class GrowthState(keras.layers.Layer):
    """Holds a progressive network's active ``level`` (int32) and fade-in ``alpha`` (float32) as saved weights.

    Called on the network's input (only to join the graph), it returns ``[level, alpha]`` as a float32 vector of
    shape (2,). Set it with :func:`set_growth`; a new network starts at level 0, alpha 1.
    """

    def __init__(self, levels: int, **kwargs):
        super().__init__(**kwargs)
        if isinstance(levels, bool) or not isinstance(levels, int) or levels < 1:
            raise ValueError(f"levels must be a positive integer, got {levels!r}.")
        self.levels = levels
        self.level = self.add_weight(
            shape=(),
            dtype="int32",
            initializer="zeros",
            trainable=False,
            name="level",
            aggregation="only_first_replica",
        )
        self.alpha = self.add_weight(
            shape=(),
            dtype="float32",
            initializer="ones",
            trainable=False,
            name="alpha",
            aggregation="only_first_replica",
        )

    def call(self, inputs):
        return ops.stack([ops.cast(self.level, "float32"), ops.cast(self.alpha, "float32")])

    def compute_output_shape(self, input_shape):
        return (2,)

    def compute_output_spec(self, inputs):
        return keras.KerasTensor((2,), dtype="float32")

    def get_config(self):
        return {**super().get_config(), "levels": self.levels}


@keras.saving.register_keras_serializable(package="keras_gans")
class ProgressiveOutput(keras.layers.Layer):
    """``Σ_k w_k · up(rgb_k)``: the generator's full-size output from every level's toRGB image and the state.

    Inputs: ``[state, rgb_0, ..., rgb_{L-1}]`` (``rgb_k`` of side 4·2^k); ``w`` from
    :func:`generator_output_weights`; ``up`` repeats pixels (nearest neighbour) to the last level's size.
    """

    def call(self, inputs):
        state, images = inputs[0], inputs[1:]
        weights = generator_output_weights(ops.cast(state, "float32"), len(images))
        size = images[-1].shape[1]
        output = 0.0
        for k, image in enumerate(images):
            factor = size // image.shape[1]
            if factor > 1:
                image = ops.repeat(ops.repeat(image, factor, axis=1), factor, axis=2)
            output = output + ops.cast(weights[k], image.dtype) * image
        return output

    def compute_output_shape(self, input_shape):
        return input_shape[-1]


@keras.saving.register_keras_serializable(package="keras_gans")
class LevelInput(keras.layers.Layer):
    """The input of discriminator block ``level``: ``(1 - d) · from_rgb + d · from_above`` (see
    :func:`discriminator_input_weights`). Inputs: ``[state, from_rgb, from_above]``."""

    def __init__(self, level: int, levels: int, **kwargs):
        super().__init__(**kwargs)
        self.level_index = int(level)
        self.levels = int(levels)

    def call(self, inputs):
        state, from_rgb, from_above = inputs
        d = discriminator_input_weights(ops.cast(state, "float32"), self.levels)[self.level_index]
        d = ops.cast(d, from_rgb.dtype)
        return (1.0 - d) * from_rgb + d * from_above

    def compute_output_shape(self, input_shape):
        return input_shape[1]

    def get_config(self):
        return {**super().get_config(), "level": self.level_index, "levels": self.levels}


def _check_widths(filters, max_filters) -> None:
    for name, value in (("filters", filters), ("max_filters", max_filters)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    if max_filters < filters:
        raise ValueError(f"max_filters ({max_filters}) must be >= filters ({filters}), the width at the full size.")


def build_progressive_generator(
    latent_dim: int,
    image_shape: tuple[int, int, int],
    filters: int = 64,
    max_filters: int = 256,
    name: str = "progressive_generator",
) -> keras.Model:
    """The ProGAN generator for every level 4x4 -> ``image_shape`` (a square power of two), linear output.

    z -> pixel norm -> dense to 4x4 -> conv 3x3 (level 0); then per level: 2x nearest upsampling, two 3x3
    convolutions; leaky ReLU and pixel norm after each; a linear 1x1 toRGB per level; :class:`ProgressiveOutput`.
    """
    levels = num_levels(image_shape)
    _check_widths(filters, max_filters)
    channels = int(image_shape[-1])
    z = keras.Input((latent_dim,), name="z")
    state = GrowthState(levels, name=GROWTH_LAYER)(z)
    width = level_filters(0, levels, filters, max_filters)
    x = PixelNormalization(name="latent_norm")(z)
    # The official code's gain for the 4x4 "deconvolution" written as a dense layer: sqrt(2) / 4.
    x = EqualizedDense(16 * width, gain=HE_GAIN / 4, activation="leaky_relu", name="g4_dense")(x)
    x = keras.layers.Reshape((BASE_RESOLUTION, BASE_RESOLUTION, width), name="g4_reshape")(x)
    x = PixelNormalization(name="g4_dense_norm")(x)
    x = EqualizedConv2D(width, 3, activation="leaky_relu", name="g4_conv")(x)
    x = PixelNormalization(name="g4_conv_norm")(x)
    images = [EqualizedConv2D(channels, 1, gain=1.0, name="to_rgb_4")(x)]
    for level in range(1, levels):
        size = BASE_RESOLUTION * 2**level
        width = level_filters(level, levels, filters, max_filters)
        x = keras.layers.UpSampling2D(2, interpolation="nearest", name=f"g{size}_upsample")(x)
        for i in (1, 2):
            x = EqualizedConv2D(width, 3, activation="leaky_relu", name=f"g{size}_conv{i}")(x)
            x = PixelNormalization(name=f"g{size}_conv{i}_norm")(x)
        images.append(EqualizedConv2D(channels, 1, gain=1.0, name=f"to_rgb_{size}")(x))
    output = ProgressiveOutput(name="images")([state, *images])
    return keras.Model(z, output, name=name)


def build_progressive_discriminator(
    image_shape: tuple[int, int, int],
    filters: int = 64,
    max_filters: int = 256,
    minibatch_group: int = 4,
    name: str = "progressive_discriminator",
) -> keras.Model:
    """The ProGAN critic for every level (full-size input, one linear output per image).

    Per level: the input average-pooled to the level's size -> 1x1 fromRGB (leaky ReLU); block ``k >= 1``: two 3x3
    convolutions (widths of levels k and k - 1) and 2x average pooling; block 0: minibatch stddev (groups of
    ``minibatch_group``), 3x3 convolution, 4x4 dense, linear dense output.
    """
    levels = num_levels(image_shape)
    _check_widths(filters, max_filters)
    image = keras.Input(tuple(int(d) for d in image_shape), name="image")
    state = GrowthState(levels, name=GROWTH_LAYER)(image)
    size = int(image_shape[0])

    def from_rgb(level: int):
        side = BASE_RESOLUTION * 2**level
        x = image
        if side < size:
            x = keras.layers.AveragePooling2D(size // side, name=f"d{side}_pool_input")(x)
        width = level_filters(level, levels, filters, max_filters)
        return EqualizedConv2D(width, 1, activation="leaky_relu", name=f"from_rgb_{side}")(x)

    x = from_rgb(levels - 1)
    for level in range(levels - 1, 0, -1):
        side = BASE_RESOLUTION * 2**level
        x = EqualizedConv2D(
            level_filters(level, levels, filters, max_filters), 3, activation="leaky_relu", name=f"d{side}_conv1"
        )(x)
        x = EqualizedConv2D(
            level_filters(level - 1, levels, filters, max_filters), 3, activation="leaky_relu", name=f"d{side}_conv2"
        )(x)
        x = keras.layers.AveragePooling2D(2, name=f"d{side}_downsample")(x)
        x = LevelInput(level - 1, levels, name=f"d{side // 2}_input")([state, from_rgb(level - 1), x])
    width = level_filters(0, levels, filters, max_filters)
    x = GroupedMinibatchStdDev(group_size=minibatch_group, name="d4_minibatch_std")(x)
    x = EqualizedConv2D(width, 3, activation="leaky_relu", name="d4_conv")(x)
    x = keras.layers.Flatten(name="d4_flatten")(x)
    x = EqualizedDense(width, activation="leaky_relu", name="d4_dense")(x)
    output = EqualizedDense(1, gain=1.0, name="critic")(x)
    return keras.Model(image, output, name=name)


def _growth_layer(network: keras.Model) -> GrowthState:
    try:
        layer = network.get_layer(GROWTH_LAYER)
    except ValueError:
        layer = None
    if not isinstance(layer, GrowthState):
        raise ValueError(
            f"{network.name} has no GrowthState layer named {GROWTH_LAYER!r}: build it with "
            "build_progressive_generator / build_progressive_discriminator."
        )
    return layer


def set_growth(network: keras.Model, level, alpha) -> None:
    """Sets a progressive network's active level and fade-in alpha (tensors allowed: usable inside a step)."""
    layer = _growth_layer(network)
    layer.level.assign(ops.cast(level, "int32"))
    layer.alpha.assign(ops.cast(alpha, "float32"))


def growth_state(network: keras.Model):
    """A progressive network's ``[level, alpha]`` as a float32 tensor of shape (2,)."""
    return _growth_layer(network).call(None)


def blend_to_level(images, state, levels: int):
    """Full-size ``images`` at the detail of the growth ``state``, as the generator's output is at that state.

    ``Σ_k w_k · up(pool_k(images))`` with the weights of :func:`generator_output_weights`: average-pooled to the
    active level (and, during a fade-in, blended with the level below), then upsampled back (nearest).
    """
    weights = generator_output_weights(ops.cast(state, "float32"), levels)
    size = int(images.shape[1])
    output = 0.0
    for k in range(levels):
        factor = size // (BASE_RESOLUTION * 2**k)
        x = images
        if factor > 1:
            x = ops.average_pool(images, factor, strides=factor, padding="valid")
            x = ops.repeat(ops.repeat(x, factor, axis=1), factor, axis=2)
        output = output + ops.cast(weights[k], images.dtype) * x
    return output


def get_growth(network: keras.Model) -> tuple[int, float]:
    """``(level, alpha)`` of a progressive network."""
    layer = _growth_layer(network)
    return int(ops.convert_to_numpy(layer.level)), float(ops.convert_to_numpy(layer.alpha))
