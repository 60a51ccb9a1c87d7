"""The history pool against a reference loop written from the paper's description (Shrivastava et al., 2017)."""

import numpy as np
import tensorflow as tf

from keras_gans.models.translation.image_pool import query_image_pool


def _reference(pool, count, images, swaps, indices):
    """Authors' ImagePool.query, image by image, with the draws given."""
    pool, out = pool.copy(), []
    size = len(pool)
    for image, u, v in zip(images, swaps, indices):
        if count < size:
            pool[count] = image
            count += 1
            out.append(image)
        elif u >= 0.5:
            slot = min(int(v * size), size - 1)
            out.append(pool[slot].copy())
            pool[slot] = image
        else:
            out.append(image)
    return np.stack(out), pool, count


def test_pool_matches_the_reference_over_many_batches():
    rng = np.random.default_rng(0)
    size, batch = 50, 7
    pool, count = np.zeros((size, 2, 2, 1), "float32"), 0
    tf_pool, tf_count = tf.constant(pool), tf.constant(0)
    from_pool = []
    for step in range(20):
        # Each fake is unique (its step and position), so a returned image tells where it came from.
        images = (step * batch + np.arange(batch, dtype="float32"))[:, None, None, None] * np.ones((1, 2, 2, 1))
        images = images.astype("float32")
        swaps, indices = rng.uniform(size=batch).astype("float32"), rng.uniform(size=batch).astype("float32")
        expected, pool, count = _reference(pool, count, images, swaps, indices)
        got, tf_pool, tf_count = query_image_pool(tf_pool, tf_count, images, swaps, indices)
        np.testing.assert_array_equal(got.numpy(), expected)
        np.testing.assert_array_equal(tf_pool.numpy(), pool)
        assert int(tf_count) == count
        if step * batch >= size:
            from_pool.append(np.mean(got.numpy()[:, 0, 0, 0] != images[:, 0, 0, 0]))
    assert count == size
    # The first 50 fakes fill the pool and pass through; once full, about half of the fakes are swapped.
    assert 0.35 < np.mean(from_pool) < 0.65


def test_first_fifty_are_stored_and_returned_unchanged():
    images = np.arange(60, dtype="float32")[:, None, None, None]
    swaps = np.ones(60, "float32")  # would swap every time once full
    indices = np.zeros(60, "float32")
    got, pool, count = query_image_pool(tf.zeros((50, 1, 1, 1)), tf.constant(0), images, swaps, indices)
    got = got.numpy()[:, 0, 0, 0]
    np.testing.assert_array_equal(got[:50], np.arange(50))
    assert int(count) == 50
    # Image 50 swaps with slot 0 (holding image 0); image 51 then gets image 50 back from slot 0, and so on.
    np.testing.assert_array_equal(got[50:], [0, *range(50, 59)])
    assert pool.numpy()[0, 0, 0, 0] == 59
