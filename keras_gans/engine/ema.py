"""Exponential moving averages of networks' weights, sampled from instead of the live networks.

After step ``n`` (``n = 1, 2, ...``, the model's step counter after the step)::

    h       = log(0.5) / log(decay)                    the half-life of ``decay``, in steps
    d_n     = 0.5 ** (1 / min(h, 0.05 n))              StyleGAN2-ADA's EMA ramp-up (ema_rampup=0.05)
    θ_ema  ← d_n · θ_ema + (1 - d_n) · θ

The average of Karras et al. (2018) and Yazıcı et al. (2019), with the ramp-up of StyleGAN2-ADA (Karras et al.,
2020, ``training_loop.py``: the EMA half-life is at most 5% of the training so far, counted in steps here instead
of images). Without a ramp-up, ``decay=0.999`` keeps ``0.999^n`` of the initial random weights after ``n`` steps
(46% after 780 steps, five MNIST epochs at batch 64), so at small budgets the "average" is mostly noise; with it,
the average covers the last few percent of training and reaches the full ``decay`` after ``20 h`` steps (13,863 for
0.999, 1,380 for 0.99). Measured against TensorFlow's ``min(decay, (1 + n) / (10 + n))`` warm-up on MNIST
(``benchmarks/bench_ema.py``, ``docs/zoo/ema.md``), the ramp-up gave the lower FID at 200 and 400 steps: the
generator improves fast early on, and a window of ~n/10 steps lags behind it.

Batch-norm statistics: the averaged copy normalises (in inference mode) with the live network's moving statistics,
copied into it at every sampling. Averaging them too, with the same ``d_n`` (tried: ``bench_ema.py``'s ``bn=avg``),
made the averaged generator *worse* than the live one at 400 and 780 MNIST steps (FID 42.3 against 40.4 at 780
steps, where the average with the copied statistics gave 38.1): Keras' moving statistics are already a running mean
(momentum 0.99, ~100 steps), and averaging them again doubles their lag behind the weights they normalise.

The averages are the model's own weights (``ema_0``, ``ema_1``... over the averaged networks' trainable variables,
in order), so they are saved and restored with the model and replicated as ``only_first_replica`` under a strategy.
"""

from __future__ import annotations

import math

import keras
import tensorflow as tf

from keras_gans.engine.precision import dtype_policy_scope

__all__ = ["RAMPUP", "ExponentialMovingAverage", "batch_norm_statistics", "half_life", "warmed_up_decay"]

#: The EMA half-life is at most ``RAMPUP`` times the steps so far (StyleGAN2-ADA's ``ema_rampup``).
RAMPUP = 0.05
_TINY = 1e-8


def half_life(decay: float) -> float:
    """``log(0.5) / log(decay)``: after that many steps an old value's weight in the average has halved."""
    return math.log(0.5) / math.log(decay)


def warmed_up_decay(decay: float, num_updates):
    """``0.5 ** (1 / min(h, 0.05 n))``, the decay of the ``n``-th update (``n`` a number or a tensor; 0 at n = 0)."""
    h = half_life(decay)
    if isinstance(num_updates, (int, float)):
        return 0.5 ** (1.0 / max(min(h, RAMPUP * num_updates), _TINY))
    n = tf.cast(num_updates, tf.float32)
    return tf.pow(0.5, 1.0 / tf.maximum(tf.minimum(h, RAMPUP * n), _TINY))


def batch_norm_statistics(network: keras.Model) -> list:
    """The ``moving_mean`` and ``moving_variance`` of every ``BatchNormalization`` layer of ``network``, in order."""
    statistics = []
    for layer in network._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, keras.layers.BatchNormalization) and layer.built:
            statistics += [layer.moving_mean, layer.moving_variance]
    return statistics


class ExponentialMovingAverage:
    """The EMA weights of ``networks`` (a dict name -> network), created on ``model``.

    ``model.step_counter`` (created after this object) gives ``n`` of the ramp-up; see the module docstring.
    """

    def __init__(self, model: keras.Model, networks: dict, decay: float):
        self.model = model
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
        """One averaging step with ``d_n``, ``n`` = the model's step counter (the steps done, this one included)."""
        decay = warmed_up_decay(self.decay, self.model.step_counter)
        for name, network in self.networks.items():
            for ema, v in zip(self.weights[name], network.trainable_variables):
                d = tf.cast(decay, ema.dtype)
                ema.assign(d * ema + (1.0 - d) * tf.cast(v, ema.dtype))

    def averaged(self, name: str) -> keras.Model:
        """A copy of network ``name`` with the averaged weights and the live non-trainable state (BN statistics)."""
        network = self.networks[name]
        if name not in self._copies:
            # Under the network's own policy: the copy's layers keep theirs, its outer model would take the global one.
            with dtype_policy_scope(network.dtype_policy.name):
                self._copies[name] = keras.models.clone_model(network)
        copy = self._copies[name]
        for target, source in zip(copy.weights, network.weights):
            target.assign(source)
        for target, ema in zip(copy.trainable_variables, self.weights[name]):
            target.assign(ema)
        return copy
