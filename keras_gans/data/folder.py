"""Image files in a folder (bmp, gif, jpeg, jpg, png), read with `keras.utils.image_dataset_from_directory`."""

from __future__ import annotations

import os
from collections.abc import Sequence

import tensorflow as tf

from keras_gans.data.pipeline import DEFAULT_BATCH_SIZE, make_image_dataset, to_image_size

__all__ = ["from_folder"]

_COLOR_MODES = {1: "grayscale", 3: "rgb", 4: "rgba"}


def from_folder(
    directory: str | os.PathLike,
    image_size: int | Sequence[int],
    channels: int = 3,
    with_labels: bool = False,
    *,
    crop_to_aspect_ratio: bool = False,
    batch_size: int = DEFAULT_BATCH_SIZE,
    shuffle: bool = True,
    seed: int | None = None,
    drop_remainder: bool = True,
) -> tf.data.Dataset:
    """Images in `directory` (searched recursively) as batches of (B, H, W, channels) float32 in [-1, 1].

    Every image is decoded with `channels` (1 grey, 3 RGB, 4 RGBA) and resized bilinearly to `image_size`;
    `crop_to_aspect_ratio=True` first takes the largest centred crop of that aspect ratio instead of squashing.
    `with_labels=True` yields (images, int32 labels): one class per subfolder, numbered in sorted name order as in
    `keras.utils.image_dataset_from_directory` (images directly in `directory` are then ignored); the names are
    on the returned dataset's `class_names` attribute. Shuffling is of the file list (seeded, reshuffled each
    epoch), before any image is decoded.
    """
    import keras  # imported here: the rest of keras_gans.data needs only tf.data

    if channels not in _COLOR_MODES:
        raise ValueError(f"channels must be one of {sorted(_COLOR_MODES)}; got {channels!r}")
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"from_folder: {directory!r} is not a folder")
    image_size = to_image_size(image_size)
    try:
        images = keras.utils.image_dataset_from_directory(
            directory,
            labels="inferred" if with_labels else None,
            label_mode="int",
            color_mode=_COLOR_MODES[channels],
            batch_size=None,
            image_size=image_size,
            shuffle=shuffle,
            seed=seed,
            interpolation="bilinear",
            crop_to_aspect_ratio=crop_to_aspect_ratio,
            verbose=False,
        )
    except ValueError as err:
        where = "in the class subfolders of" if with_labels else "in"
        raise ValueError(f"from_folder: no usable images {where} {directory!r}: {err}") from err
    class_names = getattr(images, "class_names", None)
    dataset = make_image_dataset(
        images,
        value_range=(0.0, 255.0),  # keras decodes to float32 in [0, 255]
        batch_size=batch_size,
        shuffle=False,  # keras already shuffled the file list, which is cheaper than shuffling decoded images
        drop_remainder=drop_remainder,
        source=f"from_folder({os.fspath(directory)!r})",
    )
    if with_labels:
        dataset.class_names = class_names
    return dataset
