"""Tiled upscaling of one image of any size: the output of every tile, cut from a window with ``overlap`` pixels of
context on each side, so memory is bounded by the window size instead of the image's.

A convolutional network's output pixel depends on the input within its receptive radius only
(:func:`keras_gans.networks.srresnet.receptive_radius`), zero padding at the image border included; with
``overlap`` at least that radius every kept pixel is computed exactly as the whole image would compute it, so the
tiles join with no seams (no blending needed).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

__all__ = ["tile_windows", "upscale_tiled"]


def tile_windows(height: int, width: int, tile_size: int, overlap: int) -> list[tuple]:
    """``[(core, window)]``: each core ``(y0, y1, x0, x1)`` of a ``tile_size`` grid and its window, the core grown by
    ``overlap`` on every side within the image."""
    tiles = []
    for y0 in range(0, height, tile_size):
        for x0 in range(0, width, tile_size):
            y1, x1 = min(y0 + tile_size, height), min(x0 + tile_size, width)
            window = (max(0, y0 - overlap), min(height, y1 + overlap), max(0, x0 - overlap), min(width, x1 + overlap))
            tiles.append(((y0, y1, x0, x1), window))
    return tiles


def upscale_tiled(
    image: np.ndarray,
    upscale: Callable[[np.ndarray], np.ndarray],
    scale: int,
    tile_size: int,
    overlap: int,
    tiles_per_call: int = 4,
) -> np.ndarray:
    """``(H, W, C)`` -> ``(scale H, scale W, C)`` by ``upscale`` (a batch function) on overlapping windows.

    Windows of equal shape are batched ``tiles_per_call`` at a time; the memory in use is that of one such call.
    """
    height, width, channels = image.shape
    out = np.zeros((height * scale, width * scale, channels), np.float32)
    groups: dict[tuple, list] = {}
    for core, window in tile_windows(height, width, tile_size, overlap):
        groups.setdefault((window[1] - window[0], window[3] - window[2]), []).append((core, window))
    for tiles in groups.values():
        for start in range(0, len(tiles), tiles_per_call):
            chunk = tiles[start : start + tiles_per_call]
            batch = np.stack([image[w[0] : w[1], w[2] : w[3]] for _, w in chunk])
            result = np.asarray(upscale(batch), np.float32)
            for (y0, y1, x0, x1), (wy0, _, wx0, _), tile in zip([c for c, _ in chunk], [w for _, w in chunk], result):
                top, left = (y0 - wy0) * scale, (x0 - wx0) * scale
                out[y0 * scale : y1 * scale, x0 * scale : x1 * scale] = tile[
                    top : top + (y1 - y0) * scale, left : left + (x1 - x0) * scale
                ]
    return out
