import numpy as np
import pytest

from keras_gans.metrics.inception_score import inception_score_from_probs


def test_uniform_predictions_score_one():
    mean, std = inception_score_from_probs(np.full((100, 7), 1 / 7), splits=10)
    assert mean == pytest.approx(1.0) and std == pytest.approx(0.0, abs=1e-12)


def test_confident_predictions_spread_evenly_score_the_class_count():
    classes = 10
    probs = np.eye(classes)[np.arange(1000) % classes]
    mean, std = inception_score_from_probs(probs, splits=10)
    assert mean == pytest.approx(classes) and std == pytest.approx(0.0, abs=1e-9)


def test_matches_a_numpy_reference():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(103, 5)) * 3
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    scores = []
    for i in range(4):
        part = probs[i * 103 // 4 : (i + 1) * 103 // 4]
        kl = np.sum(part * (np.log(part) - np.log(part.mean(0))), axis=1)
        scores.append(np.exp(kl.mean()))
    mean, std = inception_score_from_probs(probs.astype(np.float32), splits=4)
    np.testing.assert_allclose([mean, std], [np.mean(scores), np.std(scores)], rtol=1e-5)


def test_rejects_logits_and_too_many_splits():
    with pytest.raises(ValueError, match="softmax"):
        inception_score_from_probs(np.random.default_rng(1).normal(size=(20, 3)), splits=2)
    with pytest.raises(ValueError, match="splits"):
        inception_score_from_probs(np.full((5, 3), 1 / 3), splits=10)


def _numpy_scores(probs, splits):
    n = len(probs)
    scores = []
    for i in range(splits):
        part = probs[i * n // splits : (i + 1) * n // splits]
        marginal = part.mean(axis=0)
        kl = np.sum(np.where(part > 0, part * np.log(np.where(part > 0, part, 1) / marginal), 0.0), axis=1)
        scores.append(np.exp(kl.mean()))
    return np.array(scores)


def test_shuffle_and_ddof_reproduce_torch_fidelity_and_torchmetrics_settings():
    rng = np.random.default_rng(3)
    # Class-ordered samples: consecutive parts differ, a shuffle mixes them.
    logits = rng.normal(size=(200, 5)) + 3 * np.eye(5)[np.arange(200) // 40]
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    plain = _numpy_scores(probs, 10)
    np.testing.assert_allclose(inception_score_from_probs(probs, 10), [plain.mean(), plain.std()], rtol=1e-10)
    # torch-fidelity: RandomState(2020).permutation, ddof 0.
    shuffled = _numpy_scores(probs[np.random.RandomState(2020).permutation(200)], 10)
    np.testing.assert_allclose(
        inception_score_from_probs(probs, 10, shuffle=True, seed=2020), [shuffled.mean(), shuffled.std()], rtol=1e-10
    )
    # torchmetrics: shuffled, std with ddof 1.
    np.testing.assert_allclose(
        inception_score_from_probs(probs, 10, shuffle=True, seed=2020, ddof=1),
        [shuffled.mean(), shuffled.std(ddof=1)],
        rtol=1e-10,
    )
    assert abs(plain.mean() - shuffled.mean()) > 0.1  # the shuffle matters on ordered samples
    with pytest.raises(ValueError, match="ddof must be 0"):
        inception_score_from_probs(probs, 10, ddof=2)
    with pytest.raises(ValueError, match="shuffle must be True or False"):
        inception_score_from_probs(probs, 10, shuffle="yes")
