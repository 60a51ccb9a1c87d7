"""A streaming FID: a stateful ``keras.metrics.Metric`` that accumulates features batch by batch.

Instead of keeping every feature vector (50,000 x 2048 floats), the metric keeps, for the real and for the generated
features, the count ``n``, the mean ``mu`` (d,) and the scatter matrix ``M2 = sum (x - mu)(x - mu)^T`` (d, d), all in
float64. A batch ``B`` with ``n_b`` rows, mean ``mu_b`` and scatter ``M2_b`` is merged with the pairwise update of
Chan, Golub and LeVeque (1979), which is exact and avoids the cancellation of the naive ``sum x x^T - n mu mu^T``::

    n' = n + n_b,   delta = mu_b - mu,   mu' = mu + delta n_b / n',   M2' = M2 + M2_b + delta delta^T n n_b / n'

so ``sigma = M2 / (n - 1)`` and :func:`keras_gans.metrics.fid.fid_from_statistics` give the same FID as the
one-shot :func:`keras_gans.metrics.fid.fid_from_features`. Memory: ``2 d^2`` doubles (64 MiB for d = 2048).
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
from keras import ops

from keras_gans.metrics.fid import fid_from_statistics

__all__ = ["FID"]


@keras.saving.register_keras_serializable(package="keras_gans")
class FID(keras.metrics.Metric):
    """Fréchet Inception Distance over all features seen since the last reset (Heusel et al. 2017).

    ``update_state(real_features=..., fake_features=...)`` takes (batch, num_features) arrays; either may be
    omitted, so real and generated batches can arrive separately. ``result()`` computes the FID with numpy/scipy
    and therefore runs eagerly (from a callback or an evaluation loop, not inside a compiled ``train_step``).
    ``reset_state()`` clears both sides; ``reset_fake_state()`` keeps the real (reference) side, so reference
    statistics computed once -- or loaded with :meth:`set_real_statistics` -- serve every evaluation.

    Args:
        num_features: feature dimension d (2048 for Inception pool features).
        name: metric name, also the key it gets in Keras logs.
    """

    def __init__(self, num_features: int, name: str = "fid", **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.num_features = int(num_features)
        self._sides = {side: self._add_moments(side) for side in ("real", "fake")}

    def _add_moments(self, side: str) -> dict[str, keras.Variable]:
        d = self.num_features
        return {
            "count": self.add_variable((), "zeros", dtype="float64", aggregation="none", name=f"{side}_count"),
            "mean": self.add_variable((d,), "zeros", dtype="float64", aggregation="none", name=f"{side}_mean"),
            "m2": self.add_variable((d, d), "zeros", dtype="float64", aggregation="none", name=f"{side}_m2"),
        }

    def _merge(self, side: str, features: Any) -> None:
        batch = ops.cast(ops.convert_to_tensor(features), "float64")
        if len(batch.shape) != 2 or batch.shape[1] != self.num_features:
            raise ValueError(f"{side}_features must have shape (batch, {self.num_features}), got {batch.shape}")
        moments = self._sides[side]
        n_b = ops.cast(ops.shape(batch)[0], "float64")
        mean_b = ops.mean(batch, axis=0)
        centred = batch - mean_b
        m2_b = ops.matmul(ops.transpose(centred), centred)
        n_a = moments["count"].value
        total = n_a + n_b
        delta = mean_b - moments["mean"].value
        moments["mean"].assign(moments["mean"].value + delta * (n_b / total))
        moments["m2"].assign(moments["m2"].value + m2_b + ops.outer(delta, delta) * (n_a * n_b / total))
        moments["count"].assign(total)

    def update_state(self, real_features: Any = None, fake_features: Any = None) -> None:
        """Adds a batch of real and/or generated features, each (batch, num_features)."""
        if real_features is None and fake_features is None:
            raise ValueError("pass real_features, fake_features or both")
        if real_features is not None:
            self._merge("real", real_features)
        if fake_features is not None:
            self._merge("fake", fake_features)

    def set_real_statistics(self, mu: np.ndarray, sigma: np.ndarray, num_samples: int) -> None:
        """Replaces the real side with precomputed statistics (e.g. :class:`ReferenceStats` ``mu, sigma, n``)."""
        mu = np.asarray(mu, dtype=np.float64)
        sigma = np.asarray(sigma, dtype=np.float64)
        d = self.num_features
        if mu.shape != (d,) or sigma.shape != (d, d) or num_samples < 2:
            raise ValueError(
                f"expected mu ({d},), sigma ({d}, {d}) and num_samples >= 2, got {mu.shape}, "
                f"{sigma.shape}, {num_samples}"
            )
        real = self._sides["real"]
        real["count"].assign(float(num_samples))
        real["mean"].assign(mu)
        real["m2"].assign(sigma * (num_samples - 1))

    def statistics(self, side: str) -> tuple[np.ndarray, np.ndarray, int]:
        """``(mu, sigma, num_samples)`` accumulated for ``side`` ("real" or "fake"), sigma unbiased."""
        moments = self._sides[side]
        count = int(round(float(moments["count"].numpy())))
        if count < 2:
            raise ValueError(f"FID needs at least 2 {side} samples, has {count}")
        m2 = moments["m2"].numpy()
        return moments["mean"].numpy(), m2 / (count - 1), count

    def result(self) -> float:
        """The FID between the accumulated real and generated features (eager only; see the class docstring)."""
        mu_real, sigma_real, _ = self.statistics("real")
        mu_fake, sigma_fake, _ = self.statistics("fake")
        return fid_from_statistics(mu_real, sigma_real, mu_fake, sigma_fake)

    def reset_fake_state(self) -> None:
        """Clears the generated side only."""
        for variable in self._sides["fake"].values():
            variable.assign(ops.zeros(variable.shape, dtype="float64"))

    def reset_state(self) -> None:
        """Clears both sides."""
        for moments in self._sides.values():
            for variable in moments.values():
                variable.assign(ops.zeros(variable.shape, dtype="float64"))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "num_features": self.num_features}
