"""What a family trains on: each :class:`DataSpec` unpacks a batch from ``fit`` and refuses what cannot work.

``fit(x)``, ``fit(x, y)``, a dataset of tensors, tuples or dicts (TFDS' ``{"image": ..., "label": ...}``) all
reach the family as the same tuple of tensors, checked at trace time (shapes, dtypes), so a wrong dataset fails at
the first batch with the fix named instead of training on garbage.
"""

from __future__ import annotations

import tensorflow as tf

__all__ = ["DataSpec", "Images", "LabeledImages", "PairedImages", "UnpairedImages"]

_IMAGE_KEYS = ("image", "images", "x")
_LABEL_KEYS = ("label", "labels", "y")


def _as_parts(data) -> list:
    """``fit``'s batch as a list of tensors: unwraps 1-tuples, drops a ``None`` target, reads TFDS-style dicts."""
    if isinstance(data, dict):
        image_key = next((k for k in _IMAGE_KEYS if k in data), None)
        if image_key is None:
            raise ValueError(
                f"The dataset yields dicts with keys {sorted(data)}; keras_gans needs an 'image' key (and 'label' for "
                "conditional models). Map it first: ds.map(lambda d: d['your_key']), or use keras_gans.data.load."
            )
        label_key = next((k for k in _LABEL_KEYS if k in data), None)
        return [data[image_key]] + ([data[label_key]] if label_key else [])
    if isinstance(data, (tuple, list)):
        parts = [p for p in data if p is not None]
        if len(parts) == 1 and isinstance(parts[0], (tuple, list, dict)):
            return _as_parts(parts[0])
        return parts
    return [data]


def _shape_text(shape) -> str:
    return "(" + ", ".join("None" if d is None else str(d) for d in shape) + ")"


def check_images(images, expected_shape: tuple, model_name: str, what: str = "images") -> None:
    """Static checks of an image batch: rank, shape and a floating dtype."""
    shape = tuple(images.shape[1:])
    if len(shape) != len(expected_shape) or any(
        got is not None and got != want for got, want in zip(shape, expected_shape)
    ):
        hint = ""
        if len(shape) == len(expected_shape) - 1 and tuple(shape) == tuple(expected_shape[:-1]):
            hint = " The data has no channel axis: add one with images[..., None] (numpy) or tf.expand_dims(x, -1)."
        raise ValueError(
            f"{model_name} makes {what} of shape {tuple(expected_shape)} but the data has {_shape_text(shape)}.{hint} "
            "Resize the data (keras_gans.data loaders take image_size=) or build the model with "
            f"image_shape={_shape_text(shape)}."
        )
    if not images.dtype.is_floating:
        raise ValueError(
            f"{what.capitalize()} must be floats in [-1, 1], got dtype {images.dtype.name}. Normalise them first: "
            "keras_gans.data.from_arrays(images) does it for uint8, or use images / 127.5 - 1."
        )


class DataSpec:
    """A family's training data. ``unpack(data, model_name)`` returns a tuple of tensors."""

    #: Words for error messages: what one element of the dataset is.
    description = ""

    def unpack(self, data, model_name: str) -> tuple:
        raise NotImplementedError


class Images(DataSpec):
    """Images only (unconditional latent-space GANs): batches of shape ``(None, *shape)``."""

    description = "images"

    def __init__(self, shape: tuple):
        self.shape = tuple(shape)

    def unpack(self, data, model_name: str) -> tuple:
        parts = _as_parts(data)
        if len(parts) != 1:
            raise ValueError(
                f"{model_name} is unconditional but the data has labels: pass images only "
                "(with_labels=False in keras_gans.data loaders), or use CGAN for class-conditional training."
            )
        check_images(parts[0], self.shape, model_name)
        return (parts[0],)


class LabeledImages(DataSpec):
    """``(images, labels)`` with integer class labels in [0, num_classes)."""

    description = "(images, labels)"

    def __init__(self, shape: tuple, num_classes: int):
        self.shape = tuple(shape)
        self.num_classes = int(num_classes)

    def unpack(self, data, model_name: str) -> tuple:
        parts = _as_parts(data)
        if len(parts) != 2:
            raise ValueError(
                f"{model_name} is conditional: it trains on (images, labels) pairs. "
                "Pass fit(images, labels) or a dataset of (images, labels), e.g. a keras_gans.data loader "
                "with with_labels=True."
            )
        images, labels = parts
        check_images(images, self.shape, model_name)
        labels = tf.convert_to_tensor(labels)
        if labels.shape.rank == 2 and labels.shape[-1] not in (None, 1):
            raise ValueError(
                f"{model_name} takes integer class labels of shape (batch,), got shape {_shape_text(labels.shape)} "
                "(one-hot?). Pass class indices: labels.argmax(-1)."
            )
        if not labels.dtype.is_integer:
            raise ValueError(
                f"{model_name} takes integer class labels in [0, {self.num_classes}), got dtype {labels.dtype.name}. "
                "Cast them: labels.astype('int32')."
            )
        return images, tf.cast(tf.reshape(labels, [-1]), tf.int32)


class PairedImages(DataSpec):
    """``(x, y)`` pairs: an input image and its target (paired translation, super-resolution)."""

    description = "(input, target) pairs"

    def __init__(self, input_shape: tuple, target_shape: tuple):
        self.input_shape, self.target_shape = tuple(input_shape), tuple(target_shape)

    def unpack(self, data, model_name: str) -> tuple:
        parts = _as_parts(data)
        if len(parts) != 2:
            raise ValueError(
                f"{model_name} trains on (input, target) pairs: pass fit(inputs, targets) or a dataset of pairs."
            )
        check_images(parts[0], self.input_shape, model_name, "inputs")
        check_images(parts[1], self.target_shape, model_name, "targets")
        return tuple(parts)


class UnpairedImages(DataSpec):
    """``(a, b)``: a batch from each domain, in no correspondence (unpaired translation)."""

    description = "(domain A, domain B) batches"

    def __init__(self, shape_a: tuple, shape_b: tuple):
        self.shape_a, self.shape_b = tuple(shape_a), tuple(shape_b)

    def unpack(self, data, model_name: str) -> tuple:
        parts = _as_parts(data)
        if len(parts) != 2:
            raise ValueError(
                f"{model_name} trains on a batch of each domain: pass keras_gans.data.unpaired(images_a, images_b)."
            )
        check_images(parts[0], self.shape_a, model_name, "domain A images")
        check_images(parts[1], self.shape_b, model_name, "domain B images")
        return tuple(parts)
