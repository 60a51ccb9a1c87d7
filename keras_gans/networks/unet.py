"""The Pix2Pix U-Net generator (Isola et al., 2017, section 3.2.1 and appendix 6.1.1), for any even image size.

Encoder ``C64-C128-C256-C512-C512-C512-C512-C512`` (4x4 stride-2 convolutions, LeakyReLU(0.2), normalisation on
every layer but the first and the innermost), decoder of 4x4 stride-2 transposed convolutions with ReLU, each
output concatenated with the encoder's map of the same size (the skips), and a last transposed convolution to
``output_channels`` with tanh. Widths double from ``filters`` up to ``8 * filters``. Dropout (50%) follows the
normalisation of the first ``dropout_layers`` (3) decoder layers: the paper's only noise source.

The depth adapts to the image: the number of times both sides halve evenly, at most the paper's 8 (256 px -> a
1x1 bottleneck); 28 px gives 2 (a 7x7 bottleneck), 8 px 3.

Dropout draws come from the model's noise streams: inside ``with dropout_noise(draw):`` each
:class:`StreamDropout` layer takes its mask from ``draw(shape, layer_stream)`` (the model passes its named
stateless streams, so a step is reproducible, resumes exactly and N replicas draw what one device draws on the
global batch). Outside that context, ``training=True`` draws from Keras' seeded generator. Inference
(``training=False``) has no dropout: the paper keeps dropout at test time, but translation here must be a
deterministic function of the input (exports are checked against it).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Callable, Iterator

import keras
from keras import ops

__all__ = ["MAX_UNET_DEPTH", "StreamDropout", "build_unet_generator", "dropout_noise", "unet_depth"]

#: The paper's depth: 8 stride-2 layers take 256 px down to 1x1.
MAX_UNET_DEPTH = 8
NORMALIZATIONS = ("batch", "instance", None)

_DRAW: contextvars.ContextVar[Callable | None] = contextvars.ContextVar("keras_gans_dropout_draw", default=None)


@contextlib.contextmanager
def dropout_noise(draw: Callable) -> Iterator[None]:
    """Within the block, :class:`StreamDropout` layers draw their U[0, 1) masks with ``draw(shape, stream)``."""
    token = _DRAW.set(draw)
    try:
        yield
    finally:
        _DRAW.reset(token)


@keras.saving.register_keras_serializable(package="keras_gans")
class StreamDropout(keras.layers.Layer):
    """Inverted dropout whose mask comes from the model's noise streams (see the module docstring).

    y = x · 1[u >= rate] / (1 - rate), u ~ U[0, 1) from ``draw(shape, stream)`` inside :func:`dropout_noise`.
    """

    def __init__(self, rate: float, stream: int = 0, seed: int | None = None, **kwargs):
        super().__init__(**kwargs)
        if not 0.0 <= float(rate) < 1.0:
            raise ValueError(f"rate must be in [0, 1), got {rate!r}.")
        self.rate = float(rate)
        self.stream = int(stream)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        if not training or self.rate == 0.0:
            return inputs
        draw = _DRAW.get()
        if draw is None:
            return keras.random.dropout(inputs, self.rate, seed=self.seed_generator)
        uniform = draw([ops.shape(inputs)[0], *inputs.shape[1:]], self.stream)
        keep = ops.cast(uniform >= self.rate, inputs.dtype)
        return inputs * keep / ops.cast(1.0 - self.rate, inputs.dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {**super().get_config(), "rate": self.rate, "stream": self.stream, "seed": self.seed}


def unet_depth(image_shape: tuple[int, ...]) -> int:
    """Stride-2 levels for ``image_shape``: how often both sides halve evenly, at most :data:`MAX_UNET_DEPTH`."""
    height, width = int(image_shape[0]), int(image_shape[1])
    depth = 0
    while depth < MAX_UNET_DEPTH and height % 2 == 0 and width % 2 == 0 and min(height, width) >= 2:
        height, width, depth = height // 2, width // 2, depth + 1
    return depth


def _normalization(kind: str | None, name: str):
    if kind == "batch":
        # Synchronized under tf.distribute: N replicas normalise with the global batch's statistics.
        return keras.layers.BatchNormalization(synchronized=True, momentum=0.9, epsilon=1e-5, name=name)
    if kind == "instance":
        return keras.layers.GroupNormalization(groups=-1, epsilon=1e-5, name=name)
    return None


def build_unet_generator(
    input_shape: tuple[int, int, int],
    output_channels: int,
    filters: int = 64,
    depth: int | None = None,
    dropout: float = 0.5,
    dropout_layers: int = 3,
    normalization: str | None = "batch",
    name: str = "unet",
) -> keras.Model:
    """The U-Net: images (N, H, W, C_in) -> (N, H, W, output_channels) in [-1, 1].

    Args:
        input_shape: (H, W, C_in); both sides must be divisible by ``2**depth``.
        output_channels: channels of the output images.
        filters: width of the first encoder layer (64 in the paper); widths double per level up to 8x.
        depth: stride-2 levels; ``None``: :func:`unet_depth` (8 at 256 px).
        dropout: dropout rate of the first ``dropout_layers`` decoder layers (0.5 in the paper; 0 turns it off).
        dropout_layers: how many decoder layers (from the innermost) have dropout (3 in the paper).
        normalization: ``"batch"`` (the paper), ``"instance"`` or ``None``.
    """
    if (
        not isinstance(input_shape, (tuple, list))
        or len(input_shape) != 3
        or any(int(d) != d or d < 1 for d in input_shape)
    ):
        raise ValueError(f"input_shape must be (height, width, channels) with positive sizes, got {input_shape!r}.")
    input_shape = tuple(int(d) for d in input_shape)
    for what, value, low in (("output_channels", output_channels, 1), ("filters", filters, 1)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"{what} must be an integer >= {low}, got {value!r}.")
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}.")
    if isinstance(dropout_layers, bool) or not isinstance(dropout_layers, int) or dropout_layers < 0:
        raise ValueError(f"dropout_layers must be an integer >= 0, got {dropout_layers!r}.")
    height, width = input_shape[:2]
    if depth is None:
        depth = unet_depth(input_shape)
        if depth == 0:
            raise ValueError(
                f"A U-Net halves the image at every level, but {height}x{width} has an odd side: resize or pad the "
                "images to even sides (multiples of 2**depth; 256 for the paper's 8 levels)."
            )
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise ValueError(f"depth must be an integer >= 1, got {depth!r}.")
    if height % 2**depth or width % 2**depth:
        raise ValueError(
            f"A U-Net of depth {depth} needs sides divisible by {2**depth}, got {height}x{width}; use depth="
            f"{unet_depth(input_shape)} or resize the images."
        )
    init = keras.initializers.RandomNormal(stddev=0.02)
    widths = [filters * min(2**i, 8) for i in range(depth)]
    images = keras.Input(input_shape, name="images")
    x = images
    skips = []
    for level, width_ in enumerate(widths):
        norm = None if level in (0, depth - 1) else _normalization(normalization, f"{name}_down_norm_{level}")
        x = keras.layers.Conv2D(
            width_,
            4,
            strides=2,
            padding="same",
            use_bias=norm is None,
            kernel_initializer=init,
            name=f"{name}_down_{level}",
        )(x)
        if norm is not None:
            x = norm(x)
        x = keras.layers.LeakyReLU(0.2, name=f"{name}_down_lrelu_{level}")(x)
        skips.append(x)
    for index, level in enumerate(range(depth - 2, -1, -1)):
        norm = _normalization(normalization, f"{name}_up_norm_{level}")
        x = keras.layers.Conv2DTranspose(
            widths[level],
            4,
            strides=2,
            padding="same",
            use_bias=norm is None,
            kernel_initializer=init,
            name=f"{name}_up_{level}",
        )(x)
        if norm is not None:
            x = norm(x)
        if dropout and index < dropout_layers:
            x = StreamDropout(dropout, stream=index, name=f"{name}_dropout_{level}")(x)
        x = keras.layers.ReLU(name=f"{name}_up_relu_{level}")(x)
        x = keras.layers.Concatenate(name=f"{name}_skip_{level}")([x, skips[level]])
    x = keras.layers.Conv2DTranspose(
        output_channels, 4, strides=2, padding="same", kernel_initializer=init, name=f"{name}_output"
    )(x)
    outputs = keras.layers.Activation("tanh", dtype="float32", name=f"{name}_tanh")(x)
    return keras.Model(images, outputs, name=name)
