"""Paired images for translation and super-resolution: batches of ``(inputs, targets)``, both float32 in [-1, 1].

Sources: two arrays (:func:`paired_from_arrays`); two folders whose files match by name (:func:`paired_from_folders`);
one folder of side-by-side ``A|B`` images, the layout of the pix2pix datasets (:func:`paired_from_side_by_side`);
a TFDS dataset with two image features (:func:`paired_from_tfds`, e.g. ``div2k`` with ``lr`` and ``hr``).
:func:`paired` picks one from its arguments. Each pair is shuffled as a unit, so a pair never loses its partner.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tensorflow as tf

from keras_gans.data.arrays import _as_labels, _as_nhwc, _checked_images
from keras_gans.data.pipeline import (
    DEFAULT_BATCH_SIZE,
    DEFAULT_SHUFFLE_BUFFER,
    ValueRange,
    implied_value_range,
    normalize_images,
    resize_images,
    to_image_size,
)
from keras_gans.data.tfds import tfds_builder, tfds_split

__all__ = [
    "DIRECTIONS",
    "IMAGE_EXTENSIONS",
    "make_pair_dataset",
    "paired",
    "paired_from_arrays",
    "paired_from_folders",
    "paired_from_side_by_side",
    "paired_from_tfds",
]

#: File extensions read as images (what ``tf.io.decode_image`` decodes).
IMAGE_EXTENSIONS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
#: Which half of a side-by-side image is the input: ``"a_to_b"`` the left one (pix2pix's ``AtoB``).
DIRECTIONS = ("a_to_b", "b_to_a")
_UINT8_RANGE = (0.0, 255.0)
_CHANNELS = (1, 3, 4)


def _check_direction(direction: str) -> str:
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {DIRECTIONS}; got {direction!r}")
    return direction


def _check_channels(channels: int, name: str = "channels") -> int:
    if channels not in _CHANNELS:
        raise ValueError(f"{name} must be one of {_CHANNELS} (grey, RGB, RGBA); got {channels!r}")
    return int(channels)


def make_pair_dataset(
    dataset: tf.data.Dataset,
    *,
    value_ranges: tuple[ValueRange, ValueRange],
    sizes: tuple[Any, Any] = (None, None),
    batch_size: int = DEFAULT_BATCH_SIZE,
    shuffle: bool = True,
    seed: int | None = None,
    shuffle_buffer: int | None = None,
    drop_remainder: bool = True,
    source: str = "pairs",
) -> tf.data.Dataset:
    """Shuffle (pairs as units), batch, map each side onto [-1, 1], resize it to its size, prefetch.

    ``dataset`` yields unbatched ``(input, target)`` images (or ``(input, target, label)``; labels become int32).
    Sides of a fixed shape are transformed a batch at a time; sides whose size varies are resized one by one first,
    which needs their ``sizes`` entry. Raises ValueError when there are no pairs or fewer than ``batch_size``.
    """
    if int(batch_size) < 1:
        raise ValueError(f"batch_size must be >= 1; got {batch_size}")
    sizes = (to_image_size(sizes[0], "image_size"), to_image_size(sizes[1], "target_size"))
    count = int(dataset.cardinality())
    if count == 0 or (count == tf.data.UNKNOWN_CARDINALITY and not any(True for _ in dataset.take(1))):
        raise ValueError(f"{source}: no image pairs to load")
    if shuffle:
        if shuffle_buffer is None:
            shuffle_buffer = min(count, DEFAULT_SHUFFLE_BUFFER) if count > 0 else DEFAULT_SHUFFLE_BUFFER
        dataset = dataset.shuffle(int(shuffle_buffer), seed=seed, reshuffle_each_iteration=True)

    fixed = [spec.shape.is_fully_defined() for spec in dataset.element_spec[:2]]
    for side, (is_fixed, size) in enumerate(zip(fixed, sizes)):
        if not is_fixed and size is None:
            what = "image_size=(height, width)" if side == 0 else "target_size=(height, width) (or image_size)"
            raise ValueError(f"{source}: the {('inputs', 'targets')[side]} differ in size; pass {what} to resize them")

    def prepare(only_fixed: bool):
        def apply(*element):
            images = list(element[:2])
            for side in range(2):
                if fixed[side] == only_fixed:
                    images[side] = normalize_images(images[side], value_ranges[side])
                    if sizes[side] is not None:
                        images[side] = resize_images(images[side], sizes[side])
            rest = tuple(tf.cast(label, tf.int32) for label in element[2:])
            return (*images, *rest)

        return apply

    if not all(fixed):
        dataset = dataset.map(prepare(only_fixed=False), num_parallel_calls=tf.data.AUTOTUNE)
    dataset = dataset.batch(int(batch_size), drop_remainder=drop_remainder)
    if any(fixed):
        dataset = dataset.map(prepare(only_fixed=True), num_parallel_calls=tf.data.AUTOTUNE)
    if int(dataset.cardinality()) == 0:
        raise ValueError(
            f"{source}: {count} pairs are fewer than batch_size={batch_size} with drop_remainder=True; "
            "pass a smaller batch_size or drop_remainder=False"
        )
    return dataset.prefetch(tf.data.AUTOTUNE)


def paired_from_arrays(
    inputs: Any,
    targets: Any,
    labels: Any | None = None,
    *,
    value_range: Sequence[float] | None = None,
    target_value_range: Sequence[float] | None = None,
    image_size: int | Sequence[int] | None = None,
    target_size: int | Sequence[int] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    shuffle: bool = True,
    seed: int | None = None,
    shuffle_buffer: int | None = None,
    drop_remainder: bool = True,
) -> tf.data.Dataset:
    """Batches of ``(inputs, targets)`` (``(inputs, targets, labels)`` with ``labels``) from two arrays.

    ``inputs[i]`` is paired with ``targets[i]``; both are (N, H, W) or (N, H, W, C) and may differ in size and
    channels (an edge map -> an RGB photo, a low-res -> a high-res image). Value ranges as in ``from_arrays``
    (uint8: [0, 255]; floats must be in [-1, 1] unless ``value_range`` says otherwise); ``target_value_range``
    defaults to ``value_range``. ``image_size`` / ``target_size`` resize each side (bilinear). The dataset's
    ``resumable`` attribute is True when its order is the same in every process (no shuffle, or a ``seed``).
    """
    inputs, targets = _as_nhwc(inputs), _as_nhwc(targets)
    if len(inputs) != len(targets):
        raise ValueError(
            f"paired data needs one target per input; got {len(inputs)} inputs and {len(targets)} targets "
            "(for two image sets without correspondence use keras_gans.data.unpaired)"
        )
    inputs, input_range = _checked_images(inputs, value_range)
    targets, target_range = _checked_images(targets, target_value_range or value_range)
    elements: tuple = (inputs, targets)
    if labels is not None:
        elements = (inputs, targets, _as_labels(labels, len(inputs)))
    dataset = make_pair_dataset(
        tf.data.Dataset.from_tensor_slices(elements),
        value_ranges=(input_range, target_range),
        sizes=(image_size, target_size if target_size is not None else None),
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        shuffle_buffer=shuffle_buffer,
        drop_remainder=drop_remainder,
        source=f"paired_from_arrays ({len(inputs)} pairs)",
    )
    dataset.resumable = not shuffle or seed is not None
    return dataset


def _image_files(directory: Path) -> dict[str, Path]:
    """Image files under ``directory`` (recursive), keyed by their path relative to it without the extension."""
    files: dict[str, Path] = {}
    for path in sorted(directory.rglob("*")):
        if path.is_file() and path.suffix.lower() in IMAGE_EXTENSIONS:
            key = path.relative_to(directory).with_suffix("").as_posix()
            if key in files:
                raise ValueError(
                    f"{directory}: {files[key].name} and {path.name} have the same name; keep one image per name"
                )
            files[key] = path
    return files


def _decode(path: tf.Tensor, channels: int) -> tf.Tensor:
    image = tf.io.decode_image(tf.io.read_file(path), channels=channels, expand_animations=False)
    return tf.ensure_shape(image, [None, None, channels])


def _require_folder(directory: str | os.PathLike, name: str) -> Path:
    directory = Path(os.path.expanduser(os.fspath(directory)))
    if not directory.is_dir():
        raise FileNotFoundError(f"{name}: {os.fspath(directory)!r} is not a folder")
    return directory


def _file_dataset(paths: Sequence[Sequence[str]], shuffle: bool, seed: int | None) -> tf.data.Dataset:
    """File names (one column per side), shuffled before anything is decoded (cheap)."""
    dataset = tf.data.Dataset.from_tensor_slices(tuple(list(column) for column in zip(*paths)))
    if shuffle:
        dataset = dataset.shuffle(len(paths), seed=seed, reshuffle_each_iteration=True)
    return dataset


def paired_from_folders(
    input_directory: str | os.PathLike,
    target_directory: str | os.PathLike,
    image_size: int | Sequence[int],
    channels: int = 3,
    target_channels: int | None = None,
    *,
    target_size: int | Sequence[int] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    shuffle: bool = True,
    seed: int | None = None,
    drop_remainder: bool = True,
) -> tf.data.Dataset:
    """Pairs of images with the same name (relative path, extension ignored) in two folders.

    Inputs are decoded with ``channels`` and resized to ``image_size``; targets with ``target_channels`` (default
    ``channels``) and ``target_size`` (default ``image_size``). A file without its partner is an error naming it.
    """
    inputs_dir = _require_folder(input_directory, "paired_from_folders")
    targets_dir = _require_folder(target_directory, "paired_from_folders")
    channels = _check_channels(channels)
    target_channels = _check_channels(target_channels or channels, "target_channels")
    inputs, targets = _image_files(inputs_dir), _image_files(targets_dir)
    if not inputs:
        raise ValueError(f"paired_from_folders: no images ({', '.join(IMAGE_EXTENSIONS)}) in {inputs_dir}")
    for missing, here, there in (
        (sorted(set(inputs) - set(targets)), inputs_dir, targets_dir),
        (sorted(set(targets) - set(inputs)), targets_dir, inputs_dir),
    ):
        if missing:
            shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
            raise ValueError(
                f"paired_from_folders: {len(missing)} image(s) in {here} have no file of the same name in {there} "
                f"({shown}); pair every image, or use keras_gans.data.unpaired for data without correspondence"
            )
    names = sorted(inputs)
    files = _file_dataset([(str(inputs[n]), str(targets[n])) for n in names], shuffle, seed)
    decoded = files.map(
        lambda a, b: (_decode(a, channels), _decode(b, target_channels)), num_parallel_calls=tf.data.AUTOTUNE
    )
    return make_pair_dataset(
        decoded,
        value_ranges=(_UINT8_RANGE, _UINT8_RANGE),
        sizes=(image_size, target_size if target_size is not None else image_size),
        batch_size=batch_size,
        shuffle=False,  # the file list is shuffled already
        drop_remainder=drop_remainder,
        source=f"paired_from_folders({os.fspath(inputs_dir)!r}, {os.fspath(targets_dir)!r})",
    )


def paired_from_side_by_side(
    directory: str | os.PathLike,
    image_size: int | Sequence[int],
    channels: int = 3,
    direction: str = "a_to_b",
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    shuffle: bool = True,
    seed: int | None = None,
    drop_remainder: bool = True,
) -> tf.data.Dataset:
    """Pairs from images that hold ``A|B`` side by side (the pix2pix datasets: facades, maps, edges2shoes...).

    Each image is split at half its width; ``direction="a_to_b"`` makes the left half the input (pix2pix's
    ``AtoB``), ``"b_to_a"`` the right half. Both halves are resized to ``image_size`` (of one half). Point it at
    one split's folder, e.g. ``facades/train``.
    """
    folder = _require_folder(directory, "paired_from_side_by_side")
    channels = _check_channels(channels)
    _check_direction(direction)
    files = list(_image_files(folder).values())
    if not files:
        raise ValueError(f"paired_from_side_by_side: no images ({', '.join(IMAGE_EXTENSIONS)}) in {folder}")
    names = _file_dataset([(str(path),) for path in files], shuffle, seed)

    def split(path: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        image = _decode(path, channels)
        half = tf.shape(image)[1] // 2
        left, right = image[:, :half], image[:, half : 2 * half]
        return (left, right) if direction == "a_to_b" else (right, left)

    return make_pair_dataset(
        names.map(split, num_parallel_calls=tf.data.AUTOTUNE),
        value_ranges=(_UINT8_RANGE, _UINT8_RANGE),
        sizes=(image_size, image_size),
        batch_size=batch_size,
        shuffle=False,
        drop_remainder=drop_remainder,
        source=f"paired_from_side_by_side({os.fspath(folder)!r})",
    )


def paired_from_tfds(
    name: str,
    input_key: str,
    target_key: str,
    split: str = "train",
    image_size: int | Sequence[int] | None = None,
    target_size: int | Sequence[int] | None = None,
    data_dir: str | os.PathLike | None = None,
    download: bool = True,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    shuffle: bool = True,
    seed: int | None = None,
    shuffle_buffer: int | None = 2_000,
    drop_remainder: bool = True,
) -> tf.data.Dataset:
    """A TFDS dataset with two image features as ``(inputs, targets)``, e.g. ``("div2k/bicubic_x4", "lr", "hr")``.

    Download and offline behaviour as in ``load_tfds``. Images whose size varies need ``image_size`` /
    ``target_size`` (resize; ``target_size`` defaults to ``image_size`` only when the shapes are equal).
    """
    import tensorflow_datasets as tfds

    builder = tfds_builder(name, data_dir, download)
    examples = tfds_split(builder, name, split, shuffle, seed)
    features = builder.info.features
    for key in (input_key, target_key):
        if key not in features or not isinstance(features[key], tfds.features.Image):
            images = sorted(k for k in features.keys() if isinstance(features[k], tfds.features.Image))
            raise ValueError(f"{name}: no image feature {key!r}; its image features are {images}")
    pairs = examples.map(lambda example: (example[input_key], example[target_key]))
    return make_pair_dataset(
        pairs,
        value_ranges=(implied_value_range(features[input_key].dtype), implied_value_range(features[target_key].dtype)),
        sizes=(image_size, target_size),
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        shuffle_buffer=shuffle_buffer,
        drop_remainder=drop_remainder,
        source=f"paired_from_tfds({name!r}, split={split!r})",
    )


def paired(inputs: Any, targets: Any | None = None, **kwargs: Any) -> tf.data.Dataset:
    """Paired ``(inputs, targets)`` batches from whatever is given.

    * two arrays -> :func:`paired_from_arrays`;
    * two folders -> :func:`paired_from_folders` (files matched by name; needs ``image_size=``);
    * one folder -> :func:`paired_from_side_by_side` (``A|B`` images; needs ``image_size=``).
    """
    is_path = isinstance(inputs, (str, os.PathLike))
    if is_path and targets is None:
        return paired_from_side_by_side(inputs, **kwargs)
    if is_path and isinstance(targets, (str, os.PathLike)):
        return paired_from_folders(inputs, targets, **kwargs)
    if targets is None:
        raise ValueError(
            "paired: pass inputs and targets (two arrays or two folders), or one folder of side-by-side A|B images"
        )
    if is_path or isinstance(targets, (str, os.PathLike)):
        raise ValueError("paired: pass two arrays or two folders, not one of each")
    return paired_from_arrays(inputs, targets, **kwargs)
