"""MNIST padded to 32x32: the size progressive and style-based GANs grow to (a power of two).

The 28x28 digits get 2 pixels of background on every side (zeros in uint8, -1 after normalisation), as the ProGAN
and StyleGAN2 MNIST experiments of the literature do, instead of a resize that would blur the strokes.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import numpy as np
import tensorflow as tf

from keras_gans.data.arrays import from_arrays
from keras_gans.data.idx import default_mnist_dir, load_mnist_idx
from keras_gans.data.pipeline import DEFAULT_BATCH_SIZE

__all__ = ["MNIST32_PADDING", "load_mnist32", "pad_to_square"]

#: Pixels of background added on each side of a 28x28 digit.
MNIST32_PADDING = 2


def pad_to_square(images: np.ndarray, size: int) -> np.ndarray:
    """(N, H, W[, C]) uint8 images centred in (N, size, size[, C]) with zero (background) borders."""
    images = np.asarray(images)
    height, width = images.shape[1:3]
    if size < height or size < width:
        raise ValueError(f"cannot pad {height}x{width} images to {size}x{size}: size must be >= {max(height, width)}")
    top, left = (size - height) // 2, (size - width) // 2
    pads = [(0, 0), (top, size - height - top), (left, size - width - left)] + [(0, 0)] * (images.ndim - 3)
    return np.pad(images, pads)


def load_mnist32(
    directory: str | os.PathLike | None = None,
    split: str = "test",
    *,
    with_labels: bool = False,
    image_size: int | Sequence[int] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    shuffle: bool = True,
    seed: int | None = None,
    shuffle_buffer: int | None = None,
    drop_remainder: bool = True,
) -> tf.data.Dataset:
    """MNIST IDX files (default folder: ``default_mnist_dir()``) padded to (B, 32, 32, 1) float32 in [-1, 1]."""
    images, labels = load_mnist_idx(default_mnist_dir() if directory is None else directory, split)
    return from_arrays(
        pad_to_square(images, 28 + 2 * MNIST32_PADDING),
        labels if with_labels else None,
        image_size=image_size,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        shuffle_buffer=shuffle_buffer,
        drop_remainder=drop_remainder,
    )
