"""StyleGAN2's networks (Karras et al., 2020, "Analyzing and Improving the Image Quality of StyleGAN"), in plain ops.

* **Mapping network**: z -> pixel norm -> 8 equalised dense layers with learning-rate multiplier 0.01 -> w.
* **Synthesis network** (skip architecture, figure 7b): a learned 4x4 constant, two 3x3 modulated/demodulated
  convolutions per resolution (one at 4x4), a per-layer noise input with a learned strength, bias and leaky ReLU,
  and a 1x1 modulated "toRGB" per resolution whose outputs are upsampled and summed. It takes the styles
  ``ws`` (N, num_ws, w_dim), one w per layer, and the noise maps explicitly, so that the model draws the noise
  from its own replica-sliced streams and can mix styles.
* **Generator**: z -> mapping -> (the mapped-latent mean w_avg, for truncation) -> ws -> synthesis, with fixed
  noise maps (the paper's ``noise_mode="const"``) so that sampling and the exported model are deterministic.
* **Discriminator** (residual architecture, figure 7c): fromRGB, residual blocks halving the resolution down to
  4x4, minibatch standard deviation, a 3x3 convolution and two dense layers.

The modulated convolution scales the input channels by the styles, convolves with the shared weights and scales
the output channels by the demodulation coefficients, which equals convolving each sample with its own
modulated, demodulated weights (the paper's equation 1-3; the official code's ``fused_modconv=False`` path):
no grouped convolution, runs under XLA on CPU. Resampling is bilinear (x2 upsampling with half-pixel centres is
the paper's [1, 3, 3, 1] filter) and 2x2 average pooling, instead of the official FIR ops.
"""

from __future__ import annotations

import math

import keras
from keras import ops

from keras_gans.networks.equalized import (
    LEAKY_RELU_SLOPE,
    EqualizedConv2D,
    EqualizedDense,
    GroupedMinibatchStdDev,
    PixelNormalization,
)

__all__ = [
    "AddNoise",
    "ConstantInput",
    "FixedNoise",
    "MappedLatentMean",
    "ModulatedConv2D",
    "SelectStyle",
    "build_mapping_network",
    "build_stylegan2_discriminator",
    "build_stylegan2_generator",
    "build_synthesis_network",
    "check_resolution",
    "demodulation",
    "modulated_kernels",
    "noise_sizes",
    "num_styles",
]

#: Demodulation's epsilon (paper, equation 3).
DEMODULATION_EPSILON = 1e-8


def check_resolution(image_shape) -> int:
    """log2 of the side of square images whose side is a power of two >= 4, or a ValueError naming the fix."""
    if not isinstance(image_shape, (tuple, list)) or len(image_shape) != 3:
        raise ValueError(f"image_shape must be (height, width, channels), got {image_shape!r}.")
    height, width, channels = (int(d) for d in image_shape)
    side = height
    if height != width or side < 4 or side & (side - 1):
        lower = 2 ** max(2, int(math.floor(math.log2(max(min(height, width), 1)))))
        raise ValueError(
            f"StyleGAN2 takes square images whose side is a power of two >= 4 (4, 8, 16, 32...), got {height}x"
            f"{width}: resize or pad them, e.g. to {lower * 2}x{lower * 2} or {lower}x{lower} "
            "(keras_gans.data.load(..., image_size=...))."
        )
    if channels < 1:
        raise ValueError(f"image_shape needs at least one channel, got {image_shape!r}.")
    return int(math.log2(side))


def num_styles(resolution_log2: int) -> int:
    """Number of w's the synthesis network takes: 2 at 4x4 (conv, toRGB), 2 more per doubling."""
    return 2 * resolution_log2 - 2


def modulated_kernels(kernel, styles, demodulate: bool = True, epsilon: float = DEMODULATION_EPSILON):
    """Every sample's own weights: w'_{b,k,k,i,o} = s_{b,i}·w_{k,k,i,o}, then w''= w' / sqrt(Σ_{k,k,i} w'² + ε).

    ``kernel`` (k, k, C_in, C_out), ``styles`` (N, C_in) -> (N, k, k, C_in, C_out). The layers use the equivalent
    :func:`demodulation` coefficients instead of materialising these; this is the paper's equation 1 and 3.
    """
    weights = kernel[None] * styles[:, None, None, :, None]
    if demodulate:
        weights = weights * ops.rsqrt(ops.sum(ops.square(weights), axis=(1, 2, 3), keepdims=True) + epsilon)
    return weights


