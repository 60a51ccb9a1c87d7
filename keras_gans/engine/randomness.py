"""Named, stateless random streams: every draw is a function of ``(model seed, step, purpose)``.

A step is therefore reproducible, a resumed model continues the same stream, and under a ``tf.distribute``
strategy every replica takes its own slice of the same global draw, so N replicas compute exactly what one device
computes on the global batch. A family names its purposes (integers below :data:`DRAWS_PER_STEP`) once, in its own
module. Draws made inside an XLA cluster are not the numbers the same draw gives outside one (TensorFlow 2.21
scrambles the Philox key once more under XLA, tensorflow/tensorflow#117644): a ``jit_compile=True`` run follows
another, equally valid stream; in each mode every draw is reproducible.

Sampling (``generate``, the exported ``generate`` signature) draws from ``seed=[user seed, SAMPLING_STREAM]``,
independent of the training streams.
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

__all__ = ["DRAWS_PER_STEP", "SAMPLING_STREAM", "NoiseSource", "sampling_normal"]

#: Purposes available to one step: the step's seed is ``step * DRAWS_PER_STEP + purpose``.
DRAWS_PER_STEP = 64
#: Second seed word of the sampling draws (``generate``, exported signatures).
SAMPLING_STREAM = 1


def sampling_normal(shape, seed) -> tf.Tensor:
    """The latents of ``generate(..., seed=seed)``: ``stateless_normal(shape, [seed, SAMPLING_STREAM])``, Philox."""
    seed = tf.stack([tf.cast(seed, tf.int64), tf.constant(SAMPLING_STREAM, tf.int64)])
    return tf.random.stateless_normal(shape, seed=seed, alg="philox")


class NoiseSource:
    """The training-time draws of a model with seed ``seed``; ``step`` may be a tensor."""

    def __init__(self, seed: int):
        self.seed = int(seed)

    def step_seed(self, step, purpose: int) -> tf.Tensor:
        return tf.stack([tf.constant(self.seed, tf.int64), tf.cast(step, tf.int64) * DRAWS_PER_STEP + purpose])

    def _replica_slice(self, draw: Callable, local_shape, step, purpose: int):
        """``local_shape`` values; under a strategy, this replica's slice of the global batch's draw."""
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        seed = self.step_seed(step, purpose)
        if replicas == 1:
            return draw(local_shape, seed)
        local_batch = local_shape[0]
        values = draw([local_batch * replicas, *local_shape[1:]], seed)
        replica_id = tf.cast(tf.distribute.get_replica_context().replica_id_in_sync_group, tf.int32)
        return values[replica_id * local_batch : (replica_id + 1) * local_batch]

    def normal(self, shape, step, purpose: int) -> tf.Tensor:
        """N(0, 1) draws of ``shape`` (first entry: the local batch) for ``(step, purpose)``."""
        return self._replica_slice(
            lambda s, seed: tf.random.stateless_normal(s, seed, alg="philox"), shape, step, purpose
        )

    def uniform(self, shape, step, purpose: int) -> tf.Tensor:
        """U[0, 1) draws of ``shape`` for ``(step, purpose)``."""
        return self._replica_slice(
            lambda s, seed: tf.random.stateless_uniform(s, seed, alg="philox"), shape, step, purpose
        )

    def categorical(self, batch, num_classes: int, step, purpose: int) -> tf.Tensor:
        """Uniform class indices in [0, num_classes), int32, shape (batch,)."""
        draw = self.uniform([batch], step, purpose)
        return tf.minimum(tf.cast(draw * num_classes, tf.int32), num_classes - 1)
