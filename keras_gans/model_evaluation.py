"""The numbers a trained model of any family is judged by: what ``keras-gans evaluate`` prints and preset cards record.

Each family scores itself with its own evaluation, chosen by the model's declared ``family`` (:data:`EVALUATIONS`):

* ``latent`` (samplers): FID, KID and precision/recall of ``num_samples`` generated images against the dataset
  (:func:`keras_gans.evaluation.evaluate_generator`), and for conditional models the label accuracy: how often the
  classifier recognises the class an image was generated for (labels ``i % num_classes``, seed 1);
* ``translation``: for every direction the model translates, PSNR/SSIM/L1 against paired targets, FID/KID of the
  outputs against the target domain and the accuracy of a target-domain classifier on the outputs of labelled
  held-out inputs (:func:`keras_gans.translation_io.held_out_translation_data` and
  :func:`keras_gans.metrics.evaluate_translation`); keys get a ``_<direction>`` suffix when there are several;
* ``super_resolution``: PSNR/SSIM/L1 beside bicubic's on the same images, FID/KID of the outputs against the
  high-res images and the classifier's accuracy on the upscaled images
  (:func:`keras_gans.metrics.super_resolution.super_resolution_scores`).

KID of translators and upscalers, scored on a few hundred held-out images, uses subsets of :func:`kid_subset_size`.

The feature space is a classifier (``.keras``) whose penultimate layer gives the features: for a translator one per
direction, ``{direction: path}``, each trained on that direction's target domain. Every result carries
``"settings"``: the classifier's path and weights fingerprint, the sample counts and options.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

__all__ = [
    "EVALUATIONS",
    "evaluate_model",
    "evaluate_sampler",
    "evaluate_translator",
    "evaluate_upscaler",
    "kid_subset_size",
    "translation_kid_subset_size",
    "label_accuracy_of_samples",
]

Classifier = str | os.PathLike
#: The seed of the class-balanced samples whose label accuracy a conditional sampler is given.
LABEL_ACCURACY_SEED = 1


def _extractor(classifier: Classifier):
    from keras_gans import saving
    from keras_gans.metrics.extractors import ClassifierFeatureExtractor

    if not os.path.isfile(classifier):
        raise FileNotFoundError(f"classifier {os.fspath(classifier)!r} is not a file (a saved .keras classifier)")
    return ClassifierFeatureExtractor(saving.load_model(os.fspath(classifier), compile=False))


def _load(dataset: str, dataset_args: Mapping[str, Any], **kwargs: Any):
    from keras_gans import data as data_lib

    return data_lib.load(dataset, batch_size=256, shuffle=False, drop_remainder=False, **{**dataset_args, **kwargs})


def label_accuracy_of_samples(model, extractor, num_samples: int, seed: int = LABEL_ACCURACY_SEED) -> float:
    """How often ``extractor``'s classifier recognises the class that each of ``num_samples`` class-balanced
    generated images (labels ``i % num_classes``) was generated for."""
    from keras_gans.metrics.translation import label_accuracy

    wanted = np.arange(num_samples) % model.num_classes
    return label_accuracy(extractor.probabilities(model.generate(labels=wanted, seed=seed)), wanted)


def evaluate_sampler(
    model, dataset: str, dataset_args: Mapping[str, Any], classifier: Classifier, num_samples: int, seed: int = 0
) -> dict[str, Any]:
    """FID, KID, precision/recall (and ``label_accuracy`` for conditional models) of a latent GAN's samples."""
    from keras_gans.evaluation import evaluate_generator

    extractor = _extractor(classifier)
    real = _load(dataset, dataset_args)
    results = evaluate_generator(
        model, real, ("fid", "kid", "precision_recall"), extractor=extractor, num_samples=num_samples, seed=seed
    )
    settings = results.pop("settings")
    if model.num_classes:
        results["label_accuracy"] = label_accuracy_of_samples(model, extractor, num_samples)
        settings["label_accuracy_seed"] = LABEL_ACCURACY_SEED
    return {**results, "settings": {**settings, "classifier": os.fspath(classifier), "dataset": dataset}}


