"""The translation losses, as pure functions of network outputs and images (means over every element).

The adversarial terms follow the authors' code (junyanz/pytorch-CycleGAN-and-pix2pix): the D objective is halved
("we divide the objective by 2 while optimizing D", Isola et al., 2017, section 3.3), G's is not, and a PatchGAN's
per-patch outputs are averaged like a batch.
"""

from __future__ import annotations

from typing import NamedTuple

from keras import ops

from keras_gans import losses as gan_losses

__all__ = [
    "ADVERSARIAL_LOSSES",
    "AdversarialObjective",
    "adversarial_objective",
    "cycle_consistency_loss",
    "halved_minimax_discriminator_loss",
    "identity_loss",
    "l1_loss",
    "least_squares_generator_loss",
]


def l1_loss(outputs, targets):
    """Mean absolute error L1 = E[|y - G(x)|] over every pixel (Pix2Pix's reconstruction term, eq. 3)."""
    return ops.mean(ops.abs(ops.cast(targets, "float32") - ops.cast(outputs, "float32")))


def cycle_consistency_loss(real, reconstructed):
    """Cycle-consistency term of one domain (Zhu et al., 2017, eq. 2): E[|F(G(x)) - x|]."""
    return l1_loss(reconstructed, real)


def identity_loss(real, mapped):
    """Identity term of one generator (Zhu et al., 2017, section 5.2; Taigman et al., 2017): E[|G(y) - y|]."""
    return l1_loss(mapped, real)


def halved_minimax_discriminator_loss(real_logits, fake_logits):
    """Pix2Pix's D loss: ½(BCE(D(x, y), 1) + BCE(D(x, G(x)), 0)) = -½E[log σ(D(x, y))] - ½E[log(1 - σ(D(x, G(x))))]."""
    return 0.5 * gan_losses.minimax_discriminator_loss(real_logits, fake_logits)


def least_squares_generator_loss(fake_outputs):
    """CycleGAN's G loss (Mao et al., 2017 with c = 1, unhalved as in the authors' code): E[(D(G(x)) - 1)²]."""
    return ops.mean(ops.square(ops.cast(fake_outputs, "float32") - 1.0))


class AdversarialObjective(NamedTuple):
    """The D loss ``discriminator(real, fake)`` and the G loss ``generator(fake)`` of one objective."""

    discriminator: object
    generator: object
    outputs_are_logits: bool


#: name -> objective. ``"non_saturating"``: Pix2Pix's cross-entropy GAN; ``"least_squares"``: CycleGAN's LSGAN,
#: whose D loss ½E[(D(y) - 1)²] + ½E[D(G(x))²] is already halved
#: (:func:`keras_gans.losses.least_squares_discriminator_loss`).
ADVERSARIAL_LOSSES = {
    "non_saturating": AdversarialObjective(
        halved_minimax_discriminator_loss, gan_losses.non_saturating_generator_loss, True
    ),
    "least_squares": AdversarialObjective(
        gan_losses.least_squares_discriminator_loss, least_squares_generator_loss, False
    ),
}


def adversarial_objective(name: str) -> AdversarialObjective:
    """The objective called ``name``; a ValueError naming the choices otherwise."""
    if name not in ADVERSARIAL_LOSSES:
        raise ValueError(f"Unknown translation loss {name!r}; choose one of {sorted(ADVERSARIAL_LOSSES)}.")
    return ADVERSARIAL_LOSSES[name]
