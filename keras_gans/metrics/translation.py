"""Scoring image-to-image translation on held-out data: fidelity, realism, and whether the content survives.

* fidelity to paired targets: PSNR, SSIM, L1 (:mod:`keras_gans.metrics.image_quality`);
* realism: FID and KID of the outputs against real target-domain images, in a classifier's feature space (for
  digits, ImageNet features say little; see :mod:`keras_gans.metrics.classifier`);
* content: the accuracy of a target-domain classifier on the outputs of inputs whose class is known -- the test of
  SVHN->MNIST-style translation (Hoffman et al., 2018, CyCADA; the labels must survive translation).

The model is used only through ``translate(images, direction=..., batch_size=...)`` (or any callable
images -> images); nothing here imports ``keras_gans.models``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from keras_gans.metrics.extractors import ClassifierFeatureExtractor
from keras_gans.metrics.fid import fid_from_features
from keras_gans.metrics.image_quality import image_quality_scores
from keras_gans.metrics.kid import kid_from_features

__all__ = ["TRANSLATION_METRICS", "evaluate_translation", "label_accuracy"]

TRANSLATION_METRICS = ("psnr", "ssim", "l1", "fid", "kid", "accuracy")
_FIDELITY = ("psnr", "ssim", "l1")
_NEEDS_CLASSIFIER = ("fid", "kid", "accuracy")


def label_accuracy(probabilities: np.ndarray, labels: np.ndarray) -> float:
    """``mean(argmax_k p[i, k] == labels[i])``: the fraction of images classified as their known label."""
    probabilities, labels = np.asarray(probabilities), np.asarray(labels).reshape(-1)
    if probabilities.ndim != 2 or len(probabilities) != len(labels):
        raise ValueError(
            f"label_accuracy needs (N, classes) probabilities and N labels; got {probabilities.shape} and "
            f"{labels.shape}"
        )
    return float(np.mean(np.argmax(probabilities, axis=1) == labels))


def _as_extractor(classifier: Any) -> ClassifierFeatureExtractor:
    if isinstance(classifier, ClassifierFeatureExtractor):
        return classifier
    if isinstance(classifier, (str, os.PathLike)) and not os.path.isfile(classifier):
        raise FileNotFoundError(f"classifier {os.fspath(classifier)!r} is not a file (a saved .keras classifier)")
    return ClassifierFeatureExtractor(classifier)


def _translator(model: Any, direction: str, batch_size: int) -> Callable[[np.ndarray], np.ndarray]:
    if hasattr(model, "translate"):
        return lambda images: np.asarray(model.translate(images, direction=direction, batch_size=batch_size))
    if callable(model):
        return lambda images: np.asarray(model(images))
    raise TypeError(f"expected a model with translate() or a callable images -> images; got {type(model).__name__}")


def evaluate_translation(
    model: Any,
    inputs: np.ndarray,
    targets: np.ndarray | None = None,
    labels: np.ndarray | None = None,
    reference: np.ndarray | None = None,
    classifier: Any = None,
    metrics: Sequence[str] | None = None,
    direction: str = "a_to_b",
    kid_subsets: int = 100,
    kid_subset_size: int = 1000,
    seed: int = 0,
    batch_size: int = 256,
) -> dict[str, Any]:
    """Translates held-out ``inputs`` and scores the outputs.

    Args:
        model: a translation model (its ``translate(images, direction=, batch_size=)`` is called) or a callable.
        inputs: (N, H, W, C) float source images in [-1, 1].
        targets: (N, ...) the paired ground truth of each input, for ``psnr``, ``ssim``, ``l1`` (None: unpaired).
        labels: (N,) the class of each input, for ``accuracy``.
        reference: real target-domain images for ``fid``/``kid`` (default: ``targets``).
        classifier: a target-domain classifier (a Keras model, a ``.keras`` path or a
            ``ClassifierFeatureExtractor``): its penultimate features for FID/KID, its predictions for accuracy.
        metrics: the subset of :data:`TRANSLATION_METRICS` to compute; None computes every one the arguments allow.
        direction: passed to ``translate`` (CycleGAN: ``"a_to_b"`` or ``"b_to_a"``).
        kid_subsets, kid_subset_size: KID's subsets (the size is capped at the smaller image count).
        seed: KID's subset seed.
        batch_size: images per translation pass.

    Returns:
        The metric values and ``"settings"``: direction, image counts and shapes, and the classifier's settings
        (its weights hash: numbers are comparable only with the same classifier).
    """
    inputs = np.asarray(inputs, np.float32)
    if inputs.ndim != 4 or not len(inputs):
        raise ValueError(f"inputs must be a non-empty batch (N, H, W, C); got shape {inputs.shape}")
    reference = targets if reference is None else reference
    available = {
        **{name: targets is not None for name in _FIDELITY},
        "fid": classifier is not None and reference is not None,
        "kid": classifier is not None and reference is not None,
        "accuracy": classifier is not None and labels is not None,
    }
    if metrics is None:
        metrics = [name for name in TRANSLATION_METRICS if available[name]]
    metrics = list(metrics)
    unknown = sorted(set(metrics) - set(TRANSLATION_METRICS))
    if unknown or not metrics:
        raise ValueError(
            f"unknown translation metrics {unknown or 'none'}; choose from {TRANSLATION_METRICS} (with the data "
            f"given here: {[name for name in TRANSLATION_METRICS if available[name]]})"
        )
    needs = {"psnr": "targets (paired data)", "ssim": "targets (paired data)", "l1": "targets (paired data)"}
    needs.update(fid="a classifier and reference images", kid="a classifier and reference images")
    needs.update(accuracy="a classifier and the inputs' labels")
    missing = [f"{name} needs {needs[name]}" for name in metrics if not available[name]]
    if missing:
        raise ValueError("; ".join(missing))
    for name, array in (("targets", targets), ("labels", labels)):
        if array is not None and len(array) != len(inputs):
            raise ValueError(f"{name} must have one entry per input: {len(array)} {name} for {len(inputs)} inputs")

    outputs = _translator(model, direction, batch_size)(inputs)
    results: dict[str, Any] = {}
    if any(name in metrics for name in _FIDELITY):
        scores = image_quality_scores(outputs, np.asarray(targets, np.float32))
        results.update({name: value for name, value in scores.items() if name in metrics})
    settings: dict[str, Any] = {
        "direction": direction,
        "num_inputs": len(inputs),
        "input_shape": list(inputs.shape[1:]),
        "output_shape": list(outputs.shape[1:]),
    }
    if any(name in metrics for name in _NEEDS_CLASSIFIER):
        extractor = _as_extractor(classifier)
        features, probabilities = extractor.features_and_probabilities(outputs)
        settings.update(extractor.settings)
        if "accuracy" in metrics:
            results["accuracy"] = label_accuracy(probabilities, labels)
        if "fid" in metrics or "kid" in metrics:
            real = extractor.features(np.asarray(reference, np.float32))
            settings["num_reference"] = len(real)
            if "fid" in metrics:
                results["fid"] = fid_from_features(real, features)
            if "kid" in metrics:
                size = min(int(kid_subset_size), len(real), len(features))
                results["kid"], results["kid_std"] = kid_from_features(real, features, kid_subsets, size, seed=seed)
                settings.update(kid_subsets=int(kid_subsets), kid_subset_size=size)
    results["settings"] = settings
    return results
