"""``BestCheckpoint``: keeps the model of the epoch with the best sample-quality number, written atomically."""

from __future__ import annotations

import math
import os
from typing import Any

import keras

from keras_gans.callbacks.checkpoint import atomic_path

__all__ = ["BestCheckpoint"]


def _better(value: float, best: float | None, mode: str) -> bool:
    return best is None or (value < best if mode == "min" else value > best)


class BestCheckpoint(keras.callbacks.Callback):
    """Saves the model to ``path`` at the end of every epoch whose ``monitor`` log beats all earlier ones.

    Unlike ``keras.callbacks.ModelCheckpoint(save_best_only=True)`` the file is written under a temporary name and
    moved into place (a kill never leaves half a best model), epochs without the metric (it is computed every n
    epochs) are passed over silently, and a resumed run continues from the best value of its earlier epochs.

    Args:
        path: the ``.keras`` file.
        monitor: the log key (``fid``, ``psnr``...).
        mode: ``"min"`` or ``"max"``.
        best, best_epoch: the best value so far and its 1-based epoch (a resumed run's, e.g. from
            :func:`keras_gans.reporting.history.best_epoch`).
    """

    def __init__(
        self,
        path: str | os.PathLike,
        monitor: str,
        mode: str = "min",
        best: float | None = None,
        best_epoch: int | None = None,
    ) -> None:
        super().__init__()
        if mode not in ("min", "max"):
            raise ValueError(f"mode must be 'min' or 'max', got {mode!r}")
        self.path = os.fspath(path)
        self.monitor = monitor
        self.mode = mode
        self.best = best
        self.best_epoch = best_epoch

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        value = (logs or {}).get(self.monitor)
        if value is None or not math.isfinite(float(value)) or not _better(float(value), self.best, self.mode):
            return
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        with atomic_path(self.path) as tmp:
            self.model.save(tmp)
        self.best, self.best_epoch = float(value), epoch + 1
