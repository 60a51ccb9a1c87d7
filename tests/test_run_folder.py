"""The run folder of ``keras-gans train`` survives a kill at any point: a rerun resumes exactly (the same final
weights and history as an uninterrupted run), history.csv has one row per epoch, no temporary file remains; a rerun
with another model, dataset or model arguments is refused with the keys named, unless --restart."""

import csv
import json
import os
import signal
import subprocess
import sys
import zipfile

import keras
import numpy as np
import pytest

from keras_gans import cli
from keras_gans.callbacks.checkpoint import RECORD_NAME, read_record
from keras_gans.config import RunConfig
from keras_gans.training import RunFolderError, train, training_data

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EPOCHS = 3
VALUES = {
    "model": "DCGAN",
    "model_args": {"filters": 4, "latent_dim": 4},
    "dataset": "digits",
    "batch_size": 16,
    "epochs": EPOCHS,
    "steps_per_epoch": 2,
    "seed": 3,
    "grid_rows": 2,
    "jit_compile": False,
    "metrics_every": 0,  # tests/test_experiment.py covers the metrics of a resumed run
}
QUICK = ["--verbose", "0", "--steps-per-epoch", "2", "--batch-size", "16", "--epochs", str(EPOCHS)]
QUICK += ["--model", "DCGAN", "--dataset", "digits", "--seed", "3"]
QUICK += ["--set", "model_args.filters=4", "--set", "model_args.latent_dim=4", "--set", "grid_rows=2"]
QUICK += ["--set", "jit_compile=false", "--metrics-every", "0"]


def config(**overrides) -> RunConfig:
    return RunConfig.from_dict({**VALUES, **overrides})


def weights(model):
    return [v.numpy() for v in model.weights]


def history(folder):
    with open(os.path.join(folder, "history.csv")) as f:
        return list(csv.DictReader(f))


def leftovers(folder):
    return [os.path.join(d, f) for d, _, files in os.walk(folder) for f in files if ".tmp-" in f]


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """An uninterrupted seeded run: its final weights and history."""
    folder = str(tmp_path_factory.mktemp("reference") / "run")
    model = train(config(), folder, verbose=0)
    return {"weights": weights(model), "history": history(folder), "folder": folder}


def assert_like_reference(model, folder, reference):
    for a, b in zip(reference["weights"], weights(model)):
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-7)
    rows = history(folder)
    assert [row["epoch"] for row in rows] == [str(e) for e in range(EPOCHS)]  # one row per epoch
    for got, want in zip(rows, reference["history"]):
        assert got.keys() == want.keys()
        np.testing.assert_allclose([float(got[k]) for k in got], [float(want[k]) for k in want], rtol=1e-5)
    assert not leftovers(folder)
    for name in ("model.keras", "samples.png", "config.yaml", "samples/progress.png", "samples/epoch_0003.png"):
        assert os.path.isfile(os.path.join(folder, name)), name


class Killed(BaseException):
    """Stands for a kill: nothing catches it."""


class KillInEpoch(keras.callbacks.Callback):
    """Kills the run at the second batch of epoch ``epoch`` (0-based)."""

    def __init__(self, epoch):
        super().__init__()
        self.epoch, self.current = epoch, None

    def on_epoch_begin(self, epoch, logs=None):
        self.current = epoch

    def on_train_batch_end(self, batch, logs=None):
        if self.current == self.epoch and batch == 1:
            raise Killed


# kill point -> (file whose os.replace raises, which replace of that file (1-based)) or ("epoch", epoch index)
KILL_POINTS = {
    "during_first_epoch": ("epoch", 0),
    "during_second_epoch": ("epoch", 1),
    "before_checkpoint_replace": ("last.keras", 2),
    "between_checkpoint_and_history": ("history.csv", 3),  # 1st: the empty history written at the start
    "during_last_sample_grid": ("epoch_0003.png", 1),
    "before_final_model": ("model.keras", 1),
    "before_final_samples": ("samples.png", 1),
}


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_kill_at_any_point_resumes_exactly(point, reference, tmp_path, monkeypatch):
    folder = str(tmp_path / "run")
    target, which = KILL_POINTS[point]
    callbacks = []
    if target == "epoch":
        callbacks.append(KillInEpoch(which))
    else:
        real_replace, seen = os.replace, []

        def replace(src, dst):
            if os.path.basename(dst) == target:
                seen.append(dst)
                if len(seen) == which:
                    raise Killed
            return real_replace(src, dst)

        monkeypatch.setattr(os, "replace", replace)
    with pytest.raises(Killed):
        train(config(), folder, verbose=0, callbacks=callbacks)
    monkeypatch.undo()
    model = train(config(), folder, verbose=0)
    assert_like_reference(model, folder, reference)


