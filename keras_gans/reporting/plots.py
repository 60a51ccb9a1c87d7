"""Curves of a run's logs as PNG bytes, drawn with matplotlib's Agg canvas (no pyplot, no display, no global state)."""

from __future__ import annotations

import io
import math

from keras_gans.reporting.history import EpochRecord, ordered_keys

__all__ = ["curve_groups", "plot_curves", "split_keys"]

DPI = 96


def split_keys(records: list[EpochRecord]) -> tuple[list[str], list[str]]:
    """``(loss keys, metric keys)``: keys with ``loss`` in their name, and every other key (``*_std`` left out where
    their base key exists: they are drawn as its band)."""
    keys = ordered_keys(records)
    losses = [k for k in keys if "loss" in k]
    metrics = [k for k in keys if "loss" not in k and not (k.endswith("_std") and k[: -len("_std")] in keys)]
    return losses, metrics


def curve_groups(keys: list[str]) -> list[list[str]]:
    """Keys grouped with their ``val_`` twin (``[["fid", "val_fid"], ...]``), in order."""
    groups: dict[str, list[str]] = {}
    for key in keys:
        groups.setdefault(key[4:] if key.startswith("val_") else key, []).append(key)
    return list(groups.values())


def _series(records: list[EpochRecord], key: str) -> tuple[list[int], list[float]]:
    points = [(r.epoch, r.logs[key]) for r in records if key in r.logs]
    return [p[0] for p in points], [p[1] if math.isfinite(p[1]) else math.nan for p in points]


def _draw(
    axes, records: list[EpochRecord], keys: list[str], color_index: int | None, epochs_shown: tuple[int, int]
) -> None:
    for i, key in enumerate(keys):
        epochs, values = _series(records, key)
        if not epochs:
            continue
        color = f"C{color_index if color_index is not None else i}"
        style = "--" if key.startswith("val_") else "-"
        marker = "o" if len(epochs) <= 30 else None
        axes.plot(epochs, values, style, color=color, marker=marker, markersize=3, linewidth=1.4, label=key)
        spread = dict(zip(*_series(records, f"{key}_std")))
        if spread and all(e in spread for e in epochs):  # e.g. kid_std around kid
            low = [v - spread[e] for e, v in zip(epochs, values)]
            high = [v + spread[e] for e, v in zip(epochs, values)]
            axes.fill_between(epochs, low, high, color=color, alpha=0.2, linewidth=0)
    axes.grid(True, alpha=0.3)
    first, last = epochs_shown  # the whole run on every axes, also for a metric computed every N epochs
    margin = max(0.5, 0.03 * (last - first))
    axes.set_xlim(first - margin, last + margin)
    if last - first < 4:  # too few epochs for the locator's integer ticks
        axes.set_xticks(range(first, last + 1))
    else:
        axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set_xlabel("epoch", fontsize=8, labelpad=1)


def _wide_positive_range(records: list[EpochRecord], keys: list[str]) -> bool:
    values = [r.logs[k] for r in records for k in keys if k in r.logs and math.isfinite(r.logs[k])]
    return bool(values) and min(values) > 0 and max(values) / min(values) > 1000


def plot_curves(
    records: list[EpochRecord], keys: list[str], *, together: bool, columns: int = 3, width: float = 10.5
) -> bytes | None:
    """A PNG of ``keys`` against the epoch: all on one axes (``together``, e.g. the losses) or one small axes per
    key and its ``val_`` twin (metrics on different scales). None when no key has a value."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    keys = [k for k in keys if any(k in r.logs for r in records)]
    if not keys:
        return None
    groups = [keys] if together else curve_groups(keys)
    columns = 1 if together else min(columns, len(groups))
    rows = math.ceil(len(groups) / columns)
    row_height = 3.4 if together else 2.3
    height = row_height * rows
    # Fixed margins in inches (a layout engine would double the drawing time, which is paid every epoch).
    figure = Figure(figsize=(width, height), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.subplots_adjust(
        left=0.75 / width,
        right=1 - 0.2 / width,
        bottom=0.5 / height,
        top=1 - 0.35 / height,
        wspace=0.3,
        hspace=0.75 / (row_height - 0.85),
    )
    span = (min(r.epoch for r in records), max(r.epoch for r in records))
    for index, group in enumerate(groups):
        axes = figure.add_subplot(rows, columns, index + 1)
        _draw(axes, records, group, None if together else index % 10, span)
        axes.tick_params(labelsize=8)
        if together and _wide_positive_range(records, group):
            axes.set_yscale("log")  # e.g. a diverging run's losses, next to the healthy epochs'
        if together:
            axes.legend(loc="best", fontsize="small", ncol=max(1, math.ceil(len(group) / 6)))
        else:
            axes.set_title(", ".join(group), fontsize=9)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