def demodulation(kernel, styles, epsilon: float = DEMODULATION_EPSILON):
    """σ_{b,o}^{-1} = 1 / sqrt(Σ_i s_{b,i}² Σ_{k,k} w_{k,k,i,o}² + ε), shape (N, C_out) (paper, equation 3)."""
    return ops.rsqrt(ops.matmul(ops.square(styles), ops.sum(ops.square(kernel), axis=(0, 1))) + epsilon)


@keras.saving.register_keras_serializable(package="keras_gans")
class ModulatedConv2D(keras.layers.Layer):
    """A modulated (and demodulated) 'same' convolution: ``[x (N, H, W, C_in), w (N, w_dim)] -> (N, H, W, C_out)``.

    The style s = A(w) is an equalised affine map of w with bias 1 (styles start at 1). The weights are N(0, 1)
    scaled by 1/sqrt(k·k·C_in) (equalised learning rate). ``demodulate=False, use_bias=True`` for toRGB; the other
    layers have no bias of their own: the noise layer after them adds it.
    """

    def __init__(self, filters: int, kernel_size: int = 3, demodulate: bool = True, use_bias: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.kernel_size = int(kernel_size)
        self.demodulate = bool(demodulate)
        self.use_bias = bool(use_bias)

    def build(self, input_shape):
        x_shape, w_shape = input_shape
        channels = int(x_shape[-1])
        k = self.kernel_size
        self.affine = EqualizedDense(channels, gain=1.0, bias_initializer=1.0, name="affine", dtype=self.dtype_policy)
        self.affine.build(w_shape)
        self.scale = 1.0 / math.sqrt(k * k * channels)
        self.kernel = self.add_weight(
            shape=(k, k, channels, self.filters), initializer=keras.initializers.RandomNormal(stddev=1.0), name="kernel"
        )
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.filters,), initializer="zeros", name="bias")

    def call(self, inputs):
        x, w = inputs
        styles = self.affine(w)
        kernel = self.kernel * ops.cast(self.scale, self.kernel.dtype)
        y = ops.conv(x * styles[:, None, None, :], kernel, strides=1, padding="same")
        if self.demodulate:
            coefficients = demodulation(ops.cast(kernel, "float32"), ops.cast(styles, "float32"))
            y = y * ops.cast(coefficients, y.dtype)[:, None, None, :]
        if self.use_bias:
            y = y + self.bias
        return y

    def compute_output_shape(self, input_shape):
        return (*input_shape[0][:-1], self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "demodulate": self.demodulate,
            "use_bias": self.use_bias,
        }


@keras.saving.register_keras_serializable(package="keras_gans")
class AddNoise(keras.layers.Layer):
    """``act(x + strength · noise + bias)``: the per-layer noise input (a learned scalar strength, initially 0),
    the bias and the leaky ReLU (times sqrt(2), the official gain) of a synthesis layer; ``[x, noise (N, H, W, 1)]``.
    """

    def __init__(self, activation: bool = True, **kwargs):
        super().__init__(**kwargs)
        self.activation = bool(activation)

    def build(self, input_shape):
        channels = int(input_shape[0][-1])
        self.strength = self.add_weight(shape=(), initializer="zeros", name="strength")
        self.bias = self.add_weight(shape=(channels,), initializer="zeros", name="bias")

    def call(self, inputs):
        x, noise = inputs
        x = x + self.strength * ops.cast(noise, x.dtype) + self.bias
        if self.activation:
            x = ops.leaky_relu(x, negative_slope=LEAKY_RELU_SLOPE) * ops.cast(math.sqrt(2.0), x.dtype)
        return x

    def compute_output_shape(self, input_shape):
        return input_shape[0]

    def get_config(self):
        return {**super().get_config(), "activation": self.activation}


@keras.saving.register_keras_serializable(package="keras_gans")
class ConstantInput(keras.layers.Layer):
    """The synthesis network's learned (4, 4, C) starting tensor, N(0, 1), repeated for each sample of the batch."""

    def __init__(self, filters: int, size: int = 4, **kwargs):
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.size = int(size)

    def build(self, input_shape):
        self.constant = self.add_weight(
            shape=(1, self.size, self.size, self.filters),
            initializer=keras.initializers.RandomNormal(stddev=1.0),
            name="constant",
        )

    def call(self, inputs):
        return ops.tile(self.constant, (ops.shape(inputs)[0], 1, 1, 1))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, self.filters)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "size": self.size}


