"""Least-squares GAN (Mao et al., 2017) on DCGAN networks."""

from __future__ import annotations

import keras

from keras_gans.models.latent.dcgan import DCGAN
from keras_gans.models.registry import register_model

__all__ = ["LSGAN"]


@register_model
@keras.saving.register_keras_serializable(package="keras_gans")
class LSGAN(DCGAN):
    """DCGAN networks trained with the least-squares loss (a=0, b=1, c=1 of Mao et al., 2017, eq. 2).

    The paper's optimizer is Adam(2e-4, beta_1=0.5), the DCGAN default. Takes the arguments of :class:`DCGAN`.
    """

    default_loss = "least_squares"
    #: The paper's recipe (optimizers, no EMA), not DCGAN's measured defaults (docs/zoo/defaults.md).
    measured_defaults = False
    #: Not measured in bfloat16 (benchmarks/PRECISION.md measures DCGAN and CGAN): "auto" keeps float32.
    auto_bfloat16 = False
