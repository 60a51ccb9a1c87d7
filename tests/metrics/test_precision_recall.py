import importlib

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from keras_gans.metrics.precision_recall import density_coverage, kth_neighbour_distances, precision_recall

pr_module = importlib.import_module("keras_gans.metrics.precision_recall")


def _reference(real, fake, k):
    """All four metrics from full scipy distance matrices and sorting."""
    real_radii = np.sort(cdist(real, real), axis=1)[:, k]
    fake_radii = np.sort(cdist(fake, fake), axis=1)[:, k]
    d = cdist(real, fake)  # (N, M)
    inside_real = d <= real_radii[:, None]
    return {
        "precision": inside_real.any(axis=0).mean(),
        "recall": (d <= fake_radii[None, :]).any(axis=1).mean(),
        "density": inside_real.sum() / (k * fake.shape[0]),
        "coverage": inside_real.any(axis=1).mean(),
    }


@pytest.mark.parametrize("k", [1, 3, 5])
def test_matches_a_scipy_reference(k, monkeypatch):
    monkeypatch.setattr(pr_module, "_BLOCK_SIZE", 37)  # several row blocks
    rng = np.random.default_rng(k)
    real, fake = rng.normal(size=(150, 4)), rng.normal(0.5, 1.3, size=(120, 4))
    expected = _reference(real, fake, k)
    got = {**precision_recall(real, fake, k=k), **density_coverage(real, fake, k=k)}
    for key, value in expected.items():
        assert got[key] == pytest.approx(value), key


def test_kth_neighbour_distances_exclude_the_point_itself():
    points = np.array([[0.0], [1.0], [3.0], [7.0]])
    np.testing.assert_allclose(kth_neighbour_distances(points, 1), [1.0, 1.0, 2.0, 4.0])
    np.testing.assert_allclose(kth_neighbour_distances(points, 2), [3.0, 2.0, 3.0, 6.0])


def test_identical_and_disjoint_sets():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(300, 5))
    assert precision_recall(real, real) == {"precision": 1.0, "recall": 1.0}
    far = precision_recall(real, real + 100.0)
    assert far == {"precision": 0.0, "recall": 0.0}
    assert density_coverage(real, real + 100.0) == {"density": 0.0, "coverage": 0.0}


def test_mode_dropping_lowers_recall_not_precision():
    # Real data: two far-apart clusters; generated: fresh samples of one of them only.
    rng = np.random.default_rng(1)
    real = np.concatenate([rng.normal(size=(500, 2)), rng.normal(size=(500, 2)) + 50.0])
    fake = rng.normal(size=(500, 2))
    result = precision_recall(real, fake, k=3)
    assert result["precision"] > 0.95
    assert result["recall"] == pytest.approx(0.5, abs=0.03)
    assert density_coverage(real, fake, k=5)["coverage"] == pytest.approx(0.5, abs=0.03)


def test_density_and_coverage_of_matching_distributions():
    rng = np.random.default_rng(2)
    n = m = 2000
    k = 5
    real, fake = rng.normal(size=(n, 3)), rng.normal(size=(m, 3))
    result = density_coverage(real, fake, k=k)
    # Naeem et al. 2020: E[density] = 1 and E[coverage] = 1 - prod_{i<k} (N-1-i)/(N+M-1-i) for equal distributions.
    expected_coverage = 1 - np.prod([(n - 1 - i) / (n + m - 1 - i) for i in range(k)])
    assert result["density"] == pytest.approx(1.0, abs=0.08)
    assert result["coverage"] == pytest.approx(expected_coverage, abs=0.02)


def test_density_ignores_outliers_that_inflate_precision_radius():
    rng = np.random.default_rng(3)
    real = rng.normal(size=(500, 2))
    fake = np.concatenate([rng.normal(size=(450, 2)), rng.normal(size=(50, 2)) + 30.0])
    result = density_coverage(real, fake)
    assert result["density"] == pytest.approx(0.9, abs=0.12)
    assert result["coverage"] > 0.9
