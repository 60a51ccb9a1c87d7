"""Progress output that fits where it goes: Keras' bar on a terminal, one line per epoch in a file or a pipe."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

import keras

from keras_gans.reporting.history import format_seconds, format_value, numeric_logs

__all__ = ["EpochLineLogger", "format_logs", "is_terminal", "progress_callbacks"]


def format_logs(logs: dict[str, Any] | None) -> str:
    """``d_loss: 1.3847 - g_loss: 0.69305 - fid: 45.2``: every numeric log, in the order logged."""
    return " - ".join(f"{key}: {format_value(value)}" for key, value in numeric_logs(logs).items())


def is_terminal(stream: Any) -> bool:
    """Whether ``stream`` is an open terminal (False for files, pipes, captured output, closed streams)."""
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


class EpochLineLogger(keras.callbacks.Callback):
    """Writes one line per epoch -- ``Epoch 3/20 - 1.24s (62ms/step) - d_loss: 1.3847 - g_loss: 0.69305`` -- and
    flushes it, for output that is not a terminal (a log file, CI), where Keras' progress bar writes thousands of
    carriage-return characters per epoch. Use it with ``fit(verbose=0)``; see :func:`progress_callbacks`.

    Args:
        stream: where to write; ``sys.stdout`` at the time of each write by default.
        prefix: text put before each line (e.g. the run's name).
    """

    def __init__(self, stream: TextIO | None = None, prefix: str = "") -> None:
        super().__init__()
        self.stream = stream
        self.prefix = prefix
        self._epoch_start = 0.0

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch_start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        seconds = time.perf_counter() - self._epoch_start
        params = self.params or {}
        epochs, steps = params.get("epochs"), params.get("steps")
        line = f"{self.prefix}Epoch {epoch + 1}" + (f"/{epochs}" if epochs else "") + f" - {format_seconds(seconds)}"
        if steps:
            line += f" ({1000 * seconds / steps:.0f}ms/step)"
        text = format_logs(logs)
        stream = self.stream if self.stream is not None else sys.stdout
        stream.write(line + (f" - {text}" if text else "") + "\n")
        stream.flush()


def progress_callbacks(
    verbose: int | str | None = "auto", stream: TextIO | None = None
) -> tuple[int, list[keras.callbacks.Callback]]:
    """``(verbose, callbacks)`` for ``fit``: with ``verbose`` "auto" (or None), Keras' progress bar (``1``, no
    callback) when ``stream`` (``sys.stdout`` by default) is a terminal, else ``0`` and an
    :class:`EpochLineLogger` writing to ``stream``. An explicit ``verbose`` (0, 1, 2) wins: it is returned as is,
    with no callback.

    Example::

        verbose, extra = progress_callbacks(args.verbose, sys.stdout)
        model.fit(data, epochs=10, verbose=verbose, callbacks=[*callbacks, *extra])
    """
    if verbose is None or (isinstance(verbose, str) and verbose == "auto"):
        target = stream if stream is not None else sys.stdout
        if is_terminal(target):
            return 1, []
        return 0, [EpochLineLogger(stream)]
    if isinstance(verbose, str):
        if not verbose.strip().isdigit():
            raise ValueError(f"verbose must be 'auto', 0, 1 or 2, got {verbose!r}")
        verbose = int(verbose)
    return int(verbose), []
