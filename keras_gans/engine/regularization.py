"""Lazy regularisation: a penalty evaluated every ``interval`` steps only, scaled by ``interval``.

StyleGAN2 (Karras et al., 2020, appendix B) computes R1 every 16 and path length every 4 minibatches and
multiplies them by the interval so that their expected contribution to the gradient is unchanged, at a fraction of
their cost. Here the penalty is folded into the player's loss on the steps where ``step % interval == 0`` (a
``tf.cond``, so the skipped steps pay nothing), which keeps one optimizer update per player and step and works
under XLA and ``tf.distribute``. The log of a lazy penalty averages the steps where it was computed.
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

__all__ = ["WeightedLog", "lazy_penalty"]


class WeightedLog:
    """A log value with a weight for the running mean (0 on steps where it was not computed)."""

    def __init__(self, value, weight):
        self.value = value
        self.weight = weight


def lazy_penalty(penalty: Callable[[], tf.Tensor], step, interval: int) -> tuple[tf.Tensor, WeightedLog | tf.Tensor]:
    """``(interval * penalty() or 0, log)``: the contribution to the loss at ``step`` and what to log.

    With ``interval == 1`` it is ``(penalty(), penalty())``, computed every step.
    """
    if interval == 1:
        value = penalty()
        return value, value
    active = tf.equal(tf.math.floormod(tf.cast(step, tf.int64), interval), 0)
    value = tf.cond(active, lambda: tf.cast(penalty(), tf.float32), lambda: tf.constant(0.0, tf.float32))
    return float(interval) * value, WeightedLog(value, tf.cast(active, tf.float32))
