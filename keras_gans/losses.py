"""GAN losses as pure functions of discriminator outputs (logits or critic values).

Every function takes raw discriminator outputs (no sigmoid applied) and returns a scalar: the mean over the batch.
Discriminator losses take ``(real_outputs, fake_outputs)``, generator losses take ``fake_outputs``. Targets for
label smoothing are explicit arguments; no loss smooths silently.

A :class:`GANLoss` pairs a discriminator loss with its generator loss, and :func:`get` picks one by name so that a
config file can choose it: ``"minimax"``, ``"non_saturating"``, ``"wasserstein"``, ``"least_squares"``, ``"hinge"``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import NamedTuple

from keras import ops

__all__ = [
    "GANLoss",
    "classification_loss",
    "gaussian_code_loss",
    "get",
    "hinge_discriminator_loss",
    "hinge_generator_loss",
    "least_squares_discriminator_loss",
    "least_squares_generator_loss",
    "minimax_discriminator_loss",
    "minimax_generator_loss",
    "names",
    "non_saturating_generator_loss",
    "wasserstein_discriminator_loss",
    "wasserstein_generator_loss",
]


def _sigmoid_cross_entropy(logits, target):
    """Mean of -[t log σ(x) + (1 - t) log(1 - σ(x))], computed stably as t·softplus(-x) + (1 - t)·softplus(x)."""
    logits = ops.cast(logits, "float32")
    return ops.mean(target * ops.softplus(-logits) + (1.0 - target) * ops.softplus(logits))


def minimax_discriminator_loss(real_logits, fake_logits, real_target: float = 1.0, fake_target: float = 0.0):
    """Discriminator loss of the original GAN (Goodfellow et al., 2014), binary cross-entropy on logits.

    L_D = -E[log σ(D(x))] - E[log(1 - σ(D(G(z))))]

    With ``real_target < 1`` (e.g. 0.9, one-sided label smoothing, Salimans et al., 2016) or ``fake_target > 0``
    (two-sided smoothing) the cross-entropy is taken against those soft targets instead.
    """
    return _sigmoid_cross_entropy(real_logits, real_target) + _sigmoid_cross_entropy(fake_logits, fake_target)


def minimax_generator_loss(fake_logits):
    """Saturating generator loss of the original minimax game: L_G = E[log(1 - σ(D(G(z))))] = -E[softplus(D(G(z)))].

    Its gradient vanishes when D confidently rejects the samples; see :func:`non_saturating_generator_loss`.
    """
    return -ops.mean(ops.softplus(ops.cast(fake_logits, "float32")))


def non_saturating_generator_loss(fake_logits):
    """Non-saturating generator loss (Goodfellow et al., 2014, section 3): L_G = -E[log σ(D(G(z)))].

    Computed as E[softplus(-D(G(z)))]; the discriminator side is :func:`minimax_discriminator_loss`.
    """
    return ops.mean(ops.softplus(-ops.cast(fake_logits, "float32")))


def wasserstein_discriminator_loss(real_outputs, fake_outputs):
    """Critic loss of WGAN (Arjovsky et al., 2017): L_D = E[D(G(z))] - E[D(x)].

    Its negation is the critic's estimate of the Wasserstein-1 distance (up to the Lipschitz constant).
    """
    return ops.mean(ops.cast(fake_outputs, "float32")) - ops.mean(ops.cast(real_outputs, "float32"))


def wasserstein_generator_loss(fake_outputs):
    """Generator loss of WGAN (Arjovsky et al., 2017): L_G = -E[D(G(z))]."""
    return -ops.mean(ops.cast(fake_outputs, "float32"))


def least_squares_discriminator_loss(real_outputs, fake_outputs, real_target: float = 1.0, fake_target: float = 0.0):
    """LSGAN discriminator loss (Mao et al., 2017, eq. 2 with a=0, b=1): ½E[(D(x) - b)²] + ½E[(D(G(z)) - a)²]."""
    real_outputs = ops.cast(real_outputs, "float32")
    fake_outputs = ops.cast(fake_outputs, "float32")
    real_term = ops.mean(ops.square(real_outputs - real_target))
    return 0.5 * real_term + 0.5 * ops.mean(ops.square(fake_outputs - fake_target))


def least_squares_generator_loss(fake_outputs, target: float = 1.0):
    """LSGAN generator loss (Mao et al., 2017, eq. 2 with c=1): ½E[(D(G(z)) - c)²]."""
    return 0.5 * ops.mean(ops.square(ops.cast(fake_outputs, "float32") - target))


def hinge_discriminator_loss(real_outputs, fake_outputs):
    """Hinge discriminator loss (Lim & Ye, 2017; Miyato et al., 2018): E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))]."""
    real_outputs = ops.cast(real_outputs, "float32")
    fake_outputs = ops.cast(fake_outputs, "float32")
    return ops.mean(ops.relu(1.0 - real_outputs)) + ops.mean(ops.relu(1.0 + fake_outputs))


def hinge_generator_loss(fake_outputs):
    """Hinge generator loss (Lim & Ye, 2017): L_G = -E[D(G(z))]."""
    return -ops.mean(ops.cast(fake_outputs, "float32"))


def classification_loss(logits, labels):
    """Mean softmax cross-entropy of class ``logits`` (N, C) against integer ``labels`` (N,).

    L = -E[log softmax(logits)_y] (ACGAN's L_C, InfoGAN's categorical mutual-information term).
    """
    logits = ops.cast(logits, "float32")
    return ops.mean(ops.sparse_categorical_crossentropy(ops.cast(labels, "int32"), logits, from_logits=True))


def gaussian_code_loss(predicted_mean, codes):
    """Negative log-likelihood of continuous ``codes`` under N(predicted_mean, 1), constants dropped.

    L = E[½ Σ_j (c_j - μ_j)²]: InfoGAN's continuous mutual-information term with a fixed unit variance (Chen et
    al., 2016, section 6 factor the Q distribution as Gaussian; a fixed σ is the common simplification).
    """
    diff = ops.cast(codes, "float32") - ops.cast(predicted_mean, "float32")
    return ops.mean(0.5 * ops.sum(ops.square(diff), axis=-1))


class GANLoss(NamedTuple):
    """A discriminator loss and the generator loss it is trained against.

    ``supports_targets`` says whether the discriminator loss takes ``real_target``/``fake_target`` (label smoothing);
    ``outputs_are_logits`` whether D's outputs are probabilities' logits (so that D accuracy is ``output > 0``);
    ``estimates_wasserstein`` whether E[D(x)] - E[D(G(z))] estimates the Wasserstein distance (a critic);
    ``fake_probability`` maps a generator loss value to the mean D(G(z)) it implies (``None`` when it does not);
    ``saturates`` whether the generator's gradient vanishes when D rejects its samples (the minimax loss);
    ``zero_sum`` whether G's loss is minus D's (up to a term without G): a game with one value function, which
    unrolled GANs differentiate whole (Metz et al., 2017).
    """

    discriminator: Callable
    generator: Callable
    supports_targets: bool
    outputs_are_logits: bool
    estimates_wasserstein: bool = False
    fake_probability: Callable[[float], float] | None = None
    saturates: bool = False
    zero_sum: bool = False


def _fake_probability_non_saturating(g_loss: float) -> float:
    """L_G = -E[log σ(D(G(z)))] ≈ -log p, so p ≈ exp(-L_G)."""
    return math.exp(-g_loss)


def _fake_probability_minimax(g_loss: float) -> float:
    """L_G = E[log(1 - σ(D(G(z))))] ≈ log(1 - p), so p ≈ 1 - exp(L_G)."""
    return 1.0 - math.exp(min(g_loss, 0.0))


_REGISTRY: dict[str, GANLoss] = {
    "minimax": GANLoss(
        minimax_discriminator_loss,
        minimax_generator_loss,
        True,
        True,
        fake_probability=_fake_probability_minimax,
        saturates=True,
        zero_sum=True,
    ),
    "non_saturating": GANLoss(
        minimax_discriminator_loss,
        non_saturating_generator_loss,
        True,
        True,
        fake_probability=_fake_probability_non_saturating,
    ),
    "wasserstein": GANLoss(
        wasserstein_discriminator_loss,
        wasserstein_generator_loss,
        False,
        False,
        estimates_wasserstein=True,
        zero_sum=True,
    ),
    "least_squares": GANLoss(least_squares_discriminator_loss, least_squares_generator_loss, True, False),
    "hinge": GANLoss(hinge_discriminator_loss, hinge_generator_loss, False, False),
}


def names() -> list[str]:
    """The registered loss names."""
    return sorted(_REGISTRY)


def get(name: str) -> GANLoss:
    """The :class:`GANLoss` registered under ``name``."""
    try:
        return _REGISTRY[name]
    except KeyError:
        raise ValueError(f"Unknown GAN loss {name!r}; choose one of {names()}.") from None
