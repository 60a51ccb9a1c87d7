"""A tiny stand-in GAN with the zoo's ``generate`` interface, so callback tests do not depend on keras_gans.models."""

import keras
import numpy as np
import pytest
import tensorflow as tf


class StandInGAN(keras.Model):
    """A dense generator z (+ one-hot label) -> tanh image, trained by a trivial train_step (match the batch mean)."""

    def __init__(self, image_shape=(28, 28, 1), latent_dim=8, num_classes=None):
        super().__init__()
        self.image_shape = tuple(image_shape)
        self.latent_dim = latent_dim
        self.num_classes = num_classes
        self.dense = keras.layers.Dense(int(np.prod(image_shape)), activation="tanh")
        self.dense.build((None, latent_dim + (num_classes or 0)))

    def call(self, inputs):
        return keras.ops.reshape(self.dense(inputs), (-1, *self.image_shape))

    def generate(self, num_samples=None, seed=None, labels=None, batch_size=256):
        if self.num_classes is not None:
            labels = np.asarray(labels, dtype="int32")
            num_samples = len(labels) if num_samples is None else num_samples
            assert num_samples == len(labels)
        else:
            assert labels is None
        z = np.random.default_rng(seed).normal(size=(num_samples, self.latent_dim)).astype("float32")
        if self.num_classes is not None:
            z = np.concatenate([z, np.eye(self.num_classes, dtype="float32")[labels]], axis=1)
        return np.concatenate([self(z[i : i + batch_size]).numpy() for i in range(0, num_samples, batch_size)])

    def train_step(self, data):
        real = data[0] if isinstance(data, tuple) else data
        z = tf.random.normal((tf.shape(real)[0], self.latent_dim + (self.num_classes or 0)))
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(tf.reduce_mean(self(z), axis=0) - tf.reduce_mean(real, axis=0)))
        self.optimizer.apply(tape.gradient(loss, self.trainable_variables), self.trainable_variables)
        return {"match_loss": loss}


@pytest.fixture
def stand_in_gan():
    """Factory: ``stand_in_gan(image_shape=..., num_classes=...)`` -> a compiled StandInGAN."""

    def make(image_shape=(28, 28, 1), num_classes=None):
        model = StandInGAN(image_shape=image_shape, num_classes=num_classes)
        model.compile(optimizer=keras.optimizers.SGD(0.1))
        return model

    return make


@pytest.fixture
def real_digits(mnist_float):
    """512 real MNIST digits in [-1, 1]."""
    return mnist_float[0][:512]
