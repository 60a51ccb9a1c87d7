"""Training options shared by every model: the practitioners' stabilisation tricks, one argument each."""

from __future__ import annotations

import dataclasses

import tensorflow as tf

from keras_gans import augment as augment_lib

__all__ = ["TrainingOptions"]


@dataclasses.dataclass(frozen=True)
class TrainingOptions:
    """Options of the shared train step; every field is a keyword argument of the models and is saved in their config.

    Attributes:
        discriminator_steps: D updates per G update (k in Goodfellow et al., 2014; 5 for WGAN-GP). Each D step
            draws fresh latents and sees the same real batch.
        label_smoothing: one-sided label smoothing: D's target for real images is ``1 - label_smoothing``
            (0.1 gives the 0.9 of Salimans et al., 2016). Only for losses with targets (minimax, least squares).
        fake_label_smoothing: target for fake images (two-sided smoothing when > 0; Salimans et al. advise against).
        instance_noise: standard deviation of Gaussian noise added to every image D sees (Sønderby et al., 2017).
        instance_noise_decay_steps: the noise decays linearly to 0 over this many generator steps (0: constant).
        gradient_penalty_weight: λ of the WGAN-GP penalty (Gulrajani et al., 2017: 10).
        r1_weight: weight of the R1 penalty on real data, γ/2 in Mescheder et al. (2018).
        ema_decay: keep an exponential moving average of G's weights with this decay (e.g. 0.999, Karras et al.,
            2018; Yazıcı et al., 2019); ``generate`` and ``export`` then use the averaged generator.
        augment: DiffAugment policy (Zhao et al., 2020), e.g. ``"translation,cutout,color"``, applied to real and
            fake images D sees, in both D and G steps.
        skip_non_finite_gradients: zero a whole gradient update when any of its values is NaN or inf, so one bad
            batch does not poison the weights. Clip gradients with the optimizers' ``clipnorm``/``clipvalue``.
        reuse_fake_batch: with ``discriminator_steps == 1``, the generator update back-propagates through the batch
            the generator made for the discriminator update (its latents; one generator forward pass per
            iteration, as the PyTorch DCGAN example) instead of drawing fresh latents and running the generator
            again (keras-io's examples; the default). Faster per step, but not faster to a given sample quality
            in our runs: see docs/performance.md. G's batch-norm moving statistics are then updated once per
            iteration instead of twice. No effect with more D steps.
    """

    discriminator_steps: int = 1
    label_smoothing: float = 0.0
    fake_label_smoothing: float = 0.0
    instance_noise: float = 0.0
    instance_noise_decay_steps: int = 0
    gradient_penalty_weight: float = 0.0
    r1_weight: float = 0.0
    ema_decay: float | None = None
    augment: str | None = None
    skip_non_finite_gradients: bool = False
    reuse_fake_batch: bool = False

    def __post_init__(self) -> None:
        if int(self.discriminator_steps) != self.discriminator_steps or self.discriminator_steps < 1:
            raise ValueError(f"discriminator_steps must be an integer >= 1, got {self.discriminator_steps!r}.")
        for name in ("label_smoothing", "fake_label_smoothing"):
            value = getattr(self, name)
            if not 0.0 <= value < 0.5:
                raise ValueError(f"{name} must be in [0, 0.5), got {value}; 0.1 means a real target of 0.9.")
        for name in ("instance_noise", "gradient_penalty_weight", "r1_weight", "instance_noise_decay_steps"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}.")
        if self.ema_decay is not None and not 0.0 < self.ema_decay < 1.0:
            raise ValueError(f"ema_decay must be in (0, 1), e.g. 0.999, got {self.ema_decay}.")
        if self.augment:
            augment_lib.parse_policy(self.augment)

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    def to_config(self) -> dict:
        return dataclasses.asdict(self)

    def instance_noise_std(self, generator_step):
        """The instance-noise standard deviation at ``generator_step`` (a tensor), or ``None`` when off."""
        if not self.instance_noise:
            return None
        if not self.instance_noise_decay_steps:
            return tf.constant(self.instance_noise, tf.float32)
        progress = tf.cast(generator_step, tf.float32) / float(self.instance_noise_decay_steps)
        return self.instance_noise * tf.maximum(0.0, 1.0 - progress)