@keras.saving.register_keras_serializable(package="keras_gans")
class FixedNoise(keras.layers.Layer):
    """A fixed N(0, 1) noise map (1, size, size, 1), not trained, repeated for each sample (``noise_mode="const"``)."""

    def __init__(self, size: int, seed: int = 0, **kwargs):
        super().__init__(**kwargs)
        self.size = int(size)
        self.seed = int(seed)

    def build(self, input_shape):
        self.noise = self.add_weight(
            shape=(1, self.size, self.size, 1),
            initializer=keras.initializers.RandomNormal(stddev=1.0, seed=self.seed),
            trainable=False,
            name="noise",
        )

    def call(self, inputs):
        return ops.tile(ops.cast(self.noise, self.compute_dtype), (ops.shape(inputs)[0], 1, 1, 1))

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.size, self.size, 1)

    def get_config(self):
        return {**super().get_config(), "size": self.size, "seed": self.seed}


@keras.saving.register_keras_serializable(package="keras_gans")
class MappedLatentMean(keras.layers.Layer):
    """Holds w_avg, the running mean of the mapped latents (updated by the model while training), and passes w
    through unchanged. ``truncate(w, psi)`` is the truncation trick w_avg + ψ·(w - w_avg) (StyleGAN, section 3.1)."""

    def build(self, input_shape):
        self.w_avg = self.add_weight(
            shape=(int(input_shape[-1]),),
            initializer="zeros",
            trainable=False,
            name="w_avg",
            aggregation="only_first_replica",
        )

    def call(self, inputs):
        return inputs

    def truncate(self, w, psi):
        w_avg = ops.cast(self.w_avg, w.dtype)
        return w_avg + ops.cast(psi, w.dtype) * (w - w_avg)

    def compute_output_shape(self, input_shape):
        return input_shape


@keras.saving.register_keras_serializable(package="keras_gans")
class SelectStyle(keras.layers.Layer):
    """``ws[:, index]``: the w of one synthesis layer."""

    def __init__(self, index: int, **kwargs):
        super().__init__(**kwargs)
        self.index = int(index)

    def call(self, inputs):
        return inputs[:, self.index]

    def compute_output_shape(self, input_shape):
        return (input_shape[0], input_shape[2])

    def get_config(self):
        return {**super().get_config(), "index": self.index}


