"""``keras-gans train`` as an experiment runner: health, metrics, best checkpoint, TensorBoard, report, summary.

Runs on the embedded digits at 8x8 with a few filters: seconds each.
"""

import csv
import glob
import json
import math
import os
import re

import keras
import numpy as np
import pytest

from keras_gans import cli, run_metrics
from keras_gans.callbacks.best_checkpoint import BestCheckpoint
from keras_gans.config import RunConfig
from keras_gans.reporting.history import EpochRecord, best_epoch, read_history_csv
from keras_gans.training import train

TINY = {"latent_dim": 8, "filters": 8}


def _config(**overrides):
    values = {
        "model": "DCGAN",
        "model_args": TINY,
        "dataset": "digits",
        "batch_size": 32,
        "epochs": 3,
        "steps_per_epoch": 10,
        "metrics_every": 2,
        "metrics_samples": 200,
        "seed": 3,
        **overrides,
    }
    return RunConfig.from_dict(values)


@pytest.fixture(scope="module")
def healthy_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("healthy") / "run"
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        train(_config(), str(folder))
    return folder, out.getvalue()


def _history(folder):
    with open(folder / "history.csv", newline="") as f:
        return list(csv.DictReader(f))


def test_a_healthy_run_writes_every_output(healthy_run):
    folder, printed = healthy_run
    health = json.loads((folder / "health.json").read_text())
    assert health["status"] == "healthy" and health["epochs"] == 3
    assert health["real_diversity"] > 0  # the monitor had the real images as its mode-collapse reference

    rows = _history(folder)
    assert [int(r["epoch"]) for r in rows] == [0, 1, 2]
    fid = [r.get("fid", "NA") for r in rows]
    assert fid[0] == "NA" and fid[1] != "NA" and fid[2] != "NA"  # every 2 epochs and after the last
    assert all(math.isfinite(float(v)) and float(v) > 0 for v in fid[1:])
    assert math.isfinite(float(rows[2]["kid"]))

    best_at_epoch = 1 + min((1, 2), key=lambda e: float(rows[e]["fid"]))
    best = keras.saving.load_model(folder / "checkpoints" / "best.keras")
    assert int(best.step_counter.numpy()) == 10 * best_at_epoch  # the model of the best epoch, not the last one
    assert f"Best fid (min): {float(rows[best_at_epoch - 1]['fid']):.5g}"[:16] in printed
    assert f"at epoch {best_at_epoch}" in printed

    assert glob.glob(str(folder / "tensorboard" / "train" / "events.out.tfevents.*"))
    assert glob.glob(str(folder / "tensorboard" / "samples" / "events.out.tfevents.*"))
    assert (folder / "metrics" / "classifier.keras").is_file()

    page = (folder / "report.html").read_text()
    assert "finished" in page and "healthy" in page and "fid" in page
    assert len(re.findall(r'src="data:image/png;base64,', page)) >= 4  # charts and grids inlined
    assert not re.search(r'src="(?!data:)', page)  # nothing the page must fetch

    # Not a terminal: one line per epoch, no carriage returns of Keras' bar.
    assert "\r" not in printed
    epoch_lines = [line for line in printed.splitlines() if re.match(r"Epoch \d/3 - ", line)]
    assert len(epoch_lines) == 3 and " - fid: " in epoch_lines[1]
    assert "Run summary: 3 epoch(s)" in printed and "health healthy" in printed
    assert str(folder / "report.html") in printed


def test_tensorboard_holds_the_metric_and_the_grids(healthy_run):
    import tensorflow as tf

    folder, _ = healthy_run
    tags = set()
    for path in glob.glob(str(folder / "tensorboard" / "*" / "events.out.tfevents.*")):
        for record in tf.data.TFRecordDataset(path):
            event = tf.compat.v1.Event.FromString(record.numpy())
            tags.update(value.tag for value in event.summary.value)
    assert {"epoch_fid", "epoch_kid", "epoch_d_loss", "epoch_g_loss"} <= tags
    assert any("samples" in tag for tag in tags)


def test_a_resumed_run_keeps_the_best_of_its_earlier_epochs(healthy_run, tmp_path):
    import shutil

    folder, _ = healthy_run
    copy = tmp_path / "run"
    shutil.copytree(folder, copy)
    rows = _history(copy)
    best_at, best_value = best_epoch(read_history_csv(copy / "history.csv"), "fid", "min")
    before = (copy / "checkpoints" / "best.keras").stat().st_mtime_ns
    train(_config(epochs=4), str(copy))
    rows = _history(copy)
    assert len(rows) == 4 and rows[3]["fid"] != "NA"
    if float(rows[3]["fid"]) >= best_value:
        assert (copy / "checkpoints" / "best.keras").stat().st_mtime_ns == before
    else:
        assert (copy / "checkpoints" / "best.keras").stat().st_mtime_ns != before
    assert best_at in (2, 3)


