"""keras_gans.model_evaluation: each family's evaluation chosen by its declared family, and keras-gans evaluate for a
super-resolution model."""

from __future__ import annotations

import json

import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans import cli
from keras_gans.metrics.classifier import build_mnist_classifier
from keras_gans.model_evaluation import EVALUATIONS, evaluate_model, kid_subset_size


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("evaluation")
    keras.utils.set_random_seed(0)
    build_mnist_classifier((16, 16, 1), 10).save(folder / "classifier16.keras")
    build_mnist_classifier((8, 8, 1), 10).save(folder / "classifier8.keras")
    srgan = kg.SRGAN(scale=2, channels=1, filters=4, num_blocks=1, d_filters=4, content=None, seed=0)
    srgan.compile()
    srgan.save(folder / "srgan.keras")
    return folder


def test_every_family_has_an_evaluation():
    assert set(kg.models.models_by_family()) <= set(EVALUATIONS)


def test_kid_subset_size():
    assert kid_subset_size(5000, 1797) == 898 and kid_subset_size(10_000, 50_000) == 1000 and kid_subset_size(3, 3) == 2


def test_upscaler_evaluation_on_the_digits(files):
    model = keras.saving.load_model(files / "srgan.keras")
    results = evaluate_model(model, "digits", {"image_size": [16, 16]}, files / "classifier16.keras", num_samples=64)
    settings = results.pop("settings")
    assert {"psnr", "psnr_bicubic", "fid", "fid_bicubic", "kid", "accuracy", "accuracy_high_res"} <= set(results)
    assert settings["num_samples"] == 64 and settings["kid_subset_size"] == 32 and settings["crop"] == 2


def test_sampler_evaluation_adds_label_accuracy_for_conditional_models(files):
    cgan = kg.CGAN(image_shape=(8, 8, 1), latent_dim=4, filters=4, num_classes=10, seed=0)
    results = evaluate_model(cgan, "digits", {}, files / "classifier8.keras", num_samples=40)
    assert {"fid", "kid", "precision", "recall", "label_accuracy"} <= set(results)
    assert results["settings"]["classifier"].endswith("classifier8.keras") and results["settings"]["num_samples"] == 40


def test_missing_classifier_and_unknown_family_are_refused(files):
    model = keras.saving.load_model(files / "srgan.keras")
    with pytest.raises(FileNotFoundError, match="is not a file"):
        evaluate_model(model, "digits", {}, files / "nothing.keras")
    with pytest.raises(ValueError, match="needs a classifier"):
        evaluate_model(model, "digits", {})

    class Other:
        family = "audio"

    with pytest.raises(ValueError, match="family 'audio'"):
        evaluate_model(Other(), "digits", {}, files / "classifier8.keras")


def test_cli_evaluates_a_super_resolution_model(files, tmp_path, capsys):
    out = tmp_path / "results.json"
    argv = ["evaluate", "--model", str(files / "srgan.keras"), "--dataset", "digits", "--dataset-arg"]
    argv += ["image_size=[16,16]", "--num-samples", "50"]
    assert cli.main([*argv, "--classifier", str(files / "classifier16.keras"), "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "psnr_bicubic" in printed and "accuracy_high_res" in printed
    results = json.loads(out.read_text())
    assert results["settings"]["num_samples"] == 50 and np.isfinite(results["fid"])
    assert cli.main(argv) == 0  # without a classifier: PSNR/SSIM/L1 only
    printed = capsys.readouterr().out
    assert "psnr" in printed and "fid" not in printed
    assert cli.main([*argv, "--metrics", "fid"]) == 2
    assert "drop --metrics" in capsys.readouterr().err
