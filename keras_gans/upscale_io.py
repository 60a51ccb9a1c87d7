"""Upscaling image files with a super-resolution model (``keras-gans upscale``): read, tile-upscale, write; and
``keras-gans evaluate`` for such a model."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

__all__ = ["evaluate_upscale_command", "read_image", "upscale_file"]


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


def evaluate_upscale_command(model, args: Any, dataset_args: dict) -> int:
    """``keras-gans evaluate`` for a super-resolution model: PSNR/SSIM/L1 beside bicubic's on up to
    ``--num-samples`` images of ``--dataset`` and, with ``--classifier``, FID/KID and the accuracy on the upscaled
    images (:func:`keras_gans.model_evaluation.evaluate_upscaler`) -> a table (and ``--output`` JSON)."""
    from keras_gans import data as data_lib
    from keras_gans.metrics.super_resolution import super_resolution_scores
    from keras_gans.model_evaluation import evaluate_upscaler
    from keras_gans.translation_io import report_results

    if args.metrics:
        raise ValueError(
            "--metrics: a super-resolution model reports all its numbers (psnr, ssim, l1 and, with --classifier, "
            "fid, kid, accuracy; each beside bicubic's): drop --metrics"
        )
    if args.classifier:
        results = evaluate_upscaler(model, args.dataset, dataset_args, args.classifier, args.num_samples)
    else:
        data = data_lib.load(args.dataset, batch_size=256, shuffle=False, drop_remainder=False, **dataset_args)
        results = super_resolution_scores(model, data, args.num_samples)
        results["settings"] = {"dataset": args.dataset, "crop": int(model.scale), "num_samples": args.num_samples}
    report_results(results, args.output)
    return 0
