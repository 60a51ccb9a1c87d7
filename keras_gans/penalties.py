"""Gradient penalties on the discriminator, as functions of a discriminator callable and its inputs.

``discriminator`` is any callable mapping a batch of images to one output per image (extra conditioning inputs
are bound by the caller, e.g. ``lambda x: d([x, labels])``). Both penalties return the *unweighted* mean;
the model multiplies by its weight.
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

__all__ = ["gradient_penalty", "interpolate", "r1_penalty"]


def interpolate(real, fake, alpha):
    """Points on straight lines between real and fake samples: x̂ = α·x + (1 - α)·x̃, α of shape (N, 1, ..., 1)."""
    return alpha * real + (1.0 - alpha) * fake


def _input_gradients(discriminator: Callable, inputs, scale: Callable | None):
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        outputs = tf.cast(discriminator(inputs), tf.float32)
        total = tf.reduce_sum(outputs)
        if scale is not None:
            total = scale(total)
    grads = tape.gradient(total, inputs)
    return tf.cast(grads, tf.float32)


def gradient_penalty(
    discriminator: Callable, real, fake, alpha, scale: Callable | None = None, unscale: Callable | None = None
):
    """WGAN-GP two-sided gradient penalty (Gulrajani et al., 2017, eq. 3): E[(‖∇_x̂ D(x̂)‖₂ - 1)²].

    ``alpha`` holds one uniform U[0, 1] draw per sample, shaped to broadcast over the image dimensions.
    ``scale``/``unscale`` let a mixed-precision caller scale the inner loss to avoid float16 underflow.
    The paper's weight is λ = 10.
    """
    x_hat = interpolate(tf.cast(real, tf.float32), tf.cast(fake, tf.float32), tf.cast(alpha, tf.float32))
    grads = _input_gradients(discriminator, x_hat, scale)
    if unscale is not None:
        grads = unscale(grads)
    norms = tf.sqrt(tf.reduce_sum(tf.square(tf.reshape(grads, [tf.shape(grads)[0], -1])), axis=1) + 1e-12)
    return tf.reduce_mean(tf.square(norms - 1.0))


def r1_penalty(discriminator: Callable, real, scale: Callable | None = None, unscale: Callable | None = None):
    """R1 penalty (Mescheder et al., 2018, eq. 9) on real data: E[‖∇_x D(x)‖₂²].

    The paper adds (γ/2)·R1 to the discriminator loss; pass γ/2 as the model's weight.
    """
    real = tf.cast(real, tf.float32)
    grads = _input_gradients(discriminator, real, scale)
    if unscale is not None:
        grads = unscale(grads)
    return tf.reduce_mean(tf.reduce_sum(tf.square(tf.reshape(grads, [tf.shape(grads)[0], -1])), axis=1))
