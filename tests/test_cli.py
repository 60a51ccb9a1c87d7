"""The command line and training runs: train on the embedded digits, resume, sample, info, clear errors."""

import csv
import os
import re
import shlex

import keras
import numpy as np
import pytest
from PIL import Image

from keras_gans import cli
from keras_gans.config import RunConfig, load_config
from keras_gans.saving import ModelFileError
from keras_gans.training import train

QUICK = ["--verbose", "0", "--steps-per-epoch", "3", "--metrics-every", "0"]
QUICK += ["--set", "model_args.filters=8", "--set", "model_args.latent_dim=8"]
CLASSIFIER = os.path.join(os.path.dirname(cli.__file__), "presets", "digits_classifier.keras")


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
        {"epochs": 3, "steps_per_epoch": 2, "model_args": {"filters": 8, "latent_dim": 8}, "metrics_every": 0}
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


# ---------------------------------------------------------------------------------------------------------------
# User errors: one line on stderr, `keras-gans <command>: error: ...`, exit code 2, no traceback


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, str]:
    """Tiny saved models (unconditional and conditional), a truncated copy, a plain file and a bad YAML config."""
    import keras_gans as kg

    folder = tmp_path_factory.mktemp("cli_files")
    dcgan = kg.DCGAN(image_shape=(8, 8, 1), latent_dim=4, filters=4, seed=0)
    dcgan.compile()
    dcgan.save(folder / "d.keras")
    cgan = kg.CGAN(image_shape=(8, 8, 1), latent_dim=4, filters=4, num_classes=3, seed=0)
    cgan.compile()
    cgan.save(folder / "c.keras")
    (folder / "trunc.keras").write_bytes((folder / "d.keras").read_bytes()[:3000])
    (folder / "afile").write_text("x")
    (folder / "bad.yaml").write_text("model: DCGAN\nepochs: [3\n")
    (folder / "tabs.yaml").write_text("model: DCGAN\nmodel_args:\n\tfilters: 8\n")
    return {k: str(folder / v) for k, v in {"d": "d.keras", "c": "c.keras", "trunc": "trunc.keras"}.items()} | {
        "file": str(folder / "afile"),
        "bad_yaml": str(folder / "bad.yaml"),
        "tabs_yaml": str(folder / "tabs.yaml"),
        "dir": str(folder),
    }


