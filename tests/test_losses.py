"""Each loss against an independent numpy computation of its published formula."""

import numpy as np
import pytest

from keras_gans import losses

RNG = np.random.default_rng(0)
REAL = RNG.normal(1.0, 2.0, size=64).astype("float32")
FAKE = RNG.normal(-0.5, 3.0, size=64).astype("float32")


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x.astype("float64")))


def bce(target, logits):
    p = sigmoid(logits)
    return -np.mean(target * np.log(p) + (1 - target) * np.log(1 - p))


def test_minimax_discriminator_is_binary_cross_entropy():
    expected = bce(1.0, REAL) + bce(0.0, FAKE)
    assert float(losses.minimax_discriminator_loss(REAL, FAKE)) == pytest.approx(expected, rel=1e-5)


def test_label_smoothing_targets():
    expected = bce(0.9, REAL) + bce(0.1, FAKE)
    got = losses.minimax_discriminator_loss(REAL, FAKE, real_target=0.9, fake_target=0.1)
    assert float(got) == pytest.approx(expected, rel=1e-5)


def test_generator_losses():
    assert float(losses.minimax_generator_loss(FAKE)) == pytest.approx(np.mean(np.log(1 - sigmoid(FAKE))), rel=1e-5)
    assert float(losses.non_saturating_generator_loss(FAKE)) == pytest.approx(-np.mean(np.log(sigmoid(FAKE))), rel=1e-5)


def test_stable_for_large_logits():
    big = np.array([80.0, -80.0], "float32")
    assert np.isfinite(float(losses.minimax_discriminator_loss(big, big)))
    assert float(losses.non_saturating_generator_loss(np.array([-80.0], "float32"))) == pytest.approx(80.0, rel=1e-5)


def test_wasserstein():
    assert float(losses.wasserstein_discriminator_loss(REAL, FAKE)) == pytest.approx(FAKE.mean() - REAL.mean(), 1e-5)
    assert float(losses.wasserstein_generator_loss(FAKE)) == pytest.approx(-FAKE.mean(), rel=1e-5)


def test_least_squares():
    expected_d = 0.5 * np.mean((REAL - 1) ** 2) + 0.5 * np.mean(FAKE**2)
    assert float(losses.least_squares_discriminator_loss(REAL, FAKE)) == pytest.approx(expected_d, rel=1e-5)
    assert float(losses.least_squares_generator_loss(FAKE)) == pytest.approx(0.5 * np.mean((FAKE - 1) ** 2), rel=1e-5)


def test_hinge():
    expected = np.mean(np.maximum(0, 1 - REAL)) + np.mean(np.maximum(0, 1 + FAKE))
    assert float(losses.hinge_discriminator_loss(REAL, FAKE)) == pytest.approx(expected, rel=1e-5)
    assert float(losses.hinge_generator_loss(FAKE)) == pytest.approx(-FAKE.mean(), rel=1e-5)


def test_registry():
    assert set(losses.names()) == {"minimax", "non_saturating", "wasserstein", "least_squares", "hinge"}
    assert losses.get("non_saturating").generator is losses.non_saturating_generator_loss
    with pytest.raises(ValueError, match="Unknown GAN loss 'wgan'.*least_squares"):
        losses.get("wgan")
