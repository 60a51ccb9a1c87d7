"""Baselines built the way two keras.io examples describe them, for ``zoo_table.py`` to rank the zoo against.

* ``"keras-io DCGAN"``: "DCGAN to generate face images" (``examples/generative/dcgan_overriding_train_step.py``,
  fchollet). D: three 4x4 stride-2 convolutions (64, 128, 128 filters, LeakyReLU 0.2), flatten, dropout 0.2, a sigmoid
  unit. G: z (128) -> dense -> reshape -> 4x4 stride-2 transposed convolutions (128, 256, 512, LeakyReLU 0.2) -> a 5x5
  convolution. Loss: binary cross-entropy on D's probabilities, fake labelled 1 and real 0, the labels plus 0.05 ·
  U[0, 1) noise; G trained with the labels "real" (0). Adam(1e-4) for both players.
* ``"keras-io CGAN"``: "Conditional GAN" (``examples/generative/conditional_gan.py``, Sayak Paul). G sees z (128)
  concatenated with the one-hot label: dense to a (S/4)x(S/4)x(128 + classes) grid, LeakyReLU, two 4x4 stride-2
  transposed convolutions (128, 128, LeakyReLU 0.2), a 7x7 convolution. D sees the image with the one-hot label
  broadcast as extra channels: two 3x3 stride-2 convolutions (64, 128, LeakyReLU 0.2), global max pooling, one logit.
  Loss: binary cross-entropy on logits, fake 1 and real 0 (no label noise); Adam(3e-4) for both.

Adapted to the data, not copied: the examples' sigmoid outputs are for images in [0, 1]; these data are in [-1, 1], so
G's sigmoid output is rescaled to ``2 · sigmoid(x) - 1`` (the same network, its output mapped as the data are). The
face example grows 8x8 -> 64x64 in three stages; here G keeps as many of its first stages (narrowest first) as leave a
starting grid of at least 7 pixels (the example's MNIST predecessor starts at 7x7), at least one: 28x28 and 32x32
start at 7x7 and 8x8 with 128 and 256 filters, 8x8 at 4x4. The CGAN's two stages become fewer when the side is not a
multiple of 4. D's dropout is applied in training (``training=True``). Nothing else of the package is used: no EMA, no
augmentation, no tricks.

Each baseline is a ``keras.Model`` with a ``train_step`` and ``generate(seed=, num_samples= | labels=)`` returning
float32 images in [-1, 1], enough for ``zoo_table.run_one``.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import layers, ops

__all__ = ["BASELINES", "KerasIOCGAN", "KerasIODCGAN", "generator_stages"]

LATENT_DIM = 128
LEAKY_SLOPE = 0.2
#: The face example's label noise: ``labels += 0.05 * U[0, 1)``.
DCGAN_LABEL_NOISE = 0.05
DCGAN_LEARNING_RATE = 1e-4
CGAN_LEARNING_RATE = 3e-4
#: The face example's generator widths, one per stride-2 stage (8x8 -> 16 -> 32 -> 64).
DCGAN_G_WIDTHS = (128, 256, 512)
DCGAN_D_WIDTHS = (64, 128, 128)
CGAN_G_WIDTHS = (128, 128)
CGAN_D_WIDTHS = (64, 128)
#: The smallest starting grid side kept when stages are dropped (the MNIST version of the example starts at 7x7).
MIN_START_SIDE = 7
GENERATE_BATCH = 500


def generator_stages(height: int, width: int, max_stages: int, min_start: int = MIN_START_SIDE) -> int:
    """The number ``n`` of stride-2 upsampling stages: the largest ``n <= max_stages`` with both sides divisible by
    ``2^n`` and ``min(height, width) / 2^n >= min_start``; else the largest ``n <= min(1, max_stages)`` that divides
    (so 8x8 gets one stage from 4x4); 0 for odd sides."""
    divides = [n for n in range(max_stages + 1) if height % 2**n == 0 and width % 2**n == 0]
    large = [n for n in divides if n >= 1 and min(height, width) // 2**n >= min_start]
    return max(large) if large else max(n for n in divides if n <= 1)


def strided_stack(layer: type, widths: tuple[int, ...], kernel: int) -> list:
    """``[layer(w, kernel, strides=2, padding="same"), LeakyReLU(0.2)]`` for each width: the examples' D (``Conv2D``)
    and G (``Conv2DTranspose``) stages."""
    return [
        block
        for filters in widths
        for block in (layer(filters, kernel, strides=2, padding="same"), layers.LeakyReLU(LEAKY_SLOPE))
    ]


class _KerasIOGAN(keras.Model):
    """The examples' shared step: D on [fake; real] labelled [1; 0] (plus noise), then G with the labels 0."""

    label_noise = 0.0
    learning_rate = 1e-4
    from_logits = False

    def __init__(self, image_shape: tuple[int, int, int], seed: int | None = None, latent_dim: int = LATENT_DIM,
                 **kwargs: Any):  # fmt: skip
        super().__init__(**kwargs)
        self.image_shape = tuple(int(v) for v in image_shape)
        self.latent_dim = int(latent_dim)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.d_loss_tracker = keras.metrics.Mean(name="d_loss")
        self.g_loss_tracker = keras.metrics.Mean(name="g_loss")

    def compile(self, d_optimizer=None, g_optimizer=None, loss_fn=None, **kwargs: Any) -> None:
        """The example's Adam(``learning_rate``) for both players and binary cross-entropy, unless given."""
        super().compile(**kwargs)
        self.d_optimizer = d_optimizer or keras.optimizers.Adam(self.learning_rate)
        self.g_optimizer = g_optimizer or keras.optimizers.Adam(self.learning_rate)
        self.loss_fn = loss_fn or keras.losses.BinaryCrossentropy(from_logits=self.from_logits)
        self.d_optimizer.build(self.discriminator.trainable_variables)
        self.g_optimizer.build(self.generator.trainable_variables)

    @property
    def metrics(self) -> list:
        return [self.d_loss_tracker, self.g_loss_tracker]

    def get_config(self) -> dict:
        return {"image_shape": self.image_shape, "seed": self.seed, "latent_dim": self.latent_dim}

    # Conditioning hooks (the DCGAN has none)
    def generator_input(self, z, one_hot):
        return z

    def discriminator_input(self, images, one_hot):
        return images

    def unpack(self, data):
        """``(images, one-hot labels or None)`` of a batch."""
        return (data[0] if isinstance(data, (tuple, list)) else data), None

    def train_step(self, data):
        import tensorflow as tf

        real, one_hot = self.unpack(data)
        batch = ops.shape(real)[0]
        z = keras.random.normal((batch, self.latent_dim), seed=self.seed_generator)
        fake = self.generator(self.generator_input(z, one_hot), training=True)
        both_labels = None if one_hot is None else ops.concatenate([one_hot, one_hot], axis=0)
        combined = self.discriminator_input(ops.concatenate([fake, real], axis=0), both_labels)
        targets = ops.concatenate([ops.ones((batch, 1)), ops.zeros((batch, 1))], axis=0)
        if self.label_noise:
            targets += self.label_noise * keras.random.uniform(ops.shape(targets), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            d_loss = self.loss_fn(targets, self.discriminator(combined, training=True))
        grads = tape.gradient(d_loss, self.discriminator.trainable_variables)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_variables))

        z = keras.random.normal((batch, self.latent_dim), seed=self.seed_generator)
        with tf.GradientTape() as tape:
            fake = self.generator(self.generator_input(z, one_hot), training=True)
            predictions = self.discriminator(self.discriminator_input(fake, one_hot), training=True)
            g_loss = self.loss_fn(ops.zeros((batch, 1)), predictions)
        grads = tape.gradient(g_loss, self.generator.trainable_variables)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_variables))
        self.d_loss_tracker.update_state(d_loss)
        self.g_loss_tracker.update_state(g_loss)
        return {"d_loss": self.d_loss_tracker.result(), "g_loss": self.g_loss_tracker.result()}

    def generate(self, num_samples: int | None = None, seed: int | None = None, labels=None,
                 batch_size: int = GENERATE_BATCH) -> np.ndarray:  # fmt: skip
        """float32 images in [-1, 1] from latents drawn with ``numpy.random.default_rng(seed)`` (one per label)."""
        if labels is not None:
            num_samples = len(labels)
        if num_samples is None:
            raise ValueError("generate needs num_samples= (or labels= for the conditional baseline).")
        z = np.random.default_rng(seed).standard_normal((int(num_samples), self.latent_dim)).astype("float32")
        one_hot = None if labels is None else np.eye(self.num_classes, dtype="float32")[np.asarray(labels)]
        parts = []
        for start in range(0, len(z), batch_size):
            part = None if one_hot is None else one_hot[start : start + batch_size]
            inputs = self.generator_input(z[start : start + batch_size], part)
            parts.append(np.asarray(self.generator(inputs, training=False), "float32"))
        return np.clip(np.concatenate(parts), -1.0, 1.0)


