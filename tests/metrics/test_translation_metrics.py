"""evaluate_translation: PSNR/SSIM/L1 against targets, FID/KID in a classifier's features, label accuracy."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from keras_gans.metrics import evaluate_translation, fid_from_features, label_accuracy, psnr


def _classifier() -> keras.Model:
    keras.utils.set_random_seed(0)
    inputs = keras.Input((8, 8, 1))
    x = keras.layers.Flatten()(inputs)
    x = keras.layers.Dense(16, activation="relu", name="features")(x)
    return keras.Model(inputs, keras.layers.Dense(3, name="logits")(x))


class _Shift:
    """A fake translation model: adds ``offset`` (clipped), and records the direction it was asked for."""

    def __init__(self, offset: float):
        self.offset, self.directions = offset, []

    def translate(self, images, direction="a_to_b", batch_size=64):
        self.directions.append(direction)
        return np.clip(images + self.offset, -1, 1).astype(np.float32)


def test_scores_match_independent_computations():
    rng = np.random.default_rng(0)
    inputs = rng.uniform(-0.8, 0.8, (40, 8, 8, 1)).astype(np.float32)
    targets = inputs.copy()
    classifier = _classifier()
    labels = rng.integers(0, 3, 40)
    model = _Shift(0.1)
    results = evaluate_translation(model, inputs, targets, labels, classifier=classifier, direction="b_to_a")
    outputs = inputs + 0.1
    assert model.directions == ["b_to_a"]
    np.testing.assert_allclose(results["psnr"], 10 * np.log10(4 / 0.01), rtol=1e-4)
    np.testing.assert_allclose(results["l1"], 0.1, rtol=1e-4)
    assert 0.0 < results["ssim"] < 1.0
    feature_model = keras.Model(classifier.inputs, classifier.get_layer("features").output)
    expected_fid = fid_from_features(
        feature_model.predict(targets, verbose=0), feature_model.predict(outputs, verbose=0)
    )
    np.testing.assert_allclose(results["fid"], expected_fid, rtol=1e-3, atol=1e-6)
    predicted = classifier.predict(outputs, verbose=0).argmax(1)
    np.testing.assert_allclose(results["accuracy"], np.mean(predicted == labels))
    assert {"kid", "kid_std"} <= set(results) and results["settings"]["kid_subset_size"] == 40
    assert results["settings"]["direction"] == "b_to_a" and "weights_sha1" in results["settings"]


def test_identity_translation_is_perfect_and_unpaired_data_gets_only_what_it_allows():
    inputs = np.random.default_rng(1).uniform(-1, 1, (20, 8, 8, 1)).astype(np.float32)
    classifier = _classifier()
    labels = classifier.predict(inputs, verbose=0).argmax(1)
    perfect = evaluate_translation(lambda x: x, inputs, inputs, labels, classifier=classifier)
    assert perfect["psnr"] == 100.0 and perfect["l1"] == 0.0 and perfect["accuracy"] == 1.0
    np.testing.assert_allclose(perfect["ssim"], 1.0, atol=1e-5)
    assert abs(perfect["fid"]) < 1e-3
    reference = np.random.default_rng(2).uniform(-1, 1, (30, 8, 8, 1)).astype(np.float32)
    unpaired = evaluate_translation(lambda x: x, inputs, labels=labels, reference=reference, classifier=classifier)
    assert set(unpaired) == {"fid", "kid", "kid_std", "accuracy", "settings"}


def test_label_accuracy_and_bad_input():
    assert label_accuracy(np.array([[0.9, 0.1], [0.2, 0.8], [0.6, 0.4]]), np.array([0, 1, 1])) == pytest.approx(2 / 3)
    inputs = np.zeros((4, 8, 8, 1), np.float32)
    with pytest.raises(ValueError, match="fid needs a classifier and reference images"):
        evaluate_translation(lambda x: x, inputs, inputs, metrics=["psnr", "fid"])
    with pytest.raises(ValueError, match="3 targets for 4 inputs"):
        evaluate_translation(lambda x: x, inputs, inputs[:3])
    with pytest.raises(ValueError, match="unknown translation metrics"):
        evaluate_translation(lambda x: x, inputs, inputs, metrics=["psnr", "is"])
    assert psnr(inputs, inputs + 0.5).shape == (4,)
