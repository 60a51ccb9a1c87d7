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
from keras_gans.metrics.image_quality import crop_border, image_quality_scores, l1, psnr, rgb_to_y, ssim
from keras_gans.metrics.inception_score import inception_score_from_probs
from keras_gans.metrics.kid import kid_from_features
from keras_gans.metrics.linalg import sqrtm_psd, trace_sqrt_product
from keras_gans.metrics.precision_recall import density_coverage, precision_recall
from keras_gans.metrics.reference_stats import ReferenceStats, compute_reference_stats, load_reference_stats
from keras_gans.metrics.streaming import FID
from keras_gans.metrics.translation import TRANSLATION_METRICS, evaluate_translation, label_accuracy

__all__ = [
    "FID",
    "TRANSLATION_METRICS",
    "ClassifierFeatureExtractor",
    "FeatureExtractor",
    "InceptionFeatureExtractor",
    "ModelFeatureExtractor",
    "ReferenceStats",
    "build_mnist_classifier",
    "compute_reference_stats",
    "crop_border",
    "density_coverage",
    "evaluate_translation",
    "feature_statistics",
    "fid_from_features",
    "fid_from_statistics",
    "image_quality_scores",
    "inception_score_from_probs",
    "iter_image_batches",
    "kid_from_features",
    "l1",
    "label_accuracy",
    "load_reference_stats",
    "precision_recall",
    "psnr",
    "rgb_to_y",
    "sqrtm_psd",
    "ssim",
    "trace_sqrt_product",
    "train_mnist_classifier",
]
