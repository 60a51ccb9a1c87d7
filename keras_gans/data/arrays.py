"""In-memory images (numpy arrays or tensors) as a batched [-1, 1] `tf.data.Dataset`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from keras_gans.data.pipeline import (
    DEFAULT_BATCH_SIZE,
    ValueRange,
    check_array_range,
    implied_value_range,
    make_image_dataset,
)

__all__ = ["from_arrays"]


def _as_nhwc(images: Any) -> np.ndarray:
    images = np.asarray(images)
    if images.size == 0:
        raise ValueError(f"images is empty (shape {images.shape}); pass at least one image")
    if images.dtype.kind not in "uif":
        raise TypeError(f"images must be numbers (uint8, int or float); got dtype {images.dtype}")
    if images.ndim == 3:
        images = images[..., None]
    elif images.ndim != 4:
        raise ValueError(f"images must be (N, H, W) or (N, H, W, C); got shape {images.shape}")
    if images.shape[1] in (1, 3) and images.shape[3] not in (1, 3, 4):
        raise ValueError(
            f"images of shape {images.shape} look channels-first (N, C, H, W); keras_gans uses NHWC: "
            "pass np.transpose(images, (0, 2, 3, 1))"
        )
    return images


def _as_labels(labels: Any, count: int) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]
    if labels.ndim != 1:
        raise ValueError(
            f"labels must be class ids of shape (N,); got shape {labels.shape} (one-hot? pass labels.argmax(-1))"
        )
    if len(labels) != count:
        raise ValueError(f"got {count} images but {len(labels)} labels; pass one label per image")
    if labels.dtype.kind not in "iu":
        raise TypeError(f"labels must be integer class ids; got dtype {labels.dtype}: pass labels.astype('int32')")
    if labels.min() < 0:
        raise ValueError(f"labels must be class ids >= 0; got minimum {labels.min()}")
    return labels.astype(np.int32)


def _checked_images(images: np.ndarray, value_range: Sequence[float] | None) -> tuple[np.ndarray, ValueRange]:
    """``(images, their value range)``: float images as float32 and checked to lie in the range now (as is any
    array with an explicit ``value_range``), unsigned integers spanning their dtype."""
    explicit = value_range is not None
    value_range = implied_value_range(images.dtype, value_range)
    if images.dtype.kind == "f":
        images = images.astype(np.float32, copy=False)
    if explicit or images.dtype.kind == "f":
        check_array_range(images, value_range, explicit)
    return images, value_range


def from_arrays(
    images: Any,
    labels: Any | None = None,
    *,
    value_range: Sequence[float] | None = None,
    image_size: int | Sequence[int] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    shuffle: bool = True,
    seed: int | None = None,
    shuffle_buffer: int | None = None,
    drop_remainder: bool = True,
) -> tf.data.Dataset:
    """A dataset of float32 NHWC batches in [-1, 1] (and int32 labels if `labels` is given).

    `images` is a numpy array or tensor of shape (N, H, W) (a channel axis is added) or (N, H, W, C).
    Value range, unless `value_range=(lo, hi)` says otherwise: unsigned integers span their dtype
    (uint8: [0, 255]); floats must already be in [-1, 1], else a ValueError says how to rescale; signed
    integers need `value_range`. `image_size` resizes bilinearly. Images stay in their dtype in memory
    (uint8 costs a quarter of float32) and are normalised batch by batch.

    The dataset's `resumable` attribute is True when its order is the same in every process (no shuffle, or a
    `seed`): `dataset.repeat().skip(n)` is then batch `n` on of the same stream, cheaply (the data is in memory),
    which is how `keras-gans train` resumes a run exactly where it stopped.
    """
    images, value_range = _checked_images(_as_nhwc(images), value_range)
    elements: Any = images if labels is None else (images, _as_labels(labels, len(images)))
    dataset = make_image_dataset(
        tf.data.Dataset.from_tensor_slices(elements),
        value_range=value_range,
        image_size=image_size,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        shuffle_buffer=shuffle_buffer,
        drop_remainder=drop_remainder,
        source=f"from_arrays ({len(images)} images)",
    )
    # The same batches in the same order in every process, and cheap to skip: a run resumes them exactly.
    dataset.resumable = not shuffle or seed is not None
    return dataset
