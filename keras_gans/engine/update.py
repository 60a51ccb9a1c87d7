"""The update of one player: loss -> replica and loss scaling -> gradients -> norm -> skip non-finite -> apply."""

from __future__ import annotations

import keras
import tensorflow as tf

__all__ = [
    "NonFiniteGuard",
    "apply_update",
    "clip_weights",
    "global_norm",
    "penalty_loss_scaling",
    "scale_loss",
    "scale_loss_for_replicas",
]


def scale_loss_for_replicas(loss):
    """``loss / num_replicas``: replicas' gradients are summed, so each replica's mean loss is scaled down.

    The same as Keras' internal ``scale_loss_for_distribution``; logs keep the unscaled value.
    """
    replicas = tf.distribute.get_strategy().num_replicas_in_sync
    return loss if replicas == 1 else loss * (1.0 / replicas)


def scale_loss(optimizer: keras.optimizers.Optimizer, loss):
    """The loss to differentiate: scaled for the replicas, then by the optimizer's loss scale (mixed_float16)."""
    return optimizer.scale_loss(scale_loss_for_replicas(loss))


def global_norm(grads, optimizer) -> tf.Tensor:
    """The global L2 norm of ``grads`` in float32, with a ``LossScaleOptimizer``'s loss scale divided out."""
    grads = [tf.cast(g, tf.float32) for g in grads if g is not None]
    norm = tf.linalg.global_norm(grads) if grads else tf.constant(0.0)
    if isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        norm = norm / tf.cast(optimizer.dynamic_scale, tf.float32)
    return norm


def apply_update(optimizer, grads, variables, skip_non_finite: bool = False) -> None:
    """``optimizer.apply_gradients``; with ``skip_non_finite`` an update holding any NaN/inf becomes all zeros."""
    if skip_non_finite:
        finite = tf.reduce_all([tf.reduce_all(tf.math.is_finite(g)) for g in grads if g is not None])
        grads = [None if g is None else tf.where(finite, g, tf.zeros_like(g)) for g in grads]
    optimizer.apply_gradients(zip(grads, variables))


def clip_weights(variables, bound: float) -> None:
    """Clips every variable to [-bound, bound] (the WGAN critic's Lipschitz constraint, Arjovsky et al., 2017)."""
    for v in variables:
        v.assign(tf.clip_by_value(v, tf.cast(-bound, v.dtype), tf.cast(bound, v.dtype)))


def penalty_loss_scaling(optimizer) -> tuple:
    """``(scale, unscale)`` for a penalty's inner input-gradient tape.

    Under mixed_float16 the float16 input gradients would underflow, so they are taken of the loss times the
    optimizer's dynamic loss scale and divided back; a non-finite result makes the whole update non-finite, which
    ``LossScaleOptimizer`` skips. ``(None, None)`` without loss scaling.
    """
    if not isinstance(optimizer, keras.optimizers.LossScaleOptimizer):
        return None, None
    loss_scale = optimizer.dynamic_scale
    return (lambda x: x * tf.cast(loss_scale, x.dtype)), (lambda g: g / tf.cast(loss_scale, g.dtype))


class NonFiniteGuard:
    """Keeps non-trainable state (batch-norm moving statistics) finite across a step whose updates were skipped.

    Snapshot the networks' floating-point non-trainable variables before the step, ``restore()`` after it: every
    value that became NaN or inf takes its snapshot value back.
    """

    def __init__(self, networks):
        seen, self.variables = set(), []
        for network in networks:
            for v in network.non_trainable_variables:
                if id(v) not in seen and keras.backend.is_float_dtype(v.dtype):
                    seen.add(id(v))
                    self.variables.append(v)
        self.snapshot = [tf.identity(v.value) for v in self.variables]

    def restore(self) -> None:
        for v, saved in zip(self.variables, self.snapshot):
            v.assign(tf.where(tf.math.is_finite(v), v, saved))
