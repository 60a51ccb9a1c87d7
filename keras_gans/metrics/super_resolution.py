"""Super-resolution quality as BasicSR reports it, beside the bicubic baseline on the same images.

PSNR and SSIM on the Y channel of YCbCr (ITU-R BT.601, [0, 255] scale) for colour images, on the grey values
themselves for one-channel images, after cropping ``scale`` pixels from every border
(:mod:`keras_gans.metrics.image_quality`). The baseline upscales the same low-res inputs with bicubic
interpolation (``tf.image.resize(method="bicubic")``, clipped). With a digit classifier, the accuracy of its
predictions on the upscaled images (and on bicubic and on the high-res originals) tells whether the upscaling
keeps the digit's identity, and FID/KID in its penultimate features (the outputs', and bicubic's, against the
high-res originals) whether the outputs look like real high-res images.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import tensorflow as tf

from keras_gans.metrics.extractors import ClassifierFeatureExtractor
from keras_gans.metrics.fid import fid_from_features
from keras_gans.metrics.image_quality import image_quality_scores
from keras_gans.metrics.kid import kid_from_features

__all__ = ["bicubic_upscale", "collect_high_res", "super_resolution_scores"]


def bicubic_upscale(low_res, scale: int) -> np.ndarray:
    """The bicubic baseline: ``(n, h, w, C)`` -> ``(n, scale h, scale w, C)``, clipped to [-1, 1]."""
    low_res = tf.convert_to_tensor(np.asarray(low_res, np.float32))
    size = [int(low_res.shape[1]) * scale, int(low_res.shape[2]) * scale]
    return tf.clip_by_value(tf.image.resize(low_res, size, method="bicubic"), -1.0, 1.0).numpy()


def collect_high_res(data: Any, num_samples: int) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """``(high_res, low_res or None, labels or None)``: up to ``num_samples`` examples of an array, a
    ``(high_res, labels)`` / ``(low_res, high_res)`` tuple of arrays, or a dataset of batches of those."""
    if isinstance(data, tf.data.Dataset):
        batches, count = [], 0
        for element in data:
            parts = element if isinstance(element, (tuple, list)) else (element,)
            parts = [p["image"] if isinstance(p, dict) else p for p in parts if p is not None]
            batches.append([np.asarray(p) for p in parts])
            count += len(batches[-1][0])
            if count >= num_samples:
                break
        if not batches:
            raise ValueError("super_resolution_scores: the dataset is empty.")
        parts = [np.concatenate(column)[:num_samples] for column in zip(*batches)]
    elif isinstance(data, (tuple, list)):
        parts = [np.asarray(p)[:num_samples] for p in data if p is not None]
    else:
        parts = [np.asarray(data)[:num_samples]]
    if len(parts) == 1:
        return parts[0].astype(np.float32), None, None
    if np.issubdtype(parts[1].dtype, np.integer):
        return parts[0].astype(np.float32), None, parts[1]
    return parts[1].astype(np.float32), parts[0].astype(np.float32), None


def _as_extractor(classifier) -> ClassifierFeatureExtractor:
    """A Keras classifier (logits or softmax output) as its penultimate features and class probabilities."""
    return classifier if isinstance(classifier, ClassifierFeatureExtractor) else ClassifierFeatureExtractor(classifier)


def super_resolution_scores(
    model,
    data: Any,
    num_samples: int = 1000,
    classifier=None,
    labels: np.ndarray | None = None,
    kid_subsets: int = 100,
    kid_subset_size: int = 1000,
    seed: int = 0,
) -> dict[str, float]:
    """``{"psnr", "ssim", "l1", "psnr_bicubic", "ssim_bicubic", "l1_bicubic"}`` of ``model.upscale`` on the
    low-res versions of up to ``num_samples`` high-res images of ``data`` (or on its low-res images when it holds
    pairs). PSNR/SSIM: Y channel for 3 channels, a ``model.scale``-pixel border cropped.

    With a ``classifier`` (a Keras classifier or a :class:`ClassifierFeatureExtractor`) also ``"fid"``, ``"kid"``,
    ``"kid_std"`` of the outputs and ``"fid_bicubic"``, ``"kid_bicubic"`` of the baseline against the high-res
    images, in its penultimate features (KID on ``min(kid_subset_size, n)``-image subsets); and with labels (given,
    or from ``(images, labels)`` data) ``"accuracy"``, ``"accuracy_bicubic"`` and ``"accuracy_high_res"``: how
    often its prediction is the label.
    """
    high, low, data_labels = collect_high_res(data, int(num_samples))
    labels = data_labels if labels is None else np.asarray(labels)[: len(high)]
    if low is None:
        low = model.downsample(high)
    output = model.upscale(low)
    baseline = bicubic_upscale(low, model.scale)
    colour = high.shape[-1] == 3
    scores = {}
    for suffix, images in (("", output), ("_bicubic", baseline)):
        values = image_quality_scores(images, high, crop=model.scale, y_channel=colour)
        scores.update({f"{k}{suffix}": v for k, v in values.items()})
    if classifier is None:
        return scores
    extractor = _as_extractor(classifier)
    real_features, real_probabilities = extractor.features_and_probabilities(high)
    subset_size = min(int(kid_subset_size), len(high))
    for suffix, images in (("", output), ("_bicubic", baseline)):
        features, probabilities = extractor.features_and_probabilities(images)
        scores[f"fid{suffix}"] = fid_from_features(real_features, features)
        kid, kid_std = kid_from_features(real_features, features, kid_subsets, subset_size, seed=seed)
        scores[f"kid{suffix}"] = kid
        if not suffix:
            scores["kid_std"] = kid_std
        if labels is not None:
            scores[f"accuracy{suffix}"] = float(np.mean(probabilities.argmax(-1) == labels))
    if labels is not None:
        scores["accuracy_high_res"] = float(np.mean(real_probabilities.argmax(-1) == labels))
    return scores