def test_a_divergence_exits_non_zero_with_the_diagnosis_and_leaves_finite_weights(tmp_path, capsys):
    folder = tmp_path / "run"
    argv = ["train", "--config", "dcgan_digits", "--output", str(folder), "--epochs", "2", "--steps-per-epoch", "4"]
    argv += ["--set", "model_args.filters=4", "--set", "model_args.latent_dim=4", "--metrics-every", "0"]
    argv += ["--set", "d_optimizer.learning_rate=1.0e+9", "--set", "g_optimizer.learning_rate=1.0e+9"]
    code = cli.main(argv)
    err = capsys.readouterr().err
    assert code == 1
    last = err.strip().splitlines()[-1]
    assert last.startswith("keras-gans train: training diverged at step") and "try: lower the learning rates" in last
    assert "health.json" in last and len(last) < 400
    health = json.loads((folder / "health.json").read_text())
    assert health["status"] == "diverged" and health["divergence"]["restored_from"]
    model = keras.saving.load_model(folder / "model.keras")
    weights = [w.numpy() for network in model.networks.values() for w in network.weights]
    assert all(np.isfinite(w).all() for w in weights)
    assert "diverged" in (folder / "report.html").read_text()


def test_no_monitor_and_no_metrics(tmp_path, capsys):
    folder = tmp_path / "run"
    argv = ["train", "--model", "DCGAN", "--output", str(folder), "--epochs", "1", "--steps-per-epoch", "2"]
    argv += ["--set", "model_args.filters=4", "--set", "model_args.latent_dim=4"]
    argv += ["--no-monitor", "--metrics-every", "0"]
    assert cli.main(argv) == 0
    assert not (folder / "health.json").exists() and not (folder / "checkpoints" / "best.keras").exists()
    assert "fid" not in _history(folder)[0]
    assert (folder / "report.html").is_file() and (folder / "model.keras").is_file()


def test_bad_metrics_settings_are_one_line_errors(tmp_path, capsys):
    base = ["train", "--model", "DCGAN", "--output", str(tmp_path / "r"), "--epochs", "1"]
    assert cli.main([*base, "--metrics-every", "-1"]) == 2
    assert cli.main([*base, "--metrics-samples", "1"]) == 2
    assert cli.main([*base, "--set", "monitor=maybe"]) == 2
    assert cli.main([*base, "--metrics-extractor", str(tmp_path / "missing.keras"), "--steps-per-epoch", "1"]) == 2
    errors = [line for line in capsys.readouterr().err.splitlines() if line.startswith("keras-gans train")]
    assert len(errors) == 4
    assert "missing.keras': not 'auto', 'classifier', 'inception' nor an existing file" in errors[-1]


def test_the_extractor_that_fits_the_data(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras_home"))
    rng = np.random.default_rng(0)
    digits = rng.uniform(-1, 1, (64, 8, 8, 1)).astype("float32")
    labels = np.arange(64) % 4
    chosen, why = run_metrics.run_extractor("auto", digits, labels, str(tmp_path), seed=0)
    assert "classifier" in why and chosen.features(digits).shape == (64, 128)
    assert (tmp_path / "metrics" / "classifier.keras").is_file()
    again, why = run_metrics.run_extractor("auto", digits, labels, str(tmp_path))
    assert "of this run" in why  # a resumed run reuses the saved classifier: comparable numbers
    np.testing.assert_allclose(again.features(digits), chosen.features(digits), atol=1e-5)

    colour = rng.uniform(-1, 1, (8, 32, 32, 3)).astype("float32")
    chosen, why = run_metrics.run_extractor("auto", colour, None, str(tmp_path / "other"))
    assert chosen is None and "metrics_extractor=PATH.keras" in why
    with pytest.raises(ValueError, match="needs Keras' ImageNet weights"):
        run_metrics.run_extractor("inception", colour, None, str(tmp_path))
    with pytest.raises(ValueError, match="needs a dataset with class labels"):
        run_metrics.run_extractor("classifier", colour, None, str(tmp_path / "x"))
    (tmp_path / "keras_home" / "models").mkdir(parents=True)
    (tmp_path / "keras_home" / "models" / run_metrics._INCEPTION_NOTOP).write_bytes(b"")
    assert run_metrics.inception_weights_available()


def test_best_checkpoint_saves_only_improvements(tmp_path):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    path = tmp_path / "best.keras"
    callback = BestCheckpoint(path, "psnr", mode="max", best=20.0, best_epoch=3)
    callback.set_model(model)
    callback.on_epoch_end(3, {"psnr": 19.0})
    assert not path.exists() and callback.best_epoch == 3
    callback.on_epoch_end(4, {"loss": 1.0})  # no metric this epoch
    callback.on_epoch_end(5, {"psnr": float("nan")})
    assert not path.exists()
    callback.on_epoch_end(6, {"psnr": 21.5})
    assert path.is_file() and (callback.best, callback.best_epoch) == (21.5, 7)
    assert not [p for p in os.listdir(tmp_path) if p != "best.keras"]  # no temporary file left
    rows = [EpochRecord(1, {"fid": 50.0}), EpochRecord(2, {"fid": float("nan")}), EpochRecord(3, {"fid": 40.0})]
    rows.append(EpochRecord(4, {}))
    assert best_epoch(rows, "fid", "min") == (3, 40.0)  # what a resumed run's BestCheckpoint starts from
    assert best_epoch(rows, "fid", "max") == (1, 50.0)
    with pytest.raises(ValueError, match="mode"):
        BestCheckpoint(path, "fid", mode="lowest")
