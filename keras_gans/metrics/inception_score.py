"""Inception Score (IS) from class probabilities.

Salimans, Goodfellow, Zaremba, Cheung, Radford and Chen, "Improved Techniques for Training GANs", NeurIPS 2016
(arXiv:1606.03498)::

    IS = exp( E_x KL( p(y|x) || p(y) ) ),   p(y) = E_x p(y|x)

computed on each of ``splits`` consecutive parts of the samples (10 in the paper, on 50,000 images), and
reported as the mean and standard deviation over the parts. It ranges from 1 (every prediction the same) to the
number of classes (confident predictions spread evenly over all classes).
"""

from __future__ import annotations

import numpy as np
from scipy.special import rel_entr

__all__ = ["inception_score_from_probs"]


def inception_score_from_probs(probs: np.ndarray, splits: int = 10) -> tuple[float, float]:
    """``exp(E_x KL(p(y|x) || p(y)))`` per split, returned as ``(mean, std)`` over splits (Salimans et al. 2016).

    Args:
        probs: (n, num_classes) predicted class probabilities (rows sum to 1), e.g. softmax outputs.
        splits: number of consecutive parts, ``probs[i*n//splits : (i+1)*n//splits]`` as in the authors' code;
            ``n`` must be at least ``splits``.

    Computed in float64; ``0 log 0`` is taken as 0 (``scipy.special.rel_entr``).
    """
    probs = np.asarray(probs, dtype=np.float64)
    if probs.ndim != 2:
        raise ValueError(f"probs must be (num_samples, num_classes), got shape {probs.shape}")
    if splits < 1 or probs.shape[0] < splits:
        raise ValueError(f"need 1 <= splits <= num_samples, got splits={splits} for {probs.shape[0]} samples")
    if np.any(probs < 0) or not np.allclose(probs.sum(axis=1), 1.0, atol=1e-3):
        raise ValueError("probs must be probabilities (non-negative rows summing to 1); apply softmax to logits")
    n = probs.shape[0]
    scores = np.empty(splits, dtype=np.float64)
    for i in range(splits):
        part = probs[i * n // splits : (i + 1) * n // splits]
        marginal = part.mean(axis=0, keepdims=True)
        scores[i] = np.exp(rel_entr(part, marginal).sum(axis=1).mean())
    return float(scores.mean()), float(scores.std())
