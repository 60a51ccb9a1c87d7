import keras
import numpy as np
import pytest

from keras_gans.metrics.fid import feature_statistics, fid_from_features
from keras_gans.metrics.streaming import FID


def _stream(metric, real, fake, batch):
    for start in range(0, max(len(real), len(fake)), batch):
        metric.update_state(
            real_features=real[start : start + batch] if start < len(real) else None,
            fake_features=fake[start : start + batch] if start < len(fake) else None,
        )


@pytest.mark.parametrize("batch", [1, 7, 64, 1000])
def test_streaming_fid_equals_the_one_shot_value(batch):
    rng = np.random.default_rng(batch)
    real, fake = rng.normal(size=(300, 12)), rng.normal(0.4, 1.2, size=(250, 12)).astype(np.float32)
    metric = FID(num_features=12)
    _stream(metric, real, fake, batch)
    np.testing.assert_allclose(metric.result(), fid_from_features(real, fake), rtol=1e-10)
    mu, sigma, count = metric.statistics("fake")
    expected_mu, expected_sigma = feature_statistics(fake)
    assert count == 250
    np.testing.assert_allclose(mu, expected_mu, atol=1e-12)
    np.testing.assert_allclose(sigma, expected_sigma, atol=1e-12)


def test_streaming_covariance_is_stable_for_large_means():
    # The naive sum(x x^T) - n mu mu^T loses every digit here in float32 and most in float64.
    rng = np.random.default_rng(0)
    features = 1e4 + rng.normal(size=(2000, 4))
    metric = FID(num_features=4)
    for start in range(0, 2000, 100):
        metric.update_state(real_features=features[start : start + 100])
    np.testing.assert_allclose(metric.statistics("real")[1], np.cov(features, rowvar=False), rtol=1e-9)


def test_reference_statistics_and_resets():
    rng = np.random.default_rng(1)
    real, fake = rng.normal(size=(200, 5)), rng.normal(1.0, size=(200, 5))
    metric = FID(num_features=5)
    mu, sigma = feature_statistics(real)
    metric.set_real_statistics(mu, sigma, len(real))
    metric.update_state(fake_features=fake)
    expected = fid_from_features(real, fake)
    np.testing.assert_allclose(metric.result(), expected, rtol=1e-10)

    metric.reset_fake_state()
    with pytest.raises(ValueError, match="fake"):
        metric.result()
    metric.update_state(fake_features=fake[:100])
    metric.update_state(fake_features=fake[100:])
    np.testing.assert_allclose(metric.result(), expected, rtol=1e-10)

    metric.reset_state()
    with pytest.raises(ValueError, match="real"):
        metric.result()


def test_config_round_trip_and_input_checks():
    metric = FID(num_features=3, name="val_fid")
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(metric))
    assert isinstance(restored, FID) and restored.num_features == 3 and restored.name == "val_fid"
    with pytest.raises(ValueError, match=r"\(batch, 3\)"):
        metric.update_state(real_features=np.zeros((4, 2)))
    with pytest.raises(ValueError, match="real_features, fake_features"):
        metric.update_state()
