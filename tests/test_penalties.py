"""Gradient penalties against closed-form input gradients computed with numpy."""

import numpy as np
import pytest
import tensorflow as tf

from keras_gans import penalties

RNG = np.random.default_rng(1)


def test_gradient_penalty_linear_critic():
    # D(x) = <w, x>: the input gradient is w everywhere, so the penalty is (||w|| - 1)^2.
    w = RNG.normal(size=(4, 4, 1)).astype("float32")
    real = RNG.normal(size=(8, 4, 4, 1)).astype("float32")
    fake = RNG.normal(size=(8, 4, 4, 1)).astype("float32")
    alpha = RNG.uniform(size=(8, 1, 1, 1)).astype("float32")
    gp = penalties.gradient_penalty(lambda x: tf.reduce_sum(x * w, axis=[1, 2, 3]), real, fake, alpha)
    assert float(gp) == pytest.approx((np.linalg.norm(w) - 1.0) ** 2, rel=1e-4)


def test_gradient_penalty_quadratic_critic_uses_interpolates():
    # D(x) = 0.5 ||x||^2: the gradient at x_hat is x_hat itself.
    real = RNG.normal(size=(6, 3, 3, 2)).astype("float32")
    fake = RNG.normal(size=(6, 3, 3, 2)).astype("float32")
    alpha = RNG.uniform(size=(6, 1, 1, 1)).astype("float32")
    x_hat = alpha * real + (1 - alpha) * fake
    expected = np.mean((np.linalg.norm(x_hat.reshape(6, -1), axis=1) - 1.0) ** 2)
    gp = penalties.gradient_penalty(lambda x: 0.5 * tf.reduce_sum(x**2, axis=[1, 2, 3]), real, fake, alpha)
    assert float(gp) == pytest.approx(expected, rel=1e-4)


def test_r1_penalty_quadratic_critic():
    real = RNG.normal(size=(5, 4, 4, 1)).astype("float32")
    # D(x) = sum(c * x^2) has gradient 2 c x.
    c = RNG.uniform(0.5, 2.0, size=(4, 4, 1)).astype("float32")
    expected = np.mean(np.sum((2 * c * real).reshape(5, -1) ** 2, axis=1))
    r1 = penalties.r1_penalty(lambda x: tf.reduce_sum(c * x**2, axis=[1, 2, 3]), real)
    assert float(r1) == pytest.approx(expected, rel=1e-4)


def test_penalty_scaling_hooks_round_trip():
    real = RNG.normal(size=(4, 2, 2, 1)).astype("float32")
    critic = lambda x: tf.reduce_sum(x**2, axis=[1, 2, 3])  # noqa: E731
    plain = penalties.r1_penalty(critic, real)
    scaled = penalties.r1_penalty(critic, real, scale=lambda t: t * 1024.0, unscale=lambda g: g / 1024.0)
    assert float(scaled) == pytest.approx(float(plain), rel=1e-5)