def evaluate_translator(
    model,
    dataset: str,
    dataset_args: Mapping[str, Any],
    classifier: Classifier | Mapping[str, Classifier],
    num_samples: int,
    seed: int = 0,
) -> dict[str, Any]:
    """Every translation metric of every direction of ``model`` on the held-out split of ``dataset``.

    ``classifier``: one path for a one-way model, or ``{direction: path}`` (each direction's target domain).
    """
    from keras_gans.metrics.translation import evaluate_translation
    from keras_gans.translation_io import held_out_translation_data

    directions = list(model.generators)
    judges = classifier if isinstance(classifier, Mapping) else dict.fromkeys(directions, classifier)
    missing = [d for d in directions if d not in judges]
    if missing:
        raise ValueError(f"{type(model).__name__} translates {directions}: give a classifier for {missing} too")
    results: dict[str, Any] = {}
    settings: dict[str, Any] = {}
    for direction in directions:
        data = held_out_translation_data(model, dataset, dict(dataset_args), direction, num_samples)
        scores = evaluate_translation(
            model,
            classifier=_extractor(judges[direction]),
            direction=direction,
            kid_subset_size=translation_kid_subset_size(data),
            seed=seed,
            **data,
        )
        suffix = f"_{direction}" if len(directions) > 1 else ""
        direction_settings = {**scores.pop("settings"), "classifier": os.fspath(judges[direction])}
        results.update({f"{key}{suffix}": value for key, value in scores.items()})
        settings[direction] = {**direction_settings, "dataset": dataset, "split": dataset_args.get("split", "test")}
    return {**results, "settings": settings}


def evaluate_upscaler(
    model, dataset: str, dataset_args: Mapping[str, Any], classifier: Classifier, num_samples: int, seed: int = 0
) -> dict[str, Any]:
    """PSNR/SSIM/L1 beside bicubic's, FID/KID and the classifier's accuracy on up to ``num_samples`` upscaled
    images of ``dataset`` (labelled: its labels are the accuracy's)."""
    from keras_gans.metrics.super_resolution import collect_high_res, super_resolution_scores

    extractor = _extractor(classifier)
    high_res, _, labels = collect_high_res(_load(dataset, dataset_args, with_labels=True), num_samples)
    subset_size = kid_subset_size(len(high_res), len(high_res))
    scores = super_resolution_scores(
        model, (high_res, labels), len(high_res), classifier=extractor, kid_subset_size=subset_size, seed=seed
    )
    settings = {
        **extractor.settings,
        "classifier": os.fspath(classifier),
        "dataset": dataset,
        "num_samples": len(high_res),
        "downsampling": model.downsampling,
        "crop": int(model.scale),
        "y_channel": int(model.channels) == 3,
        "kid_subset_size": subset_size,
        "seed": seed,
    }
    return {**scores, "settings": settings}


def kid_subset_size(num_generated: int, num_real: int) -> int:
    """``min(1000, n // 2)`` for the smaller set's ``n``: KID's 1,000-image subsets (Binkowski et al.) where the
    sets are large, half of the smaller set otherwise, so that the subsets differ and ``kid_std`` means something."""
    return max(2, min(1000, min(num_generated, num_real) // 2))


def translation_kid_subset_size(data: Mapping[str, Any]) -> int:
    """:func:`kid_subset_size` of held-out translation data (``held_out_translation_data``): its inputs against its
    FID/KID reference (the targets, unless a separate reference domain is given)."""
    reference = data["targets"] if data["reference"] is None else data["reference"]
    return kid_subset_size(len(data["inputs"]), len(reference))


#: ``family -> evaluation(model, dataset, dataset_args, classifier, num_samples, seed)``.
EVALUATIONS: dict[str, Callable[..., dict[str, Any]]] = {
    "latent": evaluate_sampler,
    "translation": evaluate_translator,
    "super_resolution": evaluate_upscaler,
}


def evaluate_model(
    model,
    dataset: str,
    dataset_args: Mapping[str, Any] | None = None,
    classifier: Classifier | Mapping[str, Classifier] | None = None,
    num_samples: int = 2000,
    seed: int = 0,
) -> dict[str, Any]:
    """The family's evaluation of ``model`` (see the module docstring) on ``dataset`` (a ``keras_gans.data.load``
    name; ``dataset_args`` as in a run config), in the features of ``classifier``."""
    family = getattr(model, "family", None)
    if family not in EVALUATIONS:
        raise ValueError(f"{type(model).__name__} is of family {family!r}; evaluations exist for {sorted(EVALUATIONS)}")
    if classifier is None:
        raise ValueError("evaluate_model needs a classifier (.keras) whose penultimate layer gives the features")
    return EVALUATIONS[family](model, dataset, dict(dataset_args or {}), classifier, int(num_samples), seed)
