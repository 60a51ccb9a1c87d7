"""``LinearDecay``: CycleGAN's learning-rate schedule, constant then linearly down towards 0 (Zhu et al., 2017).

The paper keeps the rate for 100 epochs and decays it linearly to zero over the next 100. The authors' code
multiplies the initial rate at epoch e (0-based) by

    factor(e) = 1 - max(0, e + 1 - constant_epochs) / (decay_epochs + 1)

(:func:`linear_decay_factor`), so the last decayed epoch still trains at 1 / (decay_epochs + 1) of it; after
``constant_epochs + decay_epochs`` epochs the factor stays 0.
"""

from __future__ import annotations

import keras
import numpy as np

__all__ = ["LinearDecay", "linear_decay_factor"]


def linear_decay_factor(epoch: int, constant_epochs: int, decay_epochs: int) -> float:
    """The learning-rate multiplier of 0-based ``epoch``: 1 - max(0, e + 1 - constant) / (decay + 1), at least 0."""
    return float(max(0.0, 1.0 - max(0, epoch + 1 - constant_epochs) / (decay_epochs + 1)))


def _check_epochs(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(f"{name} must be an integer >= 0 (100 in the CycleGAN paper), got {value!r}.")
    return int(value)


class LinearDecay(keras.callbacks.Callback):
    """Sets the learning rate of every optimizer of the model to ``initial · factor(epoch)`` at each epoch's start.

    Args:
        constant_epochs: epochs at the initial rate (100 in the paper).
        decay_epochs: epochs of linear decay after them (100).
        initial_learning_rate: the rate to decay from; ``None``: each optimizer's rate when training starts, divided
            by the factor of the epoch before, so a run resumed with ``initial_epoch`` continues the schedule.

    Works with the models' ``optimizers`` dict (``g_optimizer``, ``d_optimizer``) and plain Keras models; optimizers
    whose rate is itself a schedule are refused.
    """

    def __init__(self, constant_epochs: int = 100, decay_epochs: int = 100, initial_learning_rate: float | None = None):
        super().__init__()
        self.constant_epochs = _check_epochs("constant_epochs", constant_epochs)
        self.decay_epochs = _check_epochs("decay_epochs", decay_epochs)
        if initial_learning_rate is not None and not float(initial_learning_rate) > 0:
            raise ValueError(f"initial_learning_rate must be > 0, got {initial_learning_rate!r}.")
        self.initial_learning_rate = initial_learning_rate
        self._initial: dict[str, float] = {}
        self.history: list[dict[str, float]] = []

    def _optimizers(self) -> dict:
        optimizers = getattr(self.model, "optimizers", None)
        if isinstance(optimizers, dict):
            found = {name: o for name, o in optimizers.items() if o is not None}
        else:
            found = {"optimizer": self.model.optimizer} if getattr(self.model, "optimizer", None) else {}
        for name, optimizer in found.items():
            inner = getattr(optimizer, "inner_optimizer", optimizer)  # LossScaleOptimizer
            if isinstance(inner._learning_rate, keras.optimizers.schedules.LearningRateSchedule):
                raise ValueError(
                    f"LinearDecay sets the learning rate of {name}, but it follows a LearningRateSchedule: give it a "
                    "constant rate, or drop LinearDecay and keep the schedule."
                )
        return found

    def factor(self, epoch: int) -> float:
        return linear_decay_factor(epoch, self.constant_epochs, self.decay_epochs)

    def on_epoch_begin(self, epoch: int, logs=None) -> None:
        rates = {}
        for name, optimizer in self._optimizers().items():
            if name not in self._initial:
                if self.initial_learning_rate is not None:
                    self._initial[name] = float(self.initial_learning_rate)
                else:
                    current = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
                    before = self.factor(epoch - 1) if epoch > 0 else 1.0
                    if before == 0.0:
                        raise ValueError(
                            f"Resuming at epoch {epoch}, past the end of the decay: pass initial_learning_rate=."
                        )
                    self._initial[name] = current / before
            rate = self._initial[name] * self.factor(epoch)
            optimizer.learning_rate = rate
            rates[name] = rate
        self.history.append({"epoch": epoch, **rates})
