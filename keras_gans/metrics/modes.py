"""Mode coverage of samples from a known mixture of Gaussians (the 2-D ring and grid benchmarks).

The definitions of VEEGAN (Srivastava, Valkov, Russell, Gutmann and Sutton, NeurIPS 2017, arXiv:1705.07761) and
PacGAN (Lin, Khetan, Fanti and Oh, NeurIPS 2018, arXiv:1712.04086; its code counts a mode with ``count > 0``).
With centres ``c_1..c_K``, per-mode standard deviations ``s_j`` and samples ``x_1..x_N``::

    j(i)  = argmin_j ||x_i - c_j|| / s_j                 (nearest centre, in standard deviations)
    hq(i) = 1[ ||x_i - c_j(i)|| / s_j(i) <= T ]          (high quality: within T = 3 standard deviations)
    n_j   = sum_i hq(i) 1[j(i) = j]
    modes_covered         = #{ j : n_j >= min_count }    (min_count = 1, as VEEGAN and PacGAN)
    high_quality_fraction = sum_j n_j / N
    kl_mode_distribution  = KL(p || U) = sum_j p_j log(K p_j),   p_j = n_j / sum_j n_j   (nats; 0 log 0 = 0)

``KL(p || U)`` (PacGAN's "reverse KL" to the uniform mode distribution) is 0 when the high-quality samples are
spread evenly over all modes and ``log K`` when they all sit in one; it is NaN when there is no high-quality
sample. Some later papers count a mode only with more samples (for instance 20 of 2,500): pass ``min_count``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["mode_coverage"]


def mode_coverage(
    samples: np.ndarray,
    centers: np.ndarray,
    std: float | np.ndarray,
    threshold_stds: float = 3.0,
    min_count: int = 1,
) -> dict[str, Any]:
    """How many of the mixture's modes the (N, d) ``samples`` cover, and how well (formulas in the module doc).

    Args:
        samples: (N, d) generated samples.
        centers: (K, d) centres of the mixture's components.
        std: the components' standard deviation, a number or one per component (K,).
        threshold_stds: ``T``, the distance in standard deviations within which a sample is of high quality.
        min_count: the number of high-quality samples a mode needs to count as covered.

    Returns:
        ``{"modes_covered": int, "num_modes": K, "high_quality_fraction": float, "kl_mode_distribution": float,
        "counts": (K,) int64 array n_j}``.
    """
    samples = np.asarray(samples, dtype=np.float64)
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2 or centers.shape[0] < 1:
        raise ValueError(f"centers must be a (num_modes, dims) matrix, got shape {centers.shape}")
    if samples.ndim != 2 or samples.shape[1] != centers.shape[1]:
        raise ValueError(f"samples must be a (num_samples, {centers.shape[1]}) matrix, got shape {samples.shape}")
    if samples.shape[0] == 0:
        raise ValueError("samples is empty")
    num_modes = centers.shape[0]
    stds = np.broadcast_to(np.asarray(std, dtype=np.float64), (num_modes,))
    if np.any(stds <= 0):
        raise ValueError(f"std must be > 0, got {std}")
    if threshold_stds <= 0:
        raise ValueError(f"threshold_stds must be > 0, got {threshold_stds}")
    if min_count < 1:
        raise ValueError(f"min_count must be >= 1, got {min_count}")

    squared = np.sum((samples[:, None, :] - centers[None, :, :]) ** 2, axis=-1) / stds[None, :] ** 2
    nearest = np.argmin(squared, axis=1)
    high_quality = squared[np.arange(samples.shape[0]), nearest] <= threshold_stds**2
    counts = np.bincount(nearest[high_quality], minlength=num_modes).astype(np.int64)
    total = int(counts.sum())
    if total:
        p = counts[counts > 0] / total
        kl = float(np.sum(p * np.log(num_modes * p)))
    else:
        kl = float("nan")
    return {
        "modes_covered": int(np.count_nonzero(counts >= min_count)),
        "num_modes": num_modes,
        "high_quality_fraction": total / samples.shape[0],
        "kl_mode_distribution": kl,
        "counts": counts,
    }
