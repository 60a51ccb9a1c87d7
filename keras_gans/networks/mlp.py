"""Fully connected networks of the original GAN (Goodfellow et al., 2014) in their common modern form.

The paper used maxout units and dropout in D; practitioners' MLP GANs use LeakyReLU(0.2) layers of
256-512-1024 units in G (batch norm after the first) and 512-256 in D, which is what these build.
"""

from __future__ import annotations

import math

import keras

from keras_gans.networks.layers import MinibatchStdDev, label_embedding

__all__ = ["build_mlp_discriminator", "build_mlp_generator"]


def build_mlp_generator(
    latent_dim: int,
    image_shape: tuple[int, ...],
    hidden_units: tuple[int, ...] = (256, 512, 1024),
    num_classes: int | None = None,
    name: str = "generator",
) -> keras.Model:
    """z (and labels) -> images in [-1, 1] of ``image_shape`` through dense layers."""
    z = keras.Input((latent_dim,), name="z")
    inputs, x = [z], z
    if num_classes is not None:
        labels = keras.Input((), dtype="int32", name="labels")
        inputs.append(labels)
        x = keras.layers.Concatenate()([z, label_embedding(labels, num_classes, None, "g_label")])
    for i, units in enumerate(hidden_units):
        x = keras.layers.Dense(units, name=f"dense{i}")(x)
        if i > 0:
            x = keras.layers.BatchNormalization(synchronized=True, name=f"dense{i}_bn")(x)
        x = keras.layers.LeakyReLU(0.2)(x)
    x = keras.layers.Dense(math.prod(image_shape), activation="tanh", dtype="float32", name="to_image")(x)
    outputs = keras.layers.Reshape(tuple(image_shape), dtype="float32")(x)
    return keras.Model(inputs if num_classes is not None else z, outputs, name=name)


def build_mlp_discriminator(
    image_shape: tuple[int, ...],
    hidden_units: tuple[int, ...] = (512, 256),
    spectral_normalization: bool = False,
    minibatch_std: bool = False,
    num_classes: int | None = None,
    name: str = "discriminator",
) -> keras.Model:
    """Images (and labels) -> one unbounded output per image through dense layers."""

    def maybe_sn(layer):
        return keras.layers.SpectralNormalization(layer, name=f"sn_{layer.name}") if spectral_normalization else layer

    images = keras.Input(tuple(image_shape), name="images")
    inputs, x = [images], images
    if minibatch_std:
        x = MinibatchStdDev(name="minibatch_std")(x)
    x = keras.layers.Flatten()(x)
    if num_classes is not None:
        labels = keras.Input((), dtype="int32", name="labels")
        inputs.append(labels)
        x = keras.layers.Concatenate()([x, label_embedding(labels, num_classes, None, "d_label")])
    for i, units in enumerate(hidden_units):
        x = maybe_sn(keras.layers.Dense(units, name=f"dense{i}"))(x)
        x = keras.layers.LeakyReLU(0.2)(x)
    outputs = maybe_sn(keras.layers.Dense(1, dtype="float32", name="output"))(x)
    return keras.Model(inputs if num_classes is not None else images, outputs, name=name)