def _filters(resolution: int, top: int, filters: int, max_filters: int) -> int:
    """Channels at ``resolution``: ``filters`` at the image size, doubling per halving, at most ``max_filters``."""
    return int(min(max_filters, filters * (top // resolution)))


def noise_sizes(resolution_log2: int) -> list[int]:
    """Sides of the synthesis network's noise inputs, in order: one at 4x4, two per larger resolution."""
    return [4] + [2**r for r in range(3, resolution_log2 + 1) for _ in range(2)]


def build_mapping_network(
    latent_dim: int, w_dim: int, num_layers: int = 8, lr_multiplier: float = 0.01, name: str = "mapping"
) -> keras.Model:
    """z (N, latent_dim) -> w (N, w_dim): pixel norm, then ``num_layers`` leaky-ReLU equalised dense layers."""
    z = keras.Input((latent_dim,), name="z")
    x = PixelNormalization(name="normalize_z")(z)
    for i in range(num_layers):
        x = EqualizedDense(w_dim, lr_multiplier=lr_multiplier, activation="leaky_relu", name=f"dense_{i}")(x)
    return keras.Model(z, x, name=name)


def build_synthesis_network(
    image_shape, w_dim: int, filters: int = 64, max_filters: int = 512, name: str = "synthesis"
) -> keras.Model:
    """``[ws (N, num_ws, w_dim), noise_0 ... noise_k (N, r, r, 1)] -> images (N, H, W, C)``, the skip generator."""
    log2 = check_resolution(image_shape)
    top, channels = 2**log2, int(image_shape[-1])
    ws = keras.Input((num_styles(log2), w_dim), name="ws")
    noises = [keras.Input((s, s, 1), name=f"noise_{i}") for i, s in enumerate(noise_sizes(log2))]
    style = iter(range(num_styles(log2)))
    noise = iter(noises)

    def layer(x, out, tag):
        x = ModulatedConv2D(out, 3, name=f"{tag}_conv")([x, SelectStyle(next(style), name=f"{tag}_w")(ws)])
        return AddNoise(name=f"{tag}_noise")([x, next(noise)])

    def to_rgb(x, tag, index):
        w = SelectStyle(index, name=f"{tag}_rgb_w")(ws)
        return ModulatedConv2D(channels, 1, demodulate=False, use_bias=True, name=f"{tag}_to_rgb")([x, w])

    x = ConstantInput(_filters(4, top, filters, max_filters), name="constant")(ws)
    x = layer(x, _filters(4, top, filters, max_filters), "b4")
    image = to_rgb(x, "b4", 1)
    for r in range(3, log2 + 1):
        res = 2**r
        x = keras.layers.UpSampling2D(2, interpolation="bilinear", name=f"b{res}_up")(x)
        x = layer(x, _filters(res, top, filters, max_filters), f"b{res}_0")
        x = layer(x, _filters(res, top, filters, max_filters), f"b{res}_1")
        image = keras.layers.UpSampling2D(2, interpolation="bilinear", name=f"b{res}_rgb_up")(image)
        image = keras.layers.Add(name=f"b{res}_skip")([image, to_rgb(x, f"b{res}", 2 * r - 3)])
    return keras.Model([ws, *noises], image, name=name)


def build_stylegan2_generator(
    latent_dim: int,
    image_shape,
    w_dim: int | None = None,
    filters: int = 64,
    max_filters: int = 512,
    mapping_layers: int = 8,
    mapping_lr_multiplier: float = 0.01,
    noise_seed: int = 0,
) -> keras.Model:
    """z -> mapping -> w_avg holder -> ws (one w per layer) -> synthesis with fixed noise maps -> images.

    Sub-networks by name: ``mapping``, ``w_avg`` (:class:`MappedLatentMean`), ``synthesis`` and ``fixed_noise_i``.
    Defaults: the paper's 8 mapping layers with lr multiplier 0.01, w_dim = latent_dim; ``filters`` channels at the
    image size, doubling per halving up to ``max_filters`` (the paper: 512).
    """
    log2 = check_resolution(image_shape)
    w_dim = int(w_dim or latent_dim)
    mapping = build_mapping_network(latent_dim, w_dim, mapping_layers, mapping_lr_multiplier)
    synthesis = build_synthesis_network(image_shape, w_dim, filters, max_filters)
    z = keras.Input((latent_dim,), name="z")
    w = MappedLatentMean(name="w_avg")(mapping(z))
    ws = keras.layers.RepeatVector(num_styles(log2), name="broadcast_w")(w)
    noises = [FixedNoise(s, seed=noise_seed + i, name=f"fixed_noise_{i}")(z) for i, s in enumerate(noise_sizes(log2))]
    return keras.Model(z, synthesis([ws, *noises]), name="stylegan2_generator")


def build_stylegan2_discriminator(
    image_shape, filters: int = 64, max_filters: int = 512, minibatch_group: int = 4
) -> keras.Model:
    """The residual discriminator: fromRGB, a residual block per resolution down to 4x4, minibatch stddev, a 3x3
    convolution, dense, dense(1) (a logit). Residual sums are scaled by 1/sqrt(2) as in the paper."""
    log2 = check_resolution(image_shape)
    top = 2**log2
    images = keras.Input(tuple(int(d) for d in image_shape), name="images")
    x = EqualizedConv2D(_filters(top, top, filters, max_filters), 1, activation="leaky_relu", name="from_rgb")(images)
    for r in range(log2, 2, -1):
        res, out = 2**r, _filters(2 ** (r - 1), top, filters, max_filters)
        skip = keras.layers.AveragePooling2D(2, name=f"b{res}_skip_down")(x)
        skip = EqualizedConv2D(out, 1, gain=1.0, use_bias=False, name=f"b{res}_skip")(skip)
        x = EqualizedConv2D(_filters(res, top, filters, max_filters), 3, activation="leaky_relu", name=f"b{res}_0")(x)
        x = EqualizedConv2D(out, 3, activation="leaky_relu", name=f"b{res}_1")(x)
        x = keras.layers.AveragePooling2D(2, name=f"b{res}_down")(x)
        x = keras.layers.Add(name=f"b{res}_add")([x, skip])
        x = keras.layers.Rescaling(1.0 / math.sqrt(2.0), name=f"b{res}_scale")(x)
    x = GroupedMinibatchStdDev(minibatch_group, name="minibatch_std")(x)
    x = EqualizedConv2D(_filters(4, top, filters, max_filters), 3, activation="leaky_relu", name="b4_conv")(x)
    x = keras.layers.Flatten(name="b4_flatten")(x)
    x = EqualizedDense(_filters(4, top, filters, max_filters), activation="leaky_relu", name="b4_dense")(x)
    logits = EqualizedDense(1, gain=1.0, name="logit")(x)
    return keras.Model(images, logits, name="stylegan2_discriminator")
