import numpy as np
import scipy.linalg

from keras_gans.metrics.linalg import sqrtm_psd, trace_sqrt_product


def _random_psd(rng, d, n):
    x = rng.normal(size=(n, d))
    return x.T @ x / n


def test_sqrtm_psd_squares_back_and_matches_scipy():
    matrix = _random_psd(np.random.default_rng(0), 20, 100)
    root = sqrtm_psd(matrix)
    np.testing.assert_allclose(root @ root, matrix, atol=1e-12)
    np.testing.assert_allclose(root, scipy.linalg.sqrtm(matrix).real, atol=1e-10)
    np.testing.assert_allclose(root, root.T)


def test_trace_sqrt_product_matches_scipy_sqrtm():
    rng = np.random.default_rng(1)
    a, b = _random_psd(rng, 30, 200), _random_psd(rng, 30, 150)
    expected = np.trace(scipy.linalg.sqrtm(a @ b)).real
    np.testing.assert_allclose(trace_sqrt_product(a, b), expected, rtol=1e-10)


def test_trace_sqrt_product_is_finite_on_singular_covariances():
    # Rank 5 in 64 dimensions: scipy's Schur sqrtm of the product is ill-conditioned here; ours stays real.
    rng = np.random.default_rng(2)
    a, b = _random_psd(rng, 64, 5), _random_psd(rng, 64, 5)
    value = trace_sqrt_product(a, b)
    assert np.isfinite(value) and value >= 0
    eigenvalues = np.linalg.eigvals(a @ b)
    np.testing.assert_allclose(value, np.sum(np.sqrt(np.clip(eigenvalues.real, 0, None))), rtol=1e-6)
    assert trace_sqrt_product(np.zeros((4, 4)), np.eye(4)) == 0.0
