"""The steps every loader shares, written once.

value range -> [-1, 1], optional centre crop and bilinear resize, shuffle, batch, prefetch, and the checks on
shapes, ranges and emptiness. Loaders turn their source into an unbatched `tf.data.Dataset` of raw images (or
`(images, labels)`) and hand it to `make_image_dataset`. `check_image_batch_spec` is the check a model runs on
`dataset.element_spec` before training.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import tensorflow as tf

__all__ = [
    "DEFAULT_BATCH_SIZE",
    "DEFAULT_SHUFFLE_BUFFER",
    "ImageSize",
    "ValueRange",
    "center_crop",
    "check_array_range",
    "check_image_batch_spec",
    "implied_value_range",
    "make_image_dataset",
    "normalize_images",
    "resize_images",
    "to_image_size",
]

DEFAULT_BATCH_SIZE = 64
# Elements held by `Dataset.shuffle` when no buffer is given (capped at the dataset size): a full shuffle of
# MNIST-sized data, bounded memory for large decoded datasets.
DEFAULT_SHUFFLE_BUFFER = 10_000

ValueRange = tuple[float, float]
ImageSize = tuple[int, int]


def to_image_size(size: int | Sequence[int] | None, name: str = "image_size") -> ImageSize | None:
    """`None`, an int (square) or `(height, width)` as a `(height, width)` tuple of positive ints."""
    if size is None:
        return None
    if isinstance(size, (int, np.integer)) and not isinstance(size, bool):
        size = (int(size), int(size))
    size = tuple(size)
    if len(size) != 2 or not all(isinstance(s, (int, np.integer)) and not isinstance(s, bool) and s > 0 for s in size):
        raise ValueError(f"{name} must be a positive int or (height, width) of positive ints; got {size!r}")
    return int(size[0]), int(size[1])


def implied_value_range(dtype: Any, value_range: Sequence[float] | None = None) -> ValueRange:
    """The input range that is mapped onto [-1, 1].

    `value_range=(lo, hi)` if given; otherwise implied by the dtype: unsigned integers use their full range
    (uint8: (0, 255)), floats are taken to be in [-1, 1] already. Signed integers need an explicit range.
    """
    if value_range is not None:
        if len(value_range) != 2:
            raise ValueError(f"value_range must be (lo, hi); got {value_range!r}")
        lo, hi = float(value_range[0]), float(value_range[1])
        if not (np.isfinite(lo) and np.isfinite(hi) and hi > lo):
            raise ValueError(f"value_range must be finite with lo < hi; got {value_range!r}")
        return lo, hi
    dtype = tf.as_dtype(dtype)
    if dtype.is_unsigned:
        return 0.0, float(dtype.max)
    if dtype.is_floating:
        return -1.0, 1.0
    raise TypeError(
        f"images of dtype {dtype.name} have no implied value range; pass value_range=(lo, hi), "
        "e.g. value_range=(0, 255)"
    )


def check_array_range(images: np.ndarray, value_range: ValueRange, explicit: bool) -> None:
    """Raise a ValueError (saying how to fix it) when in-memory images fall outside `value_range`.

    `explicit` tells whether the caller passed `value_range` (then data outside it is an error) or it was
    implied (float images assumed in [-1, 1]: a [0, 255]-looking array gets the divide-by-127.5 hint, and a
    [0, 1]-looking one a warning, since it is inside [-1, 1] but probably not meant to be used as is).
    """
    lo, hi = value_range
    amin, amax = float(np.min(images)), float(np.max(images))
    if not (np.isfinite(amin) and np.isfinite(amax)):
        raise ValueError("images contain NaN or inf values")
    tolerance = 1e-5 * (hi - lo)  # float round-off from the user's own scaling
    if lo - tolerance <= amin and amax <= hi + tolerance:
        if not explicit and amin >= 0.0 and amax <= 1.0 and images.size > 1:
            warnings.warn(
                "float images lie in [0, 1] and are used as [-1, 1] data as they are; if [0, 1] is their range, "
                "pass value_range=(0, 1) (pass value_range=(-1, 1) to silence this warning)",
                stacklevel=3,
            )
        return
    if explicit:
        raise ValueError(
            f"images span [{amin:g}, {amax:g}], outside value_range=({lo:g}, {hi:g}); "
            "pass the range the data is really in"
        )
    if amin >= 0.0 and amax <= 255.0:
        hint = "images look like [0, 255] floats; divide by 127.5 and subtract 1, or pass value_range=(0, 255)"
    else:
        hint = "rescale them, or pass value_range=(lo, hi) with the range they are in"
    raise ValueError(f"float images must be in [-1, 1] but span [{amin:g}, {amax:g}]: {hint}")


def normalize_images(images: tf.Tensor, value_range: ValueRange) -> tf.Tensor:
    """Map `[lo, hi]` linearly onto float32 [-1, 1]: `x / h - (lo / h + 1)` with `h = (hi - lo) / 2`.

    Written so that uint8 data gives exactly `x / 127.5 - 1` and [-1, 1] data is left unchanged.
    """
    lo, hi = value_range
    half = (hi - lo) / 2.0
    images = tf.cast(images, tf.float32)
    if (lo, hi) == (-1.0, 1.0):
        return images
    return images / half - (lo / half + 1.0)


def center_crop(images: tf.Tensor, crop_size: ImageSize) -> tf.Tensor:
    """The central `crop_size` window of (H, W, C) or (N, H, W, C) images (error if larger than the image)."""
    shape = tf.shape(images)
    top = (shape[-3] - crop_size[0]) // 2
    left = (shape[-2] - crop_size[1]) // 2
    return tf.image.crop_to_bounding_box(images, top, left, crop_size[0], crop_size[1])


def resize_images(images: tf.Tensor, image_size: ImageSize) -> tf.Tensor:
    """Bilinear resize (antialiased when shrinking) of (H, W, C) or (N, H, W, C) float images.

    Bilinear and antialiasing weights are non-negative and sum to one, so [-1, 1] data stays in [-1, 1].
    """
    return tf.image.resize(images, image_size, method="bilinear", antialias=True)


def _images_spec(element_spec: Any) -> tf.TensorSpec:
    return element_spec[0] if isinstance(element_spec, tuple) else element_spec


def make_image_dataset(
    dataset: tf.data.Dataset,
    *,
    value_range: ValueRange,
    batch_size: int = DEFAULT_BATCH_SIZE,
    shuffle: bool = True,
    seed: int | None = None,
    shuffle_buffer: int | None = None,
    drop_remainder: bool = True,
    image_size: int | Sequence[int] | None = None,
    crop_size: int | Sequence[int] | None = None,
    source: str = "dataset",
) -> tf.data.Dataset:
    """Shuffle, batch, normalise to [-1, 1], crop/resize and prefetch unbatched images or (images, labels).

    Images of one fixed shape are transformed a whole batch at a time (after `batch`); images whose size varies
    are cropped/resized one by one before batching, which then needs `image_size` or `crop_size`. Labels are cast
    to int32. Raises ValueError when there is nothing to train on (no images, or fewer than `batch_size` with
    `drop_remainder=True`); `source` names the input in those messages.
    """
    if int(batch_size) < 1:
        raise ValueError(f"batch_size must be >= 1; got {batch_size}")
    image_size = to_image_size(image_size)
    crop_size = to_image_size(crop_size, "crop_size")
    count = int(dataset.cardinality())
    # An unknown size (a generator, a filter) is checked by reading one element, before any shuffle buffer fills.
    if count == 0 or (count == tf.data.UNKNOWN_CARDINALITY and not any(True for _ in dataset.take(1))):
        raise ValueError(f"{source}: no images to load")

    if shuffle:
        if shuffle_buffer is None:
            shuffle_buffer = min(count, DEFAULT_SHUFFLE_BUFFER) if count > 0 else DEFAULT_SHUFFLE_BUFFER
        dataset = dataset.shuffle(int(shuffle_buffer), seed=seed, reshuffle_each_iteration=True)

    def prepare(images: tf.Tensor, labels: tf.Tensor | None = None) -> Any:
        images = normalize_images(images, value_range)
        if crop_size is not None:
            images = center_crop(images, crop_size)
        if image_size is not None:
            images = resize_images(images, image_size)
        return images if labels is None else (images, tf.cast(labels, tf.int32))

    same_shape = _images_spec(dataset.element_spec).shape.is_fully_defined()
    if not same_shape:
        if image_size is None and crop_size is None:
            raise ValueError(f"{source}: images differ in size; pass image_size=(height, width) to resize them")
        dataset = dataset.map(prepare, num_parallel_calls=tf.data.AUTOTUNE)
    dataset = dataset.batch(int(batch_size), drop_remainder=drop_remainder)
    if same_shape:
        dataset = dataset.map(prepare, num_parallel_calls=tf.data.AUTOTUNE)

    batches = int(dataset.cardinality())
    if batches == 0:
        raise ValueError(
            f"{source}: {count} images are fewer than batch_size={batch_size} with drop_remainder=True; "
            "pass a smaller batch_size or drop_remainder=False"
        )
    return dataset.prefetch(tf.data.AUTOTUNE)


def check_image_batch_spec(element_spec: Any, image_shape: Sequence[int], conditional: bool) -> None:
    """Check that batches described by `element_spec` fit a model of `image_shape` (H, W, C).

    `element_spec` is `dataset.element_spec` (a dataset is accepted too): a `tf.TensorSpec` of images or a
    tuple `(images_spec, labels_spec)`. A conditional model needs labels, an unconditional one must not get any.
    Raises ValueError (shape, labels) or TypeError (dtype) with the fix in the message; returns None when fine.
    """
    if isinstance(element_spec, tf.data.Dataset):
        element_spec = element_spec.element_spec
    labels_spec = None
    if isinstance(element_spec, (tuple, list)):
        if len(element_spec) not in (1, 2):
            raise ValueError(f"expected batches of images or (images, labels); got a tuple of {len(element_spec)}")
        images_spec = element_spec[0]
        labels_spec = element_spec[1] if len(element_spec) == 2 else None
    else:
        images_spec = element_spec
    if not isinstance(images_spec, tf.TensorSpec):
        raise TypeError(f"expected a tf.TensorSpec of images; got {images_spec!r}")

    image_shape = tuple(int(d) for d in image_shape)
    got = images_spec.shape
    if got.rank != 4:
        raise ValueError(
            f"expected batched NHWC images (batch, {', '.join(map(str, image_shape))}); got shape {got}: "
            "batch the dataset (the keras_gans.data loaders do) and give grey-scale images a channel axis"
        )
    if not got[1:].is_compatible_with(image_shape):
        fix = f"resize with image_size={image_shape[:2]} in the keras_gans.data loader"
        if got[3] is not None and got[3] != image_shape[2]:
            fix += f" and load {image_shape[2]} channel(s) (e.g. from_folder(..., channels={image_shape[2]}))"
        raise ValueError(f"images of shape {tuple(got[1:])} do not match the model's image shape {image_shape}; {fix}")
    if not images_spec.dtype.is_floating:
        raise TypeError(
            f"images are {images_spec.dtype.name}, the model needs float images in [-1, 1]: normalise with "
            "keras_gans.data.from_arrays or divide by 127.5 and subtract 1"
        )
    if conditional and labels_spec is None:
        raise ValueError("a conditional model needs (images, labels) batches; load the data with with_labels=True")
    if not conditional and labels_spec is not None:
        raise ValueError(
            "an unconditional model got (images, labels) batches; load with with_labels=False or "
            "dataset.map(lambda images, labels: images)"
        )
    if labels_spec is not None:
        if not isinstance(labels_spec, tf.TensorSpec) or not labels_spec.dtype.is_integer:
            raise TypeError(
                f"labels must be integer class ids; got {labels_spec!r}: cast with tf.cast(labels, tf.int32)"
            )
        if labels_spec.shape.rank not in (None, 1) and labels_spec.shape[1:] != [1]:
            raise ValueError(f"labels must have shape (batch,) or (batch, 1); got {labels_spec.shape}")
