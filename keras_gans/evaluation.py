"""Scoring a generator: samples -> features -> FID, KID, IS, precision/recall, density/coverage.

Shared by :func:`evaluate_generator` (behind ``keras-gans evaluate``) and the
:class:`keras_gans.callbacks.GANMetrics` callback. Models are used only through their ``generate`` method
(``generate(num_samples=None, seed=None, labels=None, batch_size=256)`` -> float32 images in [-1, 1]) and their
``num_classes`` attribute (None when unconditional); nothing here imports ``keras_gans.models``.

Result keys: ``fid``; ``kid`` and ``kid_std``; ``is`` and ``is_std``; ``precision`` and ``recall``; ``density``
and ``coverage``. Every result comes with the settings that produced it (extractor, weights hash, resize, image
shape, sample counts, metric options).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any

import numpy as np

from keras_gans.metrics.extractors import FeatureExtractor, InceptionFeatureExtractor, iter_image_batches
from keras_gans.metrics.fid import feature_statistics
from keras_gans.metrics.inception_score import inception_score_from_probs
from keras_gans.metrics.kid import kid_from_features
from keras_gans.metrics.precision_recall import density_coverage, precision_recall
from keras_gans.metrics.reference_stats import ReferenceStats, load_reference_stats

__all__ = [
    "METRIC_NAMES",
    "MetricConfig",
    "RealReference",
    "check_real_data",
    "default_extractor",
    "evaluate_generator",
    "generate_samples",
    "metric_settings",
    "prepare_reference",
    "score_images",
]

METRIC_NAMES = ("fid", "kid", "is", "precision_recall", "density_coverage")
_NEEDS_REAL_FEATURES = {"kid", "precision_recall", "density_coverage"}


@dataclasses.dataclass(frozen=True)
class MetricConfig:
    """Which metrics to compute and their options (defaults from the papers; see ``keras_gans.metrics``)."""

    metrics: tuple[str, ...] = ("fid", "kid")
    kid_subsets: int = 100
    #: ``None``: ``min(1000, real samples, generated samples)`` (KID refuses subsets larger than either set).
    kid_subset_size: int | None = None
    is_splits: int = 10
    precision_recall_k: int = 3
    density_coverage_k: int = 5
    seed: int = 0

    def __post_init__(self) -> None:
        metrics = (self.metrics,) if isinstance(self.metrics, str) else tuple(self.metrics)
        unknown = sorted(set(metrics) - set(METRIC_NAMES))
        if unknown or not metrics:
            raise ValueError(f"unknown metrics {unknown}; choose from {METRIC_NAMES}")
        object.__setattr__(self, "metrics", metrics)


@dataclasses.dataclass(frozen=True)
class RealReference:
    """The real side, prepared once: FID statistics (with settings) and, unless loaded from a file, the features."""

    stats: ReferenceStats
    features: np.ndarray | None = None


def default_extractor(metrics: tuple[str, ...] | list[str]) -> FeatureExtractor:
    """The standard choice: ``InceptionFeatureExtractor("imagenet")``, with the classifier top if IS is asked."""
    return InceptionFeatureExtractor(weights="imagenet", include_top="is" in metrics)


def check_real_data(real_data: Any, metrics: tuple[str, ...]) -> None:
    """Raises ``ValueError`` where ``real_data`` cannot serve ``metrics`` (None, or statistics for KID/PR/DC)."""
    if real_data is None and set(metrics) != {"is"}:
        raise ValueError(f"{list(metrics)} need real data; only 'is' can be computed without it")
    if isinstance(real_data, (str, os.PathLike, ReferenceStats)):
        needs = sorted(_NEEDS_REAL_FEATURES & set(metrics))
        if needs:
            raise ValueError(f"{needs} need real features; reference statistics only serve 'fid' (and 'is')")


def prepare_reference(
    real_data: Any,
    extractor: FeatureExtractor,
    metrics: tuple[str, ...] = ("fid",),
    max_samples: int | None = None,
) -> RealReference:
    """Extracts real features once, or loads reference statistics.

    Args:
        real_data: [-1, 1] images as an array or an iterable of batches (``tf.data.Dataset``), a
            :class:`ReferenceStats`, or the path of a ``.npz`` written by ``compute_reference_stats``. Statistics
            carry no per-sample features, so they serve FID (and IS, which needs no real data) only.
        extractor: the feature extractor used for the generated images too.
        metrics: the metrics to be computed (to refuse statistics where features are needed).
        max_samples: use at most this many real images (required for a repeating dataset).
    """
    check_real_data(real_data, metrics)
    if isinstance(real_data, (str, os.PathLike, ReferenceStats)):
        stats = real_data if isinstance(real_data, ReferenceStats) else load_reference_stats(real_data)
        stats.check_compatible({**extractor.settings, "image_shape": stats.settings.get("image_shape")})
        return RealReference(stats)
    batches, image_shape = [], None
    for batch in iter_image_batches(real_data, extractor.batch_size, max_samples):
        image_shape = list(batch.shape[1:])
        batches.append(extractor.features(batch))
    if image_shape is None:
        raise ValueError("real_data holds no images")
    features = np.concatenate(batches)
    mu, sigma = feature_statistics(features)
    return RealReference(
        ReferenceStats(mu, sigma, len(features), {**extractor.settings, "image_shape": image_shape}), features
    )


def score_images(
    images: np.ndarray,
    reference: RealReference | None,
    extractor: FeatureExtractor,
    config: MetricConfig,
) -> dict[str, float]:
    """Scores generated [-1, 1] images against the real reference (None is allowed when only "is" is asked)."""
    metrics = config.metrics
    settings = {**extractor.settings, "image_shape": list(np.shape(images)[1:])}
    if reference is None:
        if set(metrics) != {"is"}:
            raise ValueError(f"{metrics} need real data; only 'is' can be computed without it")
    else:
        reference.stats.check_compatible(settings)
    if "is" in metrics:
        features, probabilities = extractor.features_and_probabilities(images)
    else:
        features, probabilities = extractor.features(images), None
    results: dict[str, float] = {}
    if "fid" in metrics:
        results["fid"] = reference.stats.fid(*feature_statistics(features), settings)
    if "kid" in metrics:
        subset_size = config.kid_subset_size or min(1000, len(reference.features), len(features))
        results["kid"], results["kid_std"] = kid_from_features(
            reference.features, features, config.kid_subsets, subset_size, seed=config.seed
        )
    if "is" in metrics:
        results["is"], results["is_std"] = inception_score_from_probs(probabilities, config.is_splits)
    if "precision_recall" in metrics:
        results.update(precision_recall(reference.features, features, k=config.precision_recall_k))
    if "density_coverage" in metrics:
        results.update(density_coverage(reference.features, features, k=config.density_coverage_k))
    return results


def generate_samples(
    model: Any, num_samples: int, seed: int | None = 0, labels: np.ndarray | None = None, batch_size: int = 256
) -> np.ndarray:
    """``model.generate`` with class-balanced labels (``i % num_classes``) for conditional models by default."""
    num_classes = getattr(model, "num_classes", None)
    if labels is None and num_classes:
        labels = np.arange(num_samples) % num_classes
    if labels is not None:
        labels = np.asarray(labels)
        num_samples = len(labels)
    return np.asarray(model.generate(num_samples=num_samples, seed=seed, labels=labels, batch_size=batch_size))


def evaluate_generator(
    model: Any,
    real_images: Any,
    metrics: tuple[str, ...] | list[str] = ("fid", "kid", "is", "precision_recall"),
    extractor: FeatureExtractor | None = None,
    num_samples: int = 10_000,
    num_real_samples: int | None = None,
    seed: int = 0,
    batch_size: int = 256,
    **metric_options: int,
) -> dict[str, Any]:
    """Generates ``num_samples`` images and scores them against real data.

    Args:
        model: a GAN with ``generate`` (and ``num_classes`` for conditional models: labels are then balanced).
        real_images: [-1, 1] images (array or ``tf.data.Dataset``), or reference statistics (path or object) when
            only FID (and IS) is asked; may be None for IS alone.
        metrics: any of ``METRIC_NAMES``.
        extractor: the feature extractor; :func:`default_extractor` (Keras ImageNet InceptionV3) when None.
        num_samples: generated images (10,000 here; papers usually report FID on 50,000).
        num_real_samples: cap on the real images used.
        seed: seed of the generated samples and of the KID subsets.
        batch_size: images per generator pass (the extractor has its own ``batch_size``).
        **metric_options: other :class:`MetricConfig` fields (``kid_subsets``, ``precision_recall_k``, ...).

    Returns:
        The metric values (keys in the module docstring) and ``"settings"``: what they were computed with.
    """
    config = MetricConfig(metrics=tuple(metrics), seed=seed, **metric_options)
    extractor = extractor or default_extractor(config.metrics)
    check_real_data(real_images, config.metrics)
    reference = None
    if real_images is not None:
        reference = prepare_reference(real_images, extractor, config.metrics, num_real_samples)
    images = generate_samples(model, num_samples, seed=seed, batch_size=batch_size)
    results: dict[str, Any] = score_images(images, reference, extractor, config)
    results["settings"] = metric_settings(extractor, config, images.shape[1:], len(images), reference)
    return results


def metric_settings(
    extractor: FeatureExtractor,
    config: MetricConfig,
    image_shape: tuple[int, ...],
    num_samples: int,
    reference: RealReference | None,
) -> dict[str, Any]:
    """The settings reported with every number: extractor, image shape, sample counts and metric options."""
    return {
        **extractor.settings,
        "image_shape": list(image_shape),
        "num_samples": int(num_samples),
        "num_real_samples": None if reference is None else reference.stats.num_samples,
        **dataclasses.asdict(config),
        "metrics": list(config.metrics),
    }
