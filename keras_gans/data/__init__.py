"""Datasets for the GANs: batched, shuffled, prefetched `tf.data.Dataset`s of float32 NHWC images in [-1, 1].

Loaders: `load_digits` (embedded, no download), `from_mnist_idx` (MNIST IDX files), `from_arrays`, `from_folder`,
`load_tfds`; `load(name)` picks one by name. `check_image_batch_spec` is the check a model runs on
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
from keras_gans.data.pipeline import check_image_batch_spec
from keras_gans.data.tfds import UnknownDatasetError, load_tfds

__all__ = [
    "UnknownDatasetError",
    "check_image_batch_spec",
    "default_mnist_dir",
    "from_arrays",
    "from_folder",
    "from_mnist_idx",
    "load",
    "load_digits",
    "load_mnist_idx",
    "load_tfds",
    "read_idx",
]

_MNIST_IDX = "mnist_idx"
_CHOICES = (
    "'digits' (embedded sklearn digits), 'mnist_idx' or 'mnist_idx:DIR' (MNIST IDX files, default folder "
    "$KERAS_GANS_MNIST_DIR or ../shared/data/mnist), an existing image folder, or a TFDS image dataset such as "
    "'mnist', 'fashion_mnist', 'cifar10', 'celeb_a'"
)


def load(name: str, **kwargs: Any) -> tf.data.Dataset:
    """The dataset called `name`, with `kwargs` passed to the loader it picks, in this order.

    "digits" -> `load_digits`; "mnist_idx" or "mnist_idx:/path" -> `from_mnist_idx` (folder `default_mnist_dir()`
    unless given); an existing folder -> `from_folder` (needs `image_size=`); anything else -> `load_tfds`.
    A folder shadows a TFDS dataset of the same name: call `load_tfds` directly for the latter.
    """
    if name == "digits":
        return load_digits(**kwargs)
    if name == _MNIST_IDX or name.startswith(_MNIST_IDX + ":"):
        directory = name[len(_MNIST_IDX) + 1 :] or None
        return from_mnist_idx(directory, **kwargs)
    if os.path.isdir(os.path.expanduser(name)):
        return from_folder(os.path.expanduser(name), **kwargs)
    try:
        return load_tfds(name, **kwargs)
    except UnknownDatasetError as err:
        raise UnknownDatasetError(f"unknown dataset {name!r}; choose {_CHOICES}") from err