def test_sigkill_while_saving_a_checkpoint_leaves_a_temp_file_that_the_rerun_removes(reference, tmp_path):
    """A real SIGKILL (no Python cleanup) just before the second checkpoint is moved into place."""
    folder = str(tmp_path / "run")
    driver = (
        "import os, signal, sys\n"
        "real, seen = os.replace, []\n"
        "def replace(src, dst):\n"
        "    if os.path.basename(dst) == 'last.keras':\n"
        "        seen.append(dst)\n"
        "        if len(seen) == 2:\n"
        "            os.kill(os.getpid(), signal.SIGKILL)\n"
        "    return real(src, dst)\n"
        "os.replace = replace\n"
        "from keras_gans import cli\n"
        "sys.exit(cli.main(sys.argv[1:]))\n"
    )
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run(
        [sys.executable, "-c", driver, "train", "--output", folder, *QUICK],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-3000:]
    stale = leftovers(folder)
    assert [os.path.basename(p).split("-", 2)[-1] for p in stale] == ["last.keras"], stale
    assert read_record(os.path.join(folder, "checkpoints", "last.keras"))["epochs_done"] == 1
    assert [row["epoch"] for row in history(folder)] == ["0"]
    assert cli.main(["train", "--output", folder, *QUICK]) == 0
    from keras_gans.saving import load_model

    assert_like_reference(load_model(os.path.join(folder, "model.keras")), folder, reference)


def test_the_checkpoint_carries_its_progress(reference):
    record = read_record(os.path.join(reference["folder"], "checkpoints", "last.keras"))
    assert record["epochs_done"] == EPOCHS and record["steps_done"] == EPOCHS * 2
    assert [row["epoch"] for row in record["history"]] == list(range(EPOCHS))
    assert record["config"]["model_args"] == VALUES["model_args"]
    assert not os.path.exists(os.path.join(reference["folder"], "checkpoints", "state.json"))


def test_the_data_resume_where_they_were():
    """digits (from_arrays, seeded) are resumable: skipping n batches of the repeated stream is batch n on."""
    import keras_gans.data as data_lib

    dataset = data_lib.load_digits(batch_size=64, seed=5)
    assert dataset.resumable and int(dataset.cardinality()) == 28
    stream, steps, exact = training_data(dataset, None)
    assert steps == 28 and exact
    uninterrupted = [b.numpy() for b in stream.take(40)]  # into the second, reshuffled pass
    resumed, _, exact = training_data(data_lib.load_digits(batch_size=64, seed=5), None, steps_done=30)
    assert exact
    for a, b in zip(uninterrupted[30:], resumed.take(10)):
        np.testing.assert_array_equal(a, b.numpy())
    assert not np.array_equal(uninterrupted[0], uninterrupted[28])  # each pass is shuffled anew
    assert not data_lib.load_digits(batch_size=64).resumable  # no seed: no order to resume


@pytest.mark.parametrize(
    "change,keys",
    [
        ({"model_args": {"filters": 8, "latent_dim": 4}}, ["model_args.filters"]),
        ({"model": "LSGAN"}, ["model"]),
        ({"dataset_args": {"image_size": [16, 16]}}, ["dataset_args.image_size"]),
        ({"seed": 4, "batch_size": 8}, ["batch_size", "seed"]),
    ],
    ids=["model_args", "model", "dataset_args", "seed_and_batch"],
)
def test_a_rerun_with_another_config_is_refused_naming_the_keys(change, keys, reference):
    before = os.path.getmtime(os.path.join(reference["folder"], "checkpoints", "last.keras"))
    with pytest.raises(RunFolderError, match="another configuration") as caught:
        train(config(**change), reference["folder"], verbose=0)
    assert list(caught.value.keys) == keys
    for key in keys:
        assert key in str(caught.value)
    assert "--restart" in str(caught.value)
    assert os.path.getmtime(os.path.join(reference["folder"], "checkpoints", "last.keras")) == before


