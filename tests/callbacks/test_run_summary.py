"""RunSummary and run_summary: epochs, time, final values (sparse metrics keep their last), best epoch, files."""

import io

import numpy as np
import pytest

from keras_gans.callbacks import RunSummary
from keras_gans.reporting import EpochRecord, best_epoch, format_run_summary, resolve_mode, run_summary


def run():
    return [
        EpochRecord(1, {"g_loss": 2.0, "psnr": 20.0}, 1.0),
        EpochRecord(2, {"g_loss": 1.5, "psnr": 24.0, "fid": 40.0}, 3.0),
        EpochRecord(3, {"g_loss": float("nan"), "psnr": 22.0}, 2.0),
    ]


@pytest.mark.parametrize(
    "key, mode, expected",
    [("fid", "auto", "min"), ("psnr", "auto", "max"), ("val_d_acc_real", "auto", "max"), ("is", "auto", "max"),
     ("label_accuracy", "auto", "max"), ("g_loss", "max", "max"), ("kid", "auto", "min")],
)  # fmt: skip
def test_resolve_mode(key, mode, expected):
    assert resolve_mode(key, mode) == expected


def test_best_epoch_skips_missing_and_non_finite_values():
    assert best_epoch(run(), "psnr") == (2, 24.0)
    assert best_epoch(run(), "g_loss") == (2, 1.5)
    assert best_epoch(run(), "fid") == (2, 40.0)
    assert best_epoch(run(), "absent") is None
    with pytest.raises(ValueError):
        resolve_mode("fid", "lowest")


def test_the_summary_text(tmp_path):
    (tmp_path / "report.html").write_text("x")
    files = {"report": str(tmp_path / "report.html"), "best": str(tmp_path / "best.keras")}
    summary = run_summary(run(), train_seconds=75.0, epochs=5, monitor="psnr", files=files, health="warnings")
    assert summary["final"]["fid"] == {"epoch": 2, "value": 40.0}
    text = format_run_summary(summary)
    lines = text.splitlines()
    assert lines[0] == "Run summary: 3 epoch(s) of 5 in 1m15s (2.00s/epoch), health warnings."
    assert lines[1] == "  Final (epoch 3): g_loss nan, psnr 22, fid 40 (epoch 2)"
    assert lines[2] == "  Best psnr (max): 24 at epoch 2."
    assert lines[3:] == [
        "  Files:",
        f"    report  {tmp_path / 'report.html'}",
        f"    best    {tmp_path / 'best.keras'}  (not written)",
    ]
    assert "never logged" in format_run_summary(run_summary(run(), monitor="kid"))


def test_the_callback_prints_at_the_end_or_when_asked(stand_in_gan, tmp_path, capsys):
    model = stand_in_gan(image_shape=(8, 8, 1))
    data = np.zeros((16, 8, 8, 1), np.float32)
    stream = io.StringIO()
    callback = RunSummary(monitor="match_loss", stream=stream)
    model.fit(data, epochs=2, verbose=0, callbacks=[callback])
    assert stream.getvalue().startswith("Run summary: 2 epoch(s) in ")
    assert "Best match_loss (min): " in stream.getvalue()
    later = RunSummary(files={"model": str(tmp_path / "model.keras")}, print_on_train_end=False)
    model.fit(data, epochs=1, verbose=0, callbacks=[later])
    assert capsys.readouterr().out == ""
    (tmp_path / "model.keras").write_text("saved after fit")
    seconds = later.result["train_seconds"]
    text = later.print_summary()
    assert "(not written)" not in text and capsys.readouterr().out == text + "\n"
    assert later.result["train_seconds"] == seconds  # the training time stopped at the end of fit
