"""HTMLReport and render_report without a GAN: any log keys, resumed runs, health from JSON, atomic writes."""

import json
import os
import re
import warnings

import numpy as np
import pytest

from keras_gans.callbacks import HTMLReport
from keras_gans.callbacks.html_report import write_atomic
from keras_gans.reporting import EpochRecord, read_history_csv, render_report
from keras_gans.reporting.html import SECTIONS, grid_epoch
from keras_gans.reporting.plots import split_keys
from keras_gans.utils.images import save_png


def records(n=4, **series):
    return [
        EpochRecord(e, {k: v[e - 1] for k, v in series.items() if v[e - 1] is not None}, 0.5) for e in range(1, n + 1)
    ]


def test_any_log_keys_are_charted_and_tabled():
    run = records(
        3,
        content_loss=[3.0, 2.0, 1.5],
        val_content_loss=[3.2, 2.4, 2.0],
        psnr=[20.0, 22.0, 23.0],
        val_psnr=[19.0, 21.0, 21.5],
        kid=[None, 0.05, None],
        kid_std=[None, 0.01, None],
    )
    assert split_keys(run) == (["content_loss", "val_content_loss"], ["psnr", "kid", "val_psnr"])
    text = render_report(run, title="SR run")
    for key in ("content_loss", "val_content_loss", "psnr", "val_psnr", "kid", "kid_std"):
        assert f"<th>{key}</th>" in text
    assert len(re.findall(r'<img class="plot"', text)) == 2
    assert "<title>SR run</title>" in text


def test_an_empty_run_still_has_every_section():
    text = render_report([], timings={"status": "training"})
    for section in SECTIONS:
        assert f'<section id="{section}">' in text
    assert "No loss logged yet" in text and "No sample grid yet" in text and "No TrainingMonitor" in text


def test_non_finite_values_do_not_break_the_charts():
    text = render_report(records(3, d_loss=[1.0, float("nan"), float("inf")], acc=[0.5, 0.6, float("nan")]))
    assert "gaps: NaN/inf" in text and "<td>nan</td>" in text and "<td>inf</td>" in text


def test_health_from_a_diverged_monitor_json_shows_the_diagnosis_and_remedies(tmp_path):
    health = {
        "status": "diverged",
        "epochs": 2,
        "steps": 40,
        "diagnoses": {
            "divergence": {
                "title": "Divergence",
                "epochs": [2],
                "first_detail": "d_loss = nan at step 3 of epoch 2; training stopped, weights restored from the end "
                "of epoch 1",
                "docs": "docs/troubleshooting.md#divergence",
            }
        },
        "divergence": {"epoch": 2, "where": "step 3 of epoch 2", "values": {}, "restored_from": "the end of epoch 1"},
        "last_epoch": {"d_loss": 1.2},
    }
    path = tmp_path / "health.json"
    path.write_text(json.dumps(health))
    report = HTMLReport(tmp_path / "report.html", health_path=path)
    report.on_train_begin()
    report.on_train_end()
    text = (tmp_path / "report.html").read_text()
    assert ">diverged</span>" in text and "d_loss = nan at step 3 of epoch 2" in text
    assert "Likely cause:" in text and "<li>" in text  # the remedies of keras_gans' diagnoses
    assert "weights restored from the end of epoch 1" in text
    assert "<th>status</th><td>stopped: diverged at epoch 2</td>" in text


def test_grids_from_a_folder_are_shown_latest_large_and_the_strip_evenly_spaced(tmp_path):
    for epoch in range(1, 41):
        save_png(np.full((4, 4), epoch * 6, np.uint8), tmp_path / "samples" / f"epoch_{epoch:04d}.png")
    report = HTMLReport(tmp_path / "report.html", samples_dir=tmp_path / "samples", max_strip=8)
    grids = report.grids()
    assert len(grids) == 40 and grid_epoch(grids[-1]) == 40
    text = render_report([], grids=grids, max_strip=8)
    shown = [int(e) for e in re.findall(r"<figcaption>epoch (\d+)</figcaption>", text)]
    assert len(shown) == 8 and shown[0] == 1 and shown[-1] == 40
    assert "Latest: epoch 40" in text and "(8 of 40, evenly spaced)" in text


def test_a_resumed_run_shows_the_earlier_epochs_from_the_csv(stand_in_gan, tmp_path):
    csv_path = tmp_path / "history.csv"
    # What CSVLogger wrote before the interruption: 0-based epochs; a later, stale row is dropped on resume.
    csv_path.write_text("epoch,match_loss,fid\n0,0.5,NA\n1,0.4,30.0\n2,0.3,NA\n")
    assert [r.epoch for r in read_history_csv(csv_path)] == [1, 2, 3]
    report = HTMLReport(tmp_path / "report.html", history_csv=csv_path)
    model = stand_in_gan(image_shape=(8, 8, 1))
    model.fit(np.zeros((16, 8, 8, 1), np.float32), epochs=4, initial_epoch=2, verbose=0, callbacks=[report])
    epochs = [r.epoch for r in report.history.records]
    assert epochs == [1, 2, 3, 4]
    assert report.history.records[1].logs == {"match_loss": 0.4, "fid": 30.0}
    assert report.history.records[0].seconds is None and report.history.records[2].seconds is not None
    text = (tmp_path / "report.html").read_text()
    assert "<th>epochs</th><td>4 of 4</td>" in text


def test_write_atomic_leaves_the_old_file_when_the_write_fails(tmp_path, monkeypatch):
    path = tmp_path / "report.html"
    write_atomic(path, "old")

    def fail(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError):
        write_atomic(path, "new")
    assert path.read_text() == "old" and os.listdir(tmp_path) == ["report.html"]


def test_a_report_that_cannot_be_written_warns_once_and_training_goes_on(stand_in_gan, tmp_path):
    (tmp_path / "blocked").write_text("a file where the folder should be")
    report = HTMLReport(tmp_path / "blocked" / "report.html")
    model = stand_in_gan(image_shape=(8, 8, 1))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(np.zeros((16, 8, 8, 1), np.float32), epochs=3, verbose=0, callbacks=[report])
    assert len(history.history["match_loss"]) == 3
    assert [str(w.message) for w in caught if w.category is RuntimeWarning and "HTMLReport" in str(w.message)]
    assert sum("HTMLReport" in str(w.message) for w in caught) == 1


def test_refresh_only_while_training():
    assert '<meta http-equiv="refresh" content="30">' in render_report(
        [], timings={"status": "training"}, refresh_seconds=30
    )
    assert "refresh" not in render_report([], timings={"status": "finished"}, refresh_seconds=30)


def test_every_n_epochs_and_min_interval_thin_the_epoch_end_writes(stand_in_gan, tmp_path):
    data = np.zeros((16, 8, 8, 1), np.float32)
    model = stand_in_gan(image_shape=(8, 8, 1))
    thinned = HTMLReport(tmp_path / "a.html", every_n_epochs=2)
    model.fit(data, epochs=5, verbose=0, callbacks=[thinned])
    assert thinned.writes == 2 + 1  # epochs 2 and 4, and the end
    rare = HTMLReport(tmp_path / "b.html", min_interval_seconds=3600)
    model.fit(data, epochs=3, verbose=0, callbacks=[rare])
    assert rare.writes == 1 + 1  # the first epoch, and the end
    assert "<th>epochs</th><td>3 of 3</td>" in (tmp_path / "b.html").read_text()


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(ValueError):
        HTMLReport(tmp_path / "r.html", every_n_epochs=0)
