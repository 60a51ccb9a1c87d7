import numpy as np
import pytest
import tensorflow as tf

from keras_gans.metrics.classifier import build_mnist_classifier
from keras_gans.metrics.extractors import ClassifierFeatureExtractor
from keras_gans.metrics.fid import feature_statistics, fid_from_features
from keras_gans.metrics.reference_stats import ReferenceStats, compute_reference_stats, load_reference_stats


@pytest.fixture(scope="module")
def extractor():
    return ClassifierFeatureExtractor(build_mnist_classifier(image_shape=(8, 8, 1), feature_dim=16), batch_size=32)


def _images(n, seed):
    return np.random.default_rng(seed).uniform(-1, 1, size=(n, 8, 8, 1)).astype(np.float32)


def test_compute_save_load_round_trip(extractor, tmp_path):
    images = _images(100, 0)
    path = tmp_path / "stats" / "reference.npz"
    stats = compute_reference_stats(extractor, images, path=path)
    mu, sigma = feature_statistics(extractor.features(images))
    np.testing.assert_allclose(stats.mu, mu, atol=1e-12)
    np.testing.assert_allclose(stats.sigma, sigma, atol=1e-12)
    assert stats.num_samples == 100 and stats.settings["image_shape"] == [8, 8, 1]
    assert stats.settings["extractor"] == "classifier:mnist_classifier"

    loaded = load_reference_stats(path)
    np.testing.assert_array_equal(loaded.mu, stats.mu)
    np.testing.assert_array_equal(loaded.sigma, stats.sigma)
    assert loaded.num_samples == 100 and loaded.settings == stats.settings

    fake = _images(80, 1)
    fake_mu, fake_sigma = feature_statistics(extractor.features(fake))
    settings = {**extractor.settings, "image_shape": (8, 8, 1)}
    value = loaded.fid(fake_mu, fake_sigma, settings)
    np.testing.assert_allclose(value, fid_from_features(extractor.features(images), extractor.features(fake)))


def test_datasets_and_max_samples_give_the_same_statistics(extractor):
    images = _images(90, 2)
    dataset = tf.data.Dataset.from_tensor_slices((images, np.zeros(90))).batch(25)
    from_dataset = compute_reference_stats(extractor, dataset, max_samples=60, batch_size=16)
    from_array = compute_reference_stats(extractor, images[:60])
    assert from_dataset.num_samples == 60
    np.testing.assert_allclose(from_dataset.mu, from_array.mu, rtol=1e-5, atol=1e-9)
    np.testing.assert_allclose(from_dataset.sigma, from_array.sigma, rtol=1e-5, atol=1e-9)


def test_statistics_from_other_settings_are_refused(extractor):
    stats = compute_reference_stats(extractor, _images(20, 3))
    other = ClassifierFeatureExtractor(build_mnist_classifier(image_shape=(8, 8, 1), feature_dim=16))
    with pytest.raises(ValueError, match="weights_sha1"):
        stats.check_compatible({**other.settings, "image_shape": [8, 8, 1]})
    with pytest.raises(ValueError, match="image_shape"):
        stats.fid(stats.mu, stats.sigma, {**extractor.settings, "image_shape": [16, 16, 1]})
    stats.check_compatible({**extractor.settings, "image_shape": (8, 8, 1)})
    assert isinstance(stats, ReferenceStats)
