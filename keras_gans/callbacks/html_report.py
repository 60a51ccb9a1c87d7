"""``HTMLReport``: ``report.html``, a self-contained page of the run, rewritten at every epoch end and at the end."""

from __future__ import annotations

import datetime
import glob
import json
import os
import time
import warnings
from typing import Any

import keras

from keras_gans.reporting.history import HistoryRecorder
from keras_gans.reporting.html import grid_epoch, render_report

__all__ = ["HTMLReport", "write_atomic"]


def write_atomic(path: str | os.PathLike, text: str) -> str:
    """Writes ``text`` to ``path`` through a temporary file in the same folder and ``os.replace``: a reader (or a
    crash) never sees a half-written file."""
    path = os.fspath(path)
    directory = os.path.dirname(path) or "."
    os.makedirs(directory, exist_ok=True)
    tmp = os.path.join(directory, f".{os.path.basename(path)}.tmp-{os.getpid()}")
    try:
        with open(tmp, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return path


class HTMLReport(keras.callbacks.Callback):
    """Writes ``path`` (e.g. ``<run>/report.html``) at every ``every_n_epochs``-th epoch end and at the end of
    training: loss curves, metric curves (whatever keys the logs hold), the latest sample grid and a strip of the
    grids per epoch, the TrainingMonitor's health and diagnoses, timings, the config and the history table. The page
    has no external reference (styles inline, PNGs as ``data:`` URIs), so it opens from the file, and is replaced
    atomically. Put it after the callbacks whose output it shows (TrainingMonitor, GANMetrics, SampleGrid).
    A failure to write the report warns and never stops training.

    Args:
        path: the HTML file.
        title: page title; the run folder's name by default.
        config: the run config (a dict), shown as YAML.
        sample_grid: a :class:`SampleGrid` whose ``paths`` are shown.
        samples_dir: or a folder of ``epoch_NNNN.png`` grids (also covers the epochs of a resumed run).
        monitor: a :class:`TrainingMonitor` whose live ``summary()`` is shown.
        health_path: or its ``health.json`` (read when present).
        history_csv: the run's CSVLogger file: the epochs before this ``fit`` (a resumed run) are read from it.
        files: name -> path of the run's files, listed in the overview.
        every_n_epochs: write after epochs n, 2n, ... (always at the end).
        max_strip: at most this many grids in the per-epoch strip (evenly spaced, last included).
        refresh_seconds: if set, the page reloads itself that often while training runs.
        min_interval_seconds: skip an epoch-end write when the last one is more recent than this (for runs of
            sub-second epochs, where drawing the charts, a few tenths of a second, would dominate); 0: every epoch.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        title: str | None = None,
        config: dict[str, Any] | None = None,
        sample_grid: Any = None,
        samples_dir: str | os.PathLike | None = None,
        monitor: Any = None,
        health_path: str | os.PathLike | None = None,
        history_csv: str | os.PathLike | None = None,
        files: dict[str, str] | None = None,
        every_n_epochs: int = 1,
        max_strip: int = 24,
        refresh_seconds: int | None = None,
        min_interval_seconds: float = 0.0,
    ) -> None:
        super().__init__()
        if every_n_epochs < 1 or max_strip < 2:
            raise ValueError("every_n_epochs must be >= 1 and max_strip >= 2")
        self.path = os.fspath(path)
        run_name = os.path.basename(os.path.dirname(os.path.abspath(self.path)))
        self.title = title or f"Training report: {run_name}"
        self.config = config
        self.sample_grid = sample_grid
        self.samples_dir = None if samples_dir is None else os.fspath(samples_dir)
        self.monitor = monitor
        self.health_path = None if health_path is None else os.fspath(health_path)
        self.files = files
        self.every_n_epochs = int(every_n_epochs)
        self.max_strip = int(max_strip)
        self.refresh_seconds = refresh_seconds
        self.min_interval_seconds = float(min_interval_seconds)
        self.history = HistoryRecorder(history_csv)
        self.writes = 0
        self.status = "training"
        self.render_seconds: float | None = None
        self._started = ""
        self._uri_cache: dict[str, str] = {}
        self._warned = False
        self._last_write = -float("inf")

    # --------------------------------------------------------------------------------------------------------
    # What the page shows

    def grids(self) -> list[str]:
        """The sample-grid files to show, oldest first."""
        paths = set()
        if self.samples_dir is not None:
            paths.update(glob.glob(os.path.join(self.samples_dir, "epoch_*.png")))
        if self.sample_grid is not None:
            paths.update(os.fspath(p) for p in getattr(self.sample_grid, "paths", []))
        return sorted(paths, key=lambda p: (grid_epoch(p) or 0, p))

    def health(self) -> dict[str, Any] | None:
        """The monitor's summary, or the health JSON file's content, or None."""
        if self.monitor is not None:
            return self.monitor.summary()
        if self.health_path and os.path.isfile(self.health_path):
            try:
                with open(self.health_path, encoding="utf-8") as file:
                    return json.load(file)
            except (OSError, ValueError):
                return None
        return None

    def render(self, status: str) -> str:
        """The page as it would be written now."""
        return render_report(
            self.history.records,
            title=self.title,
            grids=self.grids(),
            health=self.health(),
            config=self.config,
            timings={
                "status": status,
                "epochs": (self.params or {}).get("epochs"),
                "train_seconds": self.history.update_elapsed(),
                "started": self._started,
                "updated": datetime.datetime.now().isoformat(timespec="seconds"),
                "report_seconds": self.render_seconds,
            },
            files=self.files,
            max_strip=self.max_strip,
            refresh_seconds=self.refresh_seconds,
            uri_cache=self._uri_cache,
        )

    def write(self, status: str | None = None) -> str | None:
        """Renders and writes the page (``status``: the last one written by default, e.g. to list files saved after
        ``fit``); warns (once) and returns None on failure."""
        start = time.perf_counter()
        self.status = status or self.status
        try:
            write_atomic(self.path, self.render(self.status))
        except Exception as error:  # a report must never stop a training run
            if not self._warned:
                warnings.warn(f"HTMLReport could not write {self.path}: {error!r}", RuntimeWarning, stacklevel=2)
                self._warned = True
            return None
        self._last_write = time.perf_counter()
        self.render_seconds = self._last_write - start
        self.writes += 1
        return self.path

    # --------------------------------------------------------------------------------------------------------
    # Callback hooks

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.history.train_begin()
        self._started = datetime.datetime.now().isoformat(timespec="seconds")
        self._uri_cache = {}
        self._last_write = -float("inf")
        self.status = "training"

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.history.epoch_begin(epoch)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.history.epoch_end(epoch, logs)
        recent = time.perf_counter() - self._last_write < self.min_interval_seconds
        if (epoch + 1) % self.every_n_epochs == 0 and not recent:
            self.write("training")

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        planned = (self.params or {}).get("epochs")
        done = self.history.epochs_done
        health = self.health() or {}
        if health.get("status") == "diverged":
            status = f"stopped: diverged at epoch {(health.get('divergence') or {}).get('epoch', done)}"
        elif planned and done < planned:
            status = f"stopped after epoch {done} of {planned}"
        else:
            status = "finished"
        self.write(status)
