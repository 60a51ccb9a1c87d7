"""The generator's view of an unrolled discriminator (Metz et al., 2017), for ``unrolled_steps=k`` on any model.

The G loss is taken at D's weights after k more D updates on the step's real batch and G's fake batch, computed
functionally by :func:`keras_gans.engine.unrolling.unrolled_variables` (the real D is not changed). The fake batch
carries G's gradient into every unrolled update: that is the second-order term that lets G anticipate D's response
and spread over the modes. The updates continue D's own Adam state (moments and step count, as the paper's code)
when D's optimizer is Adam, else plain SGD at D's learning rate.
"""

from __future__ import annotations

import keras
import tensorflow as tf

from keras_gans.engine.unrolling import unrolled_variables

__all__ = ["unrolled_discriminator_outputs"]


def _inner(optimizer):
    return optimizer.inner_optimizer if isinstance(optimizer, keras.optimizers.LossScaleOptimizer) else optimizer


def unrolled_discriminator_outputs(model, real, fake_view, labels, step):
    """(adversarial output, auxiliary outputs or None) of D after ``model.options.unrolled_steps`` updates."""
    discriminator = model.discriminator
    optimizer = _inner(model.d_optimizer)
    opts = model.options

    def outputs(result):
        if isinstance(result, (list, tuple)):
            return tf.cast(result[0], tf.float32), [tf.cast(o, tf.float32) for o in result[1:]]
        return tf.cast(result, tf.float32), None

    def d_loss(forward):
        real_out = outputs(forward(model._d_inputs(real, labels)))[0]
        fake_out = outputs(forward(model._d_inputs(fake_view, labels)))[0]
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
    return outputs(result)
