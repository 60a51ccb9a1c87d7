"""Image-to-image translation: generators G(image) -> image trained against PatchGAN discriminators.

The family on the engine (:class:`keras_gans.engine.AdversarialModel`): Pix2Pix trains on ``(input, target)``
pairs, CycleGAN on a batch of each domain. What both share lives here:

* ``translate(images, direction=...)``: float32 NHWC in [-1, 1] -> float32 in [-1, 1], any batch size, through
  the EMA copy of the generator when ``ema_decay`` is set; a ``direction`` the model lacks is refused naming those
  it has (``"a_to_b"``, and ``"b_to_a"`` for CycleGAN);
* the serving signatures: ``serving_default`` is ``a_to_b`` (``inputs`` -> ``images``), plus one signature per other
  direction;
* the sample grid: input | output (| reconstruction, | target) per row, from ``sample_inputs`` when the user sets
  it, else from the first examples of the first training batch, which the model keeps in non-trainable weights
  (so a saved model shows the same grid);
* the data specs: :class:`PairedImages` / :class:`UnpairedImages` of the engine, which also read dict elements and
  refuse the other kind: ``{"a": ..., "b": ...}`` (or ``domain_a`` / ``domain_b``) is unpaired data and
  ``{"input": ..., "target": ...}`` (or ``inputs`` / ``targets``) paired data. A plain ``(x, y)`` tuple is accepted
  by both, since nothing in it says whether its halves correspond.
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from keras_gans.engine import data_spec as data_spec_lib
from keras_gans.engine.model import AdversarialModel
from keras_gans.engine.options import check_number

__all__ = [
    "check_image_shape",
    "DIRECTIONS",
    "GRID_EXAMPLES",
    "PairedTranslationData",
    "TranslationModel",
    "UnpairedTranslationData",
    "as_grid_channels",
    "take_examples",
]

#: The translation directions, named by domain: A is the input domain (Pix2Pix's inputs), B the output domain.
DIRECTIONS = ("a_to_b", "b_to_a")
#: Examples of the first training batch kept for the sample grid.
GRID_EXAMPLES = 8

_PAIRED_KEYS = (("input", "target"), ("inputs", "targets"))
_UNPAIRED_KEYS = (("a", "b"), ("domain_a", "domain_b"))


def _dict_parts(data, keys, model_name: str, wrong_keys, wrong_fix: str):
    """``data``'s two parts when it is a dict with one of ``keys``; raise when it has one of ``wrong_keys``."""
    if not isinstance(data, dict):
        return data
    for first, second in wrong_keys:
        if first in data and second in data:
            raise ValueError(wrong_fix.format(model=model_name, first=first, second=second))
    for first, second in keys:
        if first in data and second in data:
            return (data[first], data[second])
    names = " or ".join(f"{{{a!r}, {b!r}}}" for a, b in keys)
    raise ValueError(f"{model_name} got dict elements with keys {sorted(data)}; it reads {names} (or (x, y) tuples).")


def _two_parts(data, model_name: str, what: str):
    parts = data_spec_lib._as_parts(data)
    if len(parts) != 2:
        raise ValueError(f"{model_name} trains on {what}; the data has {len(parts)} part(s) per element.")
    return tuple(parts)


class PairedTranslationData(data_spec_lib.PairedImages):
    """``(input, target)`` pairs of translation; refuses unpaired (``{"a", "b"}``) elements."""

    def unpack(self, data, model_name: str) -> tuple:
        return super().unpack(self.pair(data, model_name), model_name)

    @staticmethod
    def pair(data, model_name: str):
        """``data`` (a batch or an ``element_spec``) as an ``(inputs, targets)`` tuple, unchecked."""
        data = _dict_parts(
            data,
            _PAIRED_KEYS,
            model_name,
            _UNPAIRED_KEYS,
            "{model} trains on corresponding (input, target) pairs, but the data is unpaired (keys {first!r}, "
            "{second!r}: a batch of each domain in no correspondence). Use CycleGAN for unpaired data, or pass "
            "pairs: keras_gans.data.paired(inputs, targets).",
        )
        return _two_parts(data, model_name, "(input, target) pairs")


