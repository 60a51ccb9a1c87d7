"""DiffAugment ops against numpy with fixed random draws, their gradients, and policy parsing."""

import numpy as np
import pytest
import tensorflow as tf

from keras_gans import augment

N, H, W = 4, 28, 28


def fixed_uniform(values: dict[int, list[float]]):
    """A ``uniform(shape, index)`` stub: the given per-image values of draw ``index``, in the requested shape."""

    def uniform(shape, index):
        return tf.reshape(tf.constant(values[index], tf.float32), shape)

    return uniform


def images(channels: int = 1, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, (N, H, W, channels)).astype("float32")


# Independent numpy versions, written from DiffAugment's definitions (Zhao et al., 2020, DiffAugment_tf.py).


def color_np(x, u_brightness, u_saturation, u_contrast):
    out = []
    for image, ub, us, uc in zip(x.astype("float64"), u_brightness, u_saturation, u_contrast):
        image = image + (ub - 0.5)
        channel_mean = image.mean(axis=-1, keepdims=True)
        image = (image - channel_mean) * (2 * us) + channel_mean
        image = (image - image.mean()) * (uc + 0.5) + image.mean()
        out.append(image)
    return np.stack(out)


def shifts_np(u, size, ratio=0.125):
    """DiffAugment's integer shifts: uniform in [-floor(ratio * size), floor(ratio * size)]."""
    pad = int(size * ratio)
    return [int(np.floor(v * (2 * pad + 1))) - pad for v in u]


def shift_np(x, dys, dxs):
    """out[y, x] = in[y - dy, x - dx], zero where that falls outside."""
    out = np.zeros_like(x)
    for i, (dy, dx) in enumerate(zip(dys, dxs)):
        for y in range(x.shape[1]):
            for xx in range(x.shape[2]):
                if 0 <= y - dy < x.shape[1] and 0 <= xx - dx < x.shape[2]:
                    out[i, y, xx] = x[i, y - dy, xx - dx]
    return out


def translation_np(x, u_y, u_x):
    return shift_np(x, shifts_np(u_y, x.shape[1]), shifts_np(u_x, x.shape[2]))


def cutout_mask_np(shape, u_y, u_x, ratio=0.5):
    n, height, width = shape[:3]
    size_y, size_x = int(height * ratio), int(width * ratio)
    mask = np.ones((n, height, width, 1), "float32")
    for i, (uy, ux) in enumerate(zip(u_y, u_x)):
        cy = int(np.floor(uy * (height + 1 - size_y % 2)))
        cx = int(np.floor(ux * (width + 1 - size_x % 2)))
        top, left = cy - size_y // 2, cx - size_x // 2
        mask[i, max(top, 0) : max(top + size_y, 0), max(left, 0) : max(left + size_x, 0)] = 0
    return mask


DRAWS = {
    0: [0.0, 0.25, 0.5, 0.999],  # brightness -0.5 ... +0.499
    1: [0.5, 0.0, 1.0, 0.25],  # saturation x1, x0 (grey), x2, x0.5
    2: [0.5, 0.0, 0.999, 0.75],  # contrast x1, x0.5, ~x1.5, x1.25
    3: [0.0, 0.999, 0.5, 0.3],  # vertical shift -3, +3, 0, -1 (28 // 8 = 3)
    4: [0.999, 0.0, 0.5, 0.7],
    5: [0.0, 0.5, 0.999, 0.3],  # cutout centre rows 0, 14, 28, 8 and columns 14, 28, 0, 17
    6: [0.5, 0.999, 0.0, 0.6],
}


def test_color_matches_numpy():
    x = images(channels=3)
    got = augment.color(tf.constant(x), fixed_uniform(DRAWS)).numpy()
    np.testing.assert_allclose(got, color_np(x, DRAWS[0], DRAWS[1], DRAWS[2]), atol=1e-5)
    # Saturation 0 turns a colour image grey: equal channels.
    np.testing.assert_allclose(got[1, ..., 0], got[1, ..., 2], atol=1e-6)


