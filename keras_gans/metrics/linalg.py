"""Symmetric matrix square roots for the Fréchet distance, in float64.

The FID needs ``Tr((S1 S2)^{1/2})`` for two covariance matrices ``S1`` and ``S2``. ``S1 S2`` is not symmetric, and
the general-purpose ``scipy.linalg.sqrtm`` (a Schur decomposition) returns complex values, or NaN, when ``S1 S2`` is
near singular -- which is the usual case when there are fewer samples than feature dimensions. Here the product is
replaced by a similar symmetric positive semi-definite matrix (the approach of TF-GAN's ``trace_sqrt_product``)::

    S1 S2 = S1^{1/2} (S1^{1/2} S2 S1^{1/2}) S1^{-1/2}   =>   eig(S1 S2) = eig(S1^{1/2} S2 S1^{1/2})

(the eigenvalues of ``AB`` and ``BA`` agree, so this holds for singular ``S1`` too). ``S1^{1/2}`` comes from
``numpy.linalg.eigh``, the eigenvalues of the symmetric product from ``numpy.linalg.eigvalsh``; eigenvalues below
zero (rounding noise) are clipped to zero, so the result is always real and finite:
``Tr((S1 S2)^{1/2}) = sum_i sqrt(max(lambda_i, 0))``.

Coordinates with zero variance on either side (dead ReLU features, constant pixels) are dropped first. That is
exact: if ``S1`` has a zero row and column ``i``, so does ``S1^{1/2}``, and so ``S1^{1/2} S2 S1^{1/2}`` -- whose other
entries do not involve ``S2``'s row ``i`` -- and the same holds with the roles swapped. Kept, such coordinates add
zero eigenvalues that come out of ``eigh`` as rounding noise of order ``1e-16 * max(lambda)``, whose square roots
(``1e-8``) add up to a relative error of about ``1e-8`` per hundred dead features.
"""

from __future__ import annotations

import numpy as np

__all__ = ["sqrtm_psd", "trace_sqrt_product"]


def _symmetrised(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float64)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"expected a square matrix, got shape {matrix.shape}")
    # Averaging with the transpose removes the asymmetry left by float rounding, so eigh sees a symmetric matrix.
    return (matrix + matrix.T) / 2.0


def sqrtm_psd(matrix: np.ndarray) -> np.ndarray:
    """The symmetric square root of a symmetric positive semi-definite matrix, in float64.

    ``A^{1/2} = V diag(sqrt(max(lambda, 0))) V^T`` with ``A = V diag(lambda) V^T`` from ``numpy.linalg.eigh``;
    negative eigenvalues (rounding noise on a singular matrix) are clipped to zero, so ``A^{1/2}`` is real and
    ``A^{1/2} A^{1/2} = A`` up to that clipping.
    """
    eigenvalues, eigenvectors = np.linalg.eigh(_symmetrised(matrix))
    return (eigenvectors * np.sqrt(np.clip(eigenvalues, 0.0, None))) @ eigenvectors.T


def trace_sqrt_product(sigma1: np.ndarray, sigma2: np.ndarray) -> float:
    """``Tr((sigma1 sigma2)^{1/2})`` for two covariance matrices, real and finite even when they are singular.

    Computed as ``sum_i sqrt(lambda_i(sigma1^{1/2} sigma2 sigma1^{1/2}))`` (see the module docstring) over the
    coordinates whose variance is non-zero on both sides: one symmetric eigendecomposition and one eigenvalue
    computation in float64, ``O(d^3)``.
    """
    sigma1 = np.asarray(sigma1, dtype=np.float64)
    sigma2 = np.asarray(sigma2, dtype=np.float64)
    if sigma1.shape != sigma2.shape:
        raise ValueError(f"covariance shapes differ: {sigma1.shape} vs {sigma2.shape}")
    if sigma1.ndim == 2 and sigma1.shape[0] == sigma1.shape[1]:
        live = (np.diag(sigma1) != 0) & (np.diag(sigma2) != 0)  # zero variance on either side: exact to drop
        if not live.all():
            if not live.any():
                return 0.0
            sigma1, sigma2 = sigma1[np.ix_(live, live)], sigma2[np.ix_(live, live)]
    sqrt_sigma1 = sqrtm_psd(sigma1)
    # Only the eigenvalues are needed here: eigvalsh skips the eigenvectors, several times cheaper.
    eigenvalues = np.linalg.eigvalsh(_symmetrised(sqrt_sigma1 @ sigma2 @ sqrt_sigma1))
    return float(np.sum(np.sqrt(np.clip(eigenvalues, 0.0, None))))