USER_ERRORS = {
    # train: config values, YAML, output folder (all refused before any training)
    "set_typo": ("train --set model_args.filtres=8 --output {tmp}/o", "DCGAN has no argument 'filtres' .*filters"),
    "set_typo_other_model": ("train --model LSGAN --set model_args.emma=0.9 --output {tmp}/o", "LSGAN has no argument"),
    "set_reserved": ("train --set model_args.seed=3 --output {tmp}/o", "model_args.seed cannot be set"),
    "set_bad_yaml": ("train --set model_args.filters=[8 --output {tmp}/o", "the value is not valid YAML"),
    "set_no_equals": ("train --set epochs --output {tmp}/o", "--set takes KEY=VALUE"),
    "set_wrong_type": ("train --set epochs=abc --output {tmp}/o", "'epochs' must be an integer, got 'abc'"),
    "set_not_a_mapping": ("train --set epochs.x=1 --output {tmp}/o", "epochs is 20, not a mapping"),
    "set_epochs_zero": ("train --set epochs=0 --output {tmp}/o", "epochs must be >= 1.*nothing to train"),
    "set_steps_zero": ("train --set steps_per_epoch=0 --output {tmp}/o", "steps_per_epoch must be >= 1"),
    "set_optimizer_typo": ("train --set d_optimizer.lr=0.1 --output {tmp}/o", "d_optimizer / g_optimizer: .*lr"),
    "config_yaml_syntax": ("train --config {bad_yaml} --output {tmp}/o", "invalid YAML at line 3"),
    "config_yaml_tabs": ("train --config {tabs_yaml} --output {tmp}/o", "invalid YAML at line 3"),
    "config_missing": ("train --config no_such_config", "available:"),
    "output_is_file": ("train --output {file}", "is a file, not a folder"),
    "output_under_file": ("train --output {file}/run", "is a file, so no folder can be made under it"),
    "epochs_zero": ("train --epochs 0", "argument --epochs: must be >= 1.*nothing to train"),
    "epochs_negative": ("train --epochs -2", "argument --epochs: must be >= 1"),
    "steps_zero": ("train --steps-per-epoch 0", "argument --steps-per-epoch: must be >= 1"),
    "steps_negative": ("train --steps-per-epoch -1", "argument --steps-per-epoch: must be >= 1"),
    "batch_not_int": ("train --batch-size 1.5", "argument --batch-size: expected an integer"),
    "verbose_bad": ("train --verbose 9", "argument --verbose: must be auto, 0, 1 or 2"),
    "unknown_model": ("train --model BigGAN --output {tmp}/o", "Unknown model 'BigGAN'"),
    "unknown_optimizer": ("train --set d_optimizer.class_name=Adamm --output {tmp}/o", "'Adamm' is not a Keras"),
    "dataset_folder_missing": ("train --dataset {tmp}/no_images --output {tmp}/o", "no_images: no such folder"),
    "mnist_dir_missing": ("train --dataset mnist_idx:{tmp}/none --output {tmp}/o", "none: no such folder"),
    # sample: counts, labels, output
    "num_negative": ("sample --model {d} --num -5", "argument --num: must be >= 1"),
    "num_zero": ("sample --model {d} --num 0", "argument --num: must be >= 1"),
    "rows_zero": ("sample --model {d} --rows 0", "argument --rows: must be >= 1"),
    "rows_too_many": ("sample --model {d} --num 4 --rows 5 --output {tmp}/g.png", "--rows 5 is more than the 4"),
    "scale_zero": ("sample --model {d} --scale 0", "argument --scale: must be >= 1"),
    "labels_unconditional": ("sample --model {d} --labels 1 2 --output {tmp}/g.png", "unconditional"),
    "labels_out_of_range": ("sample --model {c} --labels 0 3 --output {tmp}/g.png", r"in \[0, 3\) .*got \[3\]"),
    "labels_negative": ("sample --model {c} --labels -1 --output {tmp}/g.png", r"in \[0, 3\) .*got \[-1\]"),
    "labels_vs_num": ("sample --model {c} --labels 0 1 --num 5 --output {tmp}/g.png", "--num 5 but 2 --labels"),
    "output_not_image": ("sample --model {d} --output {tmp}/g.txt", "'.txt' is not an image format"),
    "output_no_extension": ("sample --model {d} --output {tmp}/grid", "has no extension"),
    "output_is_folder": ("sample --model {d} --output {dir}", "is a folder"),
    "sample_output_under_file": ("sample --model {d} --output {file}/g.png", "is a file, not a folder"),
    "damaged_model": ("sample --model {trunc} --output {tmp}/g.png", "truncated or damaged .keras file"),
    "missing_model": ("sample --model {tmp}/nope.keras --output {tmp}/g.png", "nope.keras: no such file"),
    "model_is_file": ("sample --model {file} --output {tmp}/g.png", "not a Keras model file"),
    "unknown_preset": ("sample --preset no_such_preset --output {tmp}/g.png", "No preset named 'no_such_preset'"),
    "both_sources": ("sample --model {d} --preset dcgan_digits", "exactly one of --model"),
    "no_source": ("sample", "exactly one of --model"),
    # evaluate, info, export
    "unknown_metric": ("evaluate --model {d} --metrics fid,fdi", r"--metrics: unknown \['fdi'\]"),
    "num_samples_zero": ("evaluate --model {d} --num-samples 0", "argument --num-samples: must be >= 1"),
    "damaged_classifier": ("evaluate --model {d} --classifier {trunc}", "truncated or damaged"),
    "dataset_arg_typo": (
        "evaluate --model {d} --dataset-arg imag_size=[8,8] --classifier " + CLASSIFIER,
        "'imag_size' is not an argument of load_digits.*image_size",
    ),
    "evaluate_output_is_folder": ("evaluate --model {d} --output {dir}", "is a folder"),
    "info_damaged": ("info --model {trunc}", "truncated or damaged"),
    "export_output_is_file": ("export --model {d} --output {file}", "exists; pass overwrite=True"),
    "export_tf_serving_base_is_file": ("export --model {d} --tf-serving --output {file}", "is a file, not a folder"),
    "export_name_without_layout": ("export --model {d} --output {file}.sm --name x", "add --tf-serving"),
    "export_version_negative": ("export --model {d} --version -1", "argument --version: must be >= 0"),
    "unknown_command": ("frobnicate", "invalid choice: 'frobnicate'"),
}


def _run(argv: list[str], capsys) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = cli.main(argv)
    err = capsys.readouterr().err
    return code, [line for line in err.splitlines() if line.strip()]


