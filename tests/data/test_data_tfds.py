"""load_tfds without network: TFDS's mock_data for the pipeline, an empty data_dir for the offline errors."""

import ast
from pathlib import Path

import numpy as np
import pytest
import tensorflow_datasets as tfds

import keras_gans.data
from keras_gans.data import UnknownDatasetError, load, load_tfds


def test_mnist_pipeline_on_mock_data(tmp_path):
    with tfds.testing.mock_data(num_examples=20):
        dataset = load_tfds("mnist", with_labels=True, batch_size=8, seed=1, data_dir=tmp_path)
        batches = list(dataset)
    assert dataset.class_names == [str(i) for i in range(10)]
    assert len(batches) == 2
    images, labels = batches[0]
    assert images.shape == (8, 28, 28, 1) and images.dtype == "float32" and labels.dtype == "int32"
    assert -1.0 <= float(np.min(images)) and float(np.max(images)) <= 1.0
    assert set(labels.numpy()) <= set(range(10))


def test_celeb_a_centre_crop_and_resize_on_mock_data(tmp_path):
    with tfds.testing.mock_data(num_examples=4):
        dataset = load_tfds("celeb_a", crop_size=108, image_size=32, batch_size=2, data_dir=tmp_path)
        (images,) = list(dataset.take(1))
        with pytest.raises(ValueError, match="no class-label feature 'label'"):
            load_tfds("celeb_a", with_labels=True, data_dir=tmp_path)
    assert images.shape == (2, 32, 32, 3)
    assert -1.0 <= float(np.min(images)) and float(np.max(images)) <= 1.0


def test_offline_errors_are_clear(tmp_path, monkeypatch):
    with pytest.raises(FileNotFoundError, match="not prepared in .*pass download=True .* or data_dir="):
        load_tfds("mnist", data_dir=tmp_path, download=False)

    def no_network(self, *args, **kwargs):
        raise OSError("Temporary failure in name resolution")

    monkeypatch.setattr(tfds.core.DatasetBuilder, "download_and_prepare", no_network)
    with pytest.raises(RuntimeError, match="could not download 'mnist'.*check the network, or pass data_dir="):
        load_tfds("mnist", data_dir=tmp_path)


def test_unknown_names_list_the_choices():
    with pytest.raises(UnknownDatasetError, match="unknown TFDS dataset 'no_such_images'"):
        load_tfds("no_such_images")
    with pytest.raises(UnknownDatasetError, match="'digits'.*'mnist_idx'.*image folder.*'cifar10'"):
        load("no_such_images")


def test_package_import_does_not_import_tensorflow_datasets():
    # Static check (a fresh interpreter would cost a TensorFlow import): no module-level import of it.
    for path in Path(keras_gans.data.__file__).parent.glob("*.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [alias.name for alias in node.names] + [getattr(node, "module", None) or ""]
                assert not any(n.startswith("tensorflow_datasets") for n in names), path
