"""Layers shared by the style-based and progressive networks (Karras et al., 2018; 2019; 2020).

* **Equalised learning rate** (ProGAN, section 4.1): weights are stored as N(0, 1/lr_multiplier²) draws and
  multiplied at run time by ``c = gain · lr_multiplier / sqrt(fan_in)`` (He's constant), so every weight is updated at
  the same speed by Adam whatever its layer's fan-in. The bias is stored divided by ``lr_multiplier`` and used times
  it. ``lr_multiplier=0.01`` is StyleGAN's mapping network.
* **Pixel normalisation** (ProGAN, section 4.2): each pixel's feature vector divided by its RMS.
* **Minibatch standard deviation** (ProGAN, section 3): :class:`~keras_gans.networks.layers.MinibatchStdDev`,
  re-exported here, and :class:`GroupedMinibatchStdDev`, its variant over groups of *consecutive* samples, so that
  a global batch split over N replicas (tf.distribute splits it into consecutive slices) is grouped on every replica
  exactly as on one device.
"""

from __future__ import annotations

import math

import keras
from keras import ops

from keras_gans.networks.layers import MinibatchStdDev

__all__ = [
    "HE_GAIN",
    "EqualizedConv2D",
    "EqualizedDense",
    "GroupedMinibatchStdDev",
    "MinibatchStdDev",
    "PixelNormalization",
    "he_scale",
]

#: He et al.'s (2015) gain for (leaky) ReLU layers, sqrt(2), the default of every equalised layer.
HE_GAIN = math.sqrt(2.0)


def he_scale(fan_in: int, gain: float = HE_GAIN, lr_multiplier: float = 1.0) -> float:
    """The run-time weight multiplier of an equalised layer: ``gain · lr_multiplier / sqrt(fan_in)``."""
    return gain * lr_multiplier / math.sqrt(fan_in)


def _check_positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0 or not math.isfinite(value):
        raise ValueError(f"{name} must be a positive number, got {value!r}.")
    return float(value)


@keras.saving.register_keras_serializable(package="keras_gans")
class EqualizedDense(keras.layers.Layer):
    """A dense layer with an equalised learning rate: ``y = act(x · (W·c) + b·lr_multiplier)``.

    Args:
        units: output features.
        gain: ``c = gain · lr_multiplier / sqrt(fan_in)`` (sqrt(2) for layers followed by a leaky ReLU; 1 for a
            linear output).
        lr_multiplier: learning-rate multiplier of the layer (0.01 in StyleGAN's mapping network).
        bias_initializer: initial value of the *effective* bias (1 for StyleGAN2's style affines, so that styles
            start at 1).
        activation: applied after the bias; ``"leaky_relu"`` uses slope 0.2 as the papers.
    """

    def __init__(
        self,
        units: int,
        gain: float = HE_GAIN,
        lr_multiplier: float = 1.0,
        bias_initializer: float = 0.0,
        use_bias: bool = True,
        activation: str | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, int) or units < 1:
            raise ValueError(f"units must be a positive integer, got {units!r}.")
        self.units = units
        self.gain = _check_positive("gain", gain)
        self.lr_multiplier = _check_positive("lr_multiplier", lr_multiplier)
        self.bias_initializer = float(bias_initializer)
        self.use_bias = bool(use_bias)
        self.activation = activation
        self._activation = _activation(activation)

    def build(self, input_shape):
        fan_in = int(input_shape[-1])
        self.scale = he_scale(fan_in, self.gain, self.lr_multiplier)
        self.kernel = self.add_weight(
            shape=(fan_in, self.units),
            initializer=keras.initializers.RandomNormal(stddev=1.0 / self.lr_multiplier),
            name="kernel",
        )
        if self.use_bias:
            self.bias = self.add_weight(
                shape=(self.units,),
                initializer=keras.initializers.Constant(self.bias_initializer / self.lr_multiplier),
                name="bias",
            )

    def call(self, inputs):
        x = ops.matmul(inputs, self.kernel * ops.cast(self.scale, self.kernel.dtype))
        if self.use_bias:
            x = x + self.bias * ops.cast(self.lr_multiplier, self.bias.dtype)
        return self._activation(x)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "gain": self.gain,
            "lr_multiplier": self.lr_multiplier,
            "bias_initializer": self.bias_initializer,
            "use_bias": self.use_bias,
            "activation": self.activation,
        }


