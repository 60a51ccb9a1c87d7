"""Metrics on real MNIST digits with a briefly trained classifier as the feature space."""

import numpy as np
import pytest

from keras_gans.metrics import (
    ClassifierFeatureExtractor,
    density_coverage,
    fid_from_features,
    inception_score_from_probs,
    kid_from_features,
    precision_recall,
    train_mnist_classifier,
)


@pytest.fixture(scope="module")
def digit_features(mnist_float):
    images, labels = mnist_float
    model = train_mnist_classifier(images[:4000], labels[:4000], epochs=1)
    extractor = ClassifierFeatureExtractor(model)
    noise = np.random.default_rng(0).uniform(-1, 1, size=(2000, 28, 28, 1)).astype(np.float32)
    first, first_probs = extractor.features_and_probabilities(images[:5000])
    second = extractor.features(images[5000:])
    fake, fake_probs = extractor.features_and_probabilities(noise)
    return first, second, fake, first_probs, fake_probs


def test_fid_and_kid_rank_real_digits_above_noise(digit_features):
    first, second, noise, _, _ = digit_features
    fid_real, fid_noise = fid_from_features(first, second), fid_from_features(first, noise)
    kid_real, _ = kid_from_features(first, second, num_subsets=10, subset_size=500)
    kid_noise, _ = kid_from_features(first, noise, num_subsets=10, subset_size=500)
    assert 0 <= fid_real < 0.1 * fid_noise
    assert kid_real < 0.1 * kid_noise
    assert abs(kid_real) < 0.05 * kid_noise


def test_inception_score_and_manifold_metrics_on_digits(digit_features):
    first, second, noise, first_probs, noise_probs = digit_features
    score_digits, _ = inception_score_from_probs(first_probs)
    score_noise, _ = inception_score_from_probs(noise_probs)
    assert score_digits > 5 and score_noise < score_digits
    real_pr = precision_recall(first[:2000], second[:2000])
    noise_pr = precision_recall(first[:2000], noise)
    assert real_pr["precision"] > 0.6 and real_pr["recall"] > 0.6
    assert noise_pr["precision"] < 0.2 and noise_pr["recall"] < 0.2
    assert density_coverage(first[:2000], second[:2000])["coverage"] > density_coverage(first[:2000], noise)["coverage"]
