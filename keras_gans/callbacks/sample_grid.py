"""``SampleGrid``: a fixed grid of generated samples saved as PNG (and to TensorBoard) during training."""

from __future__ import annotations

import math
import os
from typing import Any

import keras
import numpy as np
from PIL import Image

from keras_gans.evaluation import generate_samples
from keras_gans.utils.images import make_grid, save_png

__all__ = ["SampleGrid"]

MAX_MONTAGE_GRIDS = 16


class SampleGrid(keras.callbacks.Callback):
    """Saves ``directory/epoch_{epoch:04d}.png`` (1-based epochs) every ``every_n_epochs`` epochs, and at the end of
    training ``directory/progress.png``: a montage of up to 16 of this run's grids, evenly spaced, last one included.

    The grid always uses the same ``seed`` (and labels), so successive images show the same latent points. For a
    conditional model without explicit ``labels`` each row holds every class once (``num_classes`` columns).

    Args:
        directory: where the PNG files go (created).
        num_rows: rows of the grid.
        num_cols: columns; ``num_rows`` by default (``num_classes`` for conditional models without labels).
        every_n_epochs: save after epochs ``n, 2n, ...``.
        seed: the fixed seed passed to ``model.generate``.
        labels: class labels of the cells, row by row, for conditional models (overrides the grid size).
        tensorboard_dir: if given, each grid is also written there as the TensorBoard image ``samples`` (step =
            1-based epoch).
        scale: nearest-neighbour upscaling of the PNG; ``max(1, 32 // height)`` by default (8x8 digits x4).
    """

    def __init__(
        self,
        directory: str | os.PathLike,
        num_rows: int = 8,
        num_cols: int | None = None,
        every_n_epochs: int = 1,
        seed: int = 0,
        labels: np.ndarray | None = None,
        tensorboard_dir: str | os.PathLike | None = None,
        scale: int | None = None,
    ) -> None:
        super().__init__()
        if every_n_epochs < 1 or num_rows < 1:
            raise ValueError("every_n_epochs and num_rows must be >= 1")
        self.directory = os.fspath(directory)
        self.num_rows = int(num_rows)
        self.num_cols = num_cols
        self.every_n_epochs = int(every_n_epochs)
        self.seed = seed
        self.labels = None if labels is None else np.asarray(labels)
        self.tensorboard_dir = None if tensorboard_dir is None else os.fspath(tensorboard_dir)
        self.scale = scale
        self.paths: list[str] = []
        self._writer = None

    def _grid_labels(self) -> np.ndarray | None:
        if self.labels is not None:
            return self.labels
        num_classes = getattr(self.model, "num_classes", None)
        if not num_classes:
            return None
        return np.tile(np.arange(self.num_cols or num_classes) % num_classes, self.num_rows)

    def samples(self) -> np.ndarray:
        """The grid's generated images, float32 (N, H, W, C) in [-1, 1], row by row."""
        if self.labels is None and self.num_cols is None and hasattr(self.model, "grid_samples"):
            return self.model.grid_samples(self.num_rows, seed=self.seed)[0]
        labels = self._grid_labels()
        num_samples = self.num_rows * (self.num_cols or self.num_rows) if labels is None else len(labels)
        return generate_samples(self.model, num_samples, seed=self.seed, labels=labels)

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.paths = []
        if self.tensorboard_dir is not None and self._writer is None:
            import tensorflow as tf  # only needed for TensorBoard output

            self._writer = tf.summary.create_file_writer(self.tensorboard_dir)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if (epoch + 1) % self.every_n_epochs:
            return
        images = self.samples()
        grid = make_grid(images, num_rows=self.num_rows)
        scale = self.scale or max(1, 32 // images.shape[1])
        self.paths.append(save_png(grid, os.path.join(self.directory, f"epoch_{epoch + 1:04d}.png"), scale=scale))
        if self._writer is not None:
            _write_image_summary(self._writer, "samples", grid, step=epoch + 1)

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if not self.paths:
            return
        count = min(len(self.paths), MAX_MONTAGE_GRIDS)
        picks = np.unique(np.round(np.linspace(0, len(self.paths) - 1, count)).astype(int))
        frames = np.stack([np.asarray(Image.open(self.paths[i])) for i in picks])
        montage = make_grid(frames, num_rows=math.ceil(math.sqrt(len(frames))), padding=8, pad_value=255)
        save_png(montage, os.path.join(self.directory, "progress.png"))


def _write_image_summary(writer: Any, tag: str, image: np.ndarray, step: int) -> None:
    """Writes ``image`` (uint8 HWC) as a TensorBoard image summary, the event ``tf.summary.image`` would write.

    ``tf.summary.image`` itself needs the ``tensorboard`` package (absent from ``tensorflow-cpu`` installs); the
    image plugin's format is simple -- a string tensor ``[width, height, png]`` tagged with plugin ``"images"`` --
    so it is written with the core ``tf.summary.write``.
    """
    import tensorflow as tf
    from tensorflow.core.framework import summary_pb2

    metadata = summary_pb2.SummaryMetadata(plugin_data=summary_pb2.SummaryMetadata.PluginData(plugin_name="images"))
    height, width = image.shape[:2]
    tensor = tf.stack([tf.constant(str(width)), tf.constant(str(height)), tf.image.encode_png(image)])
    with writer.as_default():
        tf.summary.write(tag, tensor, step=step, metadata=metadata)
    writer.flush()
