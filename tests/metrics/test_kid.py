import numpy as np
import pytest

from keras_gans.metrics.kid import kid_from_features, unbiased_mmd2


def _reference_mmd2(x, y):
    """Unbiased MMD² written out term by term with k(a, b) = (a.b / d + 1)^3."""
    m, d = len(x), x.shape[1]

    def k(a, b):
        return (np.dot(a, b) / d + 1.0) ** 3

    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m)) / (m * m)
    return xx + yy - 2 * xy


def test_unbiased_mmd2_matches_the_written_out_formula():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(25, 6)), rng.normal(0.5, size=(25, 6))
    np.testing.assert_allclose(unbiased_mmd2(x, y), _reference_mmd2(x, y), rtol=1e-10)


def test_kid_with_full_subsets_equals_one_mmd2():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(30, 5)), rng.normal(1.0, size=(30, 5))
    mean, std = kid_from_features(x, y, num_subsets=3, subset_size=30)
    np.testing.assert_allclose(mean, _reference_mmd2(x, y), rtol=1e-10)
    assert std == pytest.approx(0.0, abs=1e-12)


def test_kid_is_unbiased_for_one_distribution():
    rng = np.random.default_rng(2)
    values = [unbiased_mmd2(rng.normal(size=(50, 8)), rng.normal(size=(50, 8))) for _ in range(400)]
    mean, stderr = np.mean(values), np.std(values) / np.sqrt(len(values))
    assert abs(mean) < 3 * stderr
    assert min(values) < 0  # an unbiased estimator of 0 takes negative values


def test_kid_grows_with_the_distribution_shift_and_caps_the_subset_size():
    rng = np.random.default_rng(3)
    real = rng.normal(size=(200, 8))
    near, far = rng.normal(0.2, size=(150, 8)), rng.normal(1.0, size=(150, 8))
    kid_near, _ = kid_from_features(real, near, num_subsets=20, subset_size=1000)
    kid_far, std_far = kid_from_features(real, far, num_subsets=20, subset_size=1000)
    assert 0 < kid_near < kid_far and std_far > 0
    assert kid_from_features(real, far, num_subsets=5, seed=7) == kid_from_features(real, far, num_subsets=5, seed=7)
