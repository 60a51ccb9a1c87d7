"""k-nearest-neighbour manifold metrics: improved precision and recall, density and coverage.

Each sample ``x`` of a set ``S`` spans a ball of radius ``NND_k(x)``, the distance to its k-th nearest neighbour in
``S`` (itself excluded); the union of the balls estimates the support of the distribution. With real samples
``X_1..X_N`` and generated samples ``Y_1..Y_M`` (Euclidean distances, float64)::

    precision = 1/M sum_j 1[ exists i: ||Y_j - X_i|| <= NND_k(X_i) ]     (Kynkäänniemi et al. 2019)
    recall    = 1/N sum_i 1[ exists j: ||X_i - Y_j|| <= NND_k(Y_j) ]
    density   = 1/(kM) sum_j sum_i 1[ ||Y_j - X_i|| <= NND_k(X_i) ]      (Naeem et al. 2020)
    coverage  = 1/N sum_i 1[ exists j: ||X_i - Y_j|| <= NND_k(X_i) ]

Kynkäänniemi, Karras, Laine, Lehtinen and Aila, "Improved Precision and Recall Metric for Assessing Generative
Models", NeurIPS 2019 (arXiv:1904.06991), default k = 3. Naeem, Oh, Uh, Choi and Yoo, "Reliable Fidelity and
Diversity Metrics for Generative Models", ICML 2020 (arXiv:2002.09797), default k = 5. Density is not bounded by 1:
it exceeds 1 where generated samples crowd into dense regions of the real manifold.

The distance matrices are computed in row blocks, so memory stays at ``block_size x max(N, M)`` doubles; the cost is
``O((N + M)^2 d)``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["density_coverage", "kth_neighbour_distances", "precision_recall"]

_BLOCK_SIZE = 1024


def _as_features(features: np.ndarray, name: str) -> np.ndarray:
    features = np.asarray(features, dtype=np.float64)
    if features.ndim != 2:
        raise ValueError(f"{name} must be a (num_samples, num_features) matrix, got shape {features.shape}")
    return features


def _squared_norms(x: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", x, x)


def _squared_distance_blocks(x: np.ndarray, y: np.ndarray):
    """Yields ``(start, D)`` with ``D[a, b] = ||x[start + a] - y[b]||^2`` for consecutive row blocks of ``x``.

    Squared distances are compared with squared radii throughout: the comparisons are the same, without a sqrt.
    """
    y_norms = _squared_norms(y)
    for start in range(0, x.shape[0], _BLOCK_SIZE):
        block = x[start : start + _BLOCK_SIZE]
        squared = _squared_norms(block)[:, None] + y_norms[None, :] - 2.0 * (block @ y.T)
        yield start, np.maximum(squared, 0.0, out=squared)


def _kth_neighbour_squared_distances(features: np.ndarray, k: int) -> np.ndarray:
    if not 1 <= k < features.shape[0]:
        raise ValueError(f"k must be in [1, num_samples - 1], got k={k} for {features.shape[0]} samples")
    radii = np.empty(features.shape[0], dtype=np.float64)
    for start, distances in _squared_distance_blocks(features, features):
        # The row's own distance (0) is the smallest, so the k-th neighbour is at sorted position k.
        radii[start : start + distances.shape[0]] = np.partition(distances, k, axis=1)[:, k]
    return radii


def kth_neighbour_distances(features: np.ndarray, k: int) -> np.ndarray:
    """``NND_k(x)`` for every row: the distance to its k-th nearest other row (float64, shape (n,))."""
    return np.sqrt(_kth_neighbour_squared_distances(_as_features(features, "features"), k))


def _within_counts(queries: np.ndarray, centres: np.ndarray, squared_radii: np.ndarray) -> np.ndarray:
    """For each query, how many balls ``B(centres[i], radii[i])`` contain it."""
    counts = np.empty(queries.shape[0], dtype=np.int64)
    for start, distances in _squared_distance_blocks(queries, centres):
        counts[start : start + distances.shape[0]] = np.count_nonzero(distances <= squared_radii[None, :], axis=1)
    return counts


def precision_recall(real: np.ndarray, fake: np.ndarray, k: int = 3) -> dict[str, float]:
    """Improved precision and recall (Kynkäänniemi et al. 2019) of (N, d) real and (M, d) generated features.

    Returns:
        ``{"precision": float, "recall": float}``, both in [0, 1] (formulas in the module docstring).
    """
    real = _as_features(real, "real")
    fake = _as_features(fake, "fake")
    precision = np.mean(_within_counts(fake, real, _kth_neighbour_squared_distances(real, k)) > 0)
    recall = np.mean(_within_counts(real, fake, _kth_neighbour_squared_distances(fake, k)) > 0)
    return {"precision": float(precision), "recall": float(recall)}


def density_coverage(real: np.ndarray, fake: np.ndarray, k: int = 5) -> dict[str, float]:
    """Density and coverage (Naeem et al. 2020) of (N, d) real and (M, d) generated features.

    Both use only the real samples' k-NN balls, which makes them robust to outliers among the generated samples.

    Returns:
        ``{"density": float, "coverage": float}``; coverage is in [0, 1], density in [0, N/k] (about 1 when the
        two distributions match).
    """
    real = _as_features(real, "real")
    fake = _as_features(fake, "fake")
    radii = _kth_neighbour_squared_distances(real, k)
    density = _within_counts(fake, real, radii).sum() / (k * fake.shape[0])
    covered = np.zeros(real.shape[0], dtype=bool)
    for start, distances in _squared_distance_blocks(real, fake):
        rows = slice(start, start + distances.shape[0])
        covered[rows] = distances.min(axis=1) <= radii[rows]
    return {"density": float(density), "coverage": float(covered.mean())}
