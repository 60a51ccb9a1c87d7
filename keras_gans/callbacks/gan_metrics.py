"""``GANMetrics``: sample-quality metrics computed during ``fit`` and written into the epoch logs."""

from __future__ import annotations

import json
import os
from typing import Any

import keras
import numpy as np

from keras_gans.evaluation import (
    MetricConfig,
    RealReference,
    check_real_data,
    default_extractor,
    generate_samples,
    metric_settings,
    prepare_reference,
    score_images,
)
from keras_gans.metrics.extractors import FeatureExtractor

__all__ = ["GANMetrics"]


class GANMetrics(keras.callbacks.Callback):
    """Scores generated samples every ``every_n_epochs`` epochs and adds the values to the epoch ``logs``.

    Because the values land in ``logs``, History, CSVLogger, TensorBoard, EarlyStopping and
    ``ModelCheckpoint(monitor="fid", mode="min")`` see them -- put this callback *before* those in the list.
    Keys: ``fid``; ``kid``, ``kid_std``; ``is``, ``is_std``; ``precision``, ``recall``; ``density``, ``coverage``.
    On epochs that are not evaluated the keys are absent: Keras' monitors warn and skip those epochs, and
    ``History.history["fid"]`` holds one value per evaluation (``GANMetrics.history`` pairs them with epochs).

    The real features (or loaded statistics) are computed once, at the first evaluation. Generated samples use the
    same ``seed`` every time, so successive numbers differ by the generator, not by the latent draw.

    Args:
        metrics: any of ``"fid"``, ``"kid"``, ``"is"``, ``"precision_recall"``, ``"density_coverage"``.
        real_data: real images in [-1, 1] (array or ``tf.data.Dataset``), or reference statistics (a ``.npz``
            path or :class:`keras_gans.metrics.ReferenceStats`; FID and IS only).
        extractor: feature extractor; Keras ImageNet InceptionV3 when None (downloaded on first use).
        every_n_epochs: evaluate after epochs ``n, 2n, ...`` (1-based).
        num_samples: generated images per evaluation (class-balanced labels for conditional models).
        max_real_samples: cap on the real images used (required for a repeating ``tf.data.Dataset``).
        seed: seed of the generated samples and of the KID subsets.
        labels: explicit labels for a conditional model (overrides ``num_samples``).
        batch_size: images per generator pass (the extractor has its own ``batch_size``).
        results_path: if given, each evaluation is appended to this JSON-lines file as
            ``{"epoch", "metrics", "settings"}``.
        metric_options: other :class:`keras_gans.evaluation.MetricConfig` fields, e.g. ``{"kid_subset_size": 500}``.
        last_epoch: also evaluate after the last epoch of the fit when it is not a multiple of ``every_n_epochs``.

    Attributes:
        history: one dict per evaluation: ``{"epoch": int, **values}``.
        settings: what the numbers were computed with (extractor, weights hash, resize, image shape, counts, options).
    """

    def __init__(
        self,
        metrics: tuple[str, ...] | list[str] = ("fid", "kid"),
        real_data: Any = None,
        extractor: FeatureExtractor | None = None,
        every_n_epochs: int = 1,
        num_samples: int = 10_000,
        max_real_samples: int | None = None,
        seed: int = 0,
        labels: np.ndarray | None = None,
        batch_size: int = 256,
        results_path: str | os.PathLike | None = None,
        metric_options: dict[str, int] | None = None,
        last_epoch: bool = False,
    ) -> None:
        super().__init__()
        self.config = MetricConfig(metrics=tuple(metrics), seed=seed, **(metric_options or {}))
        check_real_data(real_data, self.config.metrics)
        if every_n_epochs < 1:
            raise ValueError(f"every_n_epochs must be >= 1, got {every_n_epochs}")
        self.real_data = real_data
        self.extractor = extractor
        self.every_n_epochs = int(every_n_epochs)
        self.last_epoch = bool(last_epoch)
        self.num_samples = int(num_samples)
        self.max_real_samples = max_real_samples
        self.labels = labels
        self.batch_size = int(batch_size)
        self.results_path = None if results_path is None else os.fspath(results_path)
        self.history: list[dict[str, Any]] = []
        self.settings: dict[str, Any] = {}
        self._reference: RealReference | None = None

    def _prepare(self) -> None:
        if self.extractor is None:
            self.extractor = default_extractor(self.config.metrics)
        if self._reference is None and self.real_data is not None:
            self._reference = prepare_reference(
                self.real_data, self.extractor, self.config.metrics, self.max_real_samples
            )

    def evaluate(self) -> dict[str, float]:
        """Generates samples from ``self.model`` and scores them (also usable outside ``fit``)."""
        self._prepare()
        images = generate_samples(
            self.model, self.num_samples, seed=self.config.seed, labels=self.labels, batch_size=self.batch_size
        )
        values = score_images(images, self._reference, self.extractor, self.config)
        self.settings = metric_settings(self.extractor, self.config, images.shape[1:], len(images), self._reference)
        return values

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        is_last = self.last_epoch and (self.params or {}).get("epochs") == epoch + 1
        if (epoch + 1) % self.every_n_epochs and not is_last:
            return
        values = self.evaluate()
        if logs is not None:
            logs.update(values)
        self.history.append({"epoch": epoch + 1, **values})
        if self.results_path is not None:
            os.makedirs(os.path.dirname(self.results_path) or ".", exist_ok=True)
            with open(self.results_path, "a", encoding="utf-8") as file:
                record = {"epoch": epoch + 1, "metrics": values, "settings": self.settings}
                file.write(json.dumps(record) + "\n")
