"""IDX reading (round trips written here with numpy) and the real MNIST test set from ../shared/data/mnist."""

import gzip
import struct

import numpy as np
import pytest

from keras_gans.data import from_mnist_idx
from keras_gans.data.idx import IDX_DTYPES, default_mnist_dir, load_mnist_idx, read_idx

_CODES = {np.dtype(dtype.newbyteorder("=")): code for code, dtype in IDX_DTYPES.items()}


def write_idx(path, array, compress=False):
    """An independent IDX writer: 0x0000, type code, ndim, big-endian uint32 dims, big-endian values."""
    array = np.asarray(array)
    header = struct.pack(">HBB", 0, _CODES[array.dtype], array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    path.write_bytes(gzip.compress(payload) if compress else payload)
    return path


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16", "int32", "float32", "float64"])
def test_read_idx_round_trip(tmp_path, dtype, compress):
    rng = np.random.default_rng(0)
    if dtype.startswith("float"):
        array = (rng.normal(size=(5, 3, 4)) * 40).astype(dtype)
    else:
        info = np.iinfo(dtype)
        array = rng.integers(info.min, info.max, size=(5, 3, 4), endpoint=True).astype(dtype)
    got = read_idx(write_idx(tmp_path / "x.idx", array, compress))
    assert got.dtype == np.dtype(dtype)
    assert got.dtype.byteorder in ("=", "|")
    np.testing.assert_array_equal(got, array)


def test_read_idx_one_dimension(tmp_path):
    labels = np.array([7, 2, 1, 0, 4], dtype=np.uint8)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "l", labels, compress=True)), labels)


def test_read_idx_rejects_bad_magic(tmp_path):
    path = tmp_path / "bad"
    path.write_bytes(b"\x12\x34\x08\x01" + struct.pack(">I", 1) + b"\x00")
    with pytest.raises(ValueError, match="bad magic number 12340801"):
        read_idx(path)


def test_read_idx_rejects_unknown_type_and_wrong_length(tmp_path):
    path = tmp_path / "t"
    path.write_bytes(b"\x00\x00\x07\x01" + struct.pack(">I", 1) + b"\x00")
    with pytest.raises(ValueError, match="unknown IDX type code 0x07"):
        read_idx(path)
    path.write_bytes(b"\x00\x00\x08\x02" + struct.pack(">II", 2, 3) + b"\x00" * 5)
    with pytest.raises(ValueError, match=r"needs 6 data bytes, file has 5"):
        read_idx(path)
    path.write_bytes(b"\x00\x00\x08\x03" + struct.pack(">I", 2))
    with pytest.raises(ValueError, match="truncated IDX header"):
        read_idx(path)


def test_load_mnist_idx_raw_names_and_errors(tmp_path):
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    write_idx(tmp_path / "train-images-idx3-ubyte", images)
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.array([3, 9], dtype=np.uint8))
    got_images, got_labels = load_mnist_idx(tmp_path, split="train")
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, [3, 9])
    with pytest.raises(FileNotFoundError, match="t10k-images-idx3-ubyte"):
        load_mnist_idx(tmp_path, split="test")
    with pytest.raises(ValueError, match="split must be one of"):
        load_mnist_idx(tmp_path, split="validation")
    write_idx(tmp_path / "train-labels-idx1-ubyte", np.array([3], dtype=np.uint8))
    with pytest.raises(ValueError, match="2 images but 1 labels"):
        load_mnist_idx(tmp_path, split="train")


def test_default_mnist_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("KERAS_GANS_MNIST_DIR", str(tmp_path))
    assert default_mnist_dir() == str(tmp_path)
    monkeypatch.delenv("KERAS_GANS_MNIST_DIR")
    directory = default_mnist_dir()
    assert directory.endswith("shared/data/mnist") and directory.startswith("/")


def test_real_mnist_test_set(mnist):
    images, labels = mnist
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and labels.min() == 0 and labels.max() == 9
    # The figures given in shared/data/README.md.
    np.testing.assert_array_equal(np.bincount(labels), [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
    assert images.mean() == pytest.approx(33.79, abs=0.01)


def test_from_mnist_idx_dataset(mnist_float):
    dataset = from_mnist_idx(with_labels=True, batch_size=1000, shuffle=False)
    batches = list(dataset)
    assert len(batches) == 10
    images, labels = batches[0]
    assert images.shape == (1000, 28, 28, 1) and images.dtype == "float32" and labels.dtype == "int32"
    all_images = np.concatenate([b[0].numpy() for b in batches])
    assert all_images.min() == -1.0 and all_images.max() == 1.0
    np.testing.assert_array_equal(all_images, mnist_float[0])
    np.testing.assert_array_equal(np.concatenate([b[1].numpy() for b in batches]), mnist_float[1])
