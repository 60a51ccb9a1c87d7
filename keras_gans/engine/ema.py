"""Exponential moving averages of networks' weights, sampled from instead of the live networks.

θ_ema ← d·θ_ema + (1 - d)·θ after every step (Yazıcı et al., 2019). The averages are the model's own weights
(``ema_0``, ``ema_1``... over the averaged networks' trainable variables, in order), so they are saved and
restored with the model and replicated as ``only_first_replica`` under a strategy. Non-trainable state (batch-norm
statistics) of an averaged copy is the live network's.
"""

from __future__ import annotations

import keras
import tensorflow as tf

__all__ = ["ExponentialMovingAverage"]


class ExponentialMovingAverage:
    """The EMA weights of ``networks`` (a dict name -> network), created on ``model``."""

    def __init__(self, model: keras.Model, networks: dict, decay: float):
        self.decay = float(decay)
        self.networks = dict(networks)
        self.weights: dict[str, list] = {}
        index = 0
        for name, network in self.networks.items():
            weights = []
            for v in network.trainable_variables:
                ema = model.add_weight(
                    shape=v.shape,
                    initializer="zeros",
                    trainable=False,
                    name=f"ema_{index}",
                    aggregation="only_first_replica",
                )
                ema.assign(v)
                weights.append(ema)
                index += 1
            self.weights[name] = weights
        self._copies: dict[str, keras.Model] = {}

    def update(self) -> None:
        decay = self.decay
        for name, network in self.networks.items():
            for ema, v in zip(self.weights[name], network.trainable_variables):
                ema.assign(decay * ema + (1.0 - decay) * tf.cast(v, ema.dtype))

    def averaged(self, name: str) -> keras.Model:
        """A copy of network ``name`` holding the averaged weights (and the live non-trainable state)."""
        network = self.networks[name]
        if name not in self._copies:
            self._copies[name] = keras.models.clone_model(network)
        copy = self._copies[name]
        for target, source in zip(copy.weights, network.weights):
            target.assign(source)
        for target, ema in zip(copy.trainable_variables, self.weights[name]):
            target.assign(ema)
        return copy
