"""Inception Score (IS) from class probabilities.

Salimans, Goodfellow, Zaremba, Cheung, Radford and Chen, "Improved Techniques for Training GANs", NeurIPS 2016
(arXiv:1606.03498)::

    IS = exp( E_x KL( p(y|x) || p(y) ) ),   p(y) = E_x p(y|x)

computed on each of ``splits`` consecutive parts of the samples (10 in the paper, on 50,000 images), and
reported as the mean and standard deviation over the parts. It ranges from 1 (every prediction the same) to the
number of classes (confident predictions spread evenly over all classes).

The defaults are the authors' (consecutive parts, ``np.std`` with ``ddof=0``). torch-fidelity shuffles the samples
first with ``numpy.random.RandomState(2020).permutation(n)``: ``shuffle=True, seed=2020`` reproduces it exactly.
torchmetrics shuffles with ``torch.randperm`` and reports the standard deviation with ``ddof=1``: ``shuffle=True,
ddof=1`` is the same estimator (other parts, so agreement within the spread; when ``n`` is not a multiple of
``splits`` its ``torch.chunk`` parts also differ in size from ``probs[i*n//splits : (i+1)*n//splits]``).
"""

from __future__ import annotations

import numpy as np
from scipy.special import rel_entr

__all__ = ["inception_score_from_probs"]


def inception_score_from_probs(
    probs: np.ndarray, splits: int = 10, shuffle: bool = False, seed: int | None = 2020, ddof: int = 0
) -> tuple[float, float]:
    """``exp(E_x KL(p(y|x) || p(y)))`` per split, returned as ``(mean, std)`` over splits (Salimans et al. 2016).

    Args:
        probs: (n, num_classes) predicted class probabilities (rows sum to 1), e.g. softmax outputs.
        splits: number of consecutive parts, ``probs[i*n//splits : (i+1)*n//splits]`` as in the authors' code;
            ``n`` must be at least ``splits``.
        shuffle: permute the samples first with ``numpy.random.RandomState(seed).permutation(n)`` (torch-fidelity,
            whose default seed is 2020; torchmetrics also shuffles), so that ordered samples (e.g. class by class)
            do not give parts of different content.
        seed: seed of that permutation (None: a fresh one).
        ddof: delta degrees of freedom of the standard deviation: 0 (authors, torch-fidelity) or 1 (torchmetrics).

    Computed in float64; ``0 log 0`` is taken as 0 (``scipy.special.rel_entr``).
    """
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2:
        raise ValueError(f"probs must be (num_samples, num_classes), got shape {probs.shape}")
    if splits < 1 or probs.shape[0] < splits:
        raise ValueError(f"need 1 <= splits <= num_samples, got splits={splits} for {probs.shape[0]} samples")
    if np.any(probs < 0) or not np.allclose(probs.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError("probs must be probabilities (non-negative rows summing to 1); apply softmax to logits")
    if not isinstance(shuffle, (bool, np.bool_)):
        raise ValueError(f"shuffle must be True or False, got {shuffle!r}")
    if ddof not in (0, 1):
        raise ValueError(f"ddof must be 0 (authors, torch-fidelity) or 1 (torchmetrics), got {ddof!r}")
    if ddof == 1 and splits < 2:
        raise ValueError("ddof=1 needs splits >= 2 (a standard deviation over one part is undefined)")
    if shuffle:
        probs = probs[np.random.RandomState(seed).permutation(probs.shape[0])]
    n = probs.shape[0]
    scores = np.empty(splits, dtype=np.float64)
    for i in range(splits):
        part = probs[i * n // splits : (i + 1) * n // splits]
        marginal = part.mean(axis=0, keepdims=True)
        scores[i] = np.exp(rel_entr(part, marginal).sum(axis=1).mean())
    return float(scores.mean()), float(scores.std(ddof=ddof))
