"""One tiny DCGAN run on the embedded digits with the run's callbacks; the report, TensorBoard logs, summary and
per-epoch lines it leaves are checked here, the report also in a real headless browser (Chromium)."""

import glob
import io
import os
import re
import shutil
import subprocess

import keras
import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

import keras_gans as kg
from keras_gans.callbacks import (
    EpochLineLogger,
    HTMLReport,
    RunSummary,
    SampleGrid,
    TensorBoardLogger,
    TrainingMonitor,
)
from keras_gans.reporting.html import SECTIONS

EPOCHS = 3
STEPS = 4
CONFIG = {"model": "dcgan", "dataset": "digits", "epochs": EPOCHS, "model_args": {"latent_dim": 4, "filters": 4}}


class FakeMetric(keras.callbacks.Callback):
    """Stands in for GANMetrics: ``fid`` (and ``fid_std``) on even epochs only."""

    def on_epoch_end(self, epoch, logs=None):
        if (epoch + 1) % 2 == 0:
            logs.update(fid=100.0 / (epoch + 1), fid_std=2.0)


class ReportSpy(keras.callbacks.Callback):
    """After the report callback: the page as it is on disk at each epoch end."""

    def __init__(self, path):
        super().__init__()
        self.path = path
        self.pages = []

    def on_epoch_end(self, epoch, logs=None):
        self.pages.append(open(self.path, encoding="utf-8").read() if os.path.isfile(self.path) else None)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The run folder and its callbacks after ``fit`` (about 10 s on 2 cores)."""
    keras.utils.set_random_seed(0)
    root = tmp_path_factory.mktemp("run")
    model = kg.DCGAN(image_shape=(8, 8, 1), latent_dim=4, filters=4, seed=1)
    model.compile()
    files = {
        "report": str(root / "report.html"),
        "health": str(root / "health.json"),
        "history": str(root / "history.csv"),
        "tensorboard": str(root / "tensorboard"),
        "model": str(root / "model.keras"),
    }
    monitor = TrainingMonitor(files["health"], verbose=0)
    grid = SampleGrid(root / "samples", num_rows=4, tensorboard_dir=root / "tensorboard" / "samples")
    report = HTMLReport(files["report"], config=CONFIG, sample_grid=grid, monitor=monitor, files=files)
    lines, summary_out = io.StringIO(), io.StringIO()
    summary = RunSummary(monitor="fid", files=files, health=monitor, stream=summary_out)
    spy = ReportSpy(files["report"])
    history = model.fit(
        kg.data.load("digits", batch_size=32, seed=0),
        epochs=EPOCHS,
        steps_per_epoch=STEPS,
        verbose=0,
        callbacks=[
            monitor,
            FakeMetric(),
            grid,
            keras.callbacks.CSVLogger(files["history"]),
            TensorBoardLogger(files["tensorboard"]),
            report,
            spy,
            summary,
            EpochLineLogger(lines),
        ],
    )
    return {
        "root": root,
        "files": files,
        "history": history.history,
        "report": report,
        "spy": spy,
        "summary": summary,
        "summary_text": summary_out.getvalue(),
        "lines": lines.getvalue(),
    }


def page(run) -> str:
    return open(run["files"]["report"], encoding="utf-8").read()


# ----------------------------------------------------------------------------------------------------------------
# report.html


def test_the_report_is_written_at_every_epoch_end_and_at_the_end(run):
    pages = run["spy"].pages
    assert len(pages) == EPOCHS and all(p is not None for p in pages)
    for epoch, text in enumerate(pages, start=1):
        assert f"<tr><td>{epoch}</td>" in text and f"<tr><td>{epoch + 1}</td>" not in text  # history rows so far
        assert f"<th>epochs</th><td>{epoch} of {EPOCHS}</td>" in text
        assert "<th>status</th><td>training</td>" in text
    final = page(run)
    assert "<th>status</th><td>finished</td>" in final
    assert run["report"].writes == EPOCHS + 1
    assert "model.keras (not written yet)" in final  # saved after fit: the runner then calls report.write()
    assert not [n for n in os.listdir(run["root"]) if ".tmp" in n]  # atomic: no temporary file left


def test_a_write_after_fit_keeps_the_final_status_and_finds_the_files_saved_since(run):
    path = run["files"]["model"]
    open(path, "w").close()
    try:
        run["report"].write()
        text = page(run)
        assert "<th>status</th><td>finished</td>" in text and "(not written yet)" not in text
    finally:
        os.remove(path)


def test_the_report_holds_every_section_and_what_the_run_logged(run):
    text = page(run)
    for section in SECTIONS:
        assert f'<section id="{section}">' in text
    for key in run["history"]:  # model-agnostic: every log key is in the history table
        assert f"<th>{key}</th>" in text
    assert "fixed_diversity" in text and "<th>fid</th>" in text
    assert "model: dcgan" in text and "latent_dim: 4" in text  # the config as YAML
    assert ">healthy</span>" in text
    assert text.count('alt="samples ') == EPOCHS  # the per-epoch strip
    assert "Latest: epoch 3" in text
    assert "epoch time: mean" in text and "training time" in text


def test_the_report_is_self_contained(run):
    text = page(run)
    images = re.findall(r"<img\b[^>]*>", text)
    assert len(images) == 2 + 1 + EPOCHS  # loss and metric charts, latest grid, strip
    for tag in images:
        assert re.search(r'\ssrc="data:image/png;base64,[A-Za-z0-9+/=]+"', tag), tag[:120]
    assert not re.search(r"https?://", text)
    assert not re.search(r"<(script|link|iframe)\b", text)
    assert not re.search(r"url\(", text)


def test_the_charts_are_pngs_of_a_sensible_size(run):
    import base64

    charts = re.findall(r'<img class="plot" alt="(\w+)" src="data:image/png;base64,([^"]+)"', page(run))
    assert [alt for alt, _ in charts] == ["Losses", "Metrics"]
    for _, payload in charts:
        image = Image.open(io.BytesIO(base64.b64decode(payload)))
        assert image.format == "PNG" and 600 <= image.width <= 1200 and image.height >= 200
        assert np.asarray(image.convert("L")).std() > 5  # not blank


# ----------------------------------------------------------------------------------------------------------------
# TensorBoard


def read_events(directory):
    """``{tag: [(step, value), ...]}`` of the scalar events, and the tags of the other summaries."""
    scalars, others = {}, set()
    for path in sorted(glob.glob(os.path.join(directory, "events.out.tfevents.*"))):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                plugin = value.metadata.plugin_data.plugin_name
                if plugin == "scalars":
                    scalars.setdefault(value.tag, []).append((event.step, float(tf.make_ndarray(value.tensor))))
                else:
                    others.add((value.tag, plugin))
    return scalars, others


def test_tensorboard_event_files_hold_every_log_and_the_graph(run):
    scalars, others = read_events(os.path.join(run["files"]["tensorboard"], "train"))
    history = run["history"]
    assert {f"epoch_{key}" for key in history} <= set(scalars)
    for key in ("d_loss", "g_loss", "fixed_diversity"):
        steps, values = zip(*scalars[f"epoch_{key}"])
        assert steps == (1, 2, 3)  # 1-based epochs, like SampleGrid's images
        np.testing.assert_allclose(values, history[key], rtol=1e-6)
    assert [step for step, _ in scalars["epoch_fid"]] == [2]  # logged only when computed
    assert {"learning_rate/d_optimizer", "learning_rate/g_optimizer"} <= set(scalars)
    assert ("train_step", "graph_run_metadata_graph") in others  # TensorBoard's Graphs tab
    _, images = read_events(os.path.join(run["files"]["tensorboard"], "samples"))
    assert ("samples", "images") in images


# ----------------------------------------------------------------------------------------------------------------
# Summary and progress lines


def test_the_run_summary_names_epochs_time_final_best_and_files(run):
    text = run["summary_text"]
    assert text.startswith(f"Run summary: {EPOCHS} epoch(s) in ")
    assert "health healthy" in text
    assert re.search(r"Final \(epoch 3\): d_acc_fake [\d.]+.*g_loss [\d.]+.* fid 50 \(epoch 2\)", text)
    assert "Best fid (min): 50 at epoch 2." in text
    assert re.search(r"report\s+\S+report\.html\n", text)
    assert re.search(r"model\s+\S+model\.keras  \(not written\)", text)
    result = run["summary"].result
    assert result["best"] == {"key": "fid", "mode": "min", "epoch": 2, "value": 50.0}


def test_one_line_per_epoch(run):
    lines = run["lines"].splitlines()
    assert len(lines) == EPOCHS and "\r" not in run["lines"] and "\x08" not in run["lines"]
    for epoch, line in enumerate(lines, start=1):
        assert re.match(rf"Epoch {epoch}/{EPOCHS} - [\d.]+s \(\d+ms/step\) - d_acc_fake: ", line), line
        assert " - d_loss: " in line and " - g_loss: " in line and len(line) < 400
    assert " - fid: 50 - fid_std: 2" in lines[1]


# ----------------------------------------------------------------------------------------------------------------
# In a real browser


def find_browser():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def screenshot(browser, url, out, tmp_path):
    """The page at ``url`` as an (H, W, 3) int array, or None when the browser could not load it."""
    command = [
        browser,
        "--headless",
        "--no-sandbox",  # tests may run as root
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        f"--user-data-dir={tmp_path / 'profile'}",
        "--window-size=1200,2600",
        f"--screenshot={out}",
        url,
    ]
    result = subprocess.run(command, check=True, capture_output=True, text=True, timeout=180)
    if "Page load failed" in result.stderr or not os.path.isfile(out):  # headless Chromium's error pages
        return None
    return np.asarray(Image.open(out).convert("RGB")).astype(int)


def colour_pixels(pixels, rgb, tolerance=12):
    return int((np.abs(pixels - np.array(rgb)).max(axis=-1) <= tolerance).sum())


@pytest.mark.skipif(
    find_browser() is None, reason="no Chromium/Chrome binary on PATH (Debian: apt-get install chromium)"
)
def test_the_report_renders_in_a_headless_browser(run, tmp_path):
    browser = find_browser()
    pixels = screenshot(browser, f"file://{run['files']['report']}", tmp_path / "report.png", tmp_path)
    assert pixels is not None, "Chromium could not load the report"
    assert pixels.shape[:2] == (2600, 1200)
    assert pixels.std() > 20 and len(np.unique(pixels.reshape(-1, 3), axis=0)) > 200  # not blank
    assert colour_pixels(pixels, (0x1F, 0x77, 0xB4)) > 200  # matplotlib's first line colour: the charts decoded
    assert colour_pixels(pixels, (0x1A, 0x7F, 0x37), tolerance=8) > 100  # the green "healthy" badge
    assert colour_pixels(pixels, (0xF6, 0xF8, 0xFA), tolerance=2) > 100_000  # the page's own background
    # An error page is told apart: headless Chromium reports the failed load and writes no screenshot.
    assert screenshot(browser, f"file://{tmp_path / 'missing.html'}", tmp_path / "missing.png", tmp_path) is None
