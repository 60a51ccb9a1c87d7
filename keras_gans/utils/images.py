"""Image helpers: [-1, 1] floats to uint8, sample grids, PNG files (PIL)."""

from __future__ import annotations

import math
import os

import numpy as np
from PIL import Image

__all__ = ["make_grid", "save_png", "to_uint8"]


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Maps floats in [-1, 1] to uint8 [0, 255] with ``round((x + 1) * 127.5)``, clipping values outside."""
    images = np.asarray(images, dtype=np.float32)
    return np.clip(np.rint((images + 1.0) * 127.5), 0, 255).astype(np.uint8)


def make_grid(images: np.ndarray, num_rows: int | None = None, padding: int = 2, pad_value: int = 0) -> np.ndarray:
    """Tiles (N, H, W, C) images row by row into one (rows*(H+p)+p, cols*(W+p)+p, C) uint8 image.

    Args:
        images: uint8 images, or floats in [-1, 1] (converted with :func:`to_uint8`).
        num_rows: rows of the grid; ``ceil(sqrt(N))`` by default. Columns are ``ceil(N / num_rows)``; the cells
            left over in the last row are filled with ``pad_value``.
        padding: pixels between cells and around the grid.
        pad_value: grey level of the padding.
    """
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[..., None]
    if images.ndim != 4 or images.shape[0] == 0:
        raise ValueError(f"expected a non-empty (N, H, W, C) batch, got shape {images.shape}")
    if images.dtype != np.uint8:
        images = to_uint8(images)
    n, height, width, channels = images.shape
    num_rows = num_rows or math.ceil(math.sqrt(n))
    num_cols = math.ceil(n / num_rows)
    grid = np.full(
        (num_rows * (height + padding) + padding, num_cols * (width + padding) + padding, channels),
        pad_value,
        dtype=np.uint8,
    )
    for index in range(n):
        row, col = divmod(index, num_cols)
        top = padding + row * (height + padding)
        left = padding + col * (width + padding)
        grid[top : top + height, left : left + width] = images[index]
    return grid


def save_png(array: np.ndarray, path: str | os.PathLike, scale: int = 1) -> str:
    """Writes an (H, W), (H, W, 1), (H, W, 3) or (H, W, 4) image as PNG, creating parent folders.

    Args:
        array: uint8 pixels, or floats in [-1, 1] (converted with :func:`to_uint8`).
        path: the file to write.
        scale: integer nearest-neighbour upscaling, so that small images (8x8 digits) stay crisp and visible.

    Returns:
        The path written.
    """
    array = np.asarray(array)
    if array.dtype != np.uint8:
        array = to_uint8(array)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[-1] not in (3, 4)):
        raise ValueError(f"expected an (H, W[, 1|3|4]) image, got shape {array.shape}")
    if scale > 1:
        array = np.repeat(np.repeat(array, scale, axis=0), scale, axis=1)
    path = os.fspath(path)
    directory, name = os.path.split(path)
    os.makedirs(directory or ".", exist_ok=True)
    # Written next to the file and moved into place: a kill never leaves a truncated PNG.
    tmp = os.path.join(directory, f".tmp-{os.getpid()}-{name}")
    try:
        Image.fromarray(array).save(tmp, format="PNG")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    return path
