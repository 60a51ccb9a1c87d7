"""The embedded sklearn digits: count, exact [-1, 1] range, labels, resizing."""

import numpy as np
import pytest
from sklearn.datasets import load_digits as sklearn_load_digits

from keras_gans.data import load_digits


def _all(dataset):
    batches = list(dataset)
    if isinstance(batches[0], tuple):
        return tuple(np.concatenate([b[i].numpy() for b in batches]) for i in range(2))
    return np.concatenate([b.numpy() for b in batches])


def test_digits_count_range_and_values():
    images = _all(load_digits(batch_size=256, shuffle=False, drop_remainder=False))
    assert images.shape == (1797, 8, 8, 1) and images.dtype == np.float32
    assert images.min() == -1.0 and images.max() == 1.0
    expected = sklearn_load_digits().images[..., None] / 8.0 - 1.0  # 0..16 -> [-1, 1], not /255
    np.testing.assert_allclose(images, expected, atol=1e-7)


def test_digits_labels_and_drop_remainder():
    dataset = load_digits(with_labels=True, batch_size=100, seed=0)
    assert int(dataset.cardinality()) == 17  # 1797 // 100, the last 97 dropped
    images, labels = _all(dataset)
    assert images.shape == (1700, 8, 8, 1) and labels.dtype == np.int32
    assert set(np.unique(labels)) == set(range(10))


def test_digits_resized_bilinear_stays_in_range():
    images = _all(load_digits(image_size=(16, 16), batch_size=512, shuffle=False, drop_remainder=False))
    assert images.shape == (1797, 16, 16, 1)
    assert images.min() >= -1.0 and images.max() <= 1.0
    # Bilinear upsampling keeps each image's mean grey level close to the original's.
    native = _all(load_digits(batch_size=512, shuffle=False, drop_remainder=False))
    np.testing.assert_allclose(images.mean(axis=(1, 2, 3)), native.mean(axis=(1, 2, 3)), atol=0.05)
    with pytest.raises(ValueError, match="image_size must be"):
        load_digits(image_size=(16, 0))
