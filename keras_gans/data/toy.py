"""2-D mixtures of Gaussians, the mode-collapse benchmarks: a ring of 8 and a 5x5 grid of isotropic Gaussians.

Each draw picks a component uniformly at random, then adds isotropic noise::

    x = c_j + std * e,   j ~ Uniform{0 .. K-1},   e ~ N(0, I_2)

Ring (Metz, Poole, Pfau and Sohl-Dickstein, "Unrolled Generative Adversarial Networks", ICLR 2017; also VEEGAN,
Srivastava et al. 2017): ``K = 8`` centres ``c_j = r (cos 2 pi j / K, sin 2 pi j / K)`` with ``r = 2``,
``std = 0.02``. (The paper's notebook draws its angles with ``linspace(0, 2 pi, K)``, which repeats the first
centre; here the ``K`` angles are distinct.) Grid (VEEGAN; PacGAN, Lin et al. 2018): 25 centres
``(-4 + 2i, -4 + 2j)``, ``i, j in 0..4``, with PacGAN's ``std = 0.05`` (variance 0.0025).

The draws are NumPy float32 arrays of shape (n, 2), the same for the same ``seed``; score generated samples against
the centres with :func:`keras_gans.metrics.modes.mode_coverage`.
"""

from __future__ import annotations

import numpy as np

__all__ = ["grid_centers", "grid_of_gaussians", "mixture_of_gaussians", "ring_centers", "ring_of_gaussians"]


def ring_centers(modes: int = 8, radius: float = 2.0) -> np.ndarray:
    """The ``modes`` centres ``radius (cos 2 pi j / modes, sin 2 pi j / modes)``, float64 of shape (modes, 2)."""
    if modes < 1:
        raise ValueError(f"modes must be >= 1, got {modes}")
    if radius <= 0:
        raise ValueError(f"radius must be > 0, got {radius}")
    angles = 2.0 * np.pi * np.arange(modes) / modes
    return radius * np.stack([np.cos(angles), np.sin(angles)], axis=1)


def grid_centers(size: int = 5, spacing: float = 2.0) -> np.ndarray:
    """The ``size x size`` centres ``spacing (i - (size - 1) / 2, j - (size - 1) / 2)``, float64 (size^2, 2).

    The defaults give ``(-4 + 2i, -4 + 2j)``, ``i, j in 0..4``, row by row (``i`` slowest).
    """
    if size < 1:
        raise ValueError(f"size must be >= 1, got {size}")
    if spacing <= 0:
        raise ValueError(f"spacing must be > 0, got {spacing}")
    axis = spacing * (np.arange(size) - (size - 1) / 2.0)
    xs, ys = np.meshgrid(axis, axis, indexing="ij")
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def mixture_of_gaussians(num_samples: int, centers: np.ndarray, std: float, seed: int = 0) -> np.ndarray:
    """``num_samples`` draws ``c_j + std e`` (``j`` uniform, ``e ~ N(0, I)``) as float32 (num_samples, d)."""
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2 or centers.shape[0] < 1:
        raise ValueError(f"centers must be a (modes, dims) matrix, got shape {centers.shape}")
    if num_samples < 0:
        raise ValueError(f"num_samples must be >= 0, got {num_samples}")
    if std < 0:
        raise ValueError(f"std must be >= 0, got {std}")
    rng = np.random.default_rng(seed)
    components = rng.integers(0, centers.shape[0], size=num_samples)
    noise = rng.standard_normal((num_samples, centers.shape[1]))
    return (centers[components] + std * noise).astype(np.float32)


def ring_of_gaussians(
    num_samples: int, modes: int = 8, radius: float = 2.0, std: float = 0.02, seed: int = 0
) -> np.ndarray:
    """Draws from the ring of ``modes`` Gaussians of Metz et al. (2017): float32 (num_samples, 2).

    ``x = radius (cos 2 pi j / modes, sin 2 pi j / modes) + std e`` with ``j`` uniform and ``e ~ N(0, I_2)``.
    """
    return mixture_of_gaussians(num_samples, ring_centers(modes, radius), std, seed)


def grid_of_gaussians(
    num_samples: int, size: int = 5, spacing: float = 2.0, std: float = 0.05, seed: int = 0
) -> np.ndarray:
    """Draws from the ``size x size`` grid of Gaussians (VEEGAN, PacGAN): float32 (num_samples, 2).

    ``x = c_j + std e`` with ``c_j`` one of :func:`grid_centers` (uniform) and ``e ~ N(0, I_2)``.
    """
    return mixture_of_gaussians(num_samples, grid_centers(size, spacing), std, seed)
