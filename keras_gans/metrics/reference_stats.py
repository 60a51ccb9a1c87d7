"""Reference statistics: the real data's feature mean and covariance, computed once and saved with their settings.

A ``.npz`` file holds ``mu`` (d,), ``sigma`` (d, d) (float64, unbiased), ``num_samples`` and ``settings``, a JSON
string with what the numbers depend on: the extractor (name, weights hash, resize, layer, feature dimension) and the
image shape of the data. :meth:`ReferenceStats.check_compatible` refuses a comparison with features computed under
other settings, since an FID across extractors or image sizes is meaningless.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from keras_gans.metrics.extractors import FeatureExtractor, iter_image_batches
from keras_gans.metrics.fid import fid_from_statistics
from keras_gans.metrics.streaming import FID

__all__ = ["ReferenceStats", "compute_reference_stats", "load_reference_stats"]


@dataclass(frozen=True, eq=False)
class ReferenceStats:
    """Gaussian statistics of real features with the settings they were computed under (compared by identity)."""

    mu: np.ndarray
    sigma: np.ndarray
    num_samples: int
    settings: dict[str, Any] = field(default_factory=dict)

    def check_compatible(self, settings: dict[str, Any]) -> None:
        """Raises ``ValueError`` naming every setting that differs from ``settings``."""
        keys = sorted(set(self.settings) | set(settings))
        differences = [
            f"{key}: {self.settings.get(key)!r} != {settings.get(key)!r}"
            for key in keys
            if _normalise(self.settings.get(key)) != _normalise(settings.get(key))
        ]
        if differences:
            raise ValueError("reference statistics were computed with other settings: " + "; ".join(differences))

    def fid(self, mu: np.ndarray, sigma: np.ndarray, settings: dict[str, Any]) -> float:
        """FID against generated-feature statistics, after checking that the settings agree."""
        self.check_compatible(settings)
        return fid_from_statistics(self.mu, self.sigma, mu, sigma)

    def save(self, path: str | os.PathLike) -> str:
        """Writes the ``.npz`` file (parent folders created) and returns its path."""
        path = os.fspath(path)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "wb") as file:
            np.savez(
                file,
                mu=self.mu,
                sigma=self.sigma,
                num_samples=np.int64(self.num_samples),
                settings=np.array(json.dumps(self.settings, sort_keys=True)),
            )
        return path


def _normalise(value: Any) -> Any:
    # JSON turns tuples into lists; compare through the same round trip.
    return json.loads(json.dumps(value))


def load_reference_stats(path: str | os.PathLike) -> ReferenceStats:
    """Reads statistics written by :meth:`ReferenceStats.save` / :func:`compute_reference_stats`."""
    with np.load(os.fspath(path), allow_pickle=False) as data:
        return ReferenceStats(
            mu=data["mu"].astype(np.float64),
            sigma=data["sigma"].astype(np.float64),
            num_samples=int(data["num_samples"]),
            settings=json.loads(str(data["settings"])),
        )


def compute_reference_stats(
    extractor: FeatureExtractor,
    data: Any,
    path: str | os.PathLike | None = None,
    max_samples: int | None = None,
    batch_size: int | None = None,
) -> ReferenceStats:
    """Streams real images through ``extractor`` and accumulates mean and covariance (float64) batch by batch.

    Args:
        extractor: the feature extractor later used on generated images.
        data: real images in [-1, 1]: an (N, H, W, C) array or an iterable of batches such as a ``tf.data.Dataset``
            (see :func:`keras_gans.metrics.extractors.iter_image_batches`).
        path: where to save the ``.npz``; not saved when None.
        max_samples: use at most this many images (all by default; 50,000 is the usual FID reference size).
        batch_size: images per forward pass (the extractor's default otherwise).

    Returns:
        The statistics; ``settings`` holds the extractor settings plus ``image_shape``.
    """
    accumulator = FID(extractor.feature_dim, name="reference_fid")
    image_shape = None
    for batch in iter_image_batches(data, batch_size or extractor.batch_size, max_samples):
        image_shape = list(batch.shape[1:])
        accumulator.update_state(real_features=extractor.features(batch, batch_size=batch_size))
    if image_shape is None:
        raise ValueError("no images in data")
    mu, sigma, count = accumulator.statistics("real")
    stats = ReferenceStats(mu, sigma, count, {**extractor.settings, "image_shape": image_shape})
    if path is not None:
        stats.save(path)
    return stats
