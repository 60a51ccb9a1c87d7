"""Paired (input, target) loaders: arrays, two folders, side-by-side A|B images, TFDS, and edges2digits."""

from __future__ import annotations

import numpy as np
import pytest
import tensorflow_datasets as tfds
from PIL import Image

import keras_gans as kg
from keras_gans.data import translation_tasks
from keras_gans.data.paired import paired_from_arrays, paired_from_folders, paired_from_side_by_side


def _coded(n: int, size: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """uint8 inputs whose every pixel is 10*i and targets 10*i + 5: a pair's partner is recognisable."""
    codes = (np.arange(n) * 10).astype(np.uint8)
    inputs = np.broadcast_to(codes[:, None, None, None], (n, size, size, 1)).copy()
    return inputs, inputs + 5


def _pixel_code(images) -> np.ndarray:
    return np.round((np.asarray(images)[:, 0, 0, 0] + 1.0) * 127.5).astype(int)


def test_arrays_keep_pairs_together_under_shuffle():
    inputs, targets = _coded(12)
    labels = np.arange(12) % 3
    dataset = paired_from_arrays(inputs, targets, labels, batch_size=4, seed=3)
    assert dataset.resumable
    seen = []
    for x, y, lab in dataset:
        assert x.dtype == "float32" and y.shape == (4, 4, 4, 1) and lab.dtype == "int32"
        np.testing.assert_array_equal(_pixel_code(y), _pixel_code(x) + 5)
        np.testing.assert_array_equal(lab.numpy(), (_pixel_code(x) // 10) % 3)
        seen.extend(_pixel_code(x) // 10)
    assert sorted(seen) == list(range(12)) and seen != list(range(12))  # all pairs, shuffled
    np.testing.assert_allclose(
        next(iter(paired_from_arrays(inputs, targets, batch_size=4, shuffle=False)))[0][1, 0, 0, 0], 10 / 127.5 - 1
    )


def test_arrays_sides_may_differ_in_size_and_channels():
    low = np.full((6, 4, 4, 1), -0.5, np.float32)
    high = np.full((6, 16, 16, 3), -0.5, np.float32)
    x, y = next(iter(paired_from_arrays(low, high, batch_size=3, target_size=8)))
    assert x.shape == (3, 4, 4, 1) and y.shape == (3, 8, 8, 3)


@pytest.mark.parametrize(
    "inputs, targets, match",
    [
        (np.zeros((5, 4, 4)), np.zeros((4, 4, 4)), "5 inputs and 4 targets.*unpaired"),
        (np.full((4, 4, 4), 200.0), np.zeros((4, 4, 4)), "divide by 127.5"),
    ],
)
def test_bad_arrays_are_refused_with_the_fix(inputs, targets, match):
    with pytest.raises(ValueError, match=match):
        paired_from_arrays(inputs, targets, batch_size=2)


def _write(path, array) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


def test_two_folders_match_files_by_name(tmp_path):
    for i in range(6):
        value = np.uint8(40 * i)
        _write(tmp_path / "a" / f"img{i}.png", np.full((8, 8, 3), value))
        _write(tmp_path / "b" / f"img{i}.jpg" if i % 2 else tmp_path / "b" / f"img{i}.png", np.full((8, 8), value))
    dataset = kg.data.paired(str(tmp_path / "a"), str(tmp_path / "b"), image_size=4, target_channels=1, batch_size=3)
    for x, y in dataset:
        assert x.shape == (3, 4, 4, 3) and y.shape == (3, 4, 4, 1)
        np.testing.assert_allclose(x.numpy()[:, 0, 0, 0], y.numpy()[:, 0, 0, 0], atol=0.05)  # jpeg round-off
    (tmp_path / "b" / "img3.jpg").unlink()
    with pytest.raises(ValueError, match=r"1 image\(s\) in .*a have no file of the same name .*\(img3\)"):
        paired_from_folders(tmp_path / "a", tmp_path / "b", image_size=4)
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        paired_from_folders(tmp_path / "nowhere", tmp_path / "b", image_size=4)


@pytest.mark.parametrize("direction", ["a_to_b", "b_to_a"])
def test_side_by_side_images_split_at_half_width(tmp_path, direction):
    for i in range(4):
        image = np.zeros((8, 16, 3), np.uint8)
        image[:, :8] = 10 * i  # A (left)
        image[:, 8:] = 10 * i + 100  # B (right)
        _write(tmp_path / "train" / f"{i}.png", image)
    dataset = paired_from_side_by_side(tmp_path / "train", image_size=8, direction=direction, batch_size=2)
    for x, y in dataset:
        assert x.shape == y.shape == (2, 8, 8, 3)
        offset = 100 if direction == "a_to_b" else -100
        np.testing.assert_array_equal(_pixel_code(y), _pixel_code(x) + offset)
    with pytest.raises(ValueError, match="direction must be one of"):
        paired_from_side_by_side(tmp_path / "train", image_size=8, direction="atob")


def test_tfds_pairs_on_mock_data(tmp_path):
    with tfds.testing.mock_data(num_examples=4):
        dataset = kg.data.paired_from_tfds(
            "div2k/bicubic_x4", "lr", "hr", image_size=8, target_size=32, batch_size=2, data_dir=tmp_path
        )
        x, y = next(iter(dataset))
        with pytest.raises(ValueError, match="no image feature 'low'.*'hr', 'lr'"):
            kg.data.paired_from_tfds("div2k/bicubic_x4", "low", "hr", image_size=8, data_dir=tmp_path)
    assert x.shape == (2, 8, 8, 3) and y.shape == (2, 32, 32, 3)
    assert -1 <= float(np.min(y)) and float(np.max(y)) <= 1


def test_edge_map_matches_scipy_sobel():
    ndimage = pytest.importorskip("scipy.ndimage")
    images = np.random.default_rng(0).uniform(0, 1, (3, 10, 12)).astype(np.float32)
    gx = np.stack([ndimage.sobel(image, axis=1, mode="constant") for image in images])
    gy = np.stack([ndimage.sobel(image, axis=0, mode="constant") for image in images])
    expected = (np.hypot(gx, gy) > translation_tasks.EDGE_THRESHOLD).astype(np.float32)
    np.testing.assert_array_equal(translation_tasks.edge_map(images), expected)


def test_edges2digits_by_name_has_a_held_out_split_and_labels():
    train = kg.data.edges2digits_arrays("train")
    test = kg.data.edges2digits_arrays("test")
    assert len(train.inputs) == 9_000 and len(test.inputs) == translation_tasks.MNIST_HELD_OUT
    assert set(np.unique(test.inputs)) == {-1.0, 1.0} and test.targets.min() == -1.0 and test.targets.max() == 1.0
    # The edge maps are the edges of their own targets.
    np.testing.assert_array_equal(
        test.inputs[..., 0], translation_tasks.edge_map((test.targets[..., 0] + 1) / 2) * 2 - 1
    )
    x, y, labels = next(iter(kg.data.load("edges2digits", split="test", with_labels=True, batch_size=8, seed=0)))
    assert x.shape == y.shape == (8, 28, 28, 1) and labels.dtype == "int32"
    resized, _ = next(iter(kg.data.load("edges2digits", split="test", image_size=32, batch_size=4)))
    assert resized.shape == (4, 32, 32, 1)
    with pytest.raises(ValueError, match="split must be one of"):
        kg.data.edges2digits_arrays("validation")
