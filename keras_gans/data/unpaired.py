"""Unpaired images for CycleGAN-style translation: ``{"a": ..., "b": ...}`` batches, float32 [-1, 1].

The two domains are shuffled independently, so batch ``i`` of A and batch ``i`` of B are unrelated. An epoch is
``max(len(A), len(B)) // batch_size`` steps, the smaller domain being repeated (reshuffled) as needed -- the
CycleGAN authors' loader draws B at random for each A in the same way.

Sources: two arrays or two datasets (:func:`unpaired`), ``trainA/`` and ``trainB/`` folders, the layout of the
CycleGAN datasets (:func:`unpaired_from_folders`), TFDS ``cycle_gan/...`` (:func:`unpaired_from_tfds`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tensorflow as tf

from keras_gans.data.arrays import from_arrays
from keras_gans.data.folder import from_folder
from keras_gans.data.pipeline import DEFAULT_BATCH_SIZE

__all__ = ["unpaired", "unpaired_from_folders", "unpaired_from_tfds", "zip_domains"]


def _images_only(dataset: tf.data.Dataset, which: str) -> tf.data.Dataset:
    spec = dataset.element_spec
    if isinstance(spec, tuple):  # (images, labels) from a loader with labels: the labels mean nothing here
        dataset, spec = dataset.map(lambda images, *rest: images), spec[0]
    if not isinstance(spec, tf.TensorSpec) or spec.shape.rank != 4:
        raise ValueError(
            f"unpaired: domain {which} must be a dataset of image batches (B, H, W, C); its elements are {spec}. "
            "Batch it (the keras_gans.data loaders do), or pass arrays"
        )
    return dataset


def zip_domains(dataset_a: tf.data.Dataset, dataset_b: tf.data.Dataset) -> tf.data.Dataset:
    """``{"a": batch of A, "b": batch of B}`` from two batched image datasets: ``max(batches of A, batches of B)``
    steps per epoch. Named, not an ``(a, b)`` tuple, so that a paired model (Pix2Pix) refuses them: a tuple would
    read as ``(input, target)`` pairs that are not.

    Both are repeated, so the smaller domain is drawn again (reshuffled each pass when it shuffles); when a size is
    unknown or infinite the two are zipped as they are (the epoch ends with the shorter one).
    """
    dataset_a, dataset_b = _images_only(dataset_a, "A"), _images_only(dataset_b, "B")
    batch_a, batch_b = dataset_a.element_spec.shape[0], dataset_b.element_spec.shape[0]
    if batch_a is not None and batch_b is not None and batch_a != batch_b:
        raise ValueError(f"unpaired: batches of A hold {batch_a} images and of B {batch_b}; use one batch_size")
    count_a, count_b = int(dataset_a.cardinality()), int(dataset_b.cardinality())
    if count_a == 0 or count_b == 0:
        raise ValueError(f"unpaired: domain {'A' if count_a == 0 else 'B'} has no batches")
    if count_a > 0 and count_b > 0:
        steps = max(count_a, count_b)
        zipped = tf.data.Dataset.zip(dataset_a.repeat(), dataset_b.repeat()).take(steps)
    else:
        zipped = tf.data.Dataset.zip(dataset_a, dataset_b)
    return zipped.map(lambda a, b: {"a": a, "b": b}).prefetch(tf.data.AUTOTUNE)


def _refuse_labels(with_labels: bool, source: str) -> None:
    if with_labels:
        raise ValueError(
            f"{source}: unpaired data has no labels per (a, b) element (the two domains are unrelated); load with "
            "with_labels=False (for the digits2mnist labels use keras_gans.data.digits2mnist_arrays)"
        )


def _seed_b(seed: int | None) -> int | None:
    # A different shuffle for B: the same seed would order two equally long domains alike.
    return None if seed is None else int(seed) + 1


def unpaired(
    images_a: Any,
    images_b: Any,
    *,
    value_range: Sequence[float] | None = None,
    value_range_b: Sequence[float] | None = None,
    image_size: int | Sequence[int] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    shuffle: bool = True,
    seed: int | None = None,
    shuffle_buffer: int | None = None,
    drop_remainder: bool = True,
) -> tf.data.Dataset:
    """``{"a": ..., "b": ...}`` batches from two image sets in no correspondence: arrays, batched datasets or folders.

    * arrays (N, H, W[, C]) -> each through ``from_arrays`` (``value_range`` for A, ``value_range_b`` for B,
      default the same; ``image_size`` resizes both), then :func:`zip_domains`;
    * two batched [-1, 1] image datasets (e.g. from the keras_gans.data loaders; labels are dropped) -> zipped;
    * two folders -> :func:`unpaired_from_folders` (needs ``image_size``).

    The counts may differ (an epoch covers the larger domain). The dataset's ``resumable`` attribute is True for
    arrays in the same order in every process (no shuffle, or a ``seed``).
    """
    if isinstance(images_a, (str, os.PathLike)) and isinstance(images_b, (str, os.PathLike)):
        if image_size is None:
            raise ValueError("unpaired: folders of images need image_size=(height, width)")
        folders = dict(batch_size=batch_size, shuffle=shuffle, seed=seed, drop_remainder=drop_remainder)
        return unpaired_from_folders(images_a, images_b, image_size=image_size, **folders)
    datasets = [isinstance(x, tf.data.Dataset) for x in (images_a, images_b)]
    if all(datasets):
        return zip_domains(images_a, images_b)
    if any(datasets):
        raise ValueError("unpaired: pass two arrays or two datasets, not one of each")
    common = dict(
        image_size=image_size,
        batch_size=batch_size,
        shuffle=shuffle,
        shuffle_buffer=shuffle_buffer,
        drop_remainder=drop_remainder,
    )
    dataset_a = from_arrays(images_a, value_range=value_range, seed=seed, **common)
    dataset_b = from_arrays(images_b, value_range=value_range_b or value_range, seed=_seed_b(seed), **common)
    dataset = zip_domains(dataset_a, dataset_b)
    dataset.resumable = not shuffle or seed is not None
    return dataset


def unpaired_from_folders(
    directory_a: str | os.PathLike,
    directory_b: str | os.PathLike | None = None,
    image_size: int | Sequence[int] = 256,
    channels: int = 3,
    channels_b: int | None = None,
    *,
    split: str = "train",
    with_labels: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    shuffle: bool = True,
    seed: int | None = None,
    drop_remainder: bool = True,
) -> tf.data.Dataset:
    """``{"a", "b"}`` batches from two folders, or from one CycleGAN dataset root with ``<split>A/`` and ``<split>B/``.

    ``unpaired_from_folders("horse2zebra", image_size=256)`` reads ``horse2zebra/trainA`` and ``trainB``
    (``split="test"``: ``testA``/``testB``); ``unpaired_from_folders(dir_a, dir_b, ...)`` any two folders. Images are
    decoded with ``channels`` (``channels_b`` for B, default the same) and resized to ``image_size``.
    ``with_labels=True`` is refused (unpaired elements have no label).
    """
    _refuse_labels(with_labels, "unpaired_from_folders")
    if directory_b is None:
        root = Path(os.path.expanduser(os.fspath(directory_a)))
        directory_a, directory_b = root / f"{split}A", root / f"{split}B"
        missing = [p.name for p in (directory_a, directory_b) if not p.is_dir()]
        if missing:
            raise FileNotFoundError(
                f"unpaired_from_folders: {os.fspath(root)!r} has no {' and no '.join(missing)} folder (the CycleGAN "
                f"layout is <root>/{split}A and <root>/{split}B); or pass the two folders"
            )
    common = dict(image_size=image_size, batch_size=batch_size, shuffle=shuffle, drop_remainder=drop_remainder)
    dataset_a = from_folder(directory_a, channels=channels, seed=seed, **common)
    dataset_b = from_folder(directory_b, channels=channels_b or channels, seed=_seed_b(seed), **common)
    return zip_domains(dataset_a, dataset_b)


def unpaired_from_tfds(
    name: str = "cycle_gan/horse2zebra",
    split: str = "train",
    image_size: int | Sequence[int] | None = None,
    data_dir: str | os.PathLike | None = None,
    download: bool = True,
    *,
    with_labels: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    shuffle: bool = True,
    seed: int | None = None,
    drop_remainder: bool = True,
) -> tf.data.Dataset:
    """TFDS ``cycle_gan/<task>`` (horse2zebra, apple2orange, monet2photo, ...) as ``{"a", "b"}`` batches.

    Reads the TFDS splits ``<split>A`` and ``<split>B`` through ``load_tfds`` (download and offline errors alike).
    ``with_labels=True`` is refused (the TFDS label only says the domain).
    """
    _refuse_labels(with_labels, f"unpaired_from_tfds({name!r})")
    from keras_gans.data.tfds import load_tfds

    common = dict(
        image_size=image_size,
        data_dir=data_dir,
        download=download,
        batch_size=batch_size,
        shuffle=shuffle,
        drop_remainder=drop_remainder,
    )
    dataset_a = load_tfds(name, split=f"{split}A", seed=seed, **common)
    dataset_b = load_tfds(name, split=f"{split}B", seed=_seed_b(seed), **common)  # prepared by the first call
    return zip_domains(dataset_a, dataset_b)
