"""WGAN-GP (Gulrajani et al., 2017): Wasserstein loss, gradient penalty 10, 5 critic steps, Adam(1e-4, 0, 0.9)."""

from __future__ import annotations

import keras

from keras_gans.models.latent.dcgan import DCGAN
from keras_gans.models.registry import register_model

__all__ = ["WGANGP"]


@register_model
@keras.saving.register_keras_serializable(package="keras_gans")
class WGANGP(DCGAN):
    """Wasserstein GAN with gradient penalty on DCGAN networks whose critic has no batch norm.

    Paper defaults (Algorithm 1): λ = 10, n_critic = 5, Adam with learning rate 1e-4 and betas (0, 0.9). The
    critic must not use batch norm (the penalty is per sample); the default critic uses none. Logs the
    ``wasserstein_estimate`` E[D(x)] - E[D(G(z))] and the ``gradient_penalty``. Takes the arguments of
    :class:`DCGAN`.
    """

    default_loss = "wasserstein"
    discriminator_normalization = None
    #: The paper's recipe (optimizers, no EMA), not DCGAN's measured defaults (docs/zoo/defaults.md).
    measured_defaults = False
    #: Not measured in bfloat16 (benchmarks/PRECISION.md measures DCGAN and CGAN): "auto" keeps float32.
    auto_bfloat16 = False

    def __init__(self, **kwargs):
        kwargs.setdefault("gradient_penalty_weight", 10.0)
        kwargs.setdefault("discriminator_steps", 5)
        super().__init__(**kwargs)

    def default_optimizers(self):
        return {
            "d_optimizer": keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9, name="d_adam"),
            "g_optimizer": keras.optimizers.Adam(1e-4, beta_1=0.0, beta_2=0.9, name="g_adam"),
        }
