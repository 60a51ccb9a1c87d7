"""``ResumableCheckpoint``: the whole model and the run's progress, saved together atomically every epoch.

``directory/last.keras`` is the model (weights, optimizer state, config) with the run's record of progress inside
the same zip (``keras_gans_run.json``: epochs done, steps done, every epoch's logs, the run's config). It is written
under a temporary name in the same folder, flushed to disk and moved into place with ``os.replace``, so a kill at
any moment leaves either the previous complete checkpoint or the new one: never a half-written file, and never a
checkpoint and a progress record that disagree (there is no second file to fall behind). The history CSV is then
rewritten from the record, atomically too, so it never holds an epoch the checkpoint does not (a kill between the
two leaves it one epoch short, and :func:`keras_gans.training.train` rewrites it from the checkpoint on resume).

Temporary files are named ``.tmp-<pid>-<name>`` (:func:`atomic_path`); :func:`remove_temp_files` deletes those a
killed run left. Keras' ``BackupAndRestore`` saves weights only; this keeps a loadable ``.keras`` model that also
serves as the run's latest result.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import zipfile
from collections.abc import Iterator
from typing import Any

import keras

__all__ = [
    "MODEL_FILE",
    "RECORD_NAME",
    "ResumableCheckpoint",
    "atomic_path",
    "is_temp_file",
    "latest_checkpoint",
    "read_history_csv",
    "read_record",
    "remove_temp_files",
    "write_history_csv",
    "write_text_atomically",
]

MODEL_FILE = "last.keras"
#: The member of the checkpoint's zip that holds the run's progress.
RECORD_NAME = "keras_gans_run.json"
#: The separate progress file of checkpoints written before the record moved into the zip (read for old runs).
LEGACY_STATE_FILE = "state.json"
TEMP_PREFIX = ".tmp-"
RECORD_FORMAT = 1


# ----------------------------------------------------------------------------------------------------------------
# Atomic files


def _fsync_directory(directory: str) -> None:
    try:
        fd = os.open(directory or ".", os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[str]:
    """A temporary path next to ``path`` to write; moved onto ``path`` with ``os.replace`` when the block succeeds.

    The temporary name keeps ``path``'s suffix (``.tmp-<pid>-last.keras``: writers that read the suffix work) and
    lies in the same folder (``os.replace`` is atomic only within one file system). The file is flushed to disk
    before the move and the folder after it, so even a power cut leaves the old file or the new one. When the block
    fails the temporary file is removed; a killed process leaves it, for :func:`remove_temp_files`.
    """
    path = os.fspath(path)
    directory, name = os.path.split(path)
    os.makedirs(directory or ".", exist_ok=True)
    tmp = os.path.join(directory, f"{TEMP_PREFIX}{os.getpid()}-{name}")
    try:
        yield tmp
        if os.path.isfile(tmp):
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    _fsync_directory(directory)


def write_text_atomically(path: str | os.PathLike, text: str) -> str:
    """Writes ``text`` (UTF-8) to ``path`` through :func:`atomic_path`; returns the path."""
    with atomic_path(path) as tmp, open(tmp, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    return os.fspath(path)


def is_temp_file(name: str) -> bool:
    """Whether ``name`` is a temporary file of :func:`atomic_path` (or of the older ``state.json.tmp-<pid>``)."""
    return name.startswith(TEMP_PREFIX) or ".json.tmp-" in name


def remove_temp_files(directory: str | os.PathLike) -> list[str]:
    """Deletes the temporary files a killed run left in ``directory`` (not below it); returns their paths."""
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        return []
    removed = []
    for name in os.listdir(directory):
        path = os.path.join(directory, name)
        if is_temp_file(name) and os.path.isfile(path):
            with contextlib.suppress(OSError):
                os.remove(path)
                removed.append(path)
    return removed


# ----------------------------------------------------------------------------------------------------------------
# History


def _number(value: Any) -> Any:
    try:
        return float(value)
    except (TypeError, ValueError):
        return value


def write_history_csv(path: str | os.PathLike, rows: list[dict]) -> str:
    """The epochs' logs as CSV (``epoch`` first, 0-based, then the logs in name order, as Keras' ``CSVLogger``)."""
    keys = sorted({key for row in rows for key in row if key != "epoch"})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["epoch", *keys], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({"epoch": int(row["epoch"]), **{k: row.get(k, "NA") for k in keys}})
    return write_text_atomically(path, out.getvalue())


def read_history_csv(path: str | os.PathLike, epochs_done: int | None = None) -> list[dict]:
    """The rows of a history CSV, one per epoch (the last row of an epoch written twice wins), below ``epochs_done``."""
    if not os.path.isfile(path):
        return []
    by_epoch: dict[int, dict] = {}
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            try:
                epoch = int(row.pop("epoch"))
            except (KeyError, TypeError, ValueError):
                continue
            by_epoch[epoch] = {"epoch": epoch, **{k: _number(v) for k, v in row.items() if k is not None}}
    return [by_epoch[e] for e in sorted(by_epoch) if epochs_done is None or e < epochs_done]


# ----------------------------------------------------------------------------------------------------------------
# The checkpoint and its record


def read_record(path: str | os.PathLike) -> dict | None:
    """The progress record inside the checkpoint ``path``, or ``None`` when it has none (or is not a zip file)."""
    try:
        with zipfile.ZipFile(path) as zf:
            if RECORD_NAME not in zf.namelist():
                return None
            record = json.loads(zf.read(RECORD_NAME).decode("utf-8"))
    except (OSError, zipfile.BadZipFile, ValueError):
        return None
    return record if isinstance(record, dict) and "epochs_done" in record else None


def _finite_logs(logs: dict | None) -> dict:
    out = {}
    for key, value in (logs or {}).items():
        try:
            value = float(value)
        except (TypeError, ValueError):
            continue
        out[key] = value if math.isfinite(value) else str(value)  # JSON has no NaN: "nan", "inf"
    return out


class ResumableCheckpoint(keras.callbacks.Callback):
    """Saves ``directory/last.keras`` with the run's progress record inside, at the end of every epoch.

    Args:
        directory: the checkpoint folder (created).
        history_path: if given, the history CSV rewritten from the record after each checkpoint.
        run_config: the run's config (a JSON-serialisable dict), kept in the record so that a resume can compare.
        history: the rows of the epochs already done (a resumed run's record), continued here.
    """

    def __init__(
        self,
        directory: str | os.PathLike,
        history_path: str | os.PathLike | None = None,
        run_config: dict | None = None,
        history: list[dict] | None = None,
    ):
        super().__init__()
        self.directory = os.fspath(directory)
        self.history_path = None if history_path is None else os.fspath(history_path)
        self.run_config = run_config
        self.history = list(history or [])

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        rows = [row for row in self.history if int(row["epoch"]) < epoch]
        rows.append({"epoch": epoch, **_finite_logs(logs)})
        step = getattr(self.model, "step_counter", None)
        record = {
            "format": RECORD_FORMAT,
            "epochs_done": epoch + 1,
            "steps_done": None if step is None else int(step.numpy()),
            "history": rows,
            "config": self.run_config,
        }
        with atomic_path(os.path.join(self.directory, MODEL_FILE)) as tmp:
            self.model.save(tmp)
            with zipfile.ZipFile(tmp, "a") as zf:
                zf.writestr(RECORD_NAME, json.dumps(record))
        self.history = rows
        with contextlib.suppress(FileNotFoundError):
            os.remove(os.path.join(self.directory, LEGACY_STATE_FILE))  # superseded by the record
        if self.history_path is not None:
            write_history_csv(self.history_path, rows)


def latest_checkpoint(directory: str | os.PathLike) -> tuple[str, int] | None:
    """``(model path, epochs done)`` of the checkpoint in ``directory``, or ``None`` when there is none.

    The epochs come from the record inside the checkpoint (or, for a checkpoint written before the record existed,
    from its ``state.json``); a checkpoint with neither counts as none.
    """
    model_path = os.path.join(directory, MODEL_FILE)
    if not os.path.isfile(model_path):
        return None
    record = read_record(model_path)
    if record is not None:
        return model_path, int(record["epochs_done"])
    state_path = os.path.join(directory, LEGACY_STATE_FILE)
    if not os.path.isfile(state_path):
        return None
    try:
        with open(state_path) as f:
            return model_path, int(json.load(f)["epochs_done"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
