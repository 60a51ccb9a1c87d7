"""Sample-quality metrics of a ``keras-gans train`` run: the feature extractor that fits the data, and the callback.

The extractor (``metrics_extractor`` of the run config):

- ``"auto"``: the package's digits classifier (:func:`keras_gans.metrics.classifier.train_mnist_classifier`) when
  the dataset has class labels and grey images of at most 64 pixels (the embedded digits, MNIST and its family):
  ImageNet features say little about such images. Otherwise InceptionV3 when its ImageNet weights are on this
  machine (Keras' cache, ``~/.keras/models``); otherwise no metrics, said once at the start.
- ``"classifier"``: that classifier (the dataset must have labels); ``"inception"``: InceptionV3 (weights needed);
- a path: a saved Keras classifier (``.keras``) whose penultimate layer gives the features.

The classifier is trained once on the run's real images and saved in the run folder (``metrics/classifier.keras``):
a resumed run reuses it, so its numbers stay comparable with the earlier epochs'.

Families that are not ``z -> image`` (translation, super-resolution) score themselves: their
``evaluate_quality(data, num_samples)`` gives their own numbers (PSNR, SSIM, label accuracy...).
"""

from __future__ import annotations

import os
from typing import Any

import keras
import numpy as np

from keras_gans.callbacks.checkpoint import atomic_path

__all__ = [
    "EXTRACTOR_CHOICES",
    "QualityMetrics",
    "inception_weights_available",
    "metrics_callback",
    "real_sample",
    "run_extractor",
]

EXTRACTOR_CHOICES = ("auto", "classifier", "inception")
CLASSIFIER_FILE = os.path.join("metrics", "classifier.keras")
#: Largest side of the images the digits classifier is chosen for by "auto".
_CLASSIFIER_MAX_SIDE = 64
_INCEPTION_NOTOP = "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"


def inception_weights_available() -> bool:
    """Whether Keras' ImageNet InceptionV3 (no top) weights are in its cache (no download is attempted)."""
    cache = os.environ.get("KERAS_HOME", os.path.join(os.path.expanduser("~"), ".keras"))
    return os.path.isfile(os.path.join(cache, "models", _INCEPTION_NOTOP))


def real_sample(dataset: Any, max_images: int) -> tuple[np.ndarray, np.ndarray | None]:
    """Up to ``max_images`` images (and labels, when the batches carry them) from a batched dataset."""
    images, labels = [], []
    count = 0
    for batch in dataset:
        if isinstance(batch, dict):
            x, y = batch["image"], batch.get("label")
        elif isinstance(batch, (tuple, list)):
            x, y = batch[0], batch[1] if len(batch) > 1 else None
        else:
            x, y = batch, None
        images.append(np.asarray(x, dtype="float32"))
        if y is not None:
            labels.append(np.asarray(y))
        count += len(images[-1])
        if count >= max_images:
            break
    if not images:
        raise ValueError("the dataset gave no images for the metrics' reference")
    x = np.concatenate(images)[:max_images]
    y = np.concatenate(labels)[:max_images] if labels and len(labels) == len(images) else None
    return x, y


def _fits_the_classifier(images: np.ndarray, labels: np.ndarray | None) -> bool:
    return labels is not None and images.shape[-1] == 1 and max(images.shape[1:3]) <= _CLASSIFIER_MAX_SIDE


