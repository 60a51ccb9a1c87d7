"""DCGAN (Radford et al., 2016): convolutional networks, non-saturating loss; defaults measured at a fixed budget.

The paper trains with Adam(2e-4, beta_1=0.5). At five MNIST epochs (780 steps of 64) the defaults here, Adam(4e-4,
beta_1=0, beta_2=0.99) for both networks and the generator's EMA (0.999, ramped up), reach a fifth to a third of
the paper settings' FID on a held-out judge (12.8 ± 1.2 against 40 and 83; ``docs/zoo/defaults.md``,
``benchmarks/bench_defaults.py``).
"""

from __future__ import annotations

import keras

from keras_gans.models.latent.base import GANModel
from keras_gans.models.registry import register_model
from keras_gans.networks import build_dcgan_discriminator, build_dcgan_generator

__all__ = ["DCGAN", "MEASURED_ADAM", "MEASURED_OPTIONS", "conv_networks"]

#: Adam (learning rate, beta_1, beta_2) of both players of DCGAN and CGAN: twice the paper's rate and no first
#: moment (beta_2 = 0.99, as ProGAN/StyleGAN), the fastest of the settings measured at 780 MNIST steps
#: (docs/zoo/defaults.md; the paper's Adam(2e-4, 0.5) is ``GANModel.default_optimizers``).
MEASURED_ADAM = (4e-4, 0.0, 0.99)
#: Training-option defaults of DCGAN and CGAN (a keyword argument overrides them; ``ema_decay=None`` turns EMA off):
#: sampling from the ramped-up EMA of G lowered FID at every budget from 400 steps on (docs/zoo/ema.md).
MEASURED_OPTIONS = {"ema_decay": 0.999}


def conv_networks(
    latent_dim: int,
    filters: int = 64,
    normalization: str | None = "batch",
    spectral_normalization: bool = False,
    minibatch_std: bool = False,
    num_classes: int | None = None,
    discriminator_classes: int | None = None,
    auxiliary_heads: dict[str, int] | None = None,
    conditioning: str = "concat",
):
    """A ``build(image_shape)`` making the DCGAN generator and discriminator with these settings.

    ``num_classes`` conditions G on labels; D takes them too unless ``discriminator_classes`` says otherwise
    (``0``: D takes images only, as ACGAN's), as ``conditioning`` says. ``auxiliary_heads`` adds D heads (see
    ``build_dcgan_discriminator``).
    """
    d_classes = num_classes if discriminator_classes is None else (discriminator_classes or None)

    def build(image_shape):
        return (
            build_dcgan_generator(latent_dim, image_shape, filters=filters, num_classes=num_classes),
            build_dcgan_discriminator(
                image_shape,
                filters=filters,
                normalization=normalization,
                spectral_normalization=spectral_normalization,
                minibatch_std=minibatch_std,
                num_classes=d_classes,
                auxiliary_heads=auxiliary_heads,
                conditioning=conditioning,
            ),
        )

    return build


@register_model
@keras.saving.register_keras_serializable(package="keras_gans")
class DCGAN(GANModel):
    """Deep convolutional GAN (Radford et al., 2016), for images whose sides are multiples of 4 (28, 32, 64...).

    Args:
        image_shape: (H, W, C) of the images, when building the default networks.
        latent_dim: size of z (100 in the paper).
        generator, discriminator: your own networks instead of the defaults.
        filters: width of the first D layer and last G layer; widths double per stage (64 in the paper).
        spectral_normalization: spectral norm on every D layer (Miyato et al., 2018).
        minibatch_std: a minibatch standard-deviation feature in D against mode collapse (Karras et al., 2018).
        **kwargs: ``num_classes``, ``loss``, ``seed`` and the training options of :class:`GANModel`
            (``ema_decay`` defaults to 0.999 here: ``MEASURED_OPTIONS``).

    ``compile()`` without optimizers gives both networks Adam(4e-4, beta_1=0, beta_2=0.99) (``MEASURED_ADAM``);
    pass ``keras.optimizers.Adam(2e-4, beta_1=0.5)`` twice for the paper's.
    """

    #: Whether ``MEASURED_ADAM`` and ``MEASURED_OPTIONS`` are this model's defaults. Models on these networks with a
    #: paper's recipe of their own (LSGAN, WGAN, WGAN-GP, SNGAN, ACGAN, InfoGAN) say False until they are measured.
    measured_defaults = True
    #: ``precision="auto"`` may pick mixed_bfloat16 (where bfloat16 is native, ``keras_gans.engine.precision``).
    #: Measured at 400 MNIST steps of 64, seeds 0 and 1, FID on ``bench_defaults.py``'s held-out judge, float32 vs
    #: mixed_bfloat16 (benchmarks/PRECISION.md): DCGAN (Adam(2e-4, 0.5), no EMA) 97.4 (76.6, 118.3) vs 74.9
    #: (77.9, 72.0); CGAN (Adam(4e-4, 0, 0.99), EMA 0.999) sampled from the EMA 11.5 (12.2, 10.8) vs 11.8 (12.7,
    #: 10.8), its live G 20.5 vs 13.5. Each difference of the samples ``generate`` gives is within the seed spread
    #: (the larger range over seeds: 41.7 and 1.9). The subclasses with other losses or penalties are not measured
    #: and say False.
    auto_bfloat16 = True

    def __init__(
        self,
        image_shape: tuple[int, int, int] | None = None,
        latent_dim: int = 100,
        generator: keras.Model | None = None,
        discriminator: keras.Model | None = None,
        filters: int = 64,
        spectral_normalization: bool = False,
        minibatch_std: bool = False,
        **kwargs,
    ):
        latent_dim, _ = self.check_sizes(latent_dim, kwargs.get("num_classes"))
        if self.measured_defaults:
            kwargs = {**MEASURED_OPTIONS, **kwargs}
        build = conv_networks(
            self.generator_input_size(latent_dim),
            filters,
            normalization=self.discriminator_normalization,
            spectral_normalization=spectral_normalization,
            minibatch_std=minibatch_std,
            num_classes=kwargs.get("num_classes"),
            discriminator_classes=None if self.labels_condition_discriminator else 0,
            auxiliary_heads=self._default_auxiliary_heads(kwargs.get("num_classes")),
            conditioning=self._discriminator_conditioning(),
        )
        generator, discriminator = self._networks(generator, discriminator, image_shape, build)
        super().__init__(generator, discriminator, latent_dim, **kwargs)

    #: Normalisation of the default discriminator's hidden layers.
    discriminator_normalization: str | None = "batch"

    def default_optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        """Adam(``MEASURED_ADAM``) for D and G; the paper's Adam(2e-4, beta_1=0.5) without measured defaults."""
        if not self.measured_defaults:
            return super().default_optimizers()
        learning_rate, beta_1, beta_2 = MEASURED_ADAM
        return {
            f"{net}_optimizer": keras.optimizers.Adam(learning_rate, beta_1=beta_1, beta_2=beta_2, name=f"{net}_adam")
            for net in ("d", "g")
        }

    def _default_auxiliary_heads(self, num_classes) -> dict[str, int] | None:
        """Extra heads of the default discriminator (ACGAN's classifier, InfoGAN's Q)."""
        return None

    def _discriminator_conditioning(self) -> str:
        """How the default conditional discriminator takes the label (``CONDITIONINGS`` of the DCGAN networks)."""
        return "concat"
