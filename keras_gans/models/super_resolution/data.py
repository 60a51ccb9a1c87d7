"""What super-resolution trains on: high-res images (the low-res inputs made on the fly) or ``(low_res, high_res)``
pairs, and the downsampling that makes the low-res inputs.

Downsampling (``downsampling=``):

* ``"bicubic"`` (default): ``tf.image.resize(method="bicubic", antialias=True)``, the cubic kernel (a = -0.5)
  stretched by the scale as MATLAB's ``imresize`` does, which is how DIV2K/Set5 low-res images and the papers'
  training pairs are made (BasicSR); clipped to [-1, 1].
* ``"area"``: the mean of each ``scale x scale`` block (exact box filter; bicubic's mild sharpening aside, the
  simplest degradation model).
"""

from __future__ import annotations

import numpy as np
import tensorflow as tf

from keras_gans.engine.data_spec import DataSpec, ValuePart, _as_parts, _shape_text
from keras_gans.networks.bicubic import cubic_kernel

__all__ = ["DOWNSAMPLINGS", "SuperResolutionData", "bicubic_matrix", "downsample"]

DOWNSAMPLINGS = ("bicubic", "area")


def bicubic_matrix(size: int, scale: int) -> np.ndarray:
    """``(size // scale, size)``: antialiased bicubic downsampling of one axis as a matrix, the kernel stretched by
    ``scale`` and each row's weights normalised over the taps inside the image (what ``tf.image.resize(...,
    "bicubic", antialias=True)`` computes; a matrix keeps it inside XLA, which has no ScaleAndTranslate op)."""
    out = size // scale
    centres = (np.arange(out) + 0.5) * scale - 0.5
    weights = cubic_kernel((np.arange(size)[None, :] - centres[:, None]) / scale)
    return (weights / weights.sum(axis=1, keepdims=True)).astype(np.float32)


