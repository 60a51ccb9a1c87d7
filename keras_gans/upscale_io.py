"""Upscaling image files with a super-resolution model (``keras-gans upscale``): read, tile-upscale, write."""

from __future__ import annotations

import os

import numpy as np

__all__ = ["read_image", "upscale_file"]


def read_image(path: str, channels: int) -> np.ndarray:
    """The image at ``path`` as ``(H, W, channels)`` float32 in [-1, 1] (converted to grey or RGB as needed)."""
    from PIL import Image, UnidentifiedImageError

    if not os.path.isfile(path):
        raise ValueError(f"--input {path}: no such image file")
    try:
        with Image.open(path) as image:
            image = image.convert("L" if channels == 1 else "RGB")
            array = np.asarray(image, dtype=np.float32)
    except UnidentifiedImageError as error:
        raise ValueError(f"--input {path}: not an image PIL can read (png, jpg, bmp, ...)") from error
    if array.ndim == 2:
        array = array[..., None]
    return array / 127.5 - 1.0


def upscale_file(model, input_path: str, output_path: str, tile_size: int = 128, overlap: int | None = None) -> tuple:
    """Upscales the image file ``input_path`` with ``model.upscale_image`` (tiled) into ``output_path``; returns
    the ``(input size, output size)`` as ``(H, W)`` pairs."""
    from PIL import Image

    image = read_image(input_path, model.channels)
    output = model.upscale_image(image, tile_size=tile_size, overlap=overlap)
    pixels = np.clip(np.round((output + 1.0) * 127.5), 0, 255).astype(np.uint8)
    os.makedirs(os.path.dirname(os.path.abspath(output_path)), exist_ok=True)
    Image.fromarray(pixels[..., 0] if pixels.shape[-1] == 1 else pixels).save(output_path)
    return image.shape[:2], output.shape[:2]
