"""Unpaired (a, b) loaders: arrays, datasets, CycleGAN folders, TFDS cycle_gan, and digits2mnist."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow_datasets as tfds
from PIL import Image

import keras_gans as kg
from keras_gans.data import translation_tasks
from keras_gans.data.unpaired import unpaired, unpaired_from_folders


def _codes(batch) -> np.ndarray:
    return np.round((np.asarray(batch)[:, 0, 0, 0] + 1.0) * 127.5).astype(int)


def _coded(n: int, offset: int = 0) -> np.ndarray:
    return np.broadcast_to((np.arange(n) + offset).astype(np.uint8)[:, None, None], (n, 4, 4)).copy()


def test_an_epoch_covers_the_larger_domain_and_repeats_the_smaller():
    images_a, images_b = _coded(12), _coded(5, offset=100)
    dataset = unpaired(images_a, images_b, batch_size=2, seed=0)
    assert dataset.resumable and int(dataset.cardinality()) == 6  # 12 // 2 steps: all of A once
    seen_a, seen_b = [], []
    for batch in dataset:
        a, b = batch["a"], batch["b"]
        assert a.shape == b.shape == (2, 4, 4, 1) and a.dtype == b.dtype == "float32"
        seen_a.extend(_codes(a))
        seen_b.extend(_codes(b))
    assert sorted(seen_a) == list(range(12))
    assert set(seen_b) <= set(range(100, 105)) and len(seen_b) == 12  # B's 4 full batches a pass, drawn again
    # The domains are shuffled independently: equal-length domains do not come in the same order.
    a_order, b_order = zip(
        *[
            (tuple(_codes(batch["a"])), tuple(_codes(batch["b"]) - 100))
            for batch in unpaired(_coded(8), _coded(8, 100), batch_size=8, seed=1)
        ]
    )
    assert a_order != b_order


def test_two_datasets_are_zipped_and_labels_dropped():
    dataset_a = kg.data.from_arrays(_coded(6), np.zeros(6, int), batch_size=3, seed=0)
    dataset_b = kg.data.from_arrays(_coded(9, 50), batch_size=3, seed=0)
    batches = list(unpaired(dataset_a, dataset_b))
    assert len(batches) == 3 and all(sorted(batch) == ["a", "b"] for batch in batches)
    with pytest.raises(ValueError, match="use one batch_size"):
        unpaired(dataset_a, kg.data.from_arrays(_coded(9), batch_size=4))
    with pytest.raises(ValueError, match="two arrays or two datasets"):
        unpaired(dataset_a, _coded(4))


def _write_domain(folder, values) -> None:
    folder.mkdir(parents=True)
    for i, value in enumerate(values):
        Image.fromarray(np.full((8, 8, 3), value, np.uint8)).save(folder / f"{i}.png")


def test_cyclegan_folder_layout_by_function_and_by_name(tmp_path):
    _write_domain(tmp_path / "trainA", [0] * 4)
    _write_domain(tmp_path / "trainB", [255] * 6)
    dataset = unpaired_from_folders(tmp_path, image_size=4, batch_size=2, seed=0)
    batches = list(dataset)
    assert len(batches) == 3
    for batch in batches:
        a, b = batch["a"], batch["b"]
        assert a.shape == b.shape == (2, 4, 4, 3)
        assert float(np.max(a)) == -1.0 and float(np.min(b)) == 1.0  # A stays A, B stays B
    by_name = list(kg.data.load(str(tmp_path), image_size=4, batch_size=2))
    assert len(by_name) == 3
    with pytest.raises(FileNotFoundError, match="no testA and no testB folder"):
        unpaired_from_folders(tmp_path, image_size=4, split="test")


def test_tfds_cycle_gan_on_mock_data(tmp_path):
    with tfds.testing.mock_data(num_examples=6):
        dataset = kg.data.load("cycle_gan/horse2zebra", image_size=16, batch_size=2, data_dir=tmp_path)
        batch = next(iter(dataset))
    a, b = batch["a"], batch["b"]
    assert a.shape == b.shape == (2, 16, 16, 3)
    assert -1 <= float(np.min(a)) and float(np.max(b)) <= 1


def test_digits2mnist_frames_the_sklearn_digits_like_mnist():
    task = kg.data.digits2mnist_arrays("test")
    assert task.images_a.shape == (translation_tasks.DIGITS_HELD_OUT, 28, 28, 1)
    assert task.images_b.shape == (translation_tasks.MNIST_HELD_OUT, 28, 28, 1)
    assert len(task.labels_a) == len(task.images_a) and set(task.labels_a) == set(range(10))
    pad = translation_tasks.MNIST_PADDING
    border = np.ones((28, 28), bool)
    border[pad:-pad, pad:-pad] = False
    assert np.all(task.images_a[:, border] == -1.0)  # the 4-pixel frame is background
    assert task.images_a[:, pad:-pad, pad:-pad].max() == 1.0
    # frame_like_mnist: the box is the 8x8 digit upscaled (mean grey level preserved within resampling error).
    digit = np.arange(64, dtype=np.float32).reshape(1, 8, 8) / 4.0
    box = (translation_tasks.frame_like_mnist(digit)[0, pad:-pad, pad:-pad, 0] + 1) / 2
    np.testing.assert_allclose(box.mean(), (digit / 16).mean(), atol=0.02)
    batch = next(iter(kg.data.load("digits2mnist", split="test", batch_size=16, seed=0)))
    assert batch["a"].shape == batch["b"].shape == (16, 28, 28, 1)
    assert int(kg.data.load("digits2mnist", split="test", batch_size=16).cardinality()) == 1000 // 16
    with pytest.raises(ValueError, match="no one label.*digits2mnist_arrays"):
        kg.data.load("digits2mnist", with_labels=True)


def test_pix2pix_refuses_the_unpaired_loader_and_cyclegan_trains_on_it():
    images = np.random.default_rng(0).uniform(-1, 1, (8, 8, 8, 1)).astype("float32")
    data = unpaired(images, -images, batch_size=4, seed=0)
    with pytest.raises(ValueError, match="unpaired.*Use CycleGAN"):
        kg.Pix2Pix.data_arguments(data.element_spec)
    assert kg.CycleGAN.data_arguments(data.element_spec) == {"shape_a": (8, 8, 1), "shape_b": (8, 8, 1)}