def test_training_length_may_change_and_restart_starts_again(reference, tmp_path, capsys):
    import shutil

    folder = str(tmp_path / "run")
    shutil.copytree(reference["folder"], folder)
    # A longer run resumes (epochs, steps_per_epoch and sample_every may change).
    model = train(config(epochs=EPOCHS + 1, sample_every=2), folder, verbose=0)
    assert int(model.step_counter.numpy()) == EPOCHS * 2 + 2
    assert [row["epoch"] for row in history(folder)] == [str(e) for e in range(EPOCHS + 1)]
    # Another model argument: refused on the command line (one line, exit 2), then --restart.
    other = [*QUICK, "--set", "model_args.filters=8"]
    capsys.readouterr()  # the training's own output so far (the monitor's warnings on this tiny model)
    assert cli.main(["train", "--output", folder, *other]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "model_args.filters is 4 there, 8 now" in err and "--restart" in err
    open(os.path.join(folder, "keep.txt"), "w").close()  # not the run's: --restart keeps it
    assert cli.main(["train", "--output", folder, *other, "--restart", "--epochs", "1"]) == 0
    assert [row["epoch"] for row in history(folder)] == ["0"]
    assert read_record(os.path.join(folder, "checkpoints", "last.keras"))["config"]["model_args"]["filters"] == 8
    assert sorted(os.listdir(os.path.join(folder, "samples"))) == ["epoch_0001.png", "progress.png"]
    assert os.path.isfile(os.path.join(folder, "keep.txt"))


@pytest.mark.parametrize("damage", ["checkpoint_missing", "checkpoint_truncated", "record_and_state_missing"])
def test_a_run_that_cannot_resume_is_refused_not_overwritten(damage, reference, tmp_path):
    import shutil

    folder = str(tmp_path / "run")
    shutil.copytree(reference["folder"], folder)
    checkpoint = os.path.join(folder, "checkpoints", "last.keras")
    if damage == "checkpoint_missing":
        os.remove(checkpoint)
        message = "holds a run .*model.keras, history.csv with 3 epoch.* not its checkpoint"
    elif damage == "checkpoint_truncated":
        with open(checkpoint, "r+b") as f:
            f.truncate(os.path.getsize(checkpoint) // 2)
        message = "checkpoint cannot be resumed: .*truncated"
    else:
        _strip_record(checkpoint)
        message = "no record of the epochs done"
    model_before = open(os.path.join(folder, "model.keras"), "rb").read()
    with pytest.raises(RunFolderError, match=message):
        train(config(), folder, verbose=0)
    assert open(os.path.join(folder, "model.keras"), "rb").read() == model_before
    train(config(epochs=1), folder, verbose=0, restart=True)
    assert [row["epoch"] for row in history(folder)] == ["0"]


def _strip_record(path):
    with zipfile.ZipFile(path) as zf:
        members = {name: zf.read(name) for name in zf.namelist() if name != RECORD_NAME}
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def test_a_run_of_the_previous_format_resumes(reference, tmp_path):
    """A checkpoint without its record, its state.json, and a history with an epoch written twice."""
    import shutil

    folder = str(tmp_path / "run")
    shutil.copytree(reference["folder"], folder)
    checkpoint = os.path.join(folder, "checkpoints", "last.keras")
    _strip_record(checkpoint)
    with open(os.path.join(folder, "checkpoints", "state.json"), "w") as f:
        json.dump({"epochs_done": EPOCHS}, f)
    rows = history(folder)
    with open(os.path.join(folder, "history.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows([*rows, rows[-1]])
    model = train(config(epochs=EPOCHS + 1), folder, verbose=0)
    assert int(model.step_counter.numpy()) == EPOCHS * 2 + 2
    assert [row["epoch"] for row in history(folder)] == [str(e) for e in range(EPOCHS + 1)]
    assert read_record(checkpoint)["epochs_done"] == EPOCHS + 1
    assert not os.path.exists(os.path.join(folder, "checkpoints", "state.json"))
