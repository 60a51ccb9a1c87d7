"""The training failures :class:`~keras_gans.callbacks.TrainingMonitor` recognises: cause, remedies, docs section.

Each remedy names the keras_gans option that applies it; ``anchor`` is the section of ``docs/troubleshooting.md``
(GitHub's heading anchors) that explains the failure with figures from real runs.
"""

from __future__ import annotations

import dataclasses

__all__ = ["DIAGNOSES", "DOCS_URL", "Diagnosis"]

DOCS_URL = "docs/troubleshooting.md"
_TTUR = (
    "TTUR: compile(d_optimizer=keras.optimizers.Adam(4e-4, beta_1=0.5), "
    "g_optimizer=keras.optimizers.Adam(1e-4, beta_1=0.5))"
)

_EMA_REMEDY = "ema_decay=0.999: sample from the averaged generator"


@dataclasses.dataclass(frozen=True)
class Diagnosis:
    """A recognised failure: its name, title, likely cause, remedies (keras_gans options) and docs section."""

    name: str
    title: str
    cause: str
    remedies: tuple[str, ...]
    anchor: str
    #: remedy -> the training option it turns on; the remedy is not offered to a model that has it on already.
    remedy_options: dict[str, str] = dataclasses.field(default_factory=dict)

    def link(self, docs_url: str = DOCS_URL) -> str:
        return f"{docs_url}#{self.anchor}"

    def remedies_for(self, options: object) -> tuple[str, ...]:
        """The remedies, less those whose option is already on in ``options`` (a model's training options)."""
        return tuple(
            remedy
            for remedy in self.remedies
            if remedy not in self.remedy_options or not getattr(options, self.remedy_options[remedy], None)
        )


DIAGNOSES: dict[str, Diagnosis] = {
    d.name: d
    for d in (
        Diagnosis(
            "mode_collapse",
            "Mode collapse",
            "the generator maps many latents to the same few images, and a discriminator that judges images one by "
            "one cannot see it",
            (
                "minibatch_std=True (DCGAN/GAN discriminators) lets D see the batch's variety",
                "spectral_normalization=True or r1_weight=1.0 keep D smooth so G is not pushed to one output",
                "label_smoothing=0.1 and instance_noise=0.1 soften an over-confident D",
                "loss='wasserstein' with gradient_penalty_weight=10 (WGANGP), which resists collapse",
                "check that the generator uses its latent input z",
            ),
            "mode-collapse",
        ),
        Diagnosis(
            "discriminator_overpowering",
            "Discriminator overpowering",
            "D separates real from fake perfectly, so its loss is near its minimum and G's signal fades",
            (
                _TTUR + ", or a lower D learning rate",
                "label_smoothing=0.1 (one-sided, real target 0.9)",
                "instance_noise=0.1 with instance_noise_decay_steps=<about half the run>",
                "augment='translation,cutout,color' (DiffAugment) when the dataset is small",
                "spectral_normalization=True or r1_weight=1.0; fewer discriminator_steps",
            ),
            "discriminator-overpowering",
        ),
        Diagnosis(
            "vanishing_gradients",
            "Vanishing generator gradients",
            "G's loss saturates where D rejects its samples confidently (e.g. loss='minimax'), so G stops learning",
            (
                "loss='non_saturating' (the default of GAN/DCGAN), 'least_squares' (LSGAN) or 'wasserstein' (WGANGP)",
                "weaken D: label_smoothing=0.1, instance_noise=0.1, " + _TTUR,
                "spectral_normalization=True or r1_weight=1.0",
            ),
            "vanishing-gradients",
        ),
        Diagnosis(
            "oscillation",
            "Oscillation / unstable losses",
            "steps too large for the two-player game: the networks overshoot each other instead of converging",
            (
                "lower both learning rates (e.g. Adam(1e-4, beta_1=0.5)), or " + _TTUR,
                "r1_weight=1.0 or gradient_penalty_weight=10 (zero-centred penalties damp the oscillation)",
                "spectral_normalization=True",
                _EMA_REMEDY,
            ),
            "oscillation-and-non-convergence",
            {_EMA_REMEDY: "ema_decay"},
        ),
        Diagnosis(
            "divergence",
            "Divergence (NaN/inf)",
            "a loss or gradient exploded: learning rate too high, no Lipschitz control on D, or float16 overflow",
            (
                "lower the learning rates; clip gradients: Adam(..., clipnorm=1.0)",
                "skip_non_finite_gradients=True skips the rare bad batch",
                "spectral_normalization=True, r1_weight=1.0 or gradient_penalty_weight=10",
                "mixed precision: the models wrap their optimizers in LossScaleOptimizer; keep D's output float32",
            ),
            "divergence-nan-or-inf",
        ),
    )
}