class UnpairedTranslationData(data_spec_lib.UnpairedImages):
    """A batch of each domain; refuses paired (``{"input", "target"}``) elements, whose order is then lost."""

    def unpack(self, data, model_name: str) -> tuple:
        return super().unpack(self.pair(data, model_name), model_name)

    @staticmethod
    def pair(data, model_name: str):
        """``data`` (a batch or an ``element_spec``) as an ``(a, b)`` tuple, unchecked."""
        data = _dict_parts(
            data,
            _UNPAIRED_KEYS,
            model_name,
            _PAIRED_KEYS,
            "{model} learns from unpaired domains, but the data is paired (keys {first!r}, {second!r}): use Pix2Pix, "
            "which learns from the correspondence, or pass the two domains as keras_gans.data.unpaired(a, b).",
        )
        return _two_parts(data, model_name, "a batch of each domain")


def check_image_shape(name: str, shape) -> tuple[int, int, int]:
    """``shape`` as an (H, W, C) tuple of positive ints, or a ValueError naming the argument."""
    if not isinstance(shape, (tuple, list)) or len(shape) != 3:
        raise ValueError(f"{name} must be (height, width, channels), got {shape!r}.")
    return tuple(check_number(f"{name}[{i}]", d, low=1, integer=True) for i, d in enumerate(shape))


def take_examples(data, num_samples: int) -> tuple[np.ndarray, np.ndarray]:
    """The first ``num_samples`` ``(first, second)`` examples of ``data``: a ``(x, y)`` tuple of arrays, a dataset
    of such (batched) tuples or of ``{"a", "b"}`` / ``{"input", "target"}`` dicts."""
    if isinstance(data, (tuple, list)) and len(data) == 2 and not isinstance(data[0], tf.data.Dataset):
        first, second = (np.asarray(part, "float32") for part in data)
        return first[:num_samples], second[:num_samples]
    if not isinstance(data, tf.data.Dataset):
        raise ValueError(f"Pass (x, y) arrays or a tf.data.Dataset of pairs, got {type(data).__name__}.")
    firsts, seconds, count = [], [], 0
    for element in data:
        if isinstance(element, dict):
            keys = next((k for k in _PAIRED_KEYS + _UNPAIRED_KEYS if k[0] in element and k[1] in element), None)
            if keys is None:
                raise ValueError(f"Dataset elements have keys {sorted(element)}; expected pairs.")
            element = (element[keys[0]], element[keys[1]])
        first, second = (np.asarray(part, "float32") for part in element[:2])
        if first.ndim == 3:  # an unbatched dataset
            first, second = first[None], second[None]
        firsts.append(first)
        seconds.append(second)
        count += len(first)
        if count >= num_samples:
            break
    if not firsts:
        raise ValueError("The dataset is empty.")
    return np.concatenate(firsts)[:num_samples], np.concatenate(seconds)[:num_samples]


def as_grid_channels(columns: list[np.ndarray]) -> list[np.ndarray]:
    """Columns of a grid with one channel count: grey columns are repeated to RGB when any column is RGB."""
    channels = max(c.shape[-1] for c in columns)
    return [np.repeat(c, channels, axis=-1) if c.shape[-1] == 1 and channels > 1 else c for c in columns]


