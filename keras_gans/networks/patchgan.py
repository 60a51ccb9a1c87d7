"""PatchGAN discriminators (Isola et al., 2017, section 3.2.2 and appendix 6.1.2): one logit per image patch.

The network is ``C64 - C128 - C256 - C512 - 1``-style: ``num_layers`` stride-2 4x4 convolutions (widths doubling
from ``filters``, capped at ``8 * filters``), one stride-1 4x4 convolution, then a stride-1 4x4 convolution to one
channel: a map of logits, each judging one ``receptive_field x receptive_field`` patch of the input. Every
convolution pads the input by one pixel on each side, as the authors' code does, so with ``num_layers=3`` a 256x256
image gives a 30x30 map of 70x70 patches. No normalisation on the first layer; LeakyReLU(0.2) everywhere but the
output; weights initialised from N(0, 0.02).

``conditioning_shape`` makes it conditional (Pix2Pix's D(x, y)): the network takes ``[x, y]`` and judges their
channel concatenation. Without it (CycleGAN) it takes the image alone.

The receptive field of an output logit is r_0 with r_L = 1 and r_{i-1} = (r_i - 1) s_i + k_i over the layers from
the last to the first: :func:`patchgan_receptive_field` (1 -> 16, 2 -> 34, 3 -> 70 pixels, 4 -> 142).
:func:`default_patchgan_layers` scales it down for small images: the deepest D (at most the paper's 3 stride-2
layers) whose patch fits in the image, and at least one layer (a 16x16 patch).
"""

from __future__ import annotations

import keras

__all__ = [
    "PATCHGAN_KERNEL",
    "build_patchgan_discriminator",
    "default_patchgan_layers",
    "patchgan_layer_specs",
    "patchgan_output_size",
    "patchgan_receptive_field",
]

#: Kernel size of every PatchGAN convolution (the paper's 4x4).
PATCHGAN_KERNEL = 4
#: Zero padding of every convolution, in pixels per side (the authors' code).
PATCHGAN_PADDING = 1
#: Stride-2 layers of the paper's 70x70 PatchGAN.
PAPER_LAYERS = 3
NORMALIZATIONS = ("batch", "instance", None)


def patchgan_layer_specs(num_layers: int) -> list[tuple[int, int]]:
    """``(kernel, stride)`` of each convolution of a PatchGAN with ``num_layers`` stride-2 layers, input first."""
    num_layers = _check_layers(num_layers)
    return [(PATCHGAN_KERNEL, 2)] * num_layers + [(PATCHGAN_KERNEL, 1)] * 2


def patchgan_receptive_field(num_layers: int) -> int:
    """Side in pixels of the input patch one output logit sees: r = 1; r <- (r - 1) s + k from the last layer back."""
    field = 1
    for kernel, stride in reversed(patchgan_layer_specs(num_layers)):
        field = (field - 1) * stride + kernel
    return field


def patchgan_output_size(size: int, num_layers: int) -> int:
    """Side of the logit map for an input side ``size``: each layer maps n to floor((n + 2p - k) / s) + 1."""
    for kernel, stride in patchgan_layer_specs(num_layers):
        size = (size + 2 * PATCHGAN_PADDING - kernel) // stride + 1
    return size


def default_patchgan_layers(image_shape: tuple[int, ...]) -> int:
    """Stride-2 layers for images of ``image_shape``: the deepest (<= 3, the paper's) whose patch fits, at least 1.

    256 and 128 px: 3 (70x70 patches); 64: 2 (34x34); 32, 28, 16, 8: 1 (16x16).
    """
    side = min(int(image_shape[0]), int(image_shape[1]))
    layers = PAPER_LAYERS
    while layers > 1 and patchgan_receptive_field(layers) > side:
        layers -= 1
    return layers


def _check_layers(num_layers) -> int:
    if isinstance(num_layers, bool) or not isinstance(num_layers, int) or num_layers < 0:
        raise ValueError(f"num_layers must be an integer >= 0 (3 for the paper's 70x70 PatchGAN), got {num_layers!r}.")
    return num_layers


