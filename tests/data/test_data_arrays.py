"""from_arrays: dtype rules, value ranges, shapes, labels, shuffling and batching."""

import numpy as np
import pytest
import tensorflow as tf

from keras_gans.data import from_arrays


def _collect(dataset):
    return [tuple(t.numpy() for t in b) if isinstance(b, tuple) else b.numpy() for b in dataset]


def test_uint8_scaled_from_0_255():
    images = np.array([0, 1, 127, 128, 254, 255], dtype=np.uint8).reshape(6, 1, 1)
    (batch,) = _collect(from_arrays(images, batch_size=6, shuffle=False))
    assert batch.shape == (6, 1, 1, 1) and batch.dtype == np.float32
    np.testing.assert_array_equal(batch.ravel(), images.ravel().astype(np.float32) / 127.5 - 1.0)
    assert batch.min() == -1.0 and batch.max() == 1.0


def test_float_in_range_unchanged_and_tensors_accepted():
    images = np.linspace(-1, 1, 4 * 5 * 5 * 3, dtype=np.float64).reshape(4, 5, 5, 3)
    (batch,) = _collect(from_arrays(tf.constant(images), batch_size=4, shuffle=False))
    np.testing.assert_array_equal(batch, images.astype(np.float32))


def test_float_0_255_error_says_how_to_fix():
    images = np.full((3, 4, 4), 200.0, dtype=np.float32)
    with pytest.raises(ValueError, match=r"\[0, 255\] floats; divide by 127.5 and subtract 1, or pass value_range"):
        from_arrays(images)
    (batch,) = _collect(from_arrays(images, value_range=(0, 255), batch_size=3, shuffle=False))
    np.testing.assert_allclose(batch, 200.0 / 127.5 - 1.0, rtol=1e-6)


def test_explicit_value_range():
    images = np.array([-3.0, 0.0, 5.0], dtype=np.float32).reshape(3, 1, 1)
    (batch,) = _collect(from_arrays(images, value_range=(-3, 5), batch_size=3, shuffle=False))
    np.testing.assert_allclose(batch.ravel(), [-1.0, -0.25, 1.0], atol=1e-7)
    with pytest.raises(ValueError, match=r"outside value_range=\(0, 1\)"):
        from_arrays(images, value_range=(0, 1))
    with pytest.raises(ValueError, match="lo < hi"):
        from_arrays(images, value_range=(1, 1))


def test_zero_one_floats_warn_and_int_types():
    with pytest.warns(UserWarning, match=r"value_range=\(0, 1\)"):
        from_arrays(np.full((2, 3, 3), 0.5, dtype=np.float32), batch_size=2)
    with pytest.raises(TypeError, match="no implied value range"):
        from_arrays(np.zeros((2, 3, 3), dtype=np.int32))
    with pytest.raises(TypeError, match="must be numbers"):
        from_arrays(np.zeros((2, 3, 3), dtype=bool))
    with pytest.raises(ValueError, match="NaN"):
        from_arrays(np.full((2, 3, 3), np.nan, dtype=np.float32))


def test_shape_errors():
    with pytest.raises(ValueError, match="empty"):
        from_arrays(np.zeros((0, 28, 28), dtype=np.uint8))
    with pytest.raises(ValueError, match=r"\(N, H, W\) or \(N, H, W, C\)"):
        from_arrays(np.zeros((4, 28), dtype=np.uint8))
    with pytest.raises(ValueError, match=r"channels-first.*transpose"):
        from_arrays(np.zeros((4, 3, 32, 32), dtype=np.uint8))


def test_labels_rules():
    images = np.zeros((4, 2, 2), dtype=np.uint8)
    (batch,) = _collect(
        from_arrays(images, np.array([[1], [2], [3], [0]], dtype=np.int64), batch_size=4, shuffle=False)
    )
    assert batch[1].dtype == np.int32
    np.testing.assert_array_equal(batch[1], [1, 2, 3, 0])
    with pytest.raises(ValueError, match="4 images but 3 labels"):
        from_arrays(images, [0, 1, 2])
    with pytest.raises(TypeError, match="integer class ids"):
        from_arrays(images, np.zeros(4, dtype=np.float32))
    with pytest.raises(ValueError, match="one-hot"):
        from_arrays(images, np.eye(4, dtype=np.int32))


def _order(dataset):
    return np.concatenate([b[1].numpy() for b in dataset])


def test_shuffle_is_seeded_and_reshuffled_each_epoch():
    images = np.zeros((64, 2, 2), dtype=np.uint8)
    ids = np.arange(64)
    first = _order(from_arrays(images, ids, batch_size=8, seed=7))
    again = from_arrays(images, ids, batch_size=8, seed=7)
    np.testing.assert_array_equal(_order(again), first)
    assert not np.array_equal(_order(again), first)  # second epoch: a new order, from the same seed
    assert not np.array_equal(_order(from_arrays(images, ids, batch_size=8, seed=8)), first)
    assert sorted(first) == list(ids)
    np.testing.assert_array_equal(_order(from_arrays(images, ids, batch_size=8, shuffle=False)), ids)


def test_drop_remainder():
    images = np.zeros((10, 2, 2), dtype=np.uint8)
    kept = from_arrays(images, batch_size=4)
    assert kept.element_spec.shape == (4, 2, 2, 1) and [b.shape[0] for b in kept] == [4, 4]
    partial = from_arrays(images, batch_size=4, drop_remainder=False)
    assert partial.element_spec.shape.as_list() == [None, 2, 2, 1]
    assert [b.shape[0] for b in partial] == [4, 4, 2]
    with pytest.raises(ValueError, match="fewer than batch_size=16 with drop_remainder=True"):
        from_arrays(images, batch_size=16)
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        from_arrays(images, batch_size=0)
