"""The command line and training runs: train on the embedded digits, resume, sample, info, clear errors."""

import csv
import os

import keras
import numpy as np
import pytest
from PIL import Image

from keras_gans import cli
from keras_gans.config import RunConfig, load_config
from keras_gans.training import train

QUICK = ["--verbose", "0", "--steps-per-epoch", "3"]
QUICK += ["--set", "model_args.filters=8", "--set", "model_args.latent_dim=8"]


def history_rows(output):
    with open(os.path.join(output, "history.csv")) as f:
        return list(csv.DictReader(f))


def test_train_writes_run_and_resumes(tmp_path, capsys):
    out = str(tmp_path / "run")
    assert cli.main(["train", "--config", "dcgan_digits", "--output", out, "--epochs", "1", *QUICK]) == 0
    for name in ("model.keras", "samples.png", "config.yaml", "history.csv", "checkpoints/last.keras"):
        assert os.path.isfile(os.path.join(out, name)), name
    assert os.path.isfile(os.path.join(out, "samples", "epoch_0001.png"))
    assert len(history_rows(out)) == 1
    first = keras.saving.load_model(os.path.join(out, "model.keras"))
    assert int(first.g_optimizer.iterations) == 3

    # Rerunning on the same folder continues from the checkpoint up to the new epoch count.
    assert cli.main(["train", "--config", "dcgan_digits", "--output", out, "--epochs", "2", *QUICK]) == 0
    assert "Resuming" in capsys.readouterr().out
    assert [row["epoch"] for row in history_rows(out)] == ["0", "1"]
    resumed = keras.saving.load_model(os.path.join(out, "model.keras"))
    assert int(resumed.g_optimizer.iterations) == 6


class _Interrupt(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if epoch == 1:
            raise KeyboardInterrupt


def test_interrupted_run_resumes_from_last_checkpoint(tmp_path):
    config = load_config("dcgan_digits").with_overrides(
        {"epochs": 3, "steps_per_epoch": 2, "model_args": {"filters": 8, "latent_dim": 8}}
    )
    out = str(tmp_path / "run")
    with pytest.raises(KeyboardInterrupt):
        train(config, out, verbose=0, callbacks=[_Interrupt()])
    # The interruption came in epoch 2's callbacks, before its checkpoint: epoch 1 is safe on disk.
    assert not os.path.exists(os.path.join(out, "model.keras"))
    model = train(config, out, verbose=0)
    assert int(model.g_optimizer.iterations) == 6  # epoch 1 from the checkpoint, then epochs 2 and 3: 3 x 2 steps
    assert not [f for f in os.listdir(os.path.join(out, "checkpoints")) if f.startswith(".tmp")]


def test_sample_and_info(tmp_path, capsys):
    out = str(tmp_path / "run")
    cli.main(["train", "--config", "cgan_digits", "--output", out, "--epochs", "1", *QUICK])
    grid = str(tmp_path / "grid.png")
    assert (
        cli.main(
            ["sample", "--model", os.path.join(out, "model.keras"), "--num", "20", "--rows", "2", "--output", grid]
        )
        == 0
    )
    image = np.asarray(Image.open(grid))
    assert image.shape[0] > 0 and image.std() > 0
    assert cli.main(["info"]) == 0
    printed = capsys.readouterr().out
    assert "dcgan_digits" in printed and "non_saturating" in printed and "oneDNN CPU kernels: on" in printed
    assert cli.main(["info", "--model", os.path.join(out, "model.keras")]) == 0
    assert '"num_classes": 10' in capsys.readouterr().out


def test_bad_config_is_refused(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("model: DCGAN\nepochz: 3\n")
    assert cli.main(["train", "--config", str(bad), "--output", str(tmp_path / "o")]) == 2
    assert "Unknown key(s) ['epochz']" in capsys.readouterr().err
    with pytest.raises(ValueError, match="Unknown model 'BigGAN'"):
        RunConfig(model="BigGAN")
    assert cli.main(["train", "--config", "no_such_config"]) == 2
    assert "available:" in capsys.readouterr().err
