"""Translating a folder of image files (behind ``keras-gans translate``) with any model that has ``translate``.

Every image under the input folder (bmp, gif, jpeg, jpg, png; searched recursively) is decoded with the channel
count of the model's input (grey or RGB), resized bilinearly to its input size when it differs, mapped onto
[-1, 1], translated, and written as a PNG of the same relative name under the output folder.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from keras_gans.data.paired import IMAGE_EXTENSIONS

__all__ = [
    "evaluate_translation_command",
    "held_out_translation_data",
    "read_images",
    "report_results",
    "translate_folder",
]


def _image_paths(directory: Path) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS)


def read_images(paths: list[Path], shape: tuple[int, int, int]) -> np.ndarray:
    """Image files as one float32 batch (N, H, W, C) in [-1, 1]: decoded with C channels, resized to (H, W)."""
    from PIL import Image

    height, width, channels = shape
    if channels not in (1, 3, 4):
        raise ValueError(f"images of {channels} channels cannot be read from image files (1, 3 or 4 only)")
    mode = {1: "L", 3: "RGB", 4: "RGBA"}[channels]
    batch = np.empty((len(paths), height, width, channels), np.float32)
    for index, path in enumerate(paths):
        try:
            with Image.open(path) as image:
                image = image.convert(mode)
                if image.size != (width, height):
                    image = image.resize((width, height), Image.BILINEAR)
                array = np.asarray(image, np.float32)
        except OSError as error:
            raise ValueError(f"{path}: not a readable image ({error})") from error
        batch[index] = array.reshape(height, width, channels) / 127.5 - 1.0
    return batch


def translate_folder(
    model: Any,
    input_directory: str | os.PathLike,
    output_directory: str | os.PathLike,
    direction: str = "a_to_b",
    batch_size: int = 64,
) -> list[str]:
    """Translates every image file under ``input_directory``; returns the PNG paths written (same relative names).

    ``model`` needs ``translate(images, direction=, batch_size=)`` and ``input_shape_of(direction)`` (the
    keras_gans translation models). Raises ValueError for an unknown direction, FileNotFoundError for a missing
    folder, ValueError when it holds no images.
    """
    from keras_gans.utils.images import save_png

    if hasattr(model, "check_direction"):
        direction = model.check_direction(direction)
    source = Path(os.path.expanduser(os.fspath(input_directory)))
    if not source.is_dir():
        raise FileNotFoundError(f"--input {os.fspath(input_directory)}: not a folder of images")
    paths = _image_paths(source)
    if not paths:
        raise ValueError(f"--input {source}: no images ({', '.join(IMAGE_EXTENSIONS)}) in it")
    shape = tuple(int(d) for d in model.input_shape_of(direction))
    target = Path(os.path.expanduser(os.fspath(output_directory)))
    written = []
    for start in range(0, len(paths), batch_size):
        chunk = paths[start : start + batch_size]
        outputs = np.asarray(model.translate(read_images(chunk, shape), direction=direction, batch_size=batch_size))
        for path, image in zip(chunk, outputs):
            out = target / path.relative_to(source).with_suffix(".png")
            out.parent.mkdir(parents=True, exist_ok=True)
            written.append(save_png(image, out))
    return written


def held_out_translation_data(
    model: Any, dataset: str, dataset_args: dict, direction: str, num_samples: int
) -> dict[str, np.ndarray | None]:
    """``{"inputs", "targets", "labels", "reference"}`` arrays for :func:`evaluate_translation` from a dataset name.

    The offline tasks (``edges2digits``, ``digits2mnist``) give their held-out split (``split="test"`` unless
    ``dataset_args`` say otherwise) with labels, at the model's image size; any other name is read through
    ``keras_gans.data.load`` as paired ``(inputs, targets[, labels])`` batches for a paired model, ``(a, b)`` for
    an unpaired one (``direction`` picks which side is translated; the other side is the FID reference).
    """
    from keras_gans import data as data_lib
    from keras_gans.engine.data_spec import UnpairedImages

    unpaired = isinstance(getattr(model, "data_spec", None), UnpairedImages)
    forward = direction == "a_to_b"
    if dataset in data_lib.TRANSLATION_TASKS:
        args = {"split": "test", **dataset_args}
        if "image_size" not in args and hasattr(model, "input_shape_of"):
            args["image_size"] = int(model.input_shape_of(direction)[0])  # the tasks are square, 28 px unless resized
        if dataset == "edges2digits":
            task = data_lib.edges2digits_arrays(**args)
            parts = {"inputs": task.inputs, "targets": task.targets, "labels": task.labels, "reference": None}
        else:
            task = data_lib.digits2mnist_arrays(**args)
            a, b = (task.images_a, task.labels_a), (task.images_b, task.labels_b)
            (inputs, labels), (reference, _) = (a, b) if forward else (b, a)
            parts = {"inputs": inputs, "targets": None, "labels": labels, "reference": reference}
    else:
        batches = data_lib.load(dataset, batch_size=256, shuffle=False, drop_remainder=False, **dataset_args)
        columns: list[list[np.ndarray]] = []
        count = 0
        for batch in batches:
            batch = batch if isinstance(batch, (tuple, list)) else (batch,)
            if len(batch) < 2:
                raise ValueError(f"--dataset {dataset}: translation needs pairs or two domains; it yields images only")
            columns = columns or [[] for _ in batch]
            for column, part in zip(columns, batch):
                column.append(np.asarray(part))
            count += len(batch[0])
            if count >= num_samples:
                break
        first, second, *rest = [np.concatenate(column) for column in columns]
        labels = rest[0].astype(np.int64) if rest else None
        if unpaired:
            inputs, reference = (first, second) if forward else (second, first)
            parts = {"inputs": inputs, "targets": None, "labels": None, "reference": reference}
        else:
            parts = {"inputs": first, "targets": second, "labels": labels, "reference": None}
    return {key: None if value is None else value[:num_samples] for key, value in parts.items()}


def evaluate_translation_command(model: Any, args: Any, dataset_args: dict) -> int:
    """``keras-gans evaluate`` for a translation model: held-out data -> :func:`evaluate_translation` -> a table."""
    from keras_gans.metrics.translation import evaluate_translation

    if args.dataset == "digits":  # the GAN default: no translation data
        raise ValueError(
            "--dataset: a translation model needs held-out pairs or domains, e.g. --dataset edges2digits, "
            "--dataset digits2mnist, a CycleGAN folder (trainA/, trainB/) or cycle_gan/TASK"
        )
    direction = model.check_direction(args.direction) if hasattr(model, "check_direction") else args.direction
    data = held_out_translation_data(model, args.dataset, dataset_args, direction, args.num_samples)
    classifier = None
    if args.classifier:
        from keras_gans import saving
        from keras_gans.metrics.extractors import ClassifierFeatureExtractor

        classifier = ClassifierFeatureExtractor(saving.load_model(args.classifier, compile=False))
    elif data["targets"] is None:
        raise ValueError("--classifier PATH.keras is needed for unpaired data (FID, KID and label accuracy)")
    metrics = None
    if args.metrics:
        metrics = [m.strip() for m in args.metrics.split(",") if m.strip()]
    from keras_gans.model_evaluation import translation_kid_subset_size

    subset_size = translation_kid_subset_size(data)
    results = evaluate_translation(
        model, classifier=classifier, metrics=metrics, direction=direction, kid_subset_size=subset_size, **data
    )
    report_results(results, args.output)
    return 0


def report_results(results: dict[str, Any], output: str | None = None) -> None:
    """Prints ``keras-gans evaluate``'s table of ``results`` (all but ``"settings"``); writes them as JSON to
    ``output`` when given."""
    import json

    print(f"{'metric':<18} value")
    for key, value in results.items():
        if key != "settings":
            print(f"{key:<18} {value:.6g}")
    if output:
        with open(output, "w") as f:
            json.dump(results, f, indent=2, default=str)
        print(f"Wrote {output}")
