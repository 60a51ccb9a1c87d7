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
