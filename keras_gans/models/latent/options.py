"""Training options of the latent-space GANs: the practitioners' stabilisation tricks, one argument each."""

from __future__ import annotations

import dataclasses

import tensorflow as tf

from keras_gans import augment as augment_lib
from keras_gans.engine.options import EngineOptions, check_bool, check_number

__all__ = ["TrainingOptions"]


@dataclasses.dataclass(frozen=True)
class TrainingOptions(EngineOptions):
    """Options of the latent-space train step; every field is a keyword argument of the models, saved in their config.

    The engine's own options (``ema_decay``, ``skip_non_finite_gradients``, ``weight_clip``, ``precision``) are in
    :class:`~keras_gans.engine.options.EngineOptions`.

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
        augment: DiffAugment policy (Zhao et al., 2020), e.g. ``"translation,cutout,color"``, applied to real and
            fake images D sees, in both D and G steps.
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
    augment: str | None = None
    reuse_fake_batch: bool = False
    r1_interval: int = 1
    unrolled_steps: int = 0

    def __post_init__(self) -> None:
        super().__post_init__()
        check_number("discriminator_steps", self.discriminator_steps, low=1, integer=True)
        for name in ("label_smoothing", "fake_label_smoothing"):
            value = check_number(name, getattr(self, name))
            if not 0.0 <= value < 0.5:
                raise ValueError(f"{name} must be in [0, 0.5), got {value}; 0.1 means a real target of 0.9.")
        for name in ("instance_noise", "gradient_penalty_weight", "r1_weight"):
            check_number(name, getattr(self, name), low=0)
        check_number("instance_noise_decay_steps", self.instance_noise_decay_steps, low=0, integer=True)
        check_number("r1_interval", self.r1_interval, low=1, integer=True)
        check_number("unrolled_steps", self.unrolled_steps, low=0, integer=True)
        check_bool("reuse_fake_batch", self.reuse_fake_batch)
        if self.augment:
            augment_lib.parse_policy(self.augment)

    def instance_noise_std(self, generator_step):
        """The instance-noise standard deviation at ``generator_step`` (a tensor), or ``None`` when off."""
        if not self.instance_noise:
            return None
        if not self.instance_noise_decay_steps:
            return tf.constant(self.instance_noise, tf.float32)
        progress = tf.cast(generator_step, tf.float32) / float(self.instance_noise_decay_steps)
        return self.instance_noise * tf.maximum(0.0, 1.0 - progress)
