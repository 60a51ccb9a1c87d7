"""The losses of the super-resolution family, as pure functions of float32 tensors (means over the batch).

``sr`` is the generator's output, ``hr`` the high-res target; ``real``/``fake`` are discriminator logits of high-res
and super-resolved images. Formulas (Ledig et al., 2017 for SRGAN; Wang et al., 2018 for ESRGAN):
"""

from __future__ import annotations

import tensorflow as tf

__all__ = [
    "l1_loss",
    "mse_loss",
    "relativistic_average_discriminator_loss",
    "relativistic_average_generator_loss",
    "standard_discriminator_loss",
    "standard_generator_loss",
]


def mse_loss(a, b) -> tf.Tensor:
    """``mean((a - b)^2)`` over every element: SRGAN's pixel-wise and VGG-feature content losses."""
    return tf.reduce_mean(tf.square(tf.cast(a, tf.float32) - tf.cast(b, tf.float32)))


def l1_loss(a, b) -> tf.Tensor:
    """``mean(|a - b|)`` over every element: ESRGAN's content (L1) and perceptual losses."""
    return tf.reduce_mean(tf.abs(tf.cast(a, tf.float32) - tf.cast(b, tf.float32)))


def _bce(logits, target: float) -> tf.Tensor:
    return tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(tf.fill(tf.shape(logits), target), logits))


def standard_discriminator_loss(real, fake) -> tf.Tensor:
    """``-E[log sigmoid(real)] - E[log(1 - sigmoid(fake))]`` (SRGAN's D)."""
    real, fake = tf.cast(real, tf.float32), tf.cast(fake, tf.float32)
    return _bce(real, 1.0) + _bce(fake, 0.0)


def standard_generator_loss(fake) -> tf.Tensor:
    """``-E[log sigmoid(fake)]``, the non-saturating form of SRGAN's adversarial loss ``sum -log D(G(I_LR))``."""
    return _bce(tf.cast(fake, tf.float32), 1.0)


def relativistic_average_discriminator_loss(real, fake, real_mean=None, fake_mean=None) -> tf.Tensor:
    """ESRGAN's D: ``-E_r[log D_Ra(x_r, x_f)] - E_f[log(1 - D_Ra(x_f, x_r))]`` with
    ``D_Ra(a, b) = sigmoid(C(a) - E[C(b)])`` (Jolicoeur-Martineau, 2019). ``real_mean``/``fake_mean``: ``E[C(.)]``
    when taken over more than this batch (the global batch under a strategy); the batch means by default."""
    real, fake, real_mean, fake_mean = _with_means(real, fake, real_mean, fake_mean)
    return _bce(real - fake_mean, 1.0) + _bce(fake - real_mean, 0.0)


def relativistic_average_generator_loss(real, fake, real_mean=None, fake_mean=None) -> tf.Tensor:
    """ESRGAN's G: ``-E_r[log(1 - D_Ra(x_r, x_f))] - E_f[log D_Ra(x_f, x_r)]``: the D loss with the targets swapped,
    so G's gradients come from the real images too. Means as in the D loss."""
    real, fake, real_mean, fake_mean = _with_means(real, fake, real_mean, fake_mean)
    return _bce(real - fake_mean, 0.0) + _bce(fake - real_mean, 1.0)


def _with_means(real, fake, real_mean, fake_mean) -> tuple:
    real, fake = tf.cast(real, tf.float32), tf.cast(fake, tf.float32)
    real_mean = tf.reduce_mean(real) if real_mean is None else tf.cast(real_mean, tf.float32)
    fake_mean = tf.reduce_mean(fake) if fake_mean is None else tf.cast(fake_mean, tf.float32)
    return real, fake, real_mean, fake_mean
