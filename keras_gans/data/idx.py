"""IDX files, the format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/), gzip-compressed or raw.

Layout: two zero bytes, a type code, the number of dimensions n, then n big-endian uint32 sizes, then the
values in C order, big-endian.
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import tensorflow as tf

from keras_gans.data.arrays import from_arrays
from keras_gans.data.pipeline import DEFAULT_BATCH_SIZE

__all__ = ["IDX_DTYPES", "default_mnist_dir", "from_mnist_idx", "load_mnist_idx", "read_idx"]

MNIST_DIR_ENV = "KERAS_GANS_MNIST_DIR"

# The type codes of the IDX format and the big-endian numpy dtype each stands for.
IDX_DTYPES = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"
_SPLIT_PREFIXES = {"train": "train", "test": "t10k"}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read one IDX file (gzip detected from its first bytes) into an array of native byte order.

    Raises ValueError when the magic number, type code, dimensions or data length are wrong.
    """
    raw = Path(path).read_bytes()
    if raw[:2] == _GZIP_MAGIC:
        raw = gzip.decompress(raw)
    if len(raw) < 4 or raw[:2] != b"\x00\x00":
        raise ValueError(f"{path}: not an IDX file (bad magic number {raw[:4].hex() or 'empty'}; expected 0000TTNN)")
    type_code, ndim = raw[2], raw[3]
    if type_code not in IDX_DTYPES:
        known = ", ".join(f"0x{code:02X}" for code in IDX_DTYPES)
        raise ValueError(f"{path}: unknown IDX type code 0x{type_code:02X} (known: {known})")
    if ndim == 0:
        raise ValueError(f"{path}: IDX header declares 0 dimensions")
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise ValueError(f"{path}: truncated IDX header ({len(raw)} bytes, {ndim} dimensions need {header_size})")
    shape = tuple(int(d) for d in np.frombuffer(raw, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_DTYPES[type_code]
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(raw) - header_size != expected:
        raise ValueError(
            f"{path}: IDX shape {shape} of {dtype.name} needs {expected} data bytes, file has {len(raw) - header_size}"
        )
    data = np.frombuffer(raw, dtype=dtype, offset=header_size).reshape(shape)
    return data.astype(dtype.newbyteorder("="))


def _find(directory: Path, stem: str) -> Path:
    # Names as distributed (train-images-idx3-ubyte) and as often re-packed (train-images.idx3-ubyte).
    candidates = [directory / f"{stem}{suffix}" for suffix in ("", ".gz")]
    candidates += [directory / f"{stem.replace('-idx', '.idx')}{suffix}" for suffix in ("", ".gz")]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    names = ", ".join(c.name for c in candidates)
    raise FileNotFoundError(f"no {stem} file in {directory} (looked for {names}); set {MNIST_DIR_ENV} to its folder")


def load_mnist_idx(directory: str | os.PathLike, split: str = "test") -> tuple[np.ndarray, np.ndarray]:
    """MNIST-layout IDX files of one split as (uint8 images (N, 28, 28), uint8 labels (N,)).

    Finds `t10k-images-idx3-ubyte(.gz)` and `t10k-labels-idx1-ubyte(.gz)` for "test", `train-*` for "train".
    Fashion-MNIST uses the same names and loads the same way.
    """
    if split not in _SPLIT_PREFIXES:
        raise ValueError(f"split must be one of {sorted(_SPLIT_PREFIXES)}; got {split!r}")
    directory = Path(directory)
    prefix = _SPLIT_PREFIXES[split]
    images = read_idx(_find(directory, f"{prefix}-images-idx3-ubyte"))
    labels = read_idx(_find(directory, f"{prefix}-labels-idx1-ubyte"))
    if images.ndim != 3 or labels.ndim != 1:
        raise ValueError(
            f"{directory}: expected images (N, H, W) and labels (N,); got {images.shape} and {labels.shape}"
        )
    if len(images) != len(labels):
        raise ValueError(f"{directory}: {len(images)} images but {len(labels)} labels in split {split!r}")
    return images, labels


def default_mnist_dir() -> str:
    """`$KERAS_GANS_MNIST_DIR` if set, else `<repo root>/../shared/data/mnist` (absolute)."""
    if os.environ.get(MNIST_DIR_ENV):
        return os.path.abspath(os.environ[MNIST_DIR_ENV])
    repo_root = Path(__file__).resolve().parents[2]  # keras_gans/data/idx.py -> repo root
    return str(repo_root.parent / "shared" / "data" / "mnist")


def pad_to_square(images: np.ndarray, size: int) -> np.ndarray:
    """(N, H, W[, C]) uint8 images centred in (N, size, size[, C]) with zero (background) borders."""
    images = np.asarray(images)
    height, width = images.shape[1:3]
    if size < height or size < width:
        raise ValueError(f"cannot pad {height}x{width} images to {size}x{size}: size must be >= {max(height, width)}")
    top, left = (size - height) // 2, (size - width) // 2
    pads = [(0, 0), (top, size - height - top), (left, size - width - left)] + [(0, 0)] * (images.ndim - 3)
    return np.pad(images, pads)


def from_mnist_idx(
    directory: str | os.PathLike | None = None,
    split: str = "test",
    *,
    with_labels: bool = False,
    image_size: int | Sequence[int] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    shuffle: bool = True,
    seed: int | None = None,
    shuffle_buffer: int | None = None,
    drop_remainder: bool = True,
    pad_to: int | None = None,
) -> tf.data.Dataset:
    """MNIST IDX files (default folder: `default_mnist_dir()`) as batches of (B, 28, 28, 1) float32 in [-1, 1].

    `pad_to=32` centres the digits on a 32x32 background (see :func:`pad_to_square`) before any `image_size` resize.
    """
    images, labels = load_mnist_idx(default_mnist_dir() if directory is None else directory, split)
    if pad_to is not None:
        images = pad_to_square(images, pad_to)
    return from_arrays(
        images,
        labels if with_labels else None,
        image_size=image_size,
        batch_size=batch_size,
        shuffle=shuffle,
        seed=seed,
        shuffle_buffer=shuffle_buffer,
        drop_remainder=drop_remainder,
    )