def downsample(images, scale: int, method: str = "bicubic") -> tf.Tensor:
    """``(N, H, W, C)`` images in [-1, 1] -> ``(N, H / scale, W / scale, C)`` by ``method`` (see module docstring)."""
    images = tf.convert_to_tensor(images)
    if method == "area":
        return tf.nn.avg_pool2d(images, scale, scale, "VALID")
    if method != "bicubic":
        raise ValueError(f"downsampling must be one of {DOWNSAMPLINGS}, got {method!r}.")
    height, width = images.shape[1], images.shape[2]
    x = tf.cast(images, tf.float32)
    if height is None or width is None:
        shape = tf.shape(images)
        size = tf.stack([shape[1] // scale, shape[2] // scale])
        resized = tf.image.resize(x, size, method="bicubic", antialias=True)
    else:
        rows = tf.constant(bicubic_matrix(int(height), scale))
        cols = tf.constant(bicubic_matrix(int(width), scale))
        resized = tf.einsum("ph,nhwc,qw->npqc", rows, x, cols)
    return tf.cast(tf.clip_by_value(resized, -1.0, 1.0), images.dtype)


class SuperResolutionData(DataSpec):
    """High-res batches ``(N, H, W, C)`` (H, W multiples of ``scale``) or ``(low_res, high_res)`` pairs.

    ``unpack`` returns ``(low_res, high_res)``; the low-res batch of high-res-only data is made by
    :func:`downsample`. ``min_size``: the smallest high-res side the networks take; ``fixed_size``: ``(H, W)`` when
    the content network takes one size only.
    """

    description = "high-res images, or (low_res, high_res) pairs"

    def __init__(self, channels: int, scale: int, downsampling: str, min_size: int = 1, fixed_size=None):
        self.channels, self.scale, self.downsampling = int(channels), int(scale), downsampling
        self.min_size = int(min_size)
        self.fixed_size = None if fixed_size is None else tuple(fixed_size)

    def _parts(self, data, model_name: str) -> list:
        parts = _as_parts(data)
        if len(parts) == 2 and tf.convert_to_tensor(parts[1]).dtype.is_integer:
            raise ValueError(
                f"{model_name} trains on images only, but the data has integer labels: drop them "
                "(with_labels=False in keras_gans.data loaders, or fit(images))."
            )
        if len(parts) not in (1, 2):
            raise ValueError(
                f"{model_name} trains on {self.description}; the data has {len(parts)} parts. Pass fit(high_res) "
                "or fit(low_res, high_res)."
            )
        return parts

    def _check(self, images, model_name: str, what: str, factor: int) -> None:
        shape = tuple(images.shape)
        if len(shape) != 4:
            hint = " Add a channel axis: images[..., None]." if len(shape) == 3 else ""
            raise ValueError(
                f"{model_name} takes {what} of shape (batch, H, W, {self.channels}), got {_shape_text(shape)}.{hint}"
            )
        if not images.dtype.is_floating:
            raise ValueError(
                f"{what.capitalize()} must be floats in [-1, 1], got dtype {images.dtype.name}. Normalise them first: "
                "keras_gans.data.from_arrays(images) does it for uint8, or use images / 127.5 - 1."
            )
        if shape[-1] is not None and shape[-1] != self.channels:
            raise ValueError(
                f"{model_name} was built for {self.channels}-channel images but the {what} have {shape[-1]} channels: "
                f"build it with channels={shape[-1]}, or convert the images (tf.image.rgb_to_grayscale / "
                "grayscale_to_rgb)."
            )
        for side in shape[1:3]:
            if side is None:
                continue
            if factor > 1 and side % factor:
                raise ValueError(
                    f"{model_name} upscales by {self.scale}: high-res sides must be multiples of {self.scale}, but the "
                    f"{what} are {shape[1]}x{shape[2]}. Crop them (images[:, :H // {self.scale} * {self.scale}, "
                    f":W // {self.scale} * {self.scale}]) or resize them (keras_gans.data loaders take image_size=)."
                )
            if side * (self.scale if factor == 1 else 1) < self.min_size:
                raise ValueError(
                    f"{model_name}: {what} of {shape[1]}x{shape[2]} are too small for its content network, which "
                    f"needs high-res patches of at least {self.min_size}x{self.min_size}: use larger patches, or a "
                    "content network cut at an earlier layer (content_layer=)."
                )
        if self.fixed_size is not None:
            high = tuple(None if s is None else s * (self.scale if factor == 1 else 1) for s in shape[1:3])
            if None not in high and high != self.fixed_size:
                raise ValueError(
                    f"{model_name}: its content network takes {self.fixed_size[0]}x{self.fixed_size[1]} images only, "
                    f"but the high-res images are {high[0]}x{high[1]}: resize them, or pass a content network "
                    "that takes any size."
                )

    def unpack(self, data, model_name: str) -> tuple:
        parts = self._parts(data, model_name)
        if len(parts) == 1:
            high = parts[0]
            self._check(high, model_name, "high-res images", self.scale)
            return downsample(high, self.scale, self.downsampling), high
        low, high = parts
        self._check(low, model_name, "low-res images", 1)
        self._check(high, model_name, "high-res images", self.scale)
        for lo, hi in zip(low.shape[1:3], high.shape[1:3]):
            if lo is not None and hi is not None and lo * self.scale != hi:
                raise ValueError(
                    f"{model_name} upscales by {self.scale}, but the pairs are {_shape_text(low.shape[1:3])} -> "
                    f"{_shape_text(high.shape[1:3])}: pass low-res images {self.scale} times smaller than their "
                    "targets (or only the high-res images: the low-res ones are then made on the fly)."
                )
        return low, high

    def value_parts(self, data, model_name: str) -> list[ValuePart]:
        parts = self._parts(data, model_name)
        if len(parts) == 1:
            self._check(parts[0], model_name, "high-res images", self.scale)
            return [ValuePart("images", "high-res images", parts[0])]
        self.unpack(data, model_name)
        return [ValuePart("images", "low-res images", parts[0]), ValuePart("images", "high-res images", parts[1])]
