"""keras_gans.evaluation.evaluate_generator (behind ``keras-gans evaluate``), with the stand-in GAN."""

import numpy as np
import pytest

from keras_gans.evaluation import MetricConfig, evaluate_generator, generate_samples
from keras_gans.metrics import ClassifierFeatureExtractor, build_mnist_classifier, fid_from_features


@pytest.fixture(scope="module")
def extractor():
    return ClassifierFeatureExtractor(build_mnist_classifier(feature_dim=32))


def test_evaluate_generator_reports_every_metric_with_settings(stand_in_gan, real_digits, extractor):
    model = stand_in_gan()
    results = evaluate_generator(
        model,
        real_digits,
        metrics=("fid", "kid", "is", "precision_recall", "density_coverage"),
        extractor=extractor,
        num_samples=300,
        kid_subsets=4,
        is_splits=3,
    )
    for key in ("fid", "kid", "kid_std", "is", "is_std", "precision", "recall", "density", "coverage"):
        assert np.isfinite(results[key]), key
    fake = extractor.features(model.generate(num_samples=300, seed=0))
    assert results["fid"] == pytest.approx(fid_from_features(extractor.features(real_digits), fake), rel=1e-9)
    settings = results["settings"]
    assert settings["num_samples"] == 300 and settings["num_real_samples"] == 512
    assert settings["metrics"] == ["fid", "kid", "is", "precision_recall", "density_coverage"]
    assert settings["is_splits"] == 3 and settings["seed"] == 0


def test_inception_score_alone_needs_no_real_data(stand_in_gan, extractor):
    results = evaluate_generator(stand_in_gan(), None, metrics=["is"], extractor=extractor, num_samples=40)
    assert results["is"] >= 1.0 and results["settings"]["num_real_samples"] is None
    with pytest.raises(ValueError, match="need real data"):
        evaluate_generator(stand_in_gan(), None, metrics=["fid"], extractor=extractor, num_samples=40)


def test_conditional_samples_are_class_balanced(stand_in_gan):
    model = stand_in_gan(num_classes=3)
    images = generate_samples(model, 7, seed=1)
    np.testing.assert_array_equal(images, model.generate(labels=[0, 1, 2, 0, 1, 2, 0], seed=1))


def test_metric_config_refuses_unknown_names_and_options():
    assert MetricConfig(metrics="fid").metrics == ("fid",)
    with pytest.raises(ValueError, match="unknown metrics"):
        MetricConfig(metrics=("fid", "is_score"))
    with pytest.raises(TypeError):
        MetricConfig(kid_subset=5)