@keras.saving.register_keras_serializable(package="keras_gans")
class TranslationModel(AdversarialModel):
    """Base of the translation models; see the module docstring. Subclasses set :attr:`generators`."""

    family = "translation"
    #: precision="auto" keeps float32 until the family's bfloat16 sample quality is measured (issue 13).
    auto_bfloat16 = False
    #: direction -> the attribute name of the generator translating that way (the first is ``serving_default``).
    generators: dict[str, str] = {}
    #: The family's own sample-quality number: Pix2Pix's PSNR against the targets, CycleGAN's cycle error.
    primary_metric: tuple[str, str] = ("psnr", "max")

    def _create_grid_weights(self, first_shape: tuple, second_shape: tuple) -> None:
        """The non-trainable weights holding the grid's examples (call after ``AdversarialModel.__init__``)."""

        def weight(shape, name, dtype="float32"):
            return self.add_weight(
                shape=shape,
                dtype=dtype,
                initializer="zeros",
                trainable=False,
                name=name,
                aggregation="only_first_replica",
            )

        self.grid_first = weight((GRID_EXAMPLES, *first_shape), "grid_first")
        self.grid_second = weight((GRID_EXAMPLES, *second_shape), "grid_second")
        self.grid_count = weight((), "grid_count", "int32")

    def remember_grid_examples(self, first, second) -> None:
        """Keeps the first ``GRID_EXAMPLES`` examples of the first batch the model trains on (a no-op afterwards)."""
        empty = tf.equal(self.grid_count, 0)
        count = tf.minimum(tf.shape(first)[0], GRID_EXAMPLES)
        for variable, images in ((self.grid_first, first), (self.grid_second, second)):
            images = tf.cast(images[:GRID_EXAMPLES], variable.dtype)
            images = tf.pad(images, [[0, GRID_EXAMPLES - tf.shape(images)[0]], [0, 0], [0, 0], [0, 0]])
            variable.assign(tf.where(empty, images, variable))
        self.grid_count.assign(tf.where(empty, count, self.grid_count))

    def train_step(self, data):
        first, second = self.unpack_batch(data)
        self.remember_grid_examples(first, second)
        return super().train_step(data)

    # ----------------------------------------------------------------------------------------------------------
    # Translation

    def check_direction(self, direction: str) -> str:
        """``direction`` if this model translates that way; a ValueError naming the directions it has otherwise."""
        if direction not in self.generators:
            choices = " or ".join(repr(d) for d in self.generators)
            hint = ""
            if isinstance(direction, str):
                close = [d for d in self.generators if d.replace("_", "") == direction.lower().replace("_", "")]
                hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ValueError(f"{type(self).__name__} translates {choices}; got direction={direction!r}{hint}.")
        return direction

    @property
    def primary_generator(self) -> keras.Model:
        """The generator of the first direction (``a_to_b``): what ``serving_default`` runs."""
        return getattr(self, next(iter(self.generators.values())))

    def input_shape_of(self, direction: str) -> tuple[int, ...]:
        return tuple(int(d) for d in getattr(self, self.generators[direction]).inputs[0].shape[1:])

    def output_shape_of(self, direction: str) -> tuple[int, ...]:
        return tuple(int(d) for d in getattr(self, self.generators[direction]).outputs[0].shape[1:])

    def _check_images(self, images, direction: str) -> np.ndarray:
        expected = self.input_shape_of(direction)
        name = f"{type(self).__name__}.translate"
        array = np.asarray(images)
        if array.dtype == np.uint8:
            raise ValueError(f"{name} takes floats in [-1, 1], got uint8 images: pass images / 127.5 - 1.")
        if not np.issubdtype(array.dtype, np.number):
            raise ValueError(f"{name} takes float images in [-1, 1], got dtype {array.dtype}.")
        if array.ndim == len(expected) and array.shape == expected:
            raise ValueError(f"{name} takes a batch (n, {', '.join(map(str, expected))}); for one image pass x[None].")
        if array.ndim != len(expected) + 1 or array.shape[1:] != expected:
            hint = " (no channel axis: add one with x[..., None])" if array.shape[1:] == expected[:-1] else ""
            raise ValueError(
                f"{name}({direction!r}) takes images of shape (n, {', '.join(map(str, expected))}), got "
                f"{array.shape}{hint}."
            )
        array = array.astype("float32")
        if array.size and not np.all(np.isfinite(array)):
            raise ValueError(f"{name}: the images hold NaN or inf values.")
        tol = data_spec_lib.RANGE_TOLERANCE
        if array.size and (array.min() < -1 - tol or array.max() > 1 + tol):
            raise ValueError(
                f"{name} takes images in [-1, 1], got values in [{array.min():g}, {array.max():g}]: map them onto "
                "[-1, 1] first (x / 127.5 - 1 for [0, 255])."
            )
        return array

    def translate(self, images, direction: str = "a_to_b", batch_size: int = 64) -> np.ndarray:
        """``images`` (n, H, W, C) float in [-1, 1] translated ``direction``: float32 (n, H, W, C_out) in [-1, 1]."""
        direction = self.check_direction(direction)
        if isinstance(batch_size, bool) or not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}.")
        images = self._check_images(images, direction)
        generator = self.averaged_network(self.generators[direction])
        if not len(images):
            return np.zeros((0, *self.output_shape_of(direction)), "float32")
        outputs = [
            keras.ops.convert_to_numpy(keras.ops.cast(generator(images[i : i + batch_size], training=False), "float32"))
            for i in range(0, len(images), batch_size)
        ]
        return np.concatenate(outputs)

    # ----------------------------------------------------------------------------------------------------------
    # Sample grid

    #: ``None`` or the grid's inputs: an array of domain-A images, or ``{"a": ..., "b": ...}`` (CycleGAN) /
    #: ``{"a": inputs, "target": targets}`` (Pix2Pix); set by the user to show chosen (e.g. held-out) examples.
    sample_inputs: Any = None

    def grid_examples(self) -> tuple[np.ndarray, np.ndarray]:
        """The grid's ``(first, second)`` examples: :attr:`sample_inputs` parts, else the first training batch's."""
        count = int(self.grid_count.numpy())
        first = self.grid_first.numpy()[:count]
        second = self.grid_second.numpy()[:count]
        if self.sample_inputs is not None:
            given = self.sample_inputs
            if isinstance(given, dict):
                first = np.asarray(given.get("a", first), "float32")
                second = np.asarray(given.get("b", given.get("target", second)), "float32")
            else:
                first, second = np.asarray(given, "float32"), second[:0]
        return first, second

    def grid_columns(self, first: np.ndarray, second: np.ndarray) -> list[np.ndarray]:
        """The grid's columns, each (n, H, W, C) for the n examples: input | output | ... as the model defines."""
        raise NotImplementedError

    def grid_samples(self, num_rows: int = 8, seed: int = 0) -> tuple[np.ndarray, int]:
        """Images for the sample grid, row by row (float32, [-1, 1]), and its number of rows.

        Each row is one example, its columns those of :meth:`grid_columns` (grey columns repeated to RGB beside RGB
        ones, smaller ones padded); ``seed`` is unused (translation is deterministic). Before any training and
        without ``sample_inputs``: a ValueError.
        """
        del seed
        if isinstance(num_rows, bool) or not isinstance(num_rows, int) or num_rows < 1:
            raise ValueError(f"num_rows must be an integer >= 1, got {num_rows!r}.")
        first, second = self.grid_examples()
        if not len(first):
            raise ValueError(
                f"{type(self).__name__} has no examples to show yet: train it on a batch first, or set "
                "model.sample_inputs to a batch of input images."
            )
        columns = as_grid_channels(
            [np.asarray(c, "float32") for c in self.grid_columns(first[:num_rows], second[:num_rows])]
        )
        height = max(c.shape[1] for c in columns)
        width = max(c.shape[2] for c in columns)
        columns = [
            np.pad(c, [(0, 0), (0, height - c.shape[1]), (0, width - c.shape[2]), (0, 0)], constant_values=-1.0)
            for c in columns
        ]
        rows = len(columns[0])
        return np.stack(columns, axis=1).reshape(rows * len(columns), height, width, -1), rows

    # ----------------------------------------------------------------------------------------------------------
    # Serving

    def serving_endpoints(self) -> dict:
        """``serving_default``: ``inputs`` (n, H, W, C) float32 -> translated ``images`` (the first direction, a_to_b);
        one more signature per other direction (CycleGAN's ``b_to_a``)."""
        endpoints = {}
        for index, (direction, network_name) in enumerate(self.generators.items()):
            generator = self.averaged_network(network_name)
            spec = tf.TensorSpec([None, *self.input_shape_of(direction)], tf.float32, name="inputs")

            def translate(images, generator=generator):
                return tf.cast(generator(images, training=False), tf.float32)

            endpoints["serving_default" if index == 0 else direction] = (translate, [spec])
        return endpoints