def _check_one_line_error(code: int, lines: list[str], command: str, message: str) -> None:
    assert code == 2, lines
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    prefix = f"keras-gans {command}: error: " if command else "keras-gans: error: "
    assert lines[0].startswith(prefix), lines[0]
    assert re.search(message, lines[0]), (message, lines[0])


@pytest.mark.parametrize("case", sorted(USER_ERRORS))
def test_user_errors_are_one_line_with_exit_code_2(case, files, tmp_path, capsys):
    template, message = USER_ERRORS[case]
    argv = shlex.split(template.format(tmp=tmp_path, **files))
    code, lines = _run(argv, capsys)
    command = argv[0] if argv[0] in ("train", "sample", "evaluate", "info", "export") else ""
    _check_one_line_error(code, lines, command, message)
    assert not (tmp_path / "o").exists()  # refused before anything was written


def test_dataset_arg_typo_in_train(tmp_path, capsys):
    argv = ["train", "--set", "dataset_args.imag_size=[8,8]", "--output", str(tmp_path / "o"), "--verbose", "0"]
    code, lines = _run(argv, capsys)
    _check_one_line_error(code, lines, "train", "dataset_args: 'imag_size' is not an argument of load_digits")


def test_model_args_typo_caught_by_the_constructor(tmp_path, capsys, monkeypatch):
    """When the constructor's signature cannot be inspected, its own TypeError still becomes one line."""
    monkeypatch.setattr(cli, "_model_keywords", lambda cls: None)
    argv = ["train", "--set", "model_args.filtres=8", "--output", str(tmp_path / "o"), "--verbose", "0"]
    code, lines = _run(argv, capsys)
    _check_one_line_error(code, lines, "train", "model_args: 'filtres' is not accepted: .*unexpected keyword")


def test_read_only_output(files, tmp_path, capsys, monkeypatch):
    real_access = os.access
    locked = str(tmp_path / "locked")
    os.mkdir(locked)
    monkeypatch.setattr(os, "access", lambda path, mode: False if str(path) == locked else real_access(path, mode))
    for argv, command in [
        (["train", "--output", f"{locked}/run"], "train"),
        (["sample", "--model", files["d"], "--output", f"{locked}/g.png"], "sample"),
        (["export", "--model", files["d"], "--output", f"{locked}/saved_model"], "export"),
        (["export", "--model", files["d"], "--tf-serving", "--output", locked], "export"),
    ]:
        code, lines = _run(argv, capsys)
        _check_one_line_error(code, lines, command, "permission denied")


@pytest.mark.parametrize(
    "failure",
    [
        Exception(
            "URL fetch failure on https://storage.googleapis.com/tensorflow/keras-applications/inception_v3/"
            "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5: None -- [Errno -3] Temporary failure"
        ),
        __import__("urllib.error").error.URLError("[Errno -2] Name or service not known"),
    ],
)
def test_evaluate_offline_without_inception_weights(failure, files, capsys, monkeypatch):
    from keras_gans import evaluation

    def offline(metrics):
        raise failure

    monkeypatch.setattr(evaluation, "default_extractor", offline)
    code, lines = _run(["evaluate", "--model", files["d"], "--num-samples", "8"], capsys)
    _check_one_line_error(code, lines, "evaluate", "could not download the InceptionV3 .* --classifier")


@pytest.mark.parametrize(("suffix", "fmt"), [(".png", "PNG"), (".jpg", "JPEG"), (".jpeg", "JPEG"), (".bmp", "BMP")])
def test_sample_writes_the_format_of_the_extension(suffix, fmt, files, tmp_path, capsys):
    path = tmp_path / f"grid{suffix.upper() if suffix == '.jpg' else suffix}"
    assert cli.main(["sample", "--model", files["c"], "--labels", "0", "1", "2", "--output", str(path)]) == 0
    with Image.open(path) as image:
        assert image.format == fmt


def test_bugs_keep_their_traceback(monkeypatch, files):
    """Only user errors are shortened: an unexpected exception type propagates (it is a bug)."""

    def broken(args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli, "_cmd_info", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        cli.main(["info"])


def test_traceback_on_request(monkeypatch, files):
    monkeypatch.setenv("KERAS_GANS_TRACEBACK", "1")
    with pytest.raises(ModelFileError):
        cli.main(["info", "--model", files["trunc"]])


def test_help_exits_0(capsys):
    assert cli.main(["sample", "--help"]) == 0
    assert ".jpg" in capsys.readouterr().out
