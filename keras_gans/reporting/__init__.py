"""A run's record and the views of it: the HTML report, the end-of-run summary, curves (used by the callbacks)."""

from keras_gans.reporting.history import (
    EpochRecord,
    HistoryRecorder,
    best_epoch,
    format_seconds,
    format_value,
    read_history_csv,
    resolve_mode,
)
from keras_gans.reporting.html import render_report
from keras_gans.reporting.summary import format_run_summary, run_summary

__all__ = [
    "EpochRecord",
    "HistoryRecorder",
    "best_epoch",
    "format_run_summary",
    "format_seconds",
    "format_value",
    "read_history_csv",
    "render_report",
    "resolve_mode",
    "run_summary",
]
