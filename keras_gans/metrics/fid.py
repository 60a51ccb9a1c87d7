"""Fréchet Inception Distance (FID) from features.

Heusel, Ramsauer, Unterthiner, Nessler and Hochreiter, "GANs Trained by a Two Time-Scale Update Rule Converge to a
Local Nash Equilibrium", NeurIPS 2017 (arXiv:1706.08500). With Gaussians fitted to the real and generated features,
``N(mu1, S1)`` and ``N(mu2, S2)``::

    FID = ||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^{1/2})

Means and covariances (unbiased, ``1 / (n - 1)``, as in the authors' code, pytorch-fid and TF-GAN) are computed in
float64; a feature constant over all samples gets an exactly zero row and column of the covariance. The matrix square
root is the symmetric one of :mod:`keras_gans.metrics.linalg`, which drops the coordinates of zero variance (dead
features): with them the result is exact instead of off by the square roots of eigenvalue rounding noise.
The value depends on the feature extractor: only numbers computed with the same extractor settings compare.
"""

from __future__ import annotations

import numpy as np

from keras_gans.metrics.linalg import trace_sqrt_product

__all__ = ["feature_statistics", "fid_from_features", "fid_from_statistics"]


def _as_feature_matrix(features: np.ndarray, name: str) -> np.ndarray:
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2:
        raise ValueError(f"{name} must be a (num_samples, num_features) matrix, got shape {features.shape}")
    if features.shape[0] < 2:
        raise ValueError(f"{name} needs at least 2 samples for a covariance, got {features.shape[0]}")
    return features


def feature_statistics(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean ``mu`` (d,) and unbiased covariance ``sigma`` (d, d) of a (n, d) feature matrix, in float64.

    Columns constant over all rows get exactly zero covariance rows and columns (``np.cov`` can leave rounding noise
    of the mean there), so that the Fréchet distance drops them exactly.
    """
    features = _as_feature_matrix(features, "features")
    sigma = np.atleast_2d(np.cov(features, rowvar=False))
    constant = np.ptp(features, axis=0) == 0
    sigma[constant, :] = 0.0
    sigma[:, constant] = 0.0
    return features.mean(axis=0), sigma


def fid_from_statistics(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """``||mu1 - mu2||^2 + Tr(sigma1 + sigma2 - 2 (sigma1 sigma2)^{1/2})`` in float64 (Heusel et al. 2017).

    Clipped at 0: rounding can make the value of two identical distributions a tiny negative number.
    """
    mu1 = np.asarray(mu1, dtype=np.float64)
    mu2 = np.asarray(mu2, dtype=np.float64)
    sigma1 = np.atleast_2d(np.asarray(sigma1, dtype=np.float64))
    sigma2 = np.atleast_2d(np.asarray(sigma2, dtype=np.float64))
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape or sigma1.shape != mu1.shape * 2:
        raise ValueError(
            f"statistics do not match: mu {mu1.shape} vs {mu2.shape}, sigma {sigma1.shape} vs {sigma2.shape}"
        )
    diff = mu1 - mu2
    value = diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * trace_sqrt_product(sigma1, sigma2)
    return float(max(value, 0.0))


def fid_from_features(real: np.ndarray, fake: np.ndarray) -> float:
    """The FID between two feature matrices (n1, d) and (n2, d) (Heusel et al. 2017), in float64.

    ``FID = ||mu_r - mu_f||^2 + Tr(S_r + S_f - 2 (S_r S_f)^{1/2})`` with the sample means and unbiased covariances.
    """
    real = _as_feature_matrix(real, "real")
    fake = _as_feature_matrix(fake, "fake")
    if real.shape[1] != fake.shape[1]:
        raise ValueError(f"feature dimensions differ: real {real.shape[1]}, fake {fake.shape[1]}")
    return fid_from_statistics(*feature_statistics(real), *feature_statistics(fake))
