"""MNIST padded to 32x32: the size progressive and style-based GANs grow to (a power of two).

The 28x28 digits get 2 pixels of background on every side (zeros in uint8, -1 after normalisation), as the ProGAN
and StyleGAN2 MNIST experiments of the literature do, instead of a resize that would blur the strokes.
"""

from __future__ import annotations

import os
from typing import Any

import tensorflow as tf

from keras_gans.data.idx import from_mnist_idx, pad_to_square

__all__ = ["MNIST32_PADDING", "load_mnist32", "pad_to_square"]

#: Pixels of background added on each side of a 28x28 digit.
MNIST32_PADDING = 2


def load_mnist32(directory: str | os.PathLike | None = None, split: str = "test", **kwargs: Any) -> tf.data.Dataset:
    """MNIST IDX files (default folder: ``default_mnist_dir()``) padded to (B, 32, 32, 1) float32 in [-1, 1]; the
    keyword arguments are :func:`~keras_gans.data.idx.from_mnist_idx`'s."""
    return from_mnist_idx(directory, split, pad_to=28 + 2 * MNIST32_PADDING, **kwargs)
