"""Time-to-quality curves for ``zoo_table.py``: when to evaluate during ``fit``, the callback that does it on a
clock that stops while it evaluates (and ends a wall-clock budget), and the plots of the curves.

A curve is a list of points ``{"step", "train_s", "fid", "kid", ...}``: the steps trained, the training wall seconds
so far (evaluations excluded, tracing included) and ``zoo_table.score_samples``' scores. ``K`` points are spread
evenly over the run, in steps (``eval_steps``) or, under a wall-clock budget, in seconds (``eval_seconds``); the
last one is the end of the run, scored by the caller after ``fit``.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = ["curve_recorder", "eval_seconds", "eval_steps", "mean_curve", "plot_dataset"]


def eval_steps(steps: int, points: int) -> list[int]:
    """The ``points`` evaluation steps of a ``steps``-step run: ``round(steps · k / points)``, k = 1..points, without
    repeats or step 0 (the last is ``steps``)."""
    if points < 1 or steps < 1:
        raise ValueError(f"eval points and steps must be >= 1, got points={points}, steps={steps}")
    return sorted({max(1, round(steps * k / points)) for k in range(1, points + 1)})


def eval_seconds(budget: float, points: int) -> list[float]:
    """The ``points`` evaluation times of a ``budget``-second run: ``budget · k / points``, k = 1..points."""
    if points < 1 or budget <= 0:
        raise ValueError(f"eval points must be >= 1 and the budget > 0 s, got points={points}, budget={budget}")
    return [budget * k / points for k in range(1, points + 1)]


def curve_recorder(
    evaluate: Callable[[], dict],
    at: Sequence[float],
    unit: str = "steps",
    budget_seconds: float | None = None,
    clock: Callable[[], float] = time.perf_counter,
) -> Any:
    """A ``keras.callbacks.Callback`` that calls ``evaluate()`` once the run reaches each of ``at`` (steps, or
    training seconds with ``unit="seconds"``) and, with ``budget_seconds``, stops ``fit`` once the training time
    reaches it. The training clock starts at ``on_train_begin`` and is paused while ``evaluate`` runs.

    Attributes: ``curve`` (the points so far), ``steps`` (trained), ``eval_s`` (seconds spent evaluating),
    ``training_seconds()`` (frozen at ``on_train_end``). (Built on call: this module must not import Keras.)
    """
    import keras

    if unit not in ("steps", "seconds"):
        raise ValueError(f"unit must be 'steps' or 'seconds', got {unit!r}")
    thresholds = sorted(at)

    class CurveRecorder(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.curve: list[dict] = []
            self.steps = 0
            self.eval_s = 0.0
            self._start: float | None = None
            self._end: float | None = None
            self._next = 0

        def on_train_begin(self, logs=None) -> None:
            self._start, self._end = clock(), None

        def training_seconds(self) -> float:
            now = self._end if self._end is not None else clock()
            return now - self._start - self.eval_s

        def record(self) -> None:
            """Scores the sampler now; the point's ``train_s`` is read before, and the scoring time not counted."""
            seconds = self.training_seconds()
            began = clock()
            self.curve.append({"step": self.steps, "train_s": seconds, **evaluate()})
            self.eval_s += clock() - began

        def on_train_batch_end(self, batch, logs=None) -> None:
            self.steps += 1
            seconds = self.training_seconds()
            position = self.steps if unit == "steps" else seconds
            if self._next < len(thresholds) and position >= thresholds[self._next]:
                while self._next < len(thresholds) and position >= thresholds[self._next]:
                    self._next += 1  # one evaluation for every threshold this step passed
                self.record()
            if budget_seconds is not None and seconds >= budget_seconds:
                self.model.stop_training = True

        def on_train_end(self, logs=None) -> None:
            self._end = clock()

    return CurveRecorder()


def mean_curve(curves: Sequence[Sequence[dict]], x: str, y: str) -> tuple[np.ndarray, np.ndarray]:
    """The seeds' mean curve: point ``i`` is the mean of ``x`` and of ``y`` over the curves that have a point ``i``
    with a finite ``y`` (runs of a budget may stop at different points)."""
    xs, ys = [], []
    for i in range(max((len(c) for c in curves), default=0)):
        points = [c[i] for c in curves if i < len(c) and c[i].get(y) is not None and np.isfinite(c[i][y])]
        if points:
            xs.append(float(np.mean([p[x] for p in points])))
            ys.append(float(np.mean([p[y] for p in points])))
    return np.asarray(xs), np.asarray(ys)


def plot_dataset(path: str, dataset: str, groups: dict[str, list[list[dict]]], title: str = "") -> str | None:
    """FID against training seconds and against steps, log scale, a line per group (its label -> the seeds'
    curves): the seeds' mean, each seed lighter. Writes ``path`` (PNG) and returns it; None when no curve has a
    point."""
    groups = {label: [c for c in curves if c] for label, curves in groups.items()}
    groups = {label: curves for label, curves in groups.items() if curves}
    if not groups:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, 2, figsize=(12, 4.8), sharey=True)
    colours = plt.get_cmap("tab10")
    for index, (label, curves) in enumerate(sorted(groups.items())):
        colour, style = colours(index % 10), ("-", "--", ":", "-.")[index // 10 % 4]  # 10 hues, then dashes
        for axis, x in zip(axes, ("train_s", "step")):
            if len(curves) > 1:
                for curve in curves:
                    xs, ys = mean_curve([curve], x, "fid")
                    axis.plot(xs, ys, color=colour, alpha=0.25, linewidth=0.8)
            xs, ys = mean_curve(curves, x, "fid")
            axis.plot(xs, ys, color=colour, linestyle=style, marker="o", markersize=3, linewidth=1.6, label=label)
    for axis, name in zip(axes, ("training wall seconds (evaluations excluded)", "steps")):
        axis.set_xlabel(name)
        axis.set_yscale("log")
        axis.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("FID (judge features) ↓")
    axes[1].legend(fontsize=7, loc="upper right", ncol=2)
    figure.suptitle(title or f"{dataset}: time to quality (mean over seeds, seeds lighter)")
    figure.tight_layout()
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
