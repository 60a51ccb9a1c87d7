"""MNIST padded to 32x32 (the power-of-two size of ProGAN / StyleGAN2)."""

import numpy as np
import pytest

import keras_gans as kg
from keras_gans.data.mnist32 import pad_to_square


def test_pad_to_square_centres_with_background():
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    padded = pad_to_square(images, 32)
    assert padded.shape == (2, 32, 32)
    np.testing.assert_array_equal(padded[:, 2:30, 2:30], images)
    assert padded[:, :2].max() == padded[:, 30:].max() == padded[:, :, :2].max() == 0
    with pytest.raises(ValueError, match="must be >= 28"):
        pad_to_square(images, 16)


def test_load_by_name_gives_the_padded_digits():
    images, _ = kg.data.load_mnist_idx(kg.data.default_mnist_dir())
    batch = next(iter(kg.data.load("mnist32_idx", batch_size=8, shuffle=False))).numpy()
    assert batch.shape == (8, 32, 32, 1)
    np.testing.assert_allclose(batch[:, 2:30, 2:30, 0], images[:8] / 127.5 - 1.0, atol=1e-6)
    assert (batch[:, :2] == -1).all() and (batch[:, :, 30:] == -1).all()
