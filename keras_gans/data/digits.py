"""The embedded default: scikit-learn's bundled handwritten digits, no download needed.

`sklearn.datasets.load_digits` ships the 1,797 8x8 digits of the UCI "Optical Recognition of Handwritten
Digits" test set (E. Alpaydin, C. Kaynak), grey levels 0..16 (counts of set pixels in 4x4 blocks of 32x32
bitmaps), classes 0..9.
"""

from __future__ import annotations

from collections.abc import Sequence

import tensorflow as tf

from keras_gans.data.arrays import from_arrays
from keras_gans.data.pipeline import DEFAULT_BATCH_SIZE

__all__ = ["DIGITS_VALUE_RANGE", "load_digits"]

# Grey levels of the sklearn digits: 0 (blank) .. 16 (all 16 pixels of a 4x4 block set).
DIGITS_VALUE_RANGE = (0.0, 16.0)


def load_digits(
    image_size: int | Sequence[int] | None = None,
    *,
    with_labels: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    shuffle: bool = True,
    seed: int | None = None,
    shuffle_buffer: int | None = None,
    drop_remainder: bool = True,
) -> tf.data.Dataset:
    """The 1,797 sklearn digits as batches of (B, 8, 8, 1) float32 in [-1, 1] (0 -> -1, 16 -> 1).

    `image_size=(16, 16)` (or an int) resizes bilinearly after normalisation, so values stay in [-1, 1].
    `with_labels=True` yields (images, int32 labels 0..9).
    """
    from sklearn.datasets import load_digits as sklearn_load_digits  # sklearn import is slow; only when used

    digits = sklearn_load_digits()
    return from_arrays(
        digits.images,
        digits.target if with_labels else None,
        value_range=DIGITS_VALUE_RANGE,
        image_size=image_size,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        shuffle_buffer=shuffle_buffer,
        drop_remainder=drop_remainder,
    )
