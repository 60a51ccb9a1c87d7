"""``ResumableCheckpoint``: the whole model (weights, optimizer state, config) saved atomically every epoch."""

from __future__ import annotations

import json
import os

import keras

__all__ = ["ResumableCheckpoint", "latest_checkpoint"]

MODEL_FILE = "last.keras"
STATE_FILE = "state.json"


class ResumableCheckpoint(keras.callbacks.Callback):
    """Saves ``directory/last.keras`` and ``directory/state.json`` (epochs done) at the end of every epoch.

    Each file is written to a temporary name and moved into place with ``os.replace``, so an interrupted run
    always leaves the previous complete checkpoint, never a half-written one. :func:`latest_checkpoint` finds it.
    Keras' ``BackupAndRestore`` saves weights only; this keeps a loadable ``.keras`` model that also serves as
    the run's latest result.
    """

    def __init__(self, directory: str | os.PathLike):
        super().__init__()
        self.directory = os.fspath(directory)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        os.makedirs(self.directory, exist_ok=True)
        model_path = os.path.join(self.directory, MODEL_FILE)
        tmp_model = os.path.join(self.directory, f".tmp-{os.getpid()}-{MODEL_FILE}")
        self.model.save(tmp_model)
        os.replace(tmp_model, model_path)
        state_path = os.path.join(self.directory, STATE_FILE)
        tmp_state = state_path + f".tmp-{os.getpid()}"
        with open(tmp_state, "w") as f:
            json.dump({"epochs_done": epoch + 1, "logs": {k: float(v) for k, v in (logs or {}).items()}}, f)
        os.replace(tmp_state, state_path)


def latest_checkpoint(directory: str | os.PathLike) -> tuple[str, int] | None:
    """``(model path, epochs done)`` of the checkpoint in ``directory``, or ``None`` when there is none."""
    model_path = os.path.join(directory, MODEL_FILE)
    state_path = os.path.join(directory, STATE_FILE)
    if not (os.path.isfile(model_path) and os.path.isfile(state_path)):
        return None
    with open(state_path) as f:
        return model_path, int(json.load(f)["epochs_done"])
