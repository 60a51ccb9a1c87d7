"""Shared pipeline steps, the model-facing spec check, and load() dispatch."""

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from keras_gans.data import check_image_batch_spec, load
from keras_gans.data.pipeline import center_crop, make_image_dataset, normalize_images, to_image_size


def test_normalize_images_against_numpy():
    x = np.array([0.0, 4.0, 8.0, 16.0], dtype=np.float32)
    np.testing.assert_allclose(normalize_images(x, (0.0, 16.0)).numpy(), x / 8.0 - 1.0)
    np.testing.assert_allclose(normalize_images(x, (4.0, 8.0)).numpy(), 2 * (x - 4.0) / 4.0 - 1.0, atol=1e-6)
    u = np.arange(256, dtype=np.uint8)
    np.testing.assert_array_equal(normalize_images(u, (0.0, 255.0)).numpy(), u.astype(np.float32) / 127.5 - 1.0)


def test_center_crop_and_image_size():
    x = np.arange(2 * 5 * 6 * 1, dtype=np.float32).reshape(2, 5, 6, 1)
    np.testing.assert_array_equal(center_crop(x, (3, 2)).numpy(), x[:, 1:4, 2:4])
    np.testing.assert_array_equal(center_crop(x[0], (3, 2)).numpy(), x[0, 1:4, 2:4])
    assert to_image_size(8) == (8, 8) and to_image_size(None) is None
    with pytest.raises(ValueError, match="positive int"):
        to_image_size((8, 8, 1))


IMAGES = tf.TensorSpec((None, 28, 28, 1), tf.float32)
LABELS = tf.TensorSpec((None,), tf.int32)


def test_check_image_batch_spec_accepts_matching_batches():
    check_image_batch_spec(IMAGES, (28, 28, 1), conditional=False)
    check_image_batch_spec((IMAGES,), (28, 28, 1), conditional=False)
    check_image_batch_spec((IMAGES, LABELS), (28, 28, 1), conditional=True)
    check_image_batch_spec((IMAGES, tf.TensorSpec((64, 1), tf.int64)), (28, 28, 1), conditional=True)
    dataset = tf.data.Dataset.from_tensor_slices(np.zeros((4, 28, 28, 1), np.float32)).batch(2)
    check_image_batch_spec(dataset, (28, 28, 1), conditional=False)


def test_check_image_batch_spec_errors_name_the_fix():
    with pytest.raises(
        ValueError, match=r"\(28, 28, 1\) do not match .* \(32, 32, 1\); resize with image_size=\(32, 32\)"
    ):
        check_image_batch_spec(IMAGES, (32, 32, 1), conditional=False)
    with pytest.raises(ValueError, match="channels=3"):
        check_image_batch_spec(IMAGES, (28, 28, 3), conditional=False)
    with pytest.raises(ValueError, match="batched NHWC"):
        check_image_batch_spec(tf.TensorSpec((28, 28, 1), tf.float32), (28, 28, 1), conditional=False)
    with pytest.raises(TypeError, match="divide by 127.5 and subtract 1"):
        check_image_batch_spec(tf.TensorSpec((None, 28, 28, 1), tf.uint8), (28, 28, 1), conditional=False)
    with pytest.raises(ValueError, match="with_labels=True"):
        check_image_batch_spec(IMAGES, (28, 28, 1), conditional=True)
    with pytest.raises(ValueError, match="unconditional model got"):
        check_image_batch_spec((IMAGES, LABELS), (28, 28, 1), conditional=False)
    with pytest.raises(TypeError, match="integer class ids"):
        check_image_batch_spec((IMAGES, tf.TensorSpec((None,), tf.float32)), (28, 28, 1), conditional=True)
    with pytest.raises(ValueError, match=r"\(batch,\) or \(batch, 1\)"):
        check_image_batch_spec((IMAGES, tf.TensorSpec((None, 10), tf.int32)), (28, 28, 1), conditional=True)


def test_load_dispatch(tmp_path, mnist):
    digits = load("digits", batch_size=32)
    assert digits.element_spec.shape == (32, 8, 8, 1)
    mnist_ds = load("mnist_idx", with_labels=True, batch_size=50)
    assert mnist_ds.element_spec[0].shape == (50, 28, 28, 1)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(FileNotFoundError, match=str(empty)):
        load(f"mnist_idx:{empty}")
    for i in range(4):
        Image.new("RGB", (5, 5), (i, 0, 0)).save(tmp_path / f"{i}.png")
    assert load(str(tmp_path), image_size=5, batch_size=2).element_spec.shape == (2, 5, 5, 3)


def _variable_size_images(sizes):
    def generate():
        for height, width in sizes:
            yield np.full((height, width, 1), 255, dtype=np.uint8)

    return tf.data.Dataset.from_generator(generate, output_signature=tf.TensorSpec((None, None, 1), tf.uint8))


def test_make_image_dataset_resizes_images_of_varying_size_one_by_one():
    dataset = make_image_dataset(
        _variable_size_images([(6, 9), (4, 4), (10, 3), (5, 5)]),
        value_range=(0.0, 255.0),
        image_size=(4, 4),
        batch_size=2,
    )
    batches = [b.numpy() for b in dataset]
    assert [b.shape for b in batches] == [(2, 4, 4, 1), (2, 4, 4, 1)]
    np.testing.assert_allclose(np.concatenate(batches), 1.0, atol=1e-6)
    with pytest.raises(ValueError, match="differ in size; pass image_size"):
        make_image_dataset(_variable_size_images([(6, 9)]), value_range=(0.0, 255.0))
    with pytest.raises(ValueError, match="no images to load"):
        make_image_dataset(_variable_size_images([]), value_range=(0.0, 255.0), image_size=4)
