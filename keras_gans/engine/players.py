"""Players: which optimizer updates which networks with which loss, in which order, how often."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

__all__ = ["Player"]


@dataclasses.dataclass(frozen=True)
class Player:
    """One side of the game.

    Attributes:
        name: ``"discriminator"``, ``"generator"``...
        optimizer: the name of its optimizer: the ``compile`` keyword and the model attribute (``"d_optimizer"``).
        networks: attribute names of the networks whose trainable variables it updates.
        loss: ``loss(batch, step, repeat) -> (loss, logs)``; ``batch`` is what the family's data spec unpacked,
            ``step`` the model's step counter (a tensor), ``repeat`` the index of this update within the step.
        repeats: updates per train step (``discriminator_steps`` of WGAN).
        log_prefix: its gradient norm is logged as ``<log_prefix>_grad_norm``.
        clipped: its weights are clipped after each update when the model's ``weight_clip`` option is set.
    """

    name: str
    optimizer: str
    networks: tuple[str, ...]
    loss: Callable
    repeats: int = 1
    log_prefix: str = ""
    clipped: bool = False

    @property
    def grad_norm_log(self) -> str:
        return f"{self.log_prefix or self.name}_grad_norm"
