"""Conditional GAN (Mirza & Osindero, 2014) on DCGAN networks: both networks see the class label; by default D takes
it through a projection (Miyato & Koyama, 2018), which measured far better label accuracy than the paper's input
concatenation at a fixed budget (``docs/zoo/defaults.md``)."""

from __future__ import annotations

import keras

from keras_gans.models.latent.dcgan import DCGAN
from keras_gans.models.registry import register_model
from keras_gans.networks.dcgan import CONDITIONINGS

__all__ = ["CGAN"]


@register_model
@keras.saving.register_keras_serializable(package="keras_gans")
class CGAN(DCGAN):
    """Class-conditional DCGAN: G(z, y) and D(x, y), trained on ``(images, labels)``.

    The label enters G as a one-hot vector concatenated to z. D takes it by projection (the default): its output is
    w·φ(x) + b + e_y·φ(x), with φ(x) its last features and e_y a learned class embedding; ``conditioning="concat"``
    gives the paper's input concatenation instead, one-hot maps (one constant channel per class) concatenated to
    the image channels. At 780 MNIST steps the projection D raised a held-out judge's label accuracy from 0.88 to
    0.97 (same optimizers, ``filters=32``); with all the defaults it is 0.98 (docs/zoo/defaults.md). Fake images in
    a step use the real batch's labels, so classes are balanced like the data. Sample with
    ``generate(labels=[...])``. Optimizers and EMA: :class:`DCGAN`'s measured defaults.

    Args:
        num_classes: number of classes (required).
        conditioning: how the default D takes the label: ``"projection"`` (Miyato & Koyama, 2018) or
            ``"concat"`` (the paper's); see :func:`keras_gans.networks.build_dcgan_discriminator`.
        **kwargs: as :class:`DCGAN`.
    """

    def __init__(self, num_classes: int | None = None, conditioning: str = "projection", **kwargs):
        if num_classes is None:
            raise ValueError(
                f"{type(self).__name__} needs num_classes= (the number of label values, e.g. 10 for MNIST)."
            )
        if conditioning not in CONDITIONINGS:
            raise ValueError(f"conditioning must be one of {CONDITIONINGS}, got {conditioning!r}.")
        self._conditioning = conditioning
        super().__init__(num_classes=num_classes, **kwargs)

    def _discriminator_conditioning(self) -> str:
        return self._conditioning