class KerasIODCGAN(_KerasIOGAN):
    """keras.io "DCGAN to generate face images", adapted to ``image_shape`` (see the module docstring)."""

    label_noise = DCGAN_LABEL_NOISE
    learning_rate = DCGAN_LEARNING_RATE
    from_logits = False  # D ends in a sigmoid

    def __init__(self, image_shape: tuple[int, int, int], seed: int | None = None, **kwargs: Any):
        super().__init__(image_shape, seed, **kwargs)
        height, width, channels = self.image_shape
        stages = generator_stages(height, width, len(DCGAN_G_WIDTHS))
        start = (height // 2**stages, width // 2**stages)
        self.generator = keras.Sequential(
            [
                keras.Input((self.latent_dim,)),
                layers.Dense(start[0] * start[1] * DCGAN_G_WIDTHS[0]),
                layers.Reshape((*start, DCGAN_G_WIDTHS[0])),
                *strided_stack(layers.Conv2DTranspose, DCGAN_G_WIDTHS[:stages], 4),
                layers.Conv2D(channels, 5, padding="same", activation="sigmoid"),
                layers.Rescaling(2.0, offset=-1.0),  # [0, 1] -> [-1, 1]
            ],
            name="generator",
        )
        self.discriminator = keras.Sequential(
            [
                keras.Input(self.image_shape),
                *strided_stack(layers.Conv2D, DCGAN_D_WIDTHS, 4),
                layers.Flatten(),
                layers.Dropout(0.2),
                layers.Dense(1, activation="sigmoid"),
            ],
            name="discriminator",
        )


class KerasIOCGAN(_KerasIOGAN):
    """keras.io "Conditional GAN", adapted to ``image_shape`` and ``num_classes`` (see the module docstring)."""

    label_noise = 0.0
    learning_rate = CGAN_LEARNING_RATE
    from_logits = True  # D ends in a linear unit

    def __init__(self, image_shape: tuple[int, int, int], seed: int | None = None, num_classes: int = 10,
                 **kwargs: Any):  # fmt: skip
        super().__init__(image_shape, seed, **kwargs)
        self.num_classes = int(num_classes)
        height, width, channels = self.image_shape
        stages = generator_stages(height, width, len(CGAN_G_WIDTHS), min_start=1)
        start = (height // 2**stages, width // 2**stages)
        inputs = self.latent_dim + self.num_classes
        self.generator = keras.Sequential(
            [
                keras.Input((inputs,)),
                layers.Dense(start[0] * start[1] * inputs),
                layers.LeakyReLU(LEAKY_SLOPE),
                layers.Reshape((*start, inputs)),
                *strided_stack(layers.Conv2DTranspose, CGAN_G_WIDTHS[:stages], 4),
                layers.Conv2D(channels, 7, padding="same", activation="sigmoid"),
                layers.Rescaling(2.0, offset=-1.0),  # [0, 1] -> [-1, 1]
            ],
            name="generator",
        )
        self.discriminator = keras.Sequential(
            [
                keras.Input((height, width, channels + self.num_classes)),
                *strided_stack(layers.Conv2D, CGAN_D_WIDTHS, 3),
                layers.GlobalMaxPooling2D(),
                layers.Dense(1),
            ],
            name="discriminator",
        )

    def get_config(self) -> dict:
        return {**super().get_config(), "num_classes": self.num_classes}

    def unpack(self, data):
        images, labels = data
        return images, ops.one_hot(ops.cast(ops.reshape(labels, (-1,)), "int32"), self.num_classes)

    def generator_input(self, z, one_hot):
        return ops.concatenate([z, ops.cast(one_hot, z.dtype)], axis=1)

    def discriminator_input(self, images, one_hot):
        """The one-hot label broadcast over the image as extra channels."""
        height, width = self.image_shape[:2]
        planes = ops.broadcast_to(ops.cast(one_hot, images.dtype)[:, None, None, :],
                                  (ops.shape(images)[0], height, width, self.num_classes))  # fmt: skip
        return ops.concatenate([images, planes], axis=-1)


#: The pseudo-models ``zoo_table.py --models`` accepts besides the registered ones.
BASELINES = {"keras-io DCGAN": KerasIODCGAN, "keras-io CGAN": KerasIOCGAN}
