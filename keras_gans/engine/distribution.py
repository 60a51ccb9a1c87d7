"""How the train step runs: XLA choice, tf.distribute strategies and the step functions ``fit`` calls.

Keras' TensorFlow trainer compiles ``strategy.run(step)`` as one XLA cluster when ``jit_compile=True``; under
a strategy that fails (XLA cannot hold the cross-device reduction), so here the whole step is compiled only
without a strategy, and under one the per-replica gradient computation is compiled instead. Under
MultiWorkerMirroredStrategy Keras reduces every log with ``strategy.reduce("MEAN", v, axis=0)``, which rejects
scalars, so the step returns its logs as 1-element vectors there.

A cross-replica synchronisation point cannot sit inside an XLA function called in replica context (TensorFlow
raises "merge_call called while defining a new graph"), so with ``jit_compile=True`` under a strategy,
synchronized batch norm falls back to per-replica statistics (a warning says so). Without XLA, or on one device,
batch norm uses the global batch's statistics.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable

import tensorflow as tf

from keras_gans.engine import data_spec

__all__ = [
    "is_multi_worker",
    "make_step_function",
    "prepare_logs",
    "without_batch_norm_sync",
    "xla_is_faster",
]


def xla_is_faster() -> bool:
    """Whether XLA is the faster default here: on GPU/TPU yes; on CPU a DCGAN step ran 1.1-1.35x slower."""
    return any(d.device_type in ("GPU", "TPU") for d in tf.config.list_physical_devices())


def is_multi_worker(strategy: tf.distribute.Strategy) -> bool:
    """True for a MultiWorkerMirroredStrategy that spans more than one worker."""
    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy) and strategy.extended._in_multi_worker_mode()


def prepare_logs(logs: dict) -> dict:
    """Shapes a step's scalar logs for the reduction Keras applies across replicas (see module docstring)."""
    if is_multi_worker(tf.distribute.get_strategy()):
        return {name: tf.reshape(value, [1]) for name, value in logs.items()}
    return logs


def make_step_function(model, step: Callable) -> Callable:
    """Keras' step function for ``step``, with XLA where it works: whole step alone, per replica under a strategy."""
    under_strategy = model._distribute_strategy is not None or tf.distribute.has_strategy()
    jit = bool(model.jit_compile)
    model._xla_inside_step = jit and under_strategy
    if model._xla_inside_step and _synchronized_batch_norms(model):
        warnings.warn(
            "jit_compile=True under a tf.distribute strategy: batch norm uses per-replica statistics inside the "
            "XLA-compiled gradient computation (a cross-replica sync cannot run inside XLA). Compile with "
            "jit_compile=False for synchronized batch norm.",
            stacklevel=3,
        )
    # The batch's value checks run outside XLA (which drops assertions): see keras_gans.engine.data_spec.
    step, whole_step_xla = data_spec.with_value_checks(model, step, jit and not under_strategy)
    saved = model._jit_compile
    model._jit_compile = whole_step_xla
    try:
        return data_spec.raise_bad_batches(model._make_function(step))
    finally:
        model._jit_compile = saved


def _synchronized_batch_norms(model) -> list:
    return [layer for layer in model._flatten_layers() if getattr(layer, "synchronized", False)]


def without_batch_norm_sync(model, fn: Callable) -> Callable:
    """``fn`` traced with the model's synchronized batch norms computing per-replica statistics."""
    layers = _synchronized_batch_norms(model)

    @functools.wraps(fn)
    def traced(*args):
        for layer in layers:
            layer.synchronized = False
        try:
            return fn(*args)
        finally:
            for layer in layers:
                layer.synchronized = True

    return traced
