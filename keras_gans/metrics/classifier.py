"""A small MNIST-family classifier whose penultimate layer serves as the feature space for digit metrics.

ImageNet Inception features say little about 28x28 grey digits, so for MNIST-like data FID, KID and precision/recall
are usually computed on a classifier trained on the data itself (as in the "domain-specific FID" practice). Train it
once with :func:`train_mnist_classifier`, save it (``model.save("mnist_classifier.keras")``) and use it through
:class:`keras_gans.metrics.extractors.ClassifierFeatureExtractor`; numbers are comparable only with the same saved
classifier (the extractor's settings carry a hash of its weights).
"""

from __future__ import annotations

import keras
import numpy as np

__all__ = ["build_mnist_classifier", "train_mnist_classifier"]


def build_mnist_classifier(
    image_shape: tuple[int, int, int] = (28, 28, 1), num_classes: int = 10, feature_dim: int = 128
) -> keras.Model:
    """A two-convolution CNN for [-1, 1] images: conv32-pool-conv64-pool-dense(``feature_dim``)-logits.

    The layer named ``"features"`` (ReLU, ``feature_dim`` units) is the penultimate layer; the output ``"logits"``
    has ``num_classes`` units without activation.
    """
    inputs = keras.Input(image_shape, name="images")
    x = keras.layers.Conv2D(32, 3, padding="same", activation="relu")(inputs)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Conv2D(64, 3, padding="same", activation="relu")(x)
    x = keras.layers.MaxPooling2D()(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(feature_dim, activation="relu", name="features")(x)
    outputs = keras.layers.Dense(num_classes, name="logits")(x)
    return keras.Model(inputs, outputs, name="mnist_classifier")


def train_mnist_classifier(
    images: np.ndarray,
    labels: np.ndarray,
    epochs: int = 3,
    batch_size: int = 128,
    learning_rate: float = 1e-3,
    num_classes: int | None = None,
    validation_split: float = 0.0,
    verbose: int = 0,
) -> keras.Model:
    """Builds and trains :func:`build_mnist_classifier` with Adam on sparse softmax cross-entropy.

    Args:
        images: float images in [-1, 1], (N, H, W, C).
        labels: int class labels (N,).
        epochs, batch_size, learning_rate: ``fit`` settings (3 epochs on 10,000 digits reach about 97% accuracy).
        num_classes: defaults to ``labels.max() + 1``.
        validation_split, verbose: passed to ``fit``; the history is on ``model.history``.

    Returns:
        The trained model, compiled with an ``accuracy`` metric.
    """
    images = np.asarray(images, dtype=np.float32)
    labels = np.asarray(labels).astype(np.int32)
    model = build_mnist_classifier(images.shape[1:], num_classes or int(labels.max()) + 1)
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    model.fit(images, labels, epochs=epochs, batch_size=batch_size, validation_split=validation_split, verbose=verbose)
    return model
