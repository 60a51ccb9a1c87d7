"""Sample-quality metrics: pure functions of features, a streaming FID, feature extractors and reference statistics.

Metrics are computed from features (``*_from_features``, ``*_from_probs``), apart from feature extraction
(:mod:`keras_gans.metrics.extractors`). See ``docs/metrics.md``.
"""

from keras_gans.metrics.classifier import build_mnist_classifier, train_mnist_classifier
from keras_gans.metrics.extractors import (
    ClassifierFeatureExtractor,
    FeatureExtractor,
    InceptionFeatureExtractor,
    ModelFeatureExtractor,
    iter_image_batches,
)
from keras_gans.metrics.fid import feature_statistics, fid_from_features, fid_from_statistics
from keras_gans.metrics.inception_score import inception_score_from_probs
from keras_gans.metrics.kid import kid_from_features
from keras_gans.metrics.linalg import sqrtm_psd, trace_sqrt_product
from keras_gans.metrics.precision_recall import density_coverage, precision_recall
from keras_gans.metrics.reference_stats import ReferenceStats, compute_reference_stats, load_reference_stats
from keras_gans.metrics.streaming import FID

__all__ = [
    "FID",
    "ClassifierFeatureExtractor",
    "FeatureExtractor",
    "InceptionFeatureExtractor",
    "ModelFeatureExtractor",
    "ReferenceStats",
    "build_mnist_classifier",
    "compute_reference_stats",
    "density_coverage",
    "feature_statistics",
    "fid_from_features",
    "fid_from_statistics",
    "inception_score_from_probs",
    "iter_image_batches",
    "kid_from_features",
    "load_reference_stats",
    "precision_recall",
    "sqrtm_psd",
    "trace_sqrt_product",
    "train_mnist_classifier",
]