@keras.saving.register_keras_serializable(package="keras_gans")
class EqualizedConv2D(keras.layers.Layer):
    """A 'same'-padded, stride-1 convolution with an equalised learning rate (fan-in ``k·k·C_in``).

    Args:
        filters: output channels.
        kernel_size: odd side of the square kernel (3 in the papers; 1 for toRGB / fromRGB).
        gain, lr_multiplier, activation: as :class:`EqualizedDense`.
    """

    def __init__(
        self,
        filters: int,
        kernel_size: int = 3,
        gain: float = HE_GAIN,
        lr_multiplier: float = 1.0,
        use_bias: bool = True,
        activation: str | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if isinstance(filters, bool) or not isinstance(filters, int) or filters < 1:
            raise ValueError(f"filters must be a positive integer, got {filters!r}.")
        if isinstance(kernel_size, bool) or not isinstance(kernel_size, int) or kernel_size < 1 or kernel_size % 2 == 0:
            raise ValueError(f"kernel_size must be a positive odd integer (1, 3...), got {kernel_size!r}.")
        self.filters = filters
        self.kernel_size = kernel_size
        self.gain = _check_positive("gain", gain)
        self.lr_multiplier = _check_positive("lr_multiplier", lr_multiplier)
        self.use_bias = bool(use_bias)
        self.activation = activation
        self._activation = _activation(activation)

    def build(self, input_shape):
        channels = int(input_shape[-1])
        k = self.kernel_size
        self.scale = he_scale(k * k * channels, self.gain, self.lr_multiplier)
        self.kernel = self.add_weight(
            shape=(k, k, channels, self.filters),
            initializer=keras.initializers.RandomNormal(stddev=1.0 / self.lr_multiplier),
            name="kernel",
        )
        if self.use_bias:
            self.bias = self.add_weight(shape=(self.filters,), initializer="zeros", name="bias")

    def call(self, inputs):
        x = ops.conv(inputs, self.kernel * ops.cast(self.scale, self.kernel.dtype), strides=1, padding="same")
        if self.use_bias:
            x = x + self.bias * ops.cast(self.lr_multiplier, self.bias.dtype)
        return self._activation(x)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.filters)

    def get_config(self):
        return {
            **super().get_config(),
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "gain": self.gain,
            "lr_multiplier": self.lr_multiplier,
            "use_bias": self.use_bias,
            "activation": self.activation,
        }


@keras.saving.register_keras_serializable(package="keras_gans")
class PixelNormalization(keras.layers.Layer):
    """``x / sqrt(mean_c(x²) + ε)`` over the last axis (ProGAN's pixelwise feature normalisation, ε = 1e-8)."""

    def __init__(self, epsilon: float = 1e-8, **kwargs):
        super().__init__(**kwargs)
        self.epsilon = _check_positive("epsilon", epsilon)

    def call(self, inputs):
        x = ops.cast(inputs, "float32")
        x = x * ops.rsqrt(ops.mean(ops.square(x), axis=-1, keepdims=True) + self.epsilon)
        return ops.cast(x, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "epsilon": self.epsilon}


@keras.saving.register_keras_serializable(package="keras_gans")
class GroupedMinibatchStdDev(MinibatchStdDev):
    """Minibatch standard deviation over groups of ``group_size`` *consecutive* samples (Karras et al., 2018).

    For each group, the standard deviation of every feature across the group, averaged over features and pixels,
    is appended as one constant channel to the group's samples. The group is the largest divisor of the batch size
    that is at most ``group_size`` (a last, smaller batch still works). Consecutive groups make N replicas of a
    ``tf.distribute`` strategy compute what one device computes on their global batch whenever ``group_size``
    divides the per-replica batch (the strided groups of :class:`MinibatchStdDev` and of the papers' code mix
    samples of different replicas).
    """

    def call(self, inputs):
        shape = ops.shape(inputs)
        batch, height, width, channels = shape[0], shape[1], shape[2], shape[3]
        limit = batch if self.group_size is None else self.group_size
        if isinstance(batch, int) and isinstance(limit, int):
            group = max(g for g in range(1, min(limit, batch) + 1) if batch % g == 0)
        else:
            group = ops.convert_to_tensor(1, "int32")
            for candidate in range(2, (self.group_size or 64) + 1):
                fits = ops.logical_and(ops.equal(batch % candidate, 0), candidate <= batch)
                group = ops.where(fits, candidate, group)
        x = ops.reshape(ops.cast(inputs, "float32"), (-1, group, height, width, channels))
        std = ops.sqrt(ops.var(x, axis=1, keepdims=True) + self.epsilon)  # (batch / group, 1, H, W, C)
        std = ops.mean(std, axis=(2, 3, 4), keepdims=True)  # one value per group
        # Broadcast by addition, not to a computed shape: XLA then needs no dynamic shapes in (second) gradients.
        feature = ops.reshape(ops.zeros_like(x[..., :1]) + std, ops.shape(inputs[..., :1]))
        return ops.concatenate([inputs, ops.cast(feature, inputs.dtype)], axis=-1)


#: Negative slope of the leaky ReLUs of ProGAN and StyleGAN.
LEAKY_RELU_SLOPE = 0.2


def _activation(name: str | None):
    if name is None or name == "linear":
        return lambda x: x
    if name == "leaky_relu":
        return lambda x: ops.leaky_relu(x, negative_slope=LEAKY_RELU_SLOPE)
    try:
        return keras.activations.get(name)
    except ValueError as error:
        raise ValueError(f"Unknown activation {name!r}: use None, 'leaky_relu' or a Keras activation name.") from error
