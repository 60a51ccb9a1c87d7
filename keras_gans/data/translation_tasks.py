"""Two translation benchmarks built from data on this machine (no download), each with digit labels for evaluation.

* ``edges2digits`` (paired, for Pix2Pix): input the edge map of an MNIST digit (Sobel gradient magnitude of the
  [0, 1] image above :data:`EDGE_THRESHOLD`: white outlines of both sides of every stroke on black), target the
  digit itself. The model has to fill the strokes in, and a wrong fill shows as a wrong digit.
* ``digits2mnist`` (unpaired, for CycleGAN): domain A scikit-learn's 8x8 digits (UCI, 1,797 writers' digits in
  16 grey levels) framed like MNIST -- upscaled bilinearly into a 20x20 box and padded by 4 pixels to 28x28, the
  framing of LeCun et al.'s MNIST -- and domain B MNIST digits: two real populations of handwriting, no pairs.

MNIST is the test set in ``default_mnist_dir()`` (``$KERAS_GANS_MNIST_DIR``, default ``../shared/data/mnist``):
its last :data:`MNIST_HELD_OUT` digits are the held-out ``"test"`` split, the others ``"train"``. The sklearn digits
are split likewise, the last :data:`DIGITS_HELD_OUT` held out. Images are float32 (N, 28, 28, 1) in [-1, 1].
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
import tensorflow as tf

from keras_gans.data.digits import DIGITS_VALUE_RANGE
from keras_gans.data.idx import default_mnist_dir, load_mnist_idx
from keras_gans.data.paired import paired_from_arrays
from keras_gans.data.pipeline import DEFAULT_BATCH_SIZE
from keras_gans.data.unpaired import unpaired

__all__ = [
    "DIGITS_HELD_OUT",
    "EDGE_THRESHOLD",
    "MNIST_HELD_OUT",
    "SPLITS",
    "TRANSLATION_TASKS",
    "PairedTask",
    "UnpairedTask",
    "digits2mnist_arrays",
    "edge_map",
    "edges2digits_arrays",
    "frame_like_mnist",
    "load_digits2mnist",
    "load_edges2digits",
]

MNIST_HELD_OUT = 1_000
DIGITS_HELD_OUT = 297  # the sklearn digits' 1,797 = 1,500 train + 297 held out
SPLITS = ("train", "test")
#: Sobel magnitude (of [0, 1] images; a step from 0 to 1 gives 4) above which a pixel is an edge.
EDGE_THRESHOLD = 1.0
#: MNIST's framing: the digit in a 20x20 box centred in 28x28 (4 pixels of padding).
MNIST_BOX = 20
MNIST_PADDING = 4


@dataclasses.dataclass(frozen=True)
class PairedTask:
    """Paired benchmark arrays: ``inputs[i]`` translates to ``targets[i]``, whose digit is ``labels[i]``."""

    inputs: np.ndarray
    targets: np.ndarray
    labels: np.ndarray


@dataclasses.dataclass(frozen=True)
class UnpairedTask:
    """Unpaired benchmark arrays: domain A and domain B images with their digit labels (no correspondence)."""

    images_a: np.ndarray
    labels_a: np.ndarray
    images_b: np.ndarray
    labels_b: np.ndarray


def _check_split(split: str) -> str:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}; got {split!r} ('test' is the held-out part)")
    return split


def _split(arrays: Sequence[np.ndarray], held_out: int, split: str) -> list[np.ndarray]:
    return [a[:-held_out] if split == "train" else a[-held_out:] for a in arrays]


def edge_map(images: np.ndarray, threshold: float = EDGE_THRESHOLD) -> np.ndarray:
    """Binary edges of (N, H, W) images in [0, 1]: 1 where ``sqrt(gx^2 + gy^2) > threshold``, else 0.

    ``gx``, ``gy``: 3x3 Sobel responses with zero padding (``gx = sum_k S[k] * x[i + k]``, S = [[-1, 0, 1],
    [-2, 0, 2], [-1, 0, 1]], ``gy`` with S transposed).
    """
    padded = np.pad(np.asarray(images, np.float32), ((0, 0), (1, 1), (1, 1)))
    rows = [padded[:, i : i + padded.shape[1] - 2] for i in range(3)]  # rows above, at and below each pixel
    cols = [padded[:, :, j : j + padded.shape[2] - 2] for j in range(3)]
    gx = sum(weight * (row[:, :, 2:] - row[:, :, :-2]) for weight, row in zip((1, 2, 1), rows))
    gy = sum(weight * (col[:, 2:] - col[:, :-2]) for weight, col in zip((1, 2, 1), cols))
    return (np.sqrt(gx**2 + gy**2) > threshold).astype(np.float32)


@functools.lru_cache(maxsize=2)
def _mnist(directory: str) -> tuple[np.ndarray, np.ndarray]:
    images, labels = load_mnist_idx(directory, "test")
    return images, labels.astype(np.int32)


@functools.lru_cache(maxsize=2)
def _mnist_edges(directory: str) -> np.ndarray:
    return edge_map(_mnist(directory)[0].astype(np.float32) / 255.0)


def _resize(images: np.ndarray, image_size: int | None) -> np.ndarray:
    if image_size is None or image_size == images.shape[1]:
        return images
    return np.clip(tf.image.resize(images, (image_size, image_size), antialias=True).numpy(), -1.0, 1.0)


def edges2digits_arrays(
    split: str = "train", mnist_dir: str | None = None, image_size: int | None = None
) -> PairedTask:
    """The ``edges2digits`` arrays of one split: edge maps (inputs), MNIST digits (targets), digit labels.

    ``image_size`` resizes both to a square of that side (bilinear), e.g. 32 for a U-Net that halves 5 times.
    """
    _check_split(split)
    directory = mnist_dir or default_mnist_dir()
    images, labels = _mnist(directory)
    images, labels, edges = _split((images, labels, _mnist_edges(directory)), MNIST_HELD_OUT, split)
    unit = images.astype(np.float32) / 255.0
    inputs = _resize((edges * 2.0 - 1.0)[..., None], image_size)
    targets = _resize((unit * 2.0 - 1.0)[..., None], image_size)
    return PairedTask(inputs.astype(np.float32), targets.astype(np.float32), labels)


def frame_like_mnist(digits: np.ndarray) -> np.ndarray:
    """(N, 8, 8) sklearn digits (grey levels 0..16) -> (N, 28, 28, 1) in [-1, 1]: a 20x20 box, 4 px padding."""
    lo, hi = DIGITS_VALUE_RANGE
    unit = (np.asarray(digits, np.float32) - lo) / (hi - lo)
    boxed = tf.image.resize(unit[..., None], (MNIST_BOX, MNIST_BOX), method="bilinear").numpy()
    pad = MNIST_PADDING
    framed = np.pad(np.clip(boxed, 0.0, 1.0), ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    return (framed * 2.0 - 1.0).astype(np.float32)


def digits2mnist_arrays(
    split: str = "train", mnist_dir: str | None = None, image_size: int | None = None
) -> UnpairedTask:
    """The ``digits2mnist`` arrays of one split: framed sklearn digits (A) and MNIST digits (B), with labels."""
    from sklearn.datasets import load_digits as sklearn_load_digits

    _check_split(split)
    digits = sklearn_load_digits()
    images_a, labels_a = _split((digits.images, digits.target.astype(np.int32)), DIGITS_HELD_OUT, split)
    mnist, labels_b = _mnist(mnist_dir or default_mnist_dir())
    mnist, labels_b = _split((mnist, labels_b), MNIST_HELD_OUT, split)
    images_b = (mnist.astype(np.float32) / 127.5 - 1.0)[..., None]
    return UnpairedTask(
        _resize(frame_like_mnist(images_a), image_size).astype(np.float32),
        labels_a,
        _resize(images_b, image_size).astype(np.float32),
        labels_b,
    )


def load_edges2digits(
    split: str = "train",
    *,
    with_labels: bool = False,
    image_size: int | None = None,
    mnist_dir: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    shuffle: bool = True,
    seed: int | None = None,
    drop_remainder: bool = True,
) -> tf.data.Dataset:
    """``edges2digits`` as batches of ``(edges, digits)`` (``(edges, digits, labels)`` with ``with_labels``)."""
    task = edges2digits_arrays(split, mnist_dir, image_size)
    return paired_from_arrays(
        task.inputs,
        task.targets,
        task.labels if with_labels else None,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        drop_remainder=drop_remainder,
    )


def load_digits2mnist(
    split: str = "train",
    *,
    with_labels: bool = False,
    image_size: int | None = None,
    mnist_dir: str | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    shuffle: bool = True,
    seed: int | None = None,
    drop_remainder: bool = True,
) -> tf.data.Dataset:
    """``digits2mnist`` as unpaired ``(sklearn digits, MNIST digits)`` batches; labels: :func:`digits2mnist_arrays`.

    ``with_labels=True`` is refused: an unpaired element has no one label.
    """
    if with_labels:
        raise ValueError(
            "digits2mnist: unpaired (a, b) batches have no one label; load with with_labels=False and take the "
            "labels of each domain from keras_gans.data.digits2mnist_arrays(split)"
        )
    task = digits2mnist_arrays(split, mnist_dir, image_size)
    return unpaired(
        task.images_a, task.images_b, batch_size=batch_size, shuffle=shuffle, seed=seed, drop_remainder=drop_remainder
    )


#: Loaders by name, for ``keras_gans.data.load``.
TRANSLATION_TASKS: dict[str, Any] = {"edges2digits": load_edges2digits, "digits2mnist": load_digits2mnist}
