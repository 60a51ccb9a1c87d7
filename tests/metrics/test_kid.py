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


def test_kid_grows_with_the_distribution_shift():
    rng = np.random.default_rng(3)
    real = rng.normal(size=(200, 8))
    near, far = rng.normal(0.2, size=(150, 8)), rng.normal(1.0, size=(150, 8))
    kid_near, _ = kid_from_features(real, near, num_subsets=20, subset_size=100)
    kid_far, std_far = kid_from_features(real, far, num_subsets=20, subset_size=100)
    assert 0 < kid_near < kid_far and std_far > 0
    assert kid_from_features(real, far, num_subsets=5, subset_size=100, seed=7) == kid_from_features(
        real, far, num_subsets=5, subset_size=100, seed=7
    )


def test_kid_refuses_a_subset_larger_than_either_set():
    # As the authors' code, torch-fidelity and torchmetrics: capped, every subset would be the whole set (std 0).
    rng = np.random.default_rng(4)
    real, fake = rng.normal(size=(200, 4)), rng.normal(size=(150, 4))
    with pytest.raises(ValueError, match=r"subset_size=1000 is larger than the generated set \(150 samples"):
        kid_from_features(real, fake)
    with pytest.raises(ValueError, match=r"subset_size=151 .* Pass subset_size <= 150"):
        kid_from_features(real, fake, subset_size=151)
    with pytest.raises(ValueError, match="subset_size must be an integer >= 2"):
        kid_from_features(real, fake, subset_size=1)
    with pytest.raises(ValueError, match="num_subsets must be an integer >= 1"):
        kid_from_features(real, fake, num_subsets=0, subset_size=10)
    kid_from_features(real, fake, num_subsets=2, subset_size=150)  # the largest valid size


def test_kid_subsets_are_torch_fidelitys_draws_and_the_kernel_is_configurable():
    """Subsets from RandomState(seed).choice, real then generated (torch-fidelity's order), with the written-out
    MMD² and kernel (gamma x.y + coef0)^degree."""
    rng = np.random.default_rng(5)
    real, fake = rng.normal(size=(40, 3)), rng.normal(0.4, size=(30, 3))
    draws = np.random.RandomState(2020)
    expected = []
    for _ in range(3):
        x, y = real[draws.choice(40, 12, replace=False)], fake[draws.choice(30, 12, replace=False)]
        expected.append(_reference_mmd2(x, y))
    mean, std = kid_from_features(real, fake, num_subsets=3, subset_size=12, seed=2020)
    np.testing.assert_allclose([mean, std], [np.mean(expected), np.std(expected)], rtol=1e-10)

    def k(a, b, degree=2, gamma=0.5, coef0=2.0):
        return (gamma * np.dot(a, b) + coef0) ** degree

    x, y = real[:10], fake[:10]
    m = len(x)
    xx = sum(k(x[i], x[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    yy = sum(k(y[i], y[j]) for i in range(m) for j in range(m) if i != j) / (m * (m - 1))
    xy = sum(k(x[i], y[j]) for i in range(m) for j in range(m)) / (m * m)
    got = unbiased_mmd2(x, y, degree=2, gamma=0.5, coef0=2.0)
    np.testing.assert_allclose(got, xx + yy - 2 * xy, rtol=1e-10)
