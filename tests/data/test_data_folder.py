"""from_folder on PNG files written here with PIL."""

import numpy as np
import pytest
from PIL import Image

from keras_gans.data import from_folder


def _write_png(path, value, mode="RGB", size=(6, 4)):
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, value).save(path)


def test_folder_without_labels_rgb(tmp_path):
    for i in range(5):
        _write_png(tmp_path / f"img{i}.png", (255, 0, 51 * i))
    _write_png(tmp_path / "nested" / "more.png", (255, 0, 0))  # searched recursively
    (tmp_path / "notes.txt").write_text("not an image")
    dataset = from_folder(tmp_path, image_size=(4, 6), batch_size=3, drop_remainder=False, seed=0)
    batches = [b.numpy() for b in dataset]
    images = np.concatenate(batches)
    assert images.shape == (6, 4, 6, 3) and images.dtype == np.float32
    np.testing.assert_allclose(images[..., 0], 1.0)
    np.testing.assert_allclose(images[..., 1], -1.0)
    np.testing.assert_allclose(
        sorted(images[:, 0, 0, 2]), sorted([51 * i / 127.5 - 1 for i in range(5)] + [-1.0]), atol=1e-6
    )


def test_folder_with_labels_from_sorted_subfolders(tmp_path):
    for name, value in [("zebra", 200), ("cat", 0), ("dog", 100)]:
        for i in range(3):
            _write_png(tmp_path / name / f"{i}.png", value, mode="L", size=(8, 8))
    dataset = from_folder(tmp_path, image_size=4, channels=1, with_labels=True, batch_size=9, seed=3)
    assert dataset.class_names == ["cat", "dog", "zebra"]
    ((images, labels),) = list(dataset)
    assert images.shape == (9, 4, 4, 1) and labels.dtype == "int32"
    expected = {0: -1.0, 1: 100 / 127.5 - 1, 2: 200 / 127.5 - 1}  # cat, dog, zebra
    for image, label in zip(images.numpy(), labels.numpy(), strict=True):
        np.testing.assert_allclose(image, expected[int(label)], atol=1e-6)
    assert sorted(labels.numpy().tolist()) == [0, 0, 0, 1, 1, 1, 2, 2, 2]


def test_folder_shuffle_is_seeded(tmp_path):
    for i in range(8):
        _write_png(tmp_path / f"{i}.png", (30 * i, 0, 0), size=(2, 2))

    def order(seed):
        return [float(b[0, 0, 0, 0]) for b in from_folder(tmp_path, 2, batch_size=1, seed=seed)]

    assert order(5) == order(5)
    assert sorted(order(5)) == sorted(order(6))


def test_folder_errors(tmp_path):
    with pytest.raises(ValueError, match="no usable images"):
        from_folder(tmp_path, image_size=8)
    _write_png(tmp_path / "top.png", 0)
    with pytest.raises(ValueError, match="class subfolders"):
        from_folder(tmp_path, image_size=8, with_labels=True)
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        from_folder(tmp_path / "missing", image_size=8)
    with pytest.raises(ValueError, match="channels must be one of"):
        from_folder(tmp_path, image_size=8, channels=2)
