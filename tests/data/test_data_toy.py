"""keras_gans.data.toy: the 2-D ring and grid of Gaussians, statistics of the draws vs their parameters."""

import numpy as np
import pytest

from keras_gans.data.toy import grid_centers, grid_of_gaussians, mixture_of_gaussians, ring_centers, ring_of_gaussians


def _assign(samples, centers):
    return np.argmin(((samples[:, None, :] - centers[None]) ** 2).sum(-1), axis=1)


def test_ring_centers_are_evenly_spaced_on_the_circle():
    centers = ring_centers(8, 2.0)
    assert centers.shape == (8, 2)
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 2.0)
    np.testing.assert_allclose(centers[0], [2.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(centers[2], [0.0, 2.0], atol=1e-12)
    # Distinct, all neighbours at the chord 2 r sin(pi / K).
    gaps = np.linalg.norm(centers - np.roll(centers, 1, axis=0), axis=1)
    np.testing.assert_allclose(gaps, 2 * 2.0 * np.sin(np.pi / 8))


def test_grid_centers_are_the_5x5_lattice():
    centers = grid_centers()
    assert centers.shape == (25, 2)
    assert sorted(set(centers[:, 0])) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert len({tuple(c) for c in centers}) == 25
    np.testing.assert_allclose(centers[:2], [[-4, -4], [-4, -2]])


@pytest.mark.parametrize(
    "draw, centers, std",
    [
        (lambda n, seed: ring_of_gaussians(n, seed=seed), ring_centers(8, 2.0), 0.02),
        (lambda n, seed: ring_of_gaussians(n, modes=5, radius=1.0, std=0.05, seed=seed), ring_centers(5, 1.0), 0.05),
        (lambda n, seed: grid_of_gaussians(n, seed=seed), grid_centers(5, 2.0), 0.05),
    ],
)
def test_draw_statistics_match_the_parameters(draw, centers, std):
    n = 40_000
    samples = draw(n, 0)
    assert samples.shape == (n, 2) and samples.dtype == np.float32
    labels = _assign(samples, centers)
    k = len(centers)
    counts = np.bincount(labels, minlength=k)
    # Uniform weights: each count is Binomial(n, 1/k); 5 sigma.
    sigma = np.sqrt(n * (1 / k) * (1 - 1 / k))
    assert np.all(np.abs(counts - n / k) < 5 * sigma)
    residuals = samples - centers[labels]
    # Per-mode means at the centres (5 standard errors), pooled per-axis std within 3%.
    for j in range(k):
        np.testing.assert_array_less(np.abs(residuals[labels == j].mean(0)), 5 * std / np.sqrt(counts[j]))
    np.testing.assert_allclose(residuals.std(0), std, rtol=0.03)
    assert abs(np.corrcoef(residuals.T)[0, 1]) < 0.03
    # Isotropic Gaussian: ||e||^2 / std^2 ~ chi^2_2, so 98.89% lie within 3 std.
    assert abs(np.mean(np.linalg.norm(residuals, axis=1) <= 3 * std) - (1 - np.exp(-4.5))) < 0.003


def test_same_seed_same_draws_other_seed_other_draws():
    a, b, c = ring_of_gaussians(500, seed=7), ring_of_gaussians(500, seed=7), ring_of_gaussians(500, seed=8)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    np.testing.assert_array_equal(grid_of_gaussians(100, seed=3), grid_of_gaussians(100, seed=3))
    # A prefix of a longer draw is not promised, but the draw does not depend on global NumPy state.
    np.random.seed(0)
    first = ring_of_gaussians(10, seed=1)
    np.random.seed(1)
    np.testing.assert_array_equal(first, ring_of_gaussians(10, seed=1))


def test_zero_std_puts_every_draw_on_a_centre():
    samples = mixture_of_gaussians(200, ring_centers(4, 1.0), std=0.0)
    np.testing.assert_allclose(samples, ring_centers(4, 1.0)[_assign(samples, ring_centers(4, 1.0))], atol=1e-7)


@pytest.mark.parametrize(
    "call",
    [
        lambda: ring_centers(0),
        lambda: ring_centers(8, radius=0.0),
        lambda: grid_centers(0),
        lambda: ring_of_gaussians(-1),
        lambda: ring_of_gaussians(10, std=-0.1),
        lambda: mixture_of_gaussians(10, np.zeros(2), 0.1),
    ],
)
def test_rejects_bad_parameters(call):
    with pytest.raises(ValueError):
        call()
