import csv
import json

import keras
import numpy as np
import pytest

from keras_gans.callbacks import GANMetrics
from keras_gans.metrics import ClassifierFeatureExtractor, build_mnist_classifier, compute_reference_stats


@pytest.fixture(scope="module")
def extractor():
    return ClassifierFeatureExtractor(build_mnist_classifier(feature_dim=32))


def test_metrics_reach_history_csv_logger_and_model_checkpoint(stand_in_gan, real_digits, extractor, tmp_path):
    model = stand_in_gan()
    metrics = GANMetrics(
        ["fid", "kid", "precision_recall"],
        real_data=real_digits,
        extractor=extractor,
        num_samples=200,
        metric_options={"kid_subsets": 5},
        results_path=tmp_path / "m.jsonl",
    )
    checkpoint = keras.callbacks.ModelCheckpoint(
        tmp_path / "best.weights.h5", monitor="fid", mode="min", save_best_only=True, save_weights_only=True
    )
    history = model.fit(
        real_digits,
        epochs=3,
        batch_size=64,
        verbose=0,
        callbacks=[metrics, checkpoint, keras.callbacks.CSVLogger(tmp_path / "log.csv")],
    )
    fids = history.history["fid"]
    assert len(fids) == 3 and all(np.isfinite(fids)) and min(fids) > 0
    for key in ("kid", "kid_std", "precision", "recall"):
        assert len(history.history[key]) == 3
    assert checkpoint.best == pytest.approx(min(fids))
    assert (tmp_path / "best.weights.h5").exists()
    with open(tmp_path / "log.csv") as file:
        rows = list(csv.DictReader(file))
    assert [float(row["fid"]) for row in rows] == pytest.approx(fids)
    records = [json.loads(line) for line in open(tmp_path / "m.jsonl")]
    assert [r["epoch"] for r in records] == [1, 2, 3]
    settings = records[0]["settings"]
    assert settings["extractor"] == "classifier:mnist_classifier" and settings["num_samples"] == 200
    assert settings["num_real_samples"] == 512 and settings["kid_subsets"] == 5
    assert settings["image_shape"] == [28, 28, 1] and settings["weights_sha1"] == extractor.settings["weights_sha1"]
    assert metrics.history[2] == {"epoch": 3, **{k: history.history[k][2] for k in records[2]["metrics"]}}


def test_every_n_epochs_and_early_stopping(stand_in_gan, real_digits, extractor):
    model = stand_in_gan()
    metrics = GANMetrics(["fid"], real_data=real_digits, extractor=extractor, every_n_epochs=2, num_samples=100)
    stopper = keras.callbacks.EarlyStopping(monitor="fid", mode="min", patience=0)
    history = model.fit(real_digits[:64], epochs=4, verbose=0, callbacks=[metrics, stopper])
    assert [entry["epoch"] for entry in metrics.history] == [2, 4]  # stopping needs two evaluations
    assert stopper.best == pytest.approx(min(entry["fid"] for entry in metrics.history))
    # History lists only the evaluated epochs' values; GANMetrics.history pairs them with their epochs.
    assert history.history["fid"] == [entry["fid"] for entry in metrics.history]


def test_reference_statistics_path_and_conditional_models(stand_in_gan, real_digits, extractor, tmp_path):
    path = tmp_path / "reference.npz"
    compute_reference_stats(extractor, real_digits, path=path)
    model = stand_in_gan(num_classes=10)
    metrics = GANMetrics(["fid", "is"], real_data=str(path), extractor=extractor, num_samples=50)
    history = model.fit(real_digits[:64], epochs=1, verbose=0, callbacks=[metrics])
    assert set(history.history) >= {"fid", "is", "is_std"}
    # Same reference, computed from the images: the same FID.
    direct = GANMetrics(["fid"], real_data=real_digits, extractor=extractor, num_samples=50)
    direct.set_model(model)
    assert direct.evaluate()["fid"] == pytest.approx(history.history["fid"][0], rel=1e-6)
    assert direct.settings["num_real_samples"] == 512

    with pytest.raises(ValueError, match="need real features"):
        GANMetrics(["fid", "kid"], real_data=path, extractor=extractor)


def test_mismatched_settings_and_bad_arguments_are_refused(stand_in_gan, real_digits, extractor):
    small = stand_in_gan(image_shape=(8, 8, 1))
    other = ClassifierFeatureExtractor(build_mnist_classifier(image_shape=(8, 8, 1), feature_dim=32))
    metrics = GANMetrics(["fid"], real_data=real_digits[:, :8, :8], extractor=other, num_samples=20)
    metrics.set_model(small)
    assert metrics.evaluate()["fid"] >= 0
    stats = compute_reference_stats(extractor, real_digits[:100])
    mismatched = GANMetrics(["fid"], real_data=stats, extractor=other, num_samples=20)
    mismatched.set_model(small)
    with pytest.raises(ValueError, match="other settings"):
        mismatched.evaluate()
    with pytest.raises(ValueError, match="unknown metrics"):
        GANMetrics(["fid", "lpips"], real_data=real_digits)
    with pytest.raises(ValueError, match="need real data"):
        GANMetrics(["fid"])
