"""Per-epoch records of a run (logs and timings), read from ``fit``'s logs or a CSVLogger file, and best epochs."""

from __future__ import annotations

import csv
import math
import os
import time
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "EpochRecord",
    "HistoryRecorder",
    "best_epoch",
    "format_seconds",
    "format_value",
    "latest_value",
    "numeric_logs",
    "read_history_csv",
    "resolve_mode",
]

# Keys (without a ``val_`` prefix) where larger is better; any other key is "min" under ``mode="auto"``.
MAX_KEYS = frozenset({"is", "psnr", "ssim", "precision", "recall", "density", "coverage", "auc", "label_accuracy"})


@dataclass
class EpochRecord:
    """One epoch: its 1-based number, its numeric logs and (when measured in this process) its duration."""

    epoch: int
    logs: dict[str, float] = field(default_factory=dict)
    seconds: float | None = None


def numeric_logs(logs: dict[str, Any] | None) -> dict[str, float]:
    """The entries of ``logs`` that are numbers (Python, NumPy or 0-d tensors) as floats; others are dropped."""
    values: dict[str, float] = {}
    for key, value in (logs or {}).items():
        if isinstance(value, (str, bytes)):
            continue
        try:
            values[str(key)] = float(value)
        except (TypeError, ValueError):
            continue
    return values


def read_history_csv(path: str | os.PathLike) -> list[EpochRecord]:
    """The rows of a Keras ``CSVLogger`` file (0-based ``epoch`` column) as records; ``[]`` if it does not exist.

    Empty and ``NA`` cells are left out, so keys logged only on some epochs (``fid``) stay sparse.
    """
    if not os.path.isfile(path):
        return []
    records: dict[int, EpochRecord] = {}
    with open(path, newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            try:
                epoch = int(float(row.pop("epoch"))) + 1
            except (KeyError, TypeError, ValueError):
                continue
            logs = {}
            for key, text in row.items():
                if key is None or text in (None, "", "NA"):
                    continue
                try:
                    logs[key] = float(text)
                except ValueError:
                    continue
            records[epoch] = EpochRecord(epoch, logs)
    return [records[e] for e in sorted(records)]


def resolve_mode(key: str, mode: str = "auto") -> str:
    """``"min"`` or ``"max"``: ``mode`` itself, or for ``"auto"`` ``"max"`` for accuracies and quality scores
    (``is``, ``psnr``, ``ssim``, ``precision``, ``recall``, ``density``, ``coverage``), ``"min"`` otherwise."""
    if mode in ("min", "max"):
        return mode
    if mode != "auto":
        raise ValueError(f"mode must be 'auto', 'min' or 'max', got {mode!r}")
    name = key[4:] if key.startswith("val_") else key
    return "max" if name in MAX_KEYS or "acc" in name else "min"


def best_epoch(records: list[EpochRecord], key: str, mode: str = "auto") -> tuple[int, float] | None:
    """``(epoch, value)`` of the best finite ``key`` over ``records`` (first one on ties), or None if never logged."""
    sign = 1.0 if resolve_mode(key, mode) == "min" else -1.0
    best: tuple[int, float] | None = None
    for record in records:
        value = record.logs.get(key)
        if value is None or not math.isfinite(value):
            continue
        if best is None or sign * value < sign * best[1]:
            best = (record.epoch, value)
    return best


def latest_value(records: list[EpochRecord], key: str) -> tuple[int, float] | None:
    """``(epoch, value)`` of the last record holding ``key``."""
    for record in reversed(records):
        if key in record.logs:
            return record.epoch, record.logs[key]
    return None


def format_value(value: Any) -> str:
    """A number in at most 5 significant digits (``1.3847``, ``0.010732``, ``1.2e-05``, ``nan``)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        try:
            value = float(value)
        except (TypeError, ValueError):
            return str(value)
    if isinstance(value, int) or (math.isfinite(value) and value == int(value) and abs(value) < 1e6):
        return str(int(value))
    return f"{value:.5g}"


def format_seconds(seconds: float | None) -> str:
    """``0.84s``, ``12.3s``, ``2m05s``, ``1h02m``; ``-`` for None."""
    if seconds is None or not math.isfinite(seconds):
        return "-"
    if seconds < 10:
        return f"{seconds:.2f}s"
    if seconds < 60:
        return f"{seconds:.1f}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


def ordered_keys(records: list[EpochRecord]) -> list[str]:
    """Every log key of ``records`` in first-seen order (the train step's order), ``val_`` keys after the others."""
    keys: dict[str, None] = {}
    for record in records:
        keys.update(dict.fromkeys(record.logs))
    return [k for k in keys if not k.startswith("val_")] + [k for k in keys if k.startswith("val_")]


class HistoryRecorder:
    """Collects a run's :class:`EpochRecord` from ``fit``'s callback hooks (used by the report callbacks).

    With ``history_csv`` (the run's CSVLogger file), the epochs before this ``fit`` call's first one -- those of the
    run being resumed -- are read from it, so a resumed run's report and summary cover the whole run.
    """

    def __init__(self, history_csv: str | os.PathLike | None = None) -> None:
        self.history_csv = None if history_csv is None else os.fspath(history_csv)
        self.records: list[EpochRecord] = []
        self.initial_epoch = 0
        self.train_start: float | None = None
        self.train_seconds = 0.0
        self._previous: list[EpochRecord] = []
        self._epoch_start: float | None = None
        self._first_epoch_seen = False

    def train_begin(self) -> None:
        self.train_start = time.perf_counter()
        self.train_seconds = 0.0
        self._previous = read_history_csv(self.history_csv) if self.history_csv else []
        self.records = list(self._previous)
        self.initial_epoch = 0
        self._first_epoch_seen = False

    def epoch_begin(self, epoch: int) -> None:
        if not self._first_epoch_seen:  # fit's initial_epoch: keep the earlier epochs of the CSV only
            self._first_epoch_seen = True
            self.initial_epoch = epoch
            self.records = [r for r in self._previous if r.epoch <= epoch]
        self._epoch_start = time.perf_counter()

    def epoch_end(self, epoch: int, logs: dict[str, Any] | None) -> EpochRecord:
        seconds = None if self._epoch_start is None else time.perf_counter() - self._epoch_start
        record = EpochRecord(epoch + 1, numeric_logs(logs), seconds)
        self.records = [r for r in self.records if r.epoch != record.epoch] + [record]
        self.update_elapsed()
        return record

    def update_elapsed(self) -> float:
        if self.train_start is not None:
            self.train_seconds = time.perf_counter() - self.train_start
        return self.train_seconds

    @property
    def epochs_done(self) -> int:
        return self.records[-1].epoch if self.records else 0

    def measured_seconds(self) -> list[float]:
        return [r.seconds for r in self.records if r.seconds is not None]
