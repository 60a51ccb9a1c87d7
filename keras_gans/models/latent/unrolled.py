"""The generator's view of an unrolled discriminator (Metz et al., 2017), for ``unrolled_steps=k`` on any model.

The G loss is taken at D's weights after k more D updates on the step's real batch and G's fake batch, computed
functionally by :func:`keras_gans.engine.unrolling.unrolled_variables` (the real D is not changed). The fake batch
carries G's gradient into every unrolled update: that is the second-order term that lets G anticipate D's response
and spread over the modes. The updates continue D's own Adam state (moments and step count, as the paper's code)
when D's optimizer is Adam, else plain SGD at D's learning rate.

Under a ``tf.distribute`` strategy the unrolled updates must see the global batch, as one device does: each
replica gathers the real and fake batches of all replicas (``ReplicaContext.all_gather``, differentiable, so the
second-order term reaches every replica's fakes) and unrolls on them; N replicas then give one device's weights.
With ``jit_compile=True`` under a strategy the gather cannot run inside the per-replica XLA function (like
synchronized batch norm), so each replica unrolls on its own batch there (a warning says so).
"""

from __future__ import annotations

import warnings

import keras
import tensorflow as tf

from keras_gans.engine.unrolling import unrolled_variables

__all__ = ["unrolled_discriminator_outputs"]


def _inner(optimizer):
    return optimizer.inner_optimizer if isinstance(optimizer, keras.optimizers.LossScaleOptimizer) else optimizer


def unrolled_discriminator_outputs(model, real, fake_view, labels, step):
    """D after ``model.options.unrolled_steps`` updates: ((adversarial, auxiliary or None) on ``fake_view``,
    adversarial output on ``real``)."""
    discriminator = model.discriminator
    optimizer = _inner(model.d_optimizer)
    opts = model.options

    def outputs(result):
        if isinstance(result, (list, tuple)):
            return tf.cast(result[0], tf.float32), [tf.cast(o, tf.float32) for o in result[1:]]
        return tf.cast(result, tf.float32), None

    gathered_real, fake_for_unrolling = _global_batches(model, real, fake_view)
    gathered = fake_for_unrolling is not fake_view
    unroll_labels = _gathered(labels) if labels is not None and gathered else labels

    def d_loss(forward):
        real_out = outputs(forward(model._d_inputs(gathered_real, unroll_labels)))[0]
        fake_out = outputs(forward(model._d_inputs(fake_for_unrolling, unroll_labels)))[0]
        if model.gan_loss.supports_targets:
            return model.gan_loss.discriminator(
                real_out, fake_out, real_target=1.0 - opts.label_smoothing, fake_target=opts.fake_label_smoothing
            )
        return model.gan_loss.discriminator(real_out, fake_out)

    if isinstance(optimizer, keras.optimizers.Adam):
        method, kwargs = "adam", {"adam_state": optimizer}
    else:
        method, kwargs = "sgd", {"learning_rate": optimizer.learning_rate}
    state = [v.value for v in discriminator.non_trainable_variables]
    weights = unrolled_variables(discriminator, None, state, d_loss, opts.unrolled_steps, method=method, **kwargs)
    result, _ = discriminator.stateless_call(weights, state, model._d_inputs(fake_view, labels), training=True)
    real_result, _ = discriminator.stateless_call(weights, state, model._d_inputs(real, labels), training=True)
    return outputs(result), outputs(real_result)[0]


def _gathered(tensor):
    return tf.distribute.get_replica_context().all_gather(tensor, axis=0)


def _global_batches(model, real, fake_view):
    """(real, fake) of the whole global batch under a strategy (gathered), else the local ones."""
    strategy = tf.distribute.get_strategy()
    if strategy.num_replicas_in_sync == 1 or tf.distribute.in_cross_replica_context():
        return real, fake_view
    if getattr(model, "_xla_inside_step", False):
        if not getattr(model, "_warned_local_unrolling", False):
            warnings.warn(
                "unrolled_steps with jit_compile=True under a tf.distribute strategy: each replica unrolls D on its "
                "own batch (a cross-replica gather cannot run inside XLA). Compile with jit_compile=False to unroll "
                "on the global batch.",
                stacklevel=2,
            )
            model._warned_local_unrolling = True
        return real, fake_view
    return _gathered(real), _gathered(fake_view)
