"""SNGAN (Miyato et al., 2018): spectral normalisation on every discriminator layer and the hinge loss."""

from __future__ import annotations

import keras

from keras_gans.models.latent.dcgan import DCGAN
from keras_gans.models.registry import register_model

__all__ = ["SNGAN"]


@register_model
@keras.saving.register_keras_serializable(package="keras_gans")
class SNGAN(DCGAN):
    """Spectrally normalised GAN on the DCGAN ("standard CNN") networks.

    Every convolution and dense layer of D is wrapped in ``keras.layers.SpectralNormalization`` (one power
    iteration per step, as the paper) and D has no batch norm; the loss is the hinge loss (the paper's Table 2
    and its official code). Optimizers: Adam(2e-4, beta_1=0.5, beta_2=0.999) with one D step, setting C of the
    paper's Table 1, which it uses for the standard CNN. Takes the arguments of :class:`DCGAN`.
    """

    default_loss = "hinge"
    discriminator_normalization = None
    #: The paper's recipe (optimizers, no EMA), not DCGAN's measured defaults (docs/zoo/defaults.md).
    measured_defaults = False
    #: Not measured in bfloat16 (benchmarks/PRECISION.md measures DCGAN and CGAN): "auto" keeps float32.
    auto_bfloat16 = False

    def __init__(self, **kwargs):
        kwargs.setdefault("spectral_normalization", True)
        super().__init__(**kwargs)

    def default_optimizers(self):
        return {
            "d_optimizer": keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.999, name="d_adam"),
            "g_optimizer": keras.optimizers.Adam(2e-4, beta_1=0.5, beta_2=0.999, name="g_adam"),
        }
