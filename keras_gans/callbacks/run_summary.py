"""``RunSummary``: prints the run's summary when training ends (epochs, time, final and best metrics, files)."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, TextIO

import keras

from keras_gans.reporting.history import HistoryRecorder
from keras_gans.reporting.summary import format_run_summary, run_summary

__all__ = ["RunSummary"]


class RunSummary(keras.callbacks.Callback):
    """At the end of training prints (and keeps as ``self.result``) e.g.::

        Run summary: 20 epoch(s) in 3m12s (9.60s/epoch), health healthy.
          Final (epoch 20): d_loss 1.2, g_loss 0.91, fid 41.3 (epoch 18)
          Best fid (min): 38.2 at epoch 14.
          Files:
            report  runs/x/report.html

    Args:
        monitor: the log key whose best epoch is reported (``fid``, ``psnr``, ...); None: no best line.
        mode: ``"min"``, ``"max"`` or ``"auto"`` (max for accuracies and quality scores such as ``is``/``psnr``).
        files: name -> path of the run's files, in the order to list them (missing ones are marked).
        health: a :class:`TrainingMonitor` or the path of its JSON file, for its status word.
        history_csv: the run's CSVLogger file: a resumed run's earlier epochs are read from it.
        stream: where to print; ``sys.stdout`` at the end of training by default.
        title: the first word(s) of the first line.
        print_on_train_end: print in ``on_train_end``; False to call :meth:`print_summary` later yourself, e.g.
            after the final files (model, samples) are written, so that the file list finds them.
    """

    def __init__(
        self,
        monitor: str | None = None,
        mode: str = "auto",
        files: dict[str, str] | None = None,
        health: Any = None,
        history_csv: str | os.PathLike | None = None,
        stream: TextIO | None = None,
        title: str = "Run summary",
        print_on_train_end: bool = True,
    ) -> None:
        super().__init__()
        self.monitor = monitor
        self.mode = mode
        self.files = files
        self.health = health
        self.history = HistoryRecorder(history_csv)
        self.stream = stream
        self.title = title
        self.print_on_train_end = print_on_train_end
        self.result: dict[str, Any] | None = None
        self._ended = False

    def _health_status(self) -> str | None:
        if self.health is None:
            return None
        if hasattr(self.health, "summary"):
            return self.health.summary().get("status")
        path = os.fspath(self.health)
        if not os.path.isfile(path):
            return None
        with open(path, encoding="utf-8") as file:
            return json.load(file).get("status")

    def summary(self) -> dict[str, Any]:
        """The summary dict now (see :func:`keras_gans.reporting.run_summary`)."""
        return run_summary(
            self.history.records,
            train_seconds=self.history.train_seconds if self._ended else self.history.update_elapsed(),
            epochs=(self.params or {}).get("epochs"),
            monitor=self.monitor,
            mode=self.mode,
            files=self.files,
            health=self._health_status(),
        )

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.history.train_begin()
        self.result = None
        self._ended = False

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.history.epoch_begin(epoch)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.history.epoch_end(epoch, logs)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self.history.update_elapsed()  # the training time stops here, whenever the summary is printed
        self._ended = True
        self.result = self.summary()
        if self.print_on_train_end:
            self.print_summary()

    def print_summary(self, stream: TextIO | None = None) -> str:
        """Prints the summary (files checked now) to ``stream`` (the callback's, else ``sys.stdout``); returns it."""
        self.result = self.summary()
        text = format_run_summary(self.result, title=self.title)
        stream = stream if stream is not None else self.stream if self.stream is not None else sys.stdout
        stream.write(text + "\n")
        stream.flush()
        return text
