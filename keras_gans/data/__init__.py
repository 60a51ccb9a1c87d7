"""Datasets for the GANs: batched, shuffled, prefetched `tf.data.Dataset`s of float32 NHWC images in [-1, 1].

Loaders: `load_digits` (embedded, no download), `from_mnist_idx` (MNIST IDX files), `from_arrays`, `from_folder`,
`load_tfds`; for translation `paired(...)` / `unpaired(...)` (arrays, folders, TFDS) and the offline tasks
`edges2digits` / `digits2mnist`; `load(name)` picks one by name. `check_image_batch_spec` is the check a model runs on
`dataset.element_spec`.
"""

from __future__ import annotations

import os
from typing import Any

import tensorflow as tf

from keras_gans.data.arrays import from_arrays
from keras_gans.data.digits import load_digits
from keras_gans.data.folder import from_folder
from keras_gans.data.idx import default_mnist_dir, from_mnist_idx, load_mnist_idx, read_idx
from keras_gans.data.mnist32 import load_mnist32
from keras_gans.data.paired import (
    paired,
    paired_from_arrays,
    paired_from_folders,
    paired_from_side_by_side,
    paired_from_tfds,
)
from keras_gans.data.pipeline import check_image_batch_spec
from keras_gans.data.tfds import UnknownDatasetError, load_tfds
from keras_gans.data.translation_tasks import (
    TRANSLATION_TASKS,
    digits2mnist_arrays,
    edges2digits_arrays,
    load_digits2mnist,
    load_edges2digits,
)
from keras_gans.data.unpaired import unpaired, unpaired_from_folders, unpaired_from_tfds

__all__ = [
    "UnknownDatasetError",
    "check_image_batch_spec",
    "default_mnist_dir",
    "digits2mnist_arrays",
    "edges2digits_arrays",
    "from_arrays",
    "from_folder",
    "from_mnist_idx",
    "load",
    "load_digits",
    "load_digits2mnist",
    "load_edges2digits",
    "load_mnist32",
    "load_mnist_idx",
    "load_tfds",
    "paired",
    "paired_from_arrays",
    "paired_from_folders",
    "paired_from_side_by_side",
    "paired_from_tfds",
    "read_idx",
    "unpaired",
    "unpaired_from_folders",
    "unpaired_from_tfds",
]

_MNIST_IDX = "mnist_idx"
_MNIST32 = "mnist32_idx"
_CYCLE_GAN = "cycle_gan/"
_CHOICES = (
    "'digits' (embedded sklearn digits), 'mnist_idx' or 'mnist_idx:DIR' (MNIST IDX files, default folder "
    "$KERAS_GANS_MNIST_DIR or ../shared/data/mnist), 'mnist32_idx' (the same, padded to 32x32), "
    "the translation tasks 'edges2digits' and 'digits2mnist', "
    "an existing image folder (a CycleGAN root with trainA/ and trainB/ loads unpaired), 'cycle_gan/TASK', or a "
    "TFDS image dataset such as 'mnist', 'fashion_mnist', 'cifar10', 'celeb_a'"
)


def load(name: str, **kwargs: Any) -> tf.data.Dataset:
    """The dataset called `name`, with `kwargs` passed to the loader it picks, in this order.

    "digits" -> `load_digits`; "mnist_idx" or "mnist_idx:/path" -> `from_mnist_idx` (folder `default_mnist_dir()`
    unless given); "mnist32_idx[:DIR]" -> `load_mnist32` (padded to 32x32); "edges2digits" / "digits2mnist" ->
    the translation tasks (`load_edges2digits`,
    `load_digits2mnist`); "cycle_gan/TASK" -> `unpaired_from_tfds`; a folder with `trainA/` and `trainB/` (the
    CycleGAN layout; `split=` picks `testA/`...) -> `unpaired_from_folders`; another existing folder ->
    `from_folder` (needs `image_size=`); anything else -> `load_tfds`.
    A folder shadows a TFDS dataset of the same name: call `load_tfds` directly for the latter.
    """
    if name == "digits":
        return load_digits(**kwargs)
    if name == _MNIST_IDX or name.startswith(_MNIST_IDX + ":"):
        directory = name[len(_MNIST_IDX) + 1 :] or None
        return from_mnist_idx(directory, **kwargs)
    if name == _MNIST32 or name.startswith(_MNIST32 + ":"):
        return load_mnist32(name[len(_MNIST32) + 1 :] or None, **kwargs)
    if name in TRANSLATION_TASKS:
        return TRANSLATION_TASKS[name](**kwargs)
    if name.startswith(_CYCLE_GAN):
        return unpaired_from_tfds(name, **kwargs)
    if os.path.isdir(os.path.expanduser(name)):
        folder = os.path.expanduser(name)
        split = kwargs.get("split", "train")
        if all(os.path.isdir(os.path.join(folder, f"{split}{domain}")) for domain in "AB"):
            return unpaired_from_folders(folder, **kwargs)
        return from_folder(folder, **kwargs)
    try:
        return load_tfds(name, **kwargs)
    except UnknownDatasetError as err:
        raise UnknownDatasetError(f"unknown dataset {name!r}; choose {_CHOICES}") from err
