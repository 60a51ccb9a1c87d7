"""Kernel Inception Distance (KID) from features.

Bińkowski, Sutherland, Arbel and Gretton, "Demystifying MMD GANs", ICLR 2018 (arXiv:1801.01401). KID is the unbiased
estimate of the squared maximum mean discrepancy with the cubic polynomial kernel ``k(x, y) = (x . y / d + 1)^3``
(d = feature dimension). For ``m`` real samples ``x`` and ``m`` generated samples ``y``::

    MMD^2_u = 1/(m(m-1)) sum_{i != j} k(x_i, x_j) + 1/(m(m-1)) sum_{i != j} k(y_i, y_j) - 2/m^2 sum_{i,j} k(x_i, y_j)

It is averaged over ``num_subsets`` random subsets of ``subset_size`` samples drawn without replacement from each
set (100 subsets of 1000 by default, as in the authors' code, torch-fidelity and torchmetrics). Like them, a
``subset_size`` larger than either set is refused: capped, every "subset" would be the whole set and the reported
standard deviation 0. Unlike FID the estimator is unbiased, so it can be negative for two samples of one
distribution.

The subsets are drawn as torch-fidelity draws them (``numpy.random.RandomState(seed).choice(n, m, replace=False)``,
real then generated, per subset), so ``kid_from_features(real, fake, seed=2020)`` reproduces its default
``kid_subsets=100, kid_subset_size=1000, rng_seed=2020`` to rounding. torchmetrics draws with ``torch.randperm``:
the same estimator, other subsets, so agreement within the reported standard deviation.
"""

from __future__ import annotations

import numpy as np

__all__ = ["kid_from_features", "polynomial_kernel", "unbiased_mmd2"]


def polynomial_kernel(
    x: np.ndarray, y: np.ndarray, degree: int = 3, coef0: float = 1.0, gamma: float | None = None
) -> np.ndarray:
    """The kernel matrix ``(gamma x y^T + coef0)^degree`` (float64, ``gamma = 1/d`` by default) of (n, d), (m, d)."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    gamma = 1.0 / x.shape[1] if gamma is None else float(gamma)
    base = gamma * (x @ y.T) + coef0
    kernel = base.copy()
    for _ in range(degree - 1):  # repeated products: several times faster than a float power
        kernel *= base
    return kernel


def unbiased_mmd2(x: np.ndarray, y: np.ndarray, **kernel: float) -> float:
    """Unbiased MMD² between two equally sized (m, d) samples with the polynomial kernel (cubic by default; ``kernel``:
    :func:`polynomial_kernel`'s ``degree``, ``coef0``, ``gamma``), see the module docstring."""
    m = x.shape[0]
    if m < 2 or y.shape[0] != m:
        raise ValueError(f"need two samples of the same size >= 2, got {x.shape[0]} and {y.shape[0]}")
    k_xx = polynomial_kernel(x, x, **kernel)
    k_yy = polynomial_kernel(y, y, **kernel)
    k_xy = polynomial_kernel(x, y, **kernel)
    within = (k_xx.sum() - np.trace(k_xx) + k_yy.sum() - np.trace(k_yy)) / (m * (m - 1))
    return float(within - 2.0 * k_xy.mean())


def kid_from_features(
    real: np.ndarray,
    fake: np.ndarray,
    num_subsets: int = 100,
    subset_size: int = 1000,
    seed: int | None = 0,
    degree: int = 3,
    coef0: float = 1.0,
    gamma: float | None = None,
) -> tuple[float, float]:
    """KID = mean and standard deviation of the unbiased MMD² over random subsets (Bińkowski et al. 2018).

    Args:
        real: (n1, d) features of real images.
        fake: (n2, d) features of generated images.
        num_subsets: how many subset pairs to average over.
        subset_size: samples per subset, at most ``min(n1, n2)`` (a ValueError otherwise, as in the authors' code,
            torch-fidelity and torchmetrics; pass e.g. ``min(1000, n1, n2)`` for small sets).
        seed: seed of the subset draws (fixed by default so that repeated evaluations are comparable; torch-fidelity's
            default is 2020); None draws fresh subsets.
        degree, coef0, gamma: the kernel ``(gamma x.y + coef0)^degree``, ``gamma = 1/d`` when None (the defaults of
            all the implementations above).

    Returns:
        ``(mean, std)`` of the per-subset MMD² values (``std`` with ``ddof=0``, as in the authors' code,
        torch-fidelity and torchmetrics).
    """
    real = np.asarray(real, dtype=np.float64)
    fake = np.asarray(fake, dtype=np.float64)
    if real.ndim != 2 or fake.ndim != 2 or real.shape[1] != fake.shape[1]:
        raise ValueError(f"expected (n, d) feature matrices of one d, got {real.shape} and {fake.shape}")
    if isinstance(num_subsets, bool) or int(num_subsets) != num_subsets or num_subsets < 1:
        raise ValueError(f"num_subsets must be an integer >= 1, got {num_subsets!r}")
    if isinstance(subset_size, bool) or int(subset_size) != subset_size or subset_size < 2:
        raise ValueError(f"subset_size must be an integer >= 2, got {subset_size!r}")
    n1, n2 = real.shape[0], fake.shape[0]
    if subset_size > min(n1, n2):
        raise ValueError(
            f"subset_size={subset_size} is larger than the {'real' if n1 <= n2 else 'generated'} set "
            f"({min(n1, n2)} samples; real {n1}, generated {n2}): every subset would be the whole set, with std 0. "
            f"Pass subset_size <= {min(n1, n2)} (e.g. subset_size=min(1000, n)), or use more samples."
        )
    m = int(subset_size)
    rng = np.random.RandomState(seed)
    values = np.empty(int(num_subsets), dtype=np.float64)
    for i in range(int(num_subsets)):
        x = real[rng.choice(n1, m, replace=False)]
        y = fake[rng.choice(n2, m, replace=False)]
        values[i] = unbiased_mmd2(x, y, degree=degree, coef0=coef0, gamma=gamma)
    return float(values.mean()), float(values.std())
