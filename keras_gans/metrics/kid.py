"""Kernel Inception Distance (KID) from features.

Bińkowski, Sutherland, Arbel and Gretton, "Demystifying MMD GANs", ICLR 2018 (arXiv:1801.01401). KID is the unbiased
estimate of the squared maximum mean discrepancy with the cubic polynomial kernel ``k(x, y) = (x . y / d + 1)^3``
(d = feature dimension). For ``m`` real samples ``x`` and ``m`` generated samples ``y``::

    MMD^2_u = 1/(m(m-1)) sum_{i != j} k(x_i, x_j) + 1/(m(m-1)) sum_{i != j} k(y_i, y_j) - 2/m^2 sum_{i,j} k(x_i, y_j)

It is averaged over ``num_subsets`` random subsets of ``subset_size`` samples drawn without replacement from each
set; the defaults (100 subsets of 1000) and the cap of ``subset_size`` at the smaller set size are those of the
authors' code. Unlike FID the estimator is unbiased, so it can be negative for two samples of one distribution.
"""

from __future__ import annotations

import numpy as np

__all__ = ["kid_from_features", "polynomial_kernel", "unbiased_mmd2"]


def polynomial_kernel(x: np.ndarray, y: np.ndarray, degree: int = 3, coef0: float = 1.0) -> np.ndarray:
    """The kernel matrix ``(x y^T / d + coef0)^degree`` (float64) for (n, d) and (m, d) feature matrices."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    base = x @ y.T / x.shape[1] + coef0
    kernel = base.copy()
    for _ in range(degree - 1):  # repeated products: several times faster than a float power
        kernel *= base
    return kernel


def unbiased_mmd2(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD² between two equally sized (m, d) samples with the cubic polynomial kernel (see module doc)."""
    m = x.shape[0]
    if m < 2 or y.shape[0] != m:
        raise ValueError(f"need two samples of the same size >= 2, got {x.shape[0]} and {y.shape[0]}")
    k_xx = polynomial_kernel(x, x)
    k_yy = polynomial_kernel(y, y)
    k_xy = polynomial_kernel(x, y)
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within - 2.0 * k_xy.mean())


def kid_from_features(
    real: np.ndarray,
    fake: np.ndarray,
    num_subsets: int = 100,
    subset_size: int = 1000,
    seed: int | None = 0,
) -> tuple[float, float]:
    """KID = mean and standard deviation of the unbiased MMD² over random subsets (Bińkowski et al. 2018).

    Args:
        real: (n1, d) features of real images.
        fake: (n2, d) features of generated images.
        num_subsets: how many subset pairs to average over.
        subset_size: samples per subset, capped at ``min(n1, n2)``.
        seed: seed of the subset draws (fixed by default so that repeated evaluations are comparable); None draws
            fresh subsets.

    Returns:
        ``(mean, std)`` of the per-subset MMD² values (``std`` with ``ddof=0``, as in the authors' code).
    """
    real = np.asarray(real, dtype=np.float64)
    fake = np.asarray(fake, dtype=np.float64)
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise ValueError(f"expected (n, d) feature matrices of one d, got {real.shape} and {fake.shape}")
    if num_subsets < 1:
        raise ValueError(f"num_subsets must be >= 1, got {num_subsets}")
    m = min(subset_size, real.shape[0], fake.shape[0])
    rng = np.random.default_rng(seed)
    values = np.empty(num_subsets, dtype=np.float64)
    for i in range(num_subsets):
        x = real[rng.choice(real.shape[0], m, replace=False)]
        y = fake[rng.choice(fake.shape[0], m, replace=False)]
        values[i] = unbiased_mmd2(x, y)
    return float(values.mean()), float(values.std())
