"""Feature extractors: float images in [-1, 1] (N, H, W, C) -> float32 features (N, d) and class probabilities.

* :class:`InceptionFeatureExtractor` -- ``keras.applications.InceptionV3``: 2048-d pool features for FID/KID/PR and,
  with ``include_top=True``, the 1000 ImageNet class probabilities for the Inception Score.
* :class:`ModelFeatureExtractor` -- the output (or any layer) of a Keras model.
* :class:`ClassifierFeatureExtractor` -- a classifier's penultimate layer and its softmax, e.g. the small MNIST
  classifier of :mod:`keras_gans.metrics.classifier`, the usual choice for digit datasets where ImageNet
  features mean little.

Every extractor reports ``settings`` (name, weights fingerprint, resize, feature dimension); reference statistics and
reported numbers carry them so that numbers from different extractors are never compared.

**Inception weights caveat.** Published FIDs use the TF-slim "pt_inception-2015-12-05" graph (the authors' TTUR
code, TF-GAN) or its PyTorch port (pytorch-fid's ``pt_inception-2015-12-05-6726825d.pth``). The Keras ImageNet
weights are a different training run with a different resize path, so their FIDs are of the same kind but **not
numerically comparable** with paper numbers; compare models only with one extractor.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from typing import Any

import keras
import numpy as np

__all__ = [
    "ClassifierFeatureExtractor",
    "FeatureExtractor",
    "InceptionFeatureExtractor",
    "ModelFeatureExtractor",
    "iter_image_batches",
]

INCEPTION_SIZE = (299, 299)
_RANGE_TOLERANCE = 1e-3


def iter_image_batches(data: Any, batch_size: int, max_samples: int | None = None) -> Iterator[np.ndarray]:
    """Yields numpy image batches of at most ``batch_size`` from an array or an iterable of batches.

    ``data`` is an (N, H, W, C) array, or an iterable such as a batched ``tf.data.Dataset`` whose elements are image
    batches, ``(images, labels, ...)`` tuples (the first item is taken) or dicts with an ``"image"``/``"images"`` key.
    Stops after ``max_samples`` images when given.
    """
    remaining = np.inf if max_samples is None else int(max_samples)
    batches: Iterable[Any] = [data] if isinstance(data, np.ndarray) else data
    for element in batches:
        if isinstance(element, (tuple, list)):
            element = element[0]
        elif isinstance(element, dict):
            element = element["image"] if "image" in element else element["images"]
        images = np.asarray(element)
        for start in range(0, images.shape[0], batch_size):
            if remaining <= 0:
                return
            chunk = images[start : start + int(min(batch_size, remaining))]
            remaining -= chunk.shape[0]
            yield chunk


def _weights_fingerprint(model: keras.Model) -> str:
    digest = hashlib.sha1()
    for weight in model.weights:
        digest.update(np.ascontiguousarray(keras.ops.convert_to_numpy(weight.value)).tobytes())
    return digest.hexdigest()[:16]


class FeatureExtractor:
    """Runs a Keras model, which maps preprocessed images to ``[features]`` or ``[features, probabilities]``, in
    fixed-size batches over float images in [-1, 1].

    Subclasses build the model; this class validates inputs (float dtype, values in [-1, 1], NHWC), repeats grey
    channels to the channel count the model expects, pads the last batch so the compiled predict function is traced
    once, and returns float32 numpy arrays.

    Args:
        model: Keras model with one output (features) or two (features, probabilities).
        name: extractor name stored in ``settings``.
        batch_size: default images per forward pass.
        settings: extra settings to report (e.g. resize).
    """

    def __init__(self, model: keras.Model, name: str, batch_size: int, settings: dict[str, Any] | None = None):
        self.model = model
        self.name = name
        self.batch_size = int(batch_size)
        self.has_probabilities = len(model.outputs) == 2
        self.channels = model.inputs[0].shape[-1]
        self.feature_dim = int(model.outputs[0].shape[-1])
        self._extra_settings = dict(settings or {})
        self._settings: dict[str, Any] | None = None

    @property
    def settings(self) -> dict[str, Any]:
        """What determines the numbers: extractor name, a hash of its weights, resize and feature dimension."""
        if self._settings is None:
            self._settings = {
                "extractor": self.name,
                "weights_sha1": _weights_fingerprint(self.model),
                "feature_dim": self.feature_dim,
                **self._extra_settings,
            }
        return dict(self._settings)

    def preprocess(self, images: np.ndarray) -> np.ndarray:
        """Checks a float [-1, 1] NHWC batch and repeats a grey channel to the model's channel count."""
        images = np.asarray(images)
        if not np.issubdtype(images.dtype, np.floating):
            raise ValueError(f"images must be floats in [-1, 1], got dtype {images.dtype}")
        if images.ndim != 4:
            raise ValueError(f"images must be (N, H, W, C), got shape {images.shape}")
        if images.size and (images.min() < -1 - _RANGE_TOLERANCE or images.max() > 1 + _RANGE_TOLERANCE):
            raise ValueError(f"images must lie in [-1, 1], got [{images.min():.3g}, {images.max():.3g}]")
        if images.shape[-1] != self.channels:
            if images.shape[-1] != 1:
                raise ValueError(f"images have {images.shape[-1]} channels, the model expects {self.channels}")
            images = np.repeat(images, self.channels, axis=-1)
        return images.astype(np.float32, copy=False)

    def _run(self, data: Any, batch_size: int | None, max_samples: int | None) -> list[np.ndarray]:
        batch_size = int(batch_size or self.batch_size)
        outputs: list[list[np.ndarray]] = [[] for _ in self.model.outputs]
        for batch in iter_image_batches(data, batch_size, max_samples):
            n = batch.shape[0]
            batch = self.preprocess(batch)
            if n < batch_size:
                padding = np.zeros((batch_size - n, *batch.shape[1:]), dtype=batch.dtype)
                batch = np.concatenate([batch, padding])
            result = self.model.predict_on_batch(batch)
            result = result if isinstance(result, (list, tuple)) else [result]
            for store, values in zip(outputs, result, strict=True):
                store.append(np.asarray(values[:n], dtype=np.float32))
        if not outputs[0]:
            raise ValueError("no images to extract features from")
        return [np.concatenate(store) for store in outputs]

    def features(self, images: Any, batch_size: int | None = None, max_samples: int | None = None) -> np.ndarray:
        """(N, feature_dim) float32 features of an image array or iterable of batches (see ``iter_image_batches``)."""
        return self._run(images, batch_size, max_samples)[0]

    __call__ = features

    def features_and_probabilities(
        self, images: Any, batch_size: int | None = None, max_samples: int | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Features and (N, num_classes) class probabilities from one pass."""
        if not self.has_probabilities:
            raise ValueError(f"extractor {self.name!r} has no class probabilities (needed for the Inception Score)")
        features, probabilities = self._run(images, batch_size, max_samples)
        return features, probabilities

    def probabilities(self, images: Any, batch_size: int | None = None, max_samples: int | None = None) -> np.ndarray:
        """(N, num_classes) class probabilities (for the Inception Score)."""
        return self.features_and_probabilities(images, batch_size, max_samples)[1]


class InceptionFeatureExtractor(FeatureExtractor):
    """InceptionV3 pool features (2048-d) and, with ``include_top=True``, ImageNet class probabilities.

    Images are resized to 299x299 with bilinear interpolation (no antialiasing, like TF-GAN's ``tf.image.resize``),
    grey images get their channel repeated three times, and values follow
    ``keras.applications.inception_v3.preprocess_input`` (``x / 127.5 - 1`` on [0, 255] pixels): our [-1, 1]
    images are mapped to [0, 255] and passed through it, which leaves them in [-1, 1].

    Args:
        weights: ``"imagenet"`` (downloaded by Keras on first use, or read from ``~/.keras/models``), ``None``
            (random; only for shapes and speed) or a path to a Keras InceptionV3 weights file -- the ``..._notop``
            file with ``include_top=False``, the full one with ``include_top=True``.
        include_top: also output the 1000-class softmax, for the Inception Score.
        batch_size: images per forward pass (299x299x3 each).

    The Keras ImageNet weights differ from the TF-slim / pytorch-fid FID Inception weights: see the module docstring.
    """

    def __init__(
        self, weights: str | os.PathLike | None = "imagenet", include_top: bool = False, batch_size: int = 32
    ) -> None:
        if weights is not None and weights != "imagenet":
            weights = os.fspath(weights)
        base = keras.applications.InceptionV3(
            include_top=include_top, weights=weights, input_shape=(*INCEPTION_SIZE, 3), pooling="avg"
        )
        outputs = [base.get_layer("avg_pool").output, base.output] if include_top else [base.output]
        network = keras.Model(base.inputs, outputs, name="inception_v3_features")
        inputs = keras.Input((None, None, 3), name="images")
        resized = keras.layers.Resizing(*INCEPTION_SIZE, interpolation="bilinear", name="resize_to_299")(inputs)
        model = keras.Model(inputs, network(resized), name="inception_feature_extractor")
        weights_name = "random" if weights is None else weights if weights == "imagenet" else os.path.basename(weights)
        super().__init__(
            model,
            "inception_v3",
            batch_size,
            {"weights": weights_name, "resize": [*INCEPTION_SIZE, "bilinear"], "layer": "avg_pool"},
        )

    def preprocess(self, images: np.ndarray) -> np.ndarray:
        images = super().preprocess(images)
        return keras.applications.inception_v3.preprocess_input((images + 1.0) * 127.5)


def _feature_model(model: keras.Model, layer: str | int | None) -> keras.KerasTensor:
    if layer is None:
        tensor = model.outputs[0]
    else:
        tensor = (model.get_layer(index=layer) if isinstance(layer, int) else model.get_layer(layer)).output
    return keras.layers.Flatten(name="flatten_features")(tensor) if len(tensor.shape) > 2 else tensor


class ModelFeatureExtractor(FeatureExtractor):
    """Features from any functional or Sequential Keras model that takes [-1, 1] images of its input shape.

    Args:
        model: the network (its first input is fed the images; grey images are repeated to its channel count).
        layer: name or index of the layer whose output are the features; None takes the model's output. Outputs
            of rank > 2 are flattened.
        batch_size: images per forward pass.
    """

    def __init__(self, model: keras.Model, layer: str | int | None = None, batch_size: int = 256) -> None:
        features = _feature_model(model, layer)
        extractor = keras.Model(model.inputs[0], features, name=f"{model.name}_features")
        layer_name = features.name if layer is None else str(layer)
        super().__init__(extractor, f"model:{model.name}", batch_size, {"layer": layer_name})


class ClassifierFeatureExtractor(FeatureExtractor):
    """A classifier's penultimate layer (features) and softmax (probabilities, for the Inception Score).

    Args:
        model: a Keras classifier whose output is logits (a final softmax activation is detected and not applied
            twice), or the path of one saved as ``.keras``, e.g. from ``build_mnist_classifier``.
        feature_layer: layer giving the features; None takes the penultimate layer (``model.layers[-2]``).
        batch_size: images per forward pass.
    """

    def __init__(
        self, model: keras.Model | str | os.PathLike, feature_layer: str | None = None, batch_size: int = 256
    ) -> None:
        if not isinstance(model, keras.Model):
            model = keras.saving.load_model(os.fspath(model))
        feature_layer = feature_layer or model.layers[-2].name
        features = _feature_model(model, feature_layer)
        output = model.outputs[0]
        if getattr(model.layers[-1], "activation", None) is not keras.activations.softmax:
            output = keras.layers.Softmax(name="probabilities")(output)
        extractor = keras.Model(model.inputs[0], [features, output], name=f"{model.name}_features")
        super().__init__(extractor, f"classifier:{model.name}", batch_size, {"layer": feature_layer})
