"""Image datasets from TensorFlow Datasets (mnist, fashion_mnist, cifar10, celeb_a, or any TFDS image dataset).

`tensorflow_datasets` is imported inside `load_tfds` only, so `import keras_gans.data` does not pay for it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import tensorflow as tf

from keras_gans.data.pipeline import DEFAULT_BATCH_SIZE, implied_value_range, make_image_dataset

__all__ = ["TFDS_SHUFFLE_BUFFER", "UnknownDatasetError", "load_tfds"]

# Decoded TFDS images can be large (a CelebA frame is 116 kB), so the default buffer is smaller than for arrays;
# files are shuffled too (`shuffle_files`), which mixes beyond the buffer.
TFDS_SHUFFLE_BUFFER = 2_000


class UnknownDatasetError(ValueError):
    """A dataset name that no loader knows."""


def tfds_builder(name: str, data_dir: str | os.PathLike | None, download: bool):
    """``tfds.builder(name)``, prepared when ``download``; unknown names and failed downloads say what to do."""
    import tensorflow_datasets as tfds

    try:
        builder = tfds.builder(name, data_dir=data_dir)
    except tfds.core.registered.DatasetNotFoundError as err:
        raise UnknownDatasetError(
            f"unknown TFDS dataset {name!r}; see tensorflow_datasets.list_builders() for the names"
        ) from err
    if download:
        try:
            builder.download_and_prepare()
        except Exception as err:  # network, disk and TFDS install errors alike: say what to do
            raise RuntimeError(
                f"could not download {name!r} ({type(err).__name__}: {err}); check the network, or pass "
                f"data_dir= with a prepared copy (e.g. `tfds build {name} --data_dir DIR` where there is network)"
            ) from err
    return builder


def tfds_split(builder, name: str, split: str, shuffle: bool, seed: int | None) -> tf.data.Dataset:
    """The examples of ``split`` (files shuffled with ``seed`` when ``shuffle``); unprepared data says what to do."""
    import tensorflow_datasets as tfds

    try:
        return builder.as_dataset(split=split, shuffle_files=shuffle, read_config=tfds.ReadConfig(shuffle_seed=seed))
    except AssertionError as err:  # what TFDS raises for data that has not been prepared
        raise FileNotFoundError(
            f"{name!r} is not prepared in {builder.data_dir}; pass download=True (needs network) or "
            "data_dir= with a prepared copy"
        ) from err


def load_tfds(
    name: str,
    split: str = "train",
    image_size: int | Sequence[int] | None = None,
    with_labels: bool = False,
    data_dir: str | os.PathLike | None = None,
    download: bool = True,
    *,
    crop_size: int | Sequence[int] | None = None,
    image_key: str = "image",
    label_key: str = "label",
    batch_size: int = DEFAULT_BATCH_SIZE,
    shuffle: bool = True,
    seed: int | None = None,
    shuffle_buffer: int | None = TFDS_SHUFFLE_BUFFER,
    drop_remainder: bool = True,
) -> tf.data.Dataset:
    """A TFDS image dataset as batches of float32 NHWC images in [-1, 1] (with int32 labels if `with_labels`).

    Uses `tfds.builder(name, data_dir=...)`: with `download=True` it downloads and prepares the data on first use
    (needs network); with `download=False` it reads a copy already prepared in `data_dir`. `name` may carry a
    config and version as TFDS allows ("celeb_a:2.*.*"). Images are read from the `image_key` feature and
    labels from `label_key` (a ClassLabel); the value range comes from the image dtype (uint8: [0, 255]).

    `crop_size` (int or (h, w)) takes the centred window before resizing; for CelebA's 178x218 aligned faces
    `crop_size=108` or `140` with `image_size=64` keeps the face and drops the background (the full frame is
    used by default). `image_size` resizes bilinearly (antialiased). `shuffle` also shuffles the files
    (seeded by `seed`).
    """
    import tensorflow_datasets as tfds

    builder = tfds_builder(name, data_dir, download)
    features = builder.info.features
    if image_key not in features or not isinstance(features[image_key], tfds.features.Image):
        raise ValueError(f"{name}: no image feature {image_key!r}; features are {sorted(features.keys())}")
    if with_labels and (label_key not in features or not isinstance(features[label_key], tfds.features.ClassLabel)):
        raise ValueError(
            f"{name}: no class-label feature {label_key!r} for with_labels=True; features are "
            f"{sorted(features.keys())} (pass label_key=, or with_labels=False)"
        )
    examples = tfds_split(builder, name, split, shuffle, seed)

    if with_labels:
        elements = examples.map(lambda example: (example[image_key], example[label_key]))
    else:
        elements = examples.map(lambda example: example[image_key])
    dataset = make_image_dataset(
        elements,
        value_range=implied_value_range(features[image_key].dtype),
        image_size=image_size,
        crop_size=crop_size,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        shuffle_buffer=shuffle_buffer,
        drop_remainder=drop_remainder,
        source=f"load_tfds({name!r}, split={split!r})",
    )
    if with_labels:
        dataset.class_names = list(features[label_key].names)
    return dataset
