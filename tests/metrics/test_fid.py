import numpy as np
import pytest
import scipy.linalg

from keras_gans.metrics.fid import feature_statistics, fid_from_features, fid_from_statistics


def _scipy_fid(real, fake):
    """The pytorch-fid / TTUR formulation with scipy.linalg.sqrtm, as an independent reference."""
    mu1, mu2 = real.mean(0), fake.mean(0)
    s1, s2 = np.cov(real, rowvar=False), np.cov(fake, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * covmean))


@pytest.mark.parametrize("d", [2, 16, 64])
def test_fid_matches_scipy_sqrtm_reference(d):
    rng = np.random.default_rng(d)
    real = rng.normal(size=(500, d))
    fake = rng.normal(0.3, 1.5, size=(400, d)) @ rng.normal(size=(d, d)) / np.sqrt(d)
    expected = _scipy_fid(real, fake)
    assert abs(fid_from_features(real, fake) - expected) / expected < 1e-4


def test_fid_closed_form_for_diagonal_gaussians():
    mu1, mu2 = np.array([0.0, 1.0, -2.0]), np.array([0.5, 1.0, 0.0])
    var1, var2 = np.array([1.0, 4.0, 0.25]), np.array([2.0, 1.0, 0.25])
    expected = np.sum((mu1 - mu2) ** 2) + np.sum(var1 + var2 - 2 * np.sqrt(var1 * var2))
    value = fid_from_statistics(mu1, np.diag(var1), mu2, np.diag(var2))
    np.testing.assert_allclose(value, expected, rtol=1e-12)


def test_fid_of_samples_approaches_the_closed_form():
    rng = np.random.default_rng(3)
    sd1, sd2 = np.array([1.0, 2.0]), np.array([0.5, 2.0])
    real = rng.normal([0.0, 1.0], sd1, size=(200_000, 2))
    fake = rng.normal([1.0, 1.0], sd2, size=(200_000, 2))
    expected = 1.0 + np.sum(sd1**2 + sd2**2 - 2 * sd1 * sd2)
    np.testing.assert_allclose(fid_from_features(real, fake), expected, rtol=0.02)


def test_fid_is_zero_for_identical_sets_and_symmetric():
    rng = np.random.default_rng(4)
    real, fake = rng.normal(size=(300, 10)), rng.normal(1.0, size=(300, 10))
    assert fid_from_features(real, real) == pytest.approx(0.0, abs=1e-8)
    assert fid_from_features(real, fake) == pytest.approx(fid_from_features(fake, real), rel=1e-8)


def test_fid_is_finite_with_fewer_samples_than_dimensions():
    rng = np.random.default_rng(5)
    real, fake = rng.normal(size=(20, 128)), rng.normal(0.1, size=(20, 128))
    value = fid_from_features(real.astype(np.float32), fake.astype(np.float32))
    assert np.isfinite(value) and value > 0


def test_feature_statistics_are_float64_and_unbiased():
    features = np.random.default_rng(6).normal(size=(50, 3)).astype(np.float32)
    mu, sigma = feature_statistics(features)
    assert mu.dtype == sigma.dtype == np.float64
    centred = features.astype(np.float64) - features.mean(0)
    np.testing.assert_allclose(sigma, centred.T @ centred / 49, rtol=1e-6)


def test_fid_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match="dimensions differ"):
        fid_from_features(np.zeros((5, 3)), np.zeros((5, 4)))
    with pytest.raises(ValueError, match="at least 2"):
        fid_from_features(np.zeros((1, 3)), np.zeros((5, 3)))


def test_dead_features_are_dropped_exactly():
    """ReLU features with many dead (constant zero on both sides) and some one-sided dead dimensions: against the
    float64 scipy reference on the informative coordinates only. Kept, the dead dimensions' eigenvalue noise makes
    the symmetric route off by ~1e-8 (relative); dropped, it agrees to rounding."""
    from keras_gans.metrics.linalg import sqrtm_psd, trace_sqrt_product

    rng = np.random.default_rng(0)
    n, live, dead = 500, 64, 448

    def features(shift):
        x = np.maximum(rng.normal(shift, 1.0, size=(n, live)) @ rng.normal(size=(live, live)) / 8, 0.0)
        return np.concatenate([x, np.zeros((n, dead))], axis=1)

    real, fake = features(0.0), features(0.3)
    fake[:, live] = rng.normal(size=n)  # dead on the real side only: informative, kept in the means and traces
    order = rng.permutation(live + dead)
    real, fake = real[:, order], fake[:, order]
    informative = (np.ptp(real, axis=0) > 0) | (np.ptp(fake, axis=0) > 0)
    both = (np.ptp(real, axis=0) > 0) & (np.ptp(fake, axis=0) > 0)
    assert informative.sum() == live + 1 and both.sum() == live
    mu1, mu2 = real.mean(0), fake.mean(0)
    s1, s2 = np.cov(real, rowvar=False), np.cov(fake, rowvar=False)
    # Reference: means and traces over all coordinates; the square root (scipy, float64) over the coordinates with
    # variance on both sides, where the covariances are regular (exact: the others' rows of S1^1/2 S2 S1^1/2 are 0).
    covmean = scipy.linalg.sqrtm(s1[np.ix_(both, both)] @ s2[np.ix_(both, both)]).real
    expected = (mu1 - mu2) @ (mu1 - mu2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean)

    sqrt_s1 = sqrtm_psd(s1)  # the route before dead features were dropped, over all coordinates
    product = sqrt_s1 @ s2 @ sqrt_s1
    eigenvalues = np.linalg.eigvalsh((product + product.T) / 2)
    naive = (mu1 - mu2) @ (mu1 - mu2) + np.trace(s1) + np.trace(s2) - 2 * np.sqrt(np.clip(eigenvalues, 0, None)).sum()
    assert abs(naive - expected) / expected > 1e-10, "the test should make the naive route inexact"
    assert abs(fid_from_features(real, fake) - expected) / expected < 1e-12
    # The same from statistics (dropping also works on covariances with exact zero rows, e.g. saved ones).
    assert abs(fid_from_statistics(*feature_statistics(real), *feature_statistics(fake)) - expected) / expected < 1e-12
    # Dropping a coordinate of zero variance on one side only is exact too (its row of S^1/2 S' S^1/2 vanishes).
    np.testing.assert_allclose(trace_sqrt_product(s1, s2), np.trace(covmean), rtol=1e-11)


def test_feature_statistics_zero_constant_columns_exactly():
    rng = np.random.default_rng(1)
    features = np.concatenate([rng.normal(size=(50, 3)), np.full((50, 1), 0.1)], axis=1)
    mu, sigma = feature_statistics(features)
    assert np.all(sigma[3] == 0) and np.all(sigma[:, 3] == 0) and mu[3] == pytest.approx(0.1)
    np.testing.assert_allclose(sigma[:3, :3], np.cov(features[:, :3], rowvar=False), rtol=1e-12)
