"""``TensorBoardLogger``: every log as a TensorBoard scalar, and the train step's graph, without ``tensorboard``.

``keras.callbacks.TensorBoard`` calls ``tf.summary.scalar``, which TensorFlow only forwards to the ``tensorboard``
package; ``tensorflow-cpu`` does not install it, so that callback raises ``TBNotInstalledError`` at the first epoch
end. The scalar plugin's format is simple -- a float32 scalar tensor tagged with plugin ``"scalars"`` -- so this
callback writes it with the core ``tf.summary.write``, as :class:`SampleGrid` does for images. Keras 3 writes no
model graph for the zoo's subclassed models (its train function is a Python function, not a ``tf.function``); this
callback records the traced train step with the core ``tf.summary.trace_on``/``trace_export`` instead, shown by
TensorBoard's Graphs tab.
"""

from __future__ import annotations

import os
from typing import Any

import keras

from keras_gans.reporting.history import numeric_logs

__all__ = ["TensorBoardLogger", "write_scalar_summary"]

GRAPH_TAG = "train_step"


def _scalar_metadata() -> Any:
    from tensorflow.core.framework import summary_pb2

    # The scalar plugin's ScalarPluginData at version 0 serialises to no bytes.
    return summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="scalars"))


def write_scalar_summary(writer: Any, tag: str, value: float, step: int) -> None:
    """Writes ``value`` as the TensorBoard scalar ``tag`` (the event ``tf.summary.scalar`` would write)."""
    import tensorflow as tf

    with writer.as_default():
        tf.summary.write(tag, tf.constant(float(value), tf.float32), step=step, metadata=_scalar_metadata())


def _learning_rates(model: Any) -> dict[str, float]:
    optimizers = dict(getattr(model, "optimizers", None) or {})
    if not optimizers and isinstance(getattr(model, "optimizer", None), keras.optimizers.Optimizer):
        optimizers = {"optimizer": model.optimizer}
    rates = {}
    for name, optimizer in optimizers.items():
        optimizer = getattr(optimizer, "inner_optimizer", optimizer)  # LossScaleOptimizer
        try:
            rates[f"learning_rate/{name}"] = float(keras.ops.convert_to_numpy(optimizer.learning_rate))
        except (AttributeError, TypeError, ValueError):
            continue
    return rates


class TensorBoardLogger(keras.callbacks.Callback):
    """Writes every numeric epoch log as a TensorBoard scalar, like ``keras.callbacks.TensorBoard``, but with the
    core TensorFlow summary ops only, so it works without the ``tensorboard`` package.

    Layout (as Keras'): ``log_dir/train`` holds ``epoch_<key>`` for each training log (the model-agnostic set: losses,
    accuracies, gradient norms, the TrainingMonitor's ``fixed_diversity``, GANMetrics' ``fid`` on the epochs it
    runs, ...) and ``learning_rate/<optimizer>``; ``log_dir/validation`` holds ``val_<key>`` as ``epoch_<key>``.
    Steps are 1-based epochs, like :class:`SampleGrid`'s images (give it ``tensorboard_dir=log_dir/"samples"``).
    Put this callback after those that add logs (TrainingMonitor, GANMetrics).

    Args:
        log_dir: the TensorBoard folder (``tensorboard --logdir`` on it or on a folder of runs).
        write_graph: record the graph of the first train step in ``log_dir/train`` (TensorBoard's Graphs tab).
        update_freq: ``"epoch"``, or an integer n: also write ``batch_<key>`` (the running means Keras passes to
            batch callbacks) every n steps, step = global step.
        learning_rates: also write each optimizer's learning rate at epoch ends.
    """

    def __init__(
        self,
        log_dir: str | os.PathLike,
        write_graph: bool = True,
        update_freq: str | int = "epoch",
        learning_rates: bool = True,
    ) -> None:
        super().__init__()
        if update_freq != "epoch" and (not isinstance(update_freq, int) or update_freq < 1):
            raise ValueError(f"update_freq must be 'epoch' or a positive integer, got {update_freq!r}")
        self.log_dir = os.fspath(log_dir)
        self.write_graph = write_graph
        self.update_freq = update_freq
        self.learning_rates = learning_rates
        self._writers: dict[str, Any] = {}
        self._tracing = False
        self._global_step = 0

    def _writer(self, name: str) -> Any:
        if name not in self._writers:
            import tensorflow as tf

            self._writers[name] = tf.summary.create_file_writer(os.path.join(self.log_dir, name))
        return self._writers[name]

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._global_step = 0
        self._writer("train")  # the folder exists from the start
        if self.write_graph:
            import tensorflow as tf

            tf.summary.trace_on(graph=True, profiler=False)
            self._tracing = True

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._global_step += 1
        if self._tracing:
            self._export_graph()
        if self.update_freq != "epoch" and self._global_step % self.update_freq == 0:
            writer = self._writer("train")
            for key, value in numeric_logs(logs).items():
                write_scalar_summary(writer, f"batch_{key}", value, step=self._global_step)

    def _export_graph(self) -> None:
        import tensorflow as tf

        self._tracing = False
        with self._writer("train").as_default():
            tf.summary.trace_export(name=GRAPH_TAG, step=0)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        values = numeric_logs(logs)
        if self.learning_rates:
            values.update(_learning_rates(self.model))
        step = epoch + 1
        for key, value in values.items():
            if key.startswith("val_"):
                writer, tag = self._writer("validation"), f"epoch_{key[4:]}"
            else:
                writer, tag = self._writer("train"), key if key.startswith("learning_rate/") else f"epoch_{key}"
            write_scalar_summary(writer, tag, value, step=step)  # NaN/inf too: they show where a run diverged
        for writer in self._writers.values():
            writer.flush()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._tracing:  # no step ran
            import tensorflow as tf

            tf.summary.trace_off()
            self._tracing = False
        for writer in self._writers.values():
            writer.close()
        self._writers = {}
