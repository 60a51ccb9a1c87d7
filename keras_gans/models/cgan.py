"""Conditional GAN (Mirza & Osindero, 2014) on DCGAN networks: both networks see the class label."""

from __future__ import annotations

import keras

from keras_gans.models.dcgan import DCGAN

__all__ = ["CGAN"]


@keras.saving.register_keras_serializable(package="keras_gans")
class CGAN(DCGAN):
    """Class-conditional DCGAN: G(z, y) and D(x, y), trained on ``(images, labels)``.

    The label enters G as a learned embedding concatenated to z, and D as a learned per-class feature map
    concatenated to the image channels (the paper concatenated one-hot vectors; an embedding is the same map with
    trainable weights). Fake images in a step use the real batch's labels, so classes are balanced like the data.
    Sample with ``generate(labels=[...])``.

    Args:
        num_classes: number of classes (required).
        **kwargs: as :class:`DCGAN`.
    """

    def __init__(self, num_classes: int | None = None, **kwargs):
        if num_classes is None or int(num_classes) < 2:
            raise ValueError("CGAN needs num_classes= (the number of label values, e.g. 10 for MNIST).")
        super().__init__(num_classes=int(num_classes), **kwargs)
