"""``render_report``: a run's report as one self-contained HTML page (styles inline, images as ``data:`` URIs)."""

from __future__ import annotations

import base64
import datetime
import html
import json
import math
import os
import re
import statistics
from collections.abc import Sequence
from typing import Any

from keras_gans.reporting.history import EpochRecord, format_seconds, format_value, ordered_keys
from keras_gans.reporting.plots import plot_curves, split_keys

__all__ = ["SECTIONS", "data_uri", "grid_epoch", "render_report"]

# The page's sections, by element id, in order.
SECTIONS = ("overview", "losses", "metrics", "samples", "health", "timings", "config", "history")
MAX_HISTORY_ROWS = 300

_MIME = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp"}
_STATUS_COLORS = {"healthy": "#1a7f37", "warnings": "#9a6700", "diverged": "#cf222e"}

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:0;color:#1f2328;
background:#f6f8fa}
main{max-width:1100px;margin:0 auto;padding:16px 24px 48px}
h1{font-size:1.5em;margin:12px 0 4px}h2{font-size:1.15em;margin:0 0 10px}
section{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:14px 18px;margin:14px 0}
nav a{margin-right:12px;color:#0969da;text-decoration:none;font-size:.9em}
.muted{color:#656d76}.badge{display:inline-block;padding:2px 10px;border-radius:12px;color:#fff;font-weight:600}
table{border-collapse:collapse;font-size:.85em}td,th{border-bottom:1px solid #d8dee4;padding:3px 8px;text-align:right}
th{background:#f6f8fa;position:sticky;top:0}td:first-child,th:first-child{text-align:left}
.kv td{text-align:left}.scroll{max-height:420px;overflow:auto}
img.plot{width:100%;max-width:1008px;height:auto}
img.grid{image-rendering:pixelated;max-width:100%;border:1px solid #d0d7de}
.strip{display:flex;flex-wrap:wrap;gap:8px}.strip figure{margin:0;text-align:center;font-size:.8em}
.strip img{width:120px;image-rendering:pixelated;border:1px solid #d0d7de}
pre{background:#f6f8fa;padding:10px;border-radius:6px;overflow:auto;font-size:.85em}
.diag{border-left:4px solid #9a6700;padding:4px 12px;margin:10px 0}.diag.divergence{border-color:#cf222e}
"""


def data_uri(path: str | os.PathLike) -> str:
    """The file at ``path`` as a ``data:`` URI (PNG, JPEG, GIF, WebP)."""
    mime = _MIME.get(os.path.splitext(os.fspath(path))[1].lower(), "application/octet-stream")
    with open(path, "rb") as file:
        return f"data:{mime};base64,{base64.b64encode(file.read()).decode('ascii')}"


def _png_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def grid_epoch(path: str | os.PathLike) -> int | None:
    """The epoch in a SampleGrid file name (``epoch_0007.png`` -> 7), or None."""
    match = re.search(r"epoch_(\d+)", os.path.basename(os.fspath(path)))
    return int(match.group(1)) if match else None


def _esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _kv_table(rows: Sequence[tuple[str, Any]]) -> str:
    body = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(v)}</td></tr>" for k, v in rows)
    return f'<table class="kv">{body}</table>'


def _section(section_id: str, title: str, body: str) -> str:
    return f'<section id="{section_id}"><h2>{_esc(title)}</h2>{body}</section>'


def _plot_section(section_id: str, title: str, png: bytes | None, empty: str) -> str:
    if png is None:
        return _section(section_id, title, f'<p class="muted">{_esc(empty)}</p>')
    return _section(section_id, title, f'<img class="plot" alt="{_esc(title)}" src="{_png_uri(png)}">')


def _pick(items: list[Any], count: int) -> list[Any]:
    """Up to ``count`` items, evenly spaced, first and last included."""
    if len(items) <= count:
        return items
    step = (len(items) - 1) / (count - 1)
    return [items[round(i * step)] for i in range(count)]


def _samples_section(grids: Sequence[str], max_strip: int, uri_cache: dict[str, str] | None) -> str:
    grids = [g for g in grids if os.path.isfile(g)]
    if not grids:
        return _section("samples", "Samples", '<p class="muted">No sample grid yet.</p>')
    cache = uri_cache if uri_cache is not None else {}

    def uri(path: str) -> str:
        key = f"{path}:{os.path.getmtime(path)}"
        if key not in cache:
            cache[key] = data_uri(path)
        return cache[key]

    latest = grids[-1]
    epoch = grid_epoch(latest)
    caption = f"epoch {epoch}" if epoch is not None else os.path.basename(latest)
    parts = [
        f'<figure style="margin:0"><img class="grid" alt="latest samples" src="{uri(latest)}" '
        f'style="width:min(100%,384px)"><figcaption class="muted">Latest: {_esc(caption)}</figcaption></figure>'
    ]
    if len(grids) > 1:
        shown = _pick(list(grids), max_strip)
        note = "" if len(shown) == len(grids) else f" ({len(shown)} of {len(grids)}, evenly spaced)"
        figures = "".join(
            f'<figure><img alt="samples {_esc(grid_epoch(g) or "")}" src="{uri(g)}">'
            f"<figcaption>epoch {_esc(grid_epoch(g) if grid_epoch(g) is not None else '?')}</figcaption></figure>"
            for g in shown
        )
        parts.append(f'<h3 style="font-size:1em">Per epoch{_esc(note)}</h3><div class="strip">{figures}</div>')
    return _section("samples", "Samples", "".join(parts))


def _health_section(health: dict[str, Any] | None) -> str:
    if not health:
        return _section("health", "Health", '<p class="muted">No TrainingMonitor in this run.</p>')
    from keras_gans.callbacks.training_diagnoses import DIAGNOSES

    status = str(health.get("status", "unknown"))
    color = _STATUS_COLORS.get(status, "#656d76")
    parts = [
        f'<p><span class="badge" style="background:{color}">{_esc(status)}</span> '
        f"after {_esc(health.get('epochs', '?'))} epoch(s), {_esc(health.get('steps', '?'))} steps</p>"
    ]
    for name, entry in (health.get("diagnoses") or {}).items():
        known = DIAGNOSES.get(name)
        epochs = ", ".join(str(e) for e in entry.get("epochs", []))
        lines = [
            f"<b>{_esc(entry.get('title', name))}</b> <span class='muted'>(epochs {_esc(epochs)})</span>",
            f"<div>{_esc(entry.get('first_detail', ''))}</div>",
        ]
        if known is not None:
            lines.append(f"<div><i>Likely cause:</i> {_esc(known.cause)}</div>")
            remedies = "".join(f"<li>{_esc(r)}</li>" for r in known.remedies)
            lines.append(f"<div><i>Try:</i><ul>{remedies}</ul></div>")
        if entry.get("docs"):
            lines.append(f"<div class='muted'>See <code>{_esc(entry['docs'])}</code></div>")
        parts.append(f'<div class="diag {_esc(name)}">{"".join(lines)}</div>')
    divergence = health.get("divergence")
    if divergence and "divergence" not in (health.get("diagnoses") or {}):
        restored = divergence.get("restored_from")
        parts.append(
            "<p><b>Divergence</b> at "
            + _esc(divergence.get("where", "?"))
            + (f"; weights restored from {_esc(restored)}" if restored else "; weights not restored")
            + "</p>"
        )
    if not health.get("diagnoses"):
        parts.append('<p class="muted">No diagnosis fired.</p>')
    last = health.get("last_epoch") or {}
    if last:
        parts.append(
            "<p class='muted'>Last epoch: "
            + _esc(", ".join(f"{k} {format_value(v)}" for k, v in last.items() if k != "epoch"))
            + "</p>"
        )
    return _section("health", "Health", "".join(parts))


def _config_section(config: dict[str, Any] | None) -> str:
    if not config:
        return _section("config", "Config", '<p class="muted">No config given.</p>')
    try:
        import yaml

        text = yaml.safe_dump(config, sort_keys=False, default_flow_style=False)
    except Exception:  # not YAML-serialisable: JSON with repr() for the rest
        text = json.dumps(config, indent=2, default=str)
    return _section("config", "Config", f"<pre>{_esc(text)}</pre>")


def _timings_section(records: list[EpochRecord], timings: dict[str, Any]) -> str:
    measured = [r.seconds for r in records if r.seconds is not None]
    rows: list[tuple[str, Any]] = [("epochs done", records[-1].epoch if records else 0)]
    if timings.get("epochs") is not None:
        rows.append(("epochs planned", timings["epochs"]))
    rows.append(("training time", format_seconds(timings.get("train_seconds"))))
    if measured:
        rows += [
            ("epoch time: last", format_seconds(measured[-1])),
            ("epoch time: mean", format_seconds(statistics.fmean(measured))),
            ("epoch time: median", format_seconds(statistics.median(measured))),
        ]
        epochs, done = timings.get("epochs"), records[-1].epoch if records else 0
        if epochs and done < epochs and timings.get("status") == "training":
            rows.append(("estimated time left", format_seconds((epochs - done) * statistics.median(measured))))
    if timings.get("report_seconds") is not None:
        rows.append(("report render time", format_seconds(timings["report_seconds"])))
    if timings.get("started"):
        rows.append(("started", timings["started"]))
    rows.append(("updated", timings.get("updated") or datetime.datetime.now().isoformat(timespec="seconds")))
    return _section("timings", "Timings", _kv_table(rows))


def _history_section(records: list[EpochRecord]) -> str:
    if not records:
        return _section("history", "History", '<p class="muted">No epoch finished yet.</p>')
    keys = ordered_keys(records)
    shown = records[-MAX_HISTORY_ROWS:]
    head = "".join(f"<th>{_esc(k)}</th>" for k in ["epoch", "seconds", *keys])
    body = []
    for record in reversed(shown):
        cells = [str(record.epoch), format_seconds(record.seconds)]
        cells += [format_value(record.logs[k]) if k in record.logs else "" for k in keys]
        body.append("<tr>" + "".join(f"<td>{_esc(c)}</td>" for c in cells) + "</tr>")
    note = "" if len(shown) == len(records) else f'<p class="muted">Last {len(shown)} of {len(records)} epochs.</p>'
    table = f'<div class="scroll"><table><tr>{head}</tr>{"".join(body)}</table></div>'
    return _section("history", "History (newest first)", note + table)


def render_report(
    records: list[EpochRecord],
    *,
    title: str = "Training report",
    grids: Sequence[str] = (),
    health: dict[str, Any] | None = None,
    config: dict[str, Any] | None = None,
    timings: dict[str, Any] | None = None,
    files: dict[str, str] | None = None,
    max_strip: int = 24,
    refresh_seconds: int | None = None,
    uri_cache: dict[str, str] | None = None,
) -> str:
    """The report page for a run's epoch ``records``.

    Args:
        records: the epochs so far (any log keys: keys with ``loss`` in the name share the loss chart, every other
            key gets its own small chart, a ``val_`` key joins its twin, a ``*_std`` key is drawn as a band).
        title: page title.
        grids: sample-grid image paths, oldest first (the last is shown large; up to ``max_strip`` in the strip).
        health: a :meth:`TrainingMonitor.summary` dict (or its ``health.json``).
        config: the run config, shown as YAML.
        timings: ``status`` ("training"/"finished"/...), ``epochs`` (planned), ``train_seconds``, ``started``,
            ``updated``, ``report_seconds``.
        files: name -> path of the run's files, listed in the overview.
        refresh_seconds: if set, the page reloads itself that often (for watching a run from a browser).
        uri_cache: a dict kept between calls so grid files are read and encoded once.
    """
    timings = dict(timings or {})
    status = str(timings.get("status", "finished"))
    losses, metrics = split_keys(records)
    overview_rows: list[tuple[str, Any]] = [("status", status)]
    if records:
        done = records[-1].epoch
        planned = timings.get("epochs")
        overview_rows.append(("epochs", f"{done} of {planned}" if planned else done))
        last = records[-1].logs
        shown = {k: last[k] for k in list(last)[:8]}
        overview_rows.append(("last epoch", ", ".join(f"{k} {format_value(v)}" for k, v in shown.items())))
    if health:
        overview_rows.append(("health", health.get("status", "unknown")))
    overview_rows.append(("training time", format_seconds(timings.get("train_seconds"))))
    overview = _kv_table(overview_rows)
    if files:
        rows = [
            (name, os.fspath(path) + ("" if os.path.exists(path) else " (not written yet)"))
            for name, path in files.items()
        ]
        overview += '<h3 style="font-size:1em">Files</h3>' + _kv_table(rows)
    nav = "".join(f'<a href="#{s}">{s}</a>' for s in SECTIONS)
    refresh = (
        f'<meta http-equiv="refresh" content="{int(refresh_seconds)}">'
        if refresh_seconds and status == "training"
        else ""
    )
    body = "".join(
        [
            _section("overview", "Overview", overview),
            _plot_section("losses", "Losses", plot_curves(records, losses, together=True), "No loss logged yet."),
            _plot_section(
                "metrics", "Metrics", plot_curves(records, metrics, together=False), "No other metric logged yet."
            ),
            _samples_section(list(grids), max_strip, uri_cache),
            _health_section(health),
            _timings_section(records, {**timings, "status": status}),
            _config_section(config),
            _history_section(records),
        ]
    )
    if any(not math.isfinite(v) for r in records for v in r.logs.values()):
        body = body.replace("<h2>Losses</h2>", "<h2>Losses <small class='muted'>(gaps: NaN/inf)</small></h2>", 1)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8">{refresh}'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{_CSS}</style></head>"
        f"<body><main><h1>{_esc(title)}</h1><nav>{nav}</nav>{body}</main></body></html>\n"
    )
