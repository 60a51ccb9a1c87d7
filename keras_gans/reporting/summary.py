"""``run_summary`` / ``format_run_summary``: the end-of-run numbers (epochs, time, final and best metrics, files)."""

from __future__ import annotations

import os
import statistics
from typing import Any

from keras_gans.reporting.history import (
    EpochRecord,
    best_epoch,
    format_seconds,
    format_value,
    latest_value,
    ordered_keys,
    resolve_mode,
)

__all__ = ["format_run_summary", "run_summary"]


def run_summary(
    records: list[EpochRecord],
    *,
    train_seconds: float | None = None,
    epochs: int | None = None,
    monitor: str | None = None,
    mode: str = "auto",
    files: dict[str, str] | None = None,
    health: str | None = None,
) -> dict[str, Any]:
    """The summary as a dict: ``epochs_done``, ``epochs_planned``, ``train_seconds``, ``epoch_seconds`` (mean of
    the measured ones), ``final`` (key -> ``{"epoch", "value"}``: each key's last value, so a metric computed every
    N epochs keeps its last evaluation), ``best`` (``{"key", "mode", "epoch", "value"}`` or None), ``files``
    (name -> ``{"path", "exists"}``) and ``health``."""
    measured = [r.seconds for r in records if r.seconds is not None]
    final = {}
    for key in ordered_keys(records):
        found = latest_value(records, key)
        if found is not None:
            final[key] = {"epoch": found[0], "value": found[1]}
    best = None
    if monitor is not None:
        found = best_epoch(records, monitor, mode)
        best = {"key": monitor, "mode": resolve_mode(monitor, mode), "epoch": None, "value": None}
        if found is not None:
            best.update(epoch=found[0], value=found[1])
    return {
        "epochs_done": records[-1].epoch if records else 0,
        "epochs_planned": epochs,
        "train_seconds": train_seconds,
        "epoch_seconds": statistics.fmean(measured) if measured else None,
        "final": final,
        "best": best,
        "files": {
            name: {"path": os.fspath(path), "exists": os.path.exists(path)} for name, path in (files or {}).items()
        },
        "health": health,
    }


def format_run_summary(summary: dict[str, Any], title: str = "Run summary") -> str:
    """The lines printed at the end of a run, from :func:`run_summary`'s dict."""
    done, planned = summary["epochs_done"], summary["epochs_planned"]
    epochs = f"{done} epoch(s)" + (f" of {planned}" if planned and planned != done else "")
    timing = f" in {format_seconds(summary['train_seconds'])}" if summary["train_seconds"] is not None else ""
    if summary["epoch_seconds"] is not None:
        timing += f" ({format_seconds(summary['epoch_seconds'])}/epoch)"
    lines = [f"{title}: {epochs}{timing}" + (f", health {summary['health']}" if summary["health"] else "") + "."]
    final = summary["final"]
    if final:
        last = max(entry["epoch"] for entry in final.values())
        parts = [
            f"{key} {format_value(entry['value'])}" + (f" (epoch {entry['epoch']})" if entry["epoch"] != last else "")
            for key, entry in final.items()
        ]
        lines.append(f"  Final (epoch {last}): " + ", ".join(parts))
    best = summary["best"]
    if best is not None:
        if best["epoch"] is None:
            lines.append(f"  Best {best['key']}: never logged.")
        else:
            lines.append(
                f"  Best {best['key']} ({best['mode']}): {format_value(best['value'])} at epoch {best['epoch']}."
            )
    if summary["files"]:
        width = max(len(name) for name in summary["files"])
        lines.append("  Files:")
        for name, entry in summary["files"].items():
            lines.append(f"    {name:<{width}}  {entry['path']}" + ("" if entry["exists"] else "  (not written)"))
    return "\n".join(lines)