def _check_shape(name: str, shape) -> tuple[int, int, int]:
    if not isinstance(shape, (tuple, list)) or len(shape) != 3 or any(int(d) != d or d < 1 for d in shape):
        raise ValueError(f"{name} must be (height, width, channels) with positive sizes, got {shape!r}.")
    return tuple(int(d) for d in shape)


def _normalization(kind: str | None, name: str):
    if kind == "batch":
        # Synchronized under tf.distribute: N replicas normalise with the global batch's statistics.
        return keras.layers.BatchNormalization(synchronized=True, momentum=0.9, epsilon=1e-5, name=name)
    if kind == "instance":
        return keras.layers.GroupNormalization(groups=-1, epsilon=1e-5, name=name)
    return None


def build_patchgan_discriminator(
    image_shape: tuple[int, int, int],
    conditioning_shape: tuple[int, int, int] | None = None,
    filters: int = 64,
    num_layers: int | None = None,
    normalization: str | None = "batch",
    spectral_normalization: bool = False,
    name: str = "patchgan",
) -> keras.Model:
    """A PatchGAN: image (or ``[condition, image]``) -> (N, h, w, 1) logits, one per patch.

    Args:
        image_shape: (H, W, C) of the judged images.
        conditioning_shape: (H, W, C') of the conditioning input of a conditional D (Pix2Pix's x); ``None``: the
            image alone (CycleGAN).
        filters: width of the first layer (64 in the paper).
        num_layers: stride-2 layers; ``None``: :func:`default_patchgan_layers` (3, the 70x70 PatchGAN, at 128 px
            and more).
        normalization: ``"batch"`` (Pix2Pix), ``"instance"`` (CycleGAN) or ``None``.
        spectral_normalization: wrap every convolution in ``keras.layers.SpectralNormalization``.
    """
    image_shape = _check_shape("image_shape", image_shape)
    if isinstance(filters, bool) or not isinstance(filters, int) or filters < 1:
        raise ValueError(f"filters must be an integer >= 1 (64 in the paper), got {filters!r}.")
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}.")
    num_layers = default_patchgan_layers(image_shape) if num_layers is None else _check_layers(num_layers)
    height, width = image_shape[:2]
    if min(patchgan_output_size(height, num_layers), patchgan_output_size(width, num_layers)) < 1:
        raise ValueError(
            f"A PatchGAN with num_layers={num_layers} needs larger images than {height}x{width} (its logit map would "
            f"be empty); use num_layers={default_patchgan_layers(image_shape)} or fewer."
        )
    image = keras.Input(image_shape, name="images")
    inputs = [image]
    x = image
    if conditioning_shape is not None:
        conditioning_shape = _check_shape("conditioning_shape", conditioning_shape)
        if conditioning_shape[:2] != image_shape[:2]:
            raise ValueError(
                f"The conditioning input {conditioning_shape} and the images {image_shape} must have the same height "
                "and width."
            )
        condition = keras.Input(conditioning_shape, name="conditions")
        inputs = [condition, image]
        x = keras.layers.Concatenate(name=f"{name}_concat")([condition, image])
    init = keras.initializers.RandomNormal(stddev=0.02)
    specs = patchgan_layer_specs(num_layers)
    widths = [filters * min(2**i, 8) for i in range(len(specs) - 1)] + [1]
    for index, ((kernel, stride), width) in enumerate(zip(specs, widths)):
        last = index == len(specs) - 1
        norm = None if index == 0 or last else _normalization(normalization, f"{name}_norm_{index}")
        x = keras.layers.ZeroPadding2D(PATCHGAN_PADDING, name=f"{name}_pad_{index}")(x)
        conv = keras.layers.Conv2D(
            width,
            kernel,
            strides=stride,
            use_bias=norm is None or normalization == "instance",
            kernel_initializer=init,
            name=f"{name}_conv_{index}",
        )
        if spectral_normalization:
            conv = keras.layers.SpectralNormalization(conv, name=f"{name}_sn_{index}")
        x = conv(x)
        if last:
            break
        if norm is not None:
            x = norm(x)
        x = keras.layers.LeakyReLU(0.2, name=f"{name}_lrelu_{index}")(x)
    logits = keras.layers.Activation("linear", dtype="float32", name=f"{name}_logits")(x)
    return keras.Model(inputs if len(inputs) > 1 else image, logits, name=name)
