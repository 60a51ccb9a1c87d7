import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans.metrics.classifier import build_mnist_classifier, train_mnist_classifier
from keras_gans.metrics.extractors import (
    ClassifierFeatureExtractor,
    InceptionFeatureExtractor,
    ModelFeatureExtractor,
    iter_image_batches,
)

WEIGHTS_ENV = "KERAS_GANS_INCEPTION_WEIGHTS"


@pytest.fixture(scope="module")
def random_inception():
    return InceptionFeatureExtractor(weights=None, include_top=True, batch_size=2)


def _digits(n, seed=0, shape=(28, 28, 1)):
    return np.random.default_rng(seed).uniform(-1, 1, size=(n, *shape)).astype(np.float32)


def test_inception_shapes_dtype_and_batch_invariance(random_inception):
    images = _digits(3)
    features, probs = random_inception.features_and_probabilities(images)
    assert features.shape == (3, 2048) and features.dtype == np.float32
    assert probs.shape == (3, 1000) and probs.dtype == np.float32
    np.testing.assert_allclose(probs.sum(axis=1), 1.0, rtol=1e-5)
    assert np.all(features >= 0)  # average of ReLU activations
    # A padded last batch (3 = 2 + 1) gives the same features as one batch of 3.
    np.testing.assert_allclose(random_inception.features(images, batch_size=3), features, rtol=1e-4, atol=1e-5)


def test_inception_resize_and_preprocessing(random_inception):
    resize = random_inception.model.get_layer("resize_to_299")
    assert resize.compute_output_shape((None, 28, 28, 3)) == (None, 299, 299, 3)
    assert resize.interpolation == "bilinear"
    images = np.linspace(-1, 1, 2 * 8 * 8).reshape(2, 8, 8, 1).astype(np.float32)
    prepared = random_inception.preprocess(images)
    assert prepared.shape == (2, 8, 8, 3) and prepared.dtype == np.float32
    # preprocess_input maps [0, 255] pixels to [-1, 1]; our [-1, 1] images go through unchanged.
    uint8_pixels = np.repeat((images + 1) * 127.5, 3, axis=-1)
    np.testing.assert_allclose(prepared, keras.applications.inception_v3.preprocess_input(uint8_pixels), atol=1e-6)
    np.testing.assert_allclose(prepared, np.repeat(images, 3, axis=-1), atol=1e-6)
    settings = random_inception.settings
    assert settings["extractor"] == "inception_v3" and settings["weights"] == "random"
    assert settings["resize"] == [299, 299, "bilinear"] and settings["feature_dim"] == 2048


def test_inputs_are_validated(random_inception):
    with pytest.raises(ValueError, match="floats"):
        random_inception.features(np.zeros((1, 8, 8, 1), dtype=np.uint8))
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        random_inception.features(np.full((1, 8, 8, 1), 255.0, dtype=np.float32))
    with pytest.raises(ValueError, match="channels"):
        random_inception.features(np.zeros((1, 8, 8, 2), dtype=np.float32))
    features_only = ModelFeatureExtractor(build_mnist_classifier())
    with pytest.raises(ValueError, match="probabilities"):
        features_only.probabilities(_digits(2))


@pytest.mark.skipif(
    not os.path.isfile(os.environ.get(WEIGHTS_ENV, "")),
    reason=f"no local InceptionV3 weights file: set {WEIGHTS_ENV} to a Keras .h5 weights file "
    "(ImageNet weights cannot be downloaded here)",
)
def test_inception_with_real_weights(mnist_float):
    path = os.environ[WEIGHTS_ENV]
    include_top = "notop" not in os.path.basename(path)
    extractor = InceptionFeatureExtractor(weights=path, include_top=include_top, batch_size=4)
    digits = mnist_float[0][:4]
    features = extractor.features(digits)
    assert features.shape == (4, 2048) and np.all(np.isfinite(features)) and np.all(features >= 0)
    assert extractor.settings["weights"] == os.path.basename(path)
    noise = np.random.default_rng(0).uniform(-1, 1, size=(4, 28, 28, 1)).astype(np.float32)
    within = np.linalg.norm(features[:2].mean(0) - features[2:].mean(0))
    across = np.linalg.norm(features.mean(0) - extractor.features(noise).mean(0))
    assert within < across
    if include_top:
        np.testing.assert_allclose(extractor.probabilities(digits).sum(axis=1), 1.0, rtol=1e-4)


def test_classifier_extractor_features_probs_and_save_load(tmp_path):
    rng = np.random.default_rng(0)
    images, labels = _digits(64), rng.integers(0, 10, size=64)
    model = train_mnist_classifier(images, labels, epochs=1, batch_size=32)
    extractor = ClassifierFeatureExtractor(model, batch_size=16)
    features, probs = extractor.features_and_probabilities(images)
    assert features.shape == (64, 128) and probs.shape == (64, 10)
    assert extractor.settings["layer"] == "features"
    logits = model.predict(images, verbose=0)
    np.testing.assert_allclose(probs, keras.ops.convert_to_numpy(keras.ops.softmax(logits)), rtol=1e-4, atol=1e-6)

    path = tmp_path / "mnist_classifier.keras"
    model.save(path)
    loaded = ClassifierFeatureExtractor(path)
    np.testing.assert_allclose(loaded.features(images), features, rtol=1e-5, atol=1e-6)
    assert loaded.settings == extractor.settings  # same weights hash


def test_model_extractor_layers_and_softmax_detection():
    model = build_mnist_classifier(image_shape=(8, 8, 1), num_classes=3, feature_dim=16)
    images = _digits(5, shape=(8, 8, 1))
    assert ModelFeatureExtractor(model).features(images).shape == (5, 3)
    assert ModelFeatureExtractor(model, layer="features").features(images).shape == (5, 16)
    assert ModelFeatureExtractor(model, layer=1).features(images).shape == (5, 8 * 8 * 32)  # flattened conv map
    inputs = keras.Input((8, 8, 3))
    x = keras.layers.Dense(4, activation="relu")(keras.layers.Flatten()(inputs))
    softmax_model = keras.Model(inputs, keras.layers.Dense(2, activation="softmax")(x))
    extractor = ClassifierFeatureExtractor(softmax_model)  # grey images repeated to 3 channels
    np.testing.assert_allclose(
        extractor.probabilities(images), softmax_model.predict(np.repeat(images, 3, -1), verbose=0), rtol=1e-5
    )


def test_iter_image_batches_reads_arrays_and_datasets():
    images = _digits(10, shape=(4, 4, 1))
    assert [len(b) for b in iter_image_batches(images, 4)] == [4, 4, 2]
    assert [len(b) for b in iter_image_batches(images, 4, max_samples=6)] == [4, 2]
    dataset = tf.data.Dataset.from_tensor_slices((images, np.arange(10))).batch(3)
    batches = list(iter_image_batches(dataset, 2, max_samples=7))
    assert [len(b) for b in batches] == [2, 1, 2, 1, 1]
    np.testing.assert_array_equal(np.concatenate(batches), images[:7])
    dict_batches = list(iter_image_batches([{"image": images}], 8))
    assert [len(b) for b in dict_batches] == [8, 2]
