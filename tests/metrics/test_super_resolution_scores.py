"""super_resolution_scores with a classifier: FID/KID of the outputs and of bicubic, and the accuracies, checked
against the classifier's own features and logits computed here."""

from __future__ import annotations

import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans.metrics import fid_from_features, kid_from_features
from keras_gans.metrics.classifier import build_mnist_classifier
from keras_gans.metrics.super_resolution import bicubic_upscale, super_resolution_scores


@pytest.fixture(scope="module")
def setup():
    keras.utils.set_random_seed(0)
    model = kg.SRGAN(scale=2, channels=1, filters=4, num_blocks=1, d_filters=4, content=None, seed=0)
    classifier = build_mnist_classifier((16, 16, 1), num_classes=10)
    high = np.random.default_rng(0).uniform(-1, 1, (40, 16, 16, 1)).astype("float32")
    labels = np.arange(40) % 10
    return model, classifier, high, labels


def test_fid_kid_and_accuracy_in_the_classifier_features(setup):
    model, classifier, high, labels = setup
    scores = super_resolution_scores(model, (high, labels), 40, classifier=classifier, kid_subset_size=20, seed=3)
    features = keras.Model(classifier.inputs, classifier.get_layer("features").output)
    low = model.downsample(high)
    real = features.predict(high, verbose=0)
    for suffix, images in (("", model.upscale(low)), ("_bicubic", bicubic_upscale(low, 2))):
        fake = features.predict(images, verbose=0)
        np.testing.assert_allclose(scores[f"fid{suffix}"], fid_from_features(real, fake), rtol=1e-5, atol=1e-6)
        kid, _ = kid_from_features(real, fake, 100, 20, seed=3)
        np.testing.assert_allclose(scores[f"kid{suffix}"], kid, rtol=1e-5, atol=1e-7)
        predicted = classifier.predict(images, verbose=0).argmax(-1)
        assert scores[f"accuracy{suffix}"] == pytest.approx(np.mean(predicted == labels))
    assert scores["accuracy_high_res"] == pytest.approx(
        np.mean(classifier.predict(high, verbose=0).argmax(-1) == labels)
    )
    assert scores["kid_std"] > 0 and {"psnr", "ssim", "l1", "psnr_bicubic"} <= set(scores)


def test_without_labels_no_accuracy_without_classifier_no_fid(setup):
    model, classifier, high, _ = setup
    unlabelled = super_resolution_scores(model, high, 40, classifier=classifier, kid_subset_size=20)
    assert "fid" in unlabelled and "accuracy" not in unlabelled
    plain = super_resolution_scores(model, high, 40)
    assert "fid" not in plain and "psnr" in plain
