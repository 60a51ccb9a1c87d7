"""Conditional GAN (Mirza & Osindero, 2014) on DCGAN networks: both networks see the class label."""

from __future__ import annotations

import keras

from keras_gans.models.latent.dcgan import DCGAN
from keras_gans.models.registry import register_model

__all__ = ["CGAN"]


@register_model
@keras.saving.register_keras_serializable(package="keras_gans")
class CGAN(DCGAN):
    """Class-conditional DCGAN: G(z, y) and D(x, y), trained on ``(images, labels)``.

    The label enters G as a one-hot vector concatenated to z, and D as one-hot maps (one constant channel per
    class) concatenated to the image channels: the input concatenation of the paper. Fake images in a step use the
    real batch's labels, so classes are balanced like the data. Sample with ``generate(labels=[...])``.

    Args:
        num_classes: number of classes (required).
        **kwargs: as :class:`DCGAN`.
    """

    def __init__(self, num_classes: int | None = None, **kwargs):
        if num_classes is None:
            raise ValueError(
                f"{type(self).__name__} needs num_classes= (the number of label values, e.g. 10 for MNIST)."
            )
        super().__init__(num_classes=num_classes, **kwargs)
