"""WGAN (Arjovsky et al., 2017): Wasserstein loss, critic weights clipped to [-0.01, 0.01], 5 critic steps, RMSprop."""

from __future__ import annotations

import keras

from keras_gans.models.latent.dcgan import DCGAN
from keras_gans.models.registry import register_model

__all__ = ["WGAN"]


@register_model
@keras.saving.register_keras_serializable(package="keras_gans")
class WGAN(DCGAN):
    """Wasserstein GAN with weight clipping on DCGAN networks whose critic has no batch norm.

    Paper defaults (Algorithm 1): clipping parameter c = 0.01 after every critic update (the engine's
    ``weight_clip`` option, which any model can use), n_critic = 5, RMSprop with learning rate 5e-5 for both
    networks. Logs the ``wasserstein_estimate`` E[D(x)] - E[D(G(z))]: it should fall as the samples improve
    (the paper's Figure 3). Takes the arguments of :class:`DCGAN`.
    """

    default_loss = "wasserstein"
    discriminator_normalization = None
    #: The paper's recipe (optimizers, no EMA), not DCGAN's measured defaults (docs/zoo/defaults.md).
    measured_defaults = False
    #: Not measured in bfloat16 (benchmarks/PRECISION.md measures DCGAN and CGAN): "auto" keeps float32.
    auto_bfloat16 = False

    def __init__(self, **kwargs):
        kwargs.setdefault("weight_clip", 0.01)
        kwargs.setdefault("discriminator_steps", 5)
        super().__init__(**kwargs)

    def default_optimizers(self):
        return {
            "d_optimizer": keras.optimizers.RMSprop(5e-5, name="d_rmsprop"),
            "g_optimizer": keras.optimizers.RMSprop(5e-5, name="g_rmsprop"),
        }