def run_extractor(
    choice: str, images: np.ndarray, labels: np.ndarray | None, run_folder: str, seed: int = 0
) -> tuple[Any, str]:
    """``(extractor or None, what was chosen and why)`` for the run's metrics (see the module docstring)."""
    from keras_gans.metrics.extractors import ClassifierFeatureExtractor, InceptionFeatureExtractor

    if choice not in EXTRACTOR_CHOICES:
        if not os.path.isfile(choice):
            raise ValueError(
                f"metrics_extractor {choice!r}: no such file; pass a saved Keras classifier (.keras) or one of "
                f"{list(EXTRACTOR_CHOICES)}"
            )
        return ClassifierFeatureExtractor(choice), f"the classifier {choice}"
    if choice == "classifier" or (choice == "auto" and _fits_the_classifier(images, labels)):
        if labels is None:
            raise ValueError(
                "metrics_extractor 'classifier' needs a dataset with class labels (digits, mnist_idx, a labelled TFDS "
                "dataset); use 'inception' or a saved classifier for this one"
            )
        path = os.path.join(run_folder, CLASSIFIER_FILE)
        if os.path.isfile(path):
            return ClassifierFeatureExtractor(path), f"the digits classifier of this run ({path})"
        from keras_gans.metrics.classifier import train_mnist_classifier

        keras.utils.set_random_seed(int(seed))
        classifier = train_mnist_classifier(images, labels, epochs=_classifier_epochs(len(images)))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with atomic_path(path) as tmp:
            classifier.save(tmp)
        return ClassifierFeatureExtractor(classifier), f"a digits classifier trained on the run's data ({path})"
    if choice == "inception" or inception_weights_available():
        if not inception_weights_available() and choice == "inception":
            raise ValueError(
                f"metrics_extractor 'inception' needs Keras' ImageNet weights in ~/.keras/models/{_INCEPTION_NOTOP} "
                "(no download here); put the file there or pass a saved classifier"
            )
        return InceptionFeatureExtractor("imagenet"), "InceptionV3 (ImageNet weights)"
    return None, (
        "no metrics: the data has no class labels for the digits classifier and InceptionV3's weights are not on "
        "this machine; pass metrics_extractor=PATH.keras (a classifier) to have them"
    )


def _classifier_epochs(n: int) -> int:
    """Enough passes for ~97% accuracy on MNIST-size data, more on the small embedded digits."""
    return int(np.clip(30_000 // max(n, 1), 3, 20))


class QualityMetrics(keras.callbacks.Callback):
    """Adds a family's own quality numbers (``model.evaluate_quality(data, num_samples)``) to the epoch logs every
    ``every_n_epochs`` epochs (and after the last one).

    Args:
        data: held-out or training batches the family scores itself on.
        every_n_epochs: evaluate after epochs ``n, 2n, ...``.
        num_samples: examples per evaluation.
    """

    def __init__(self, data: Any, every_n_epochs: int, num_samples: int) -> None:
        super().__init__()
        self.data = data
        self.every_n_epochs = int(every_n_epochs)
        self.num_samples = int(num_samples)
        self.history: list[dict[str, Any]] = []

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        last = (self.params or {}).get("epochs") == epoch + 1
        if (epoch + 1) % self.every_n_epochs and not last:
            return
        values = {k: float(v) for k, v in self.model.evaluate_quality(self.data, self.num_samples).items()}
        if logs is not None:
            logs.update(values)
        self.history.append({"epoch": epoch + 1, **values})


def metrics_callback(
    model: Any,
    dataset: Any,
    real_images: np.ndarray | None,
    real_labels: np.ndarray | None,
    run_folder: str,
    extractor: str = "auto",
    every_n_epochs: int = 5,
    num_samples: int = 1000,
    seed: int = 0,
) -> tuple[keras.callbacks.Callback | None, str]:
    """``(callback or None, a line saying what is measured with what)`` for a run of ``model``.

    A family that scores itself (``evaluate_quality``) is given ``dataset``; samplers are scored against
    ``real_images`` (a sample of the run's data, see :func:`real_sample`), on whose labels the digits classifier
    trains.
    """
    if hasattr(model, "evaluate_quality"):
        return (
            QualityMetrics(dataset, every_n_epochs, num_samples),
            f"metrics every {every_n_epochs} epoch(s): the model's own {model.primary_metric[0]}",
        )
    from keras_gans.callbacks import GANMetrics

    images, labels = real_images, real_labels
    chosen, why = run_extractor(extractor, images, labels, run_folder, seed=seed)
    if chosen is None:
        return None, why
    size = min(1000, num_samples, len(images))
    metrics = GANMetrics(
        metrics=("fid", "kid"),
        real_data=images,
        extractor=chosen,
        num_samples=num_samples,
        seed=seed,
        every_n_epochs=every_n_epochs,
        results_path=os.path.join(run_folder, "metrics", "metrics.jsonl"),
        metric_options={"kid_subset_size": size},
        last_epoch=True,
    )
    return metrics, f"FID and KID every {every_n_epochs} epoch(s) with {why}"
