"""keras_gans.metrics.modes.mode_coverage on hand-built sample sets."""

import numpy as np
import pytest

from keras_gans.data.toy import grid_centers, ring_centers, ring_of_gaussians
from keras_gans.metrics.modes import mode_coverage

CENTERS = ring_centers(8, 2.0)
STD = 0.02


def test_samples_on_every_centre_cover_all_modes_evenly():
    samples = np.repeat(CENTERS, 10, axis=0) + 0.5 * STD
    result = mode_coverage(samples, CENTERS, STD)
    assert result["modes_covered"] == 8 and result["num_modes"] == 8
    assert result["high_quality_fraction"] == 1.0
    assert result["kl_mode_distribution"] == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_array_equal(result["counts"], np.full(8, 10))


def test_true_distribution_scores_near_perfect():
    result = mode_coverage(ring_of_gaussians(2500, seed=0), CENTERS, STD)
    assert result["modes_covered"] == 8
    assert result["high_quality_fraction"] == pytest.approx(1 - np.exp(-4.5), abs=0.01)  # chi^2_2 mass within 3 std
    assert result["kl_mode_distribution"] < 0.01


def test_collapse_to_one_mode():
    samples = CENTERS[3] + np.random.default_rng(0).normal(scale=STD, size=(100, 2)).clip(-2 * STD, 2 * STD)
    result = mode_coverage(samples, CENTERS, STD)
    assert result["modes_covered"] == 1
    assert result["high_quality_fraction"] == 1.0
    assert result["kl_mode_distribution"] == pytest.approx(np.log(8))
    assert result["counts"][3] == 100 and result["counts"].sum() == 100


def test_off_manifold_samples_are_not_high_quality():
    # The origin, the ring between two centres, and just outside 3 std of a centre: none counts.
    between = 2.0 * np.array([np.cos(np.pi / 8), np.sin(np.pi / 8)])
    outside = CENTERS[0] + [3.01 * STD, 0.0]
    inside = CENTERS[1] + [0.0, 2.99 * STD]
    samples = np.array([[0.0, 0.0], between, outside, inside, inside])
    result = mode_coverage(samples, CENTERS, STD)
    assert result["modes_covered"] == 1
    assert result["high_quality_fraction"] == pytest.approx(2 / 5)
    np.testing.assert_array_equal(result["counts"], [0, 2, 0, 0, 0, 0, 0, 0])
    assert mode_coverage(samples, CENTERS, STD, threshold_stds=4.0)["modes_covered"] == 2


def test_no_high_quality_sample():
    result = mode_coverage(np.zeros((10, 2)), CENTERS, STD)
    assert result["modes_covered"] == 0 and result["high_quality_fraction"] == 0.0
    assert np.isnan(result["kl_mode_distribution"])


def test_kl_of_an_uneven_histogram():
    # 3 samples on mode 0, 1 on mode 1, none elsewhere: p = (3/4, 1/4, 0, ...), KL = sum p log(8 p).
    samples = np.array([CENTERS[0]] * 3 + [CENTERS[1]])
    expected = 0.75 * np.log(8 * 0.75) + 0.25 * np.log(8 * 0.25)
    assert mode_coverage(samples, CENTERS, STD)["kl_mode_distribution"] == pytest.approx(expected)


def test_min_count():
    samples = np.array([CENTERS[0]] * 20 + [CENTERS[1]] * 19 + [CENTERS[2]])
    assert mode_coverage(samples, CENTERS, STD)["modes_covered"] == 3
    assert mode_coverage(samples, CENTERS, STD, min_count=20)["modes_covered"] == 1


def test_per_mode_stds_and_the_grid():
    centers = grid_centers()
    stds = np.full(25, 0.05)
    stds[0] = 0.5  # a wide first component: 1.0 away from its centre is within 3 of its std
    samples = np.array([centers[0] + [1.0, 0.0], centers[24] + [0.1, 0.0], centers[12] + [0.2, 0.0]])
    result = mode_coverage(samples, centers, stds)
    np.testing.assert_array_equal(np.nonzero(result["counts"])[0], [0, 24])
    assert mode_coverage(samples, centers, 0.05)["modes_covered"] == 1


@pytest.mark.parametrize(
    "args, kwargs",
    [
        ((np.zeros((3, 3)), CENTERS, STD), {}),
        ((np.zeros((0, 2)), CENTERS, STD), {}),
        ((np.zeros((3, 2)), CENTERS, 0.0), {}),
        ((np.zeros((3, 2)), CENTERS, STD), {"min_count": 0}),
        ((np.zeros((3, 2)), CENTERS, STD), {"threshold_stds": 0.0}),
    ],
)
def test_rejects_bad_inputs(args, kwargs):
    with pytest.raises(ValueError):
        mode_coverage(*args, **kwargs)