def test_translation_matches_numpy_and_shifts_at_most_an_eighth():
    x = images()
    got = augment.translation(tf.constant(x), fixed_uniform(DRAWS)).numpy()
    np.testing.assert_array_equal(got, translation_np(x, DRAWS[3], DRAWS[4]))
    # Image 0 moved up by 3 rows: its last 3 rows are zero padding, its first row is the input's row 3.
    assert np.all(got[0, -3:] == 0) and np.any(got[0, -4] != 0)
    # Image 2 (u = 0.5 on the rows, 0.5 on the columns) is not moved.
    np.testing.assert_array_equal(got[2], x[2])


def test_cutout_matches_numpy_with_a_half_size_square():
    x = images()
    got = augment.cutout(tf.constant(x), fixed_uniform(DRAWS)).numpy()
    mask = cutout_mask_np(x.shape, DRAWS[5], DRAWS[6])
    np.testing.assert_array_equal(got, x * mask)
    # Image 3's square (centre row 8, column 17) lies inside: 14 x 14 pixels zeroed, DiffAugment's floor(28 / 2).
    assert int((got[3] == 0).sum()) == 14 * 14
    # Squares centred at the border are clipped, never wrapped around.
    assert 0 < int((got[0] == 0).sum()) < 14 * 14


def test_diff_augment_applies_the_policy_in_order():
    x = images(channels=3)
    uniform = fixed_uniform(DRAWS)
    got = augment.diff_augment(tf.constant(x), "color,translation,cutout", uniform).numpy()
    expected = color_np(x, DRAWS[0], DRAWS[1], DRAWS[2])
    expected = translation_np(expected, DRAWS[3], DRAWS[4]) * cutout_mask_np(x.shape, DRAWS[5], DRAWS[6])
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_gradients_flow_through_every_op():
    """Every op is affine in the images, so d sum(w * aug(x)) / dx = A^T w; checked against numpy."""
    x = tf.constant(images(channels=3))
    w = np.random.default_rng(1).normal(size=x.shape).astype("float32")
    uniform = fixed_uniform(DRAWS)
    grads = {}
    for name in ("color", "translation", "cutout"):
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(augment.POLICIES[name](x, uniform) * w)
        grads[name] = tape.gradient(loss, x).numpy()
        assert np.all(np.isfinite(grads[name])) and np.abs(grads[name]).sum() > 0, name
    # cutout: the mask; translation: the inverse shift; color: the linear part, applied to w (it is symmetric).
    np.testing.assert_allclose(grads["cutout"], w * cutout_mask_np(x.shape, DRAWS[5], DRAWS[6]), atol=1e-6)
    dys, dxs = shifts_np(DRAWS[3], H), shifts_np(DRAWS[4], W)
    np.testing.assert_allclose(grads["translation"], shift_np(w, [-d for d in dys], [-d for d in dxs]), atol=1e-6)
    # color = contrast o saturation o brightness; the Jacobians are symmetric, so A^T w = J_sat (J_contrast w).
    expected = []
    for image, us, uc in zip(w.astype("float64"), DRAWS[1], DRAWS[2]):
        image = (image - image.mean()) * (uc + 0.5) + image.mean()
        channel_mean = image.mean(axis=-1, keepdims=True)
        expected.append((image - channel_mean) * (2 * us) + channel_mean)
    np.testing.assert_allclose(grads["color"], np.stack(expected), atol=1e-4)


def test_ops_run_under_xla():
    x = tf.constant(images(channels=3))
    uniform = fixed_uniform(DRAWS)
    eager = augment.diff_augment(x, "color,translation,cutout", uniform)
    compiled = tf.function(lambda t: augment.diff_augment(t, "color,translation,cutout", uniform), jit_compile=True)
    np.testing.assert_allclose(compiled(x).numpy(), eager.numpy(), atol=1e-5)


def test_parse_policy():
    assert augment.parse_policy(" color, cutout ") == ["color", "cutout"]
    for bad in ("", "colour", "color,zoom"):
        with pytest.raises(ValueError, match="DiffAugment policy"):
            augment.parse_policy(bad)
