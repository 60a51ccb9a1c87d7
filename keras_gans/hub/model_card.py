"""What a preset says about its model: the family's facts in ``metadata.json``, the sample grid and the model card.

Every family of the zoo is described by what its samplers take and give, read from the model's declared ``family``
(never from its class name):

* ``latent`` (``generate``): ``image_shape``, ``latent_dim``, ``num_classes``;
* ``translation`` (``translate``): ``directions``, ``{direction: {"input_shape", "output_shape"}}``;
* ``super_resolution`` (``upscale``, ``upscale_image``): ``scale`` and ``channels`` (inputs of any size).

The card (``README.md``) is made from ``metadata.json``: the facts, the measured metrics and how they were measured
(``evaluation``), the reference numbers, the sample grid, and how to use the model from Python and the CLI.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["FAMILY_FACTS", "model_card", "model_facts", "model_metadata", "write_samples"]

#: Side (pixels) below which the sample grid is enlarged, so that small images stay visible.
_GRID_MIN_SIDE = 32


def _latent_facts(model) -> dict[str, Any]:
    return {
        "image_shape": list(model.image_shape),
        "latent_dim": model.latent_dim,
        "num_classes": model.num_classes,
    }


def _translation_facts(model) -> dict[str, Any]:
    return {
        "directions": {
            direction: {
                "input_shape": list(model.input_shape_of(direction)),
                "output_shape": list(model.output_shape_of(direction)),
            }
            for direction in model.generators
        }
    }


def _super_resolution_facts(model) -> dict[str, Any]:
    return {"scale": int(model.scale), "channels": int(model.channels)}


#: ``family -> facts(model)``: the metadata keys that say what the family's samplers take and give.
FAMILY_FACTS: dict[str, Callable[[Any], dict[str, Any]]] = {
    "latent": _latent_facts,
    "translation": _translation_facts,
    "super_resolution": _super_resolution_facts,
}


def model_facts(model) -> dict[str, Any]:
    """The ``family`` and the family's facts (:data:`FAMILY_FACTS`) of ``model``; a ValueError for another family."""
    family = getattr(model, "family", None)
    if family not in FAMILY_FACTS:
        raise ValueError(
            f"{type(model).__name__} is of family {family!r}, which presets do not describe; known families: "
            f"{sorted(FAMILY_FACTS)} (add its facts to keras_gans.hub.model_card.FAMILY_FACTS)"
        )
    return {"family": family, **FAMILY_FACTS[family](model)}


def model_metadata(model, name: str) -> dict[str, Any]:
    """The metadata read from the model (class, family facts, EMA, steps) and the versions that write it."""
    import tensorflow as tf

    import keras_gans

    return {
        "name": name,
        "description": "",
        "model_class": type(model).__name__,
        **model_facts(model),
        "ema": bool(model.options.ema_decay),
        "dataset": None,
        "training_steps": int(model.step_counter.numpy()),
        "metrics": {},
        "license": "Apache-2.0",
        "keras_gans_version": keras_gans.__version__,
        "tensorflow_version": tf.__version__,
    }


def write_samples(model, path: Path) -> None:
    """``samples.png``: the model's :meth:`grid_samples` (8 rows, seed 0), enlarged to at least 32 pixels a cell."""
    from keras_gans.utils.images import make_grid, save_png

    images, rows = model.grid_samples(8, seed=0)
    save_png(make_grid(images, num_rows=rows), path, scale=max(1, _GRID_MIN_SIDE // images.shape[1]))


def _shape(shape) -> str:
    return "x".join(str(d) for d in shape)


def _fact_rows(metadata: dict[str, Any]) -> list[tuple[str, Any]]:
    family = metadata.get("family", "latent")
    if family == "translation":
        return [
            (direction, f"{_shape(d['input_shape'])} -> {_shape(d['output_shape'])}")
            for direction, d in metadata["directions"].items()
        ]
    if family == "super_resolution":
        return [("scale", f"x{metadata['scale']} (inputs of any size, tiled)"), ("channels", metadata["channels"])]
    return [
        ("image shape", _shape(metadata["image_shape"])),
        ("latent dim", metadata["latent_dim"]),
        ("classes", metadata["num_classes"] or "unconditional"),
    ]


def _usage(metadata: dict[str, Any]) -> list[str]:
    name, family = metadata["name"], metadata.get("family", "latent")
    load = f'model = kg.hub.load_gan("{name}")  # or a path, an archive, an https:// or hf:// URL'
    if family == "translation":
        directions = list(metadata["directions"])
        shape = metadata["directions"][directions[0]]["input_shape"]
        python = [
            f'images = np.zeros((4, {", ".join(map(str, shape))}), "float32")  # inputs in [-1, 1]',
            *[f'outputs = model.translate(images, direction="{d}")  # float32 in [-1, 1]' for d in directions],
        ]
        flag = " [--direction b_to_a]" if "b_to_a" in directions else ""
        command = f"keras-gans translate --preset {name} --input images/ --output translated/{flag}"
    elif family == "super_resolution":
        python = [
            f'low_res = np.zeros((4, 8, 8, {metadata["channels"]}), "float32")  # in [-1, 1], any size',
            f"high_res = model.upscale(low_res)  # (4, {8 * metadata['scale']}, {8 * metadata['scale']}, "
            f"{metadata['channels']}), float32 in [-1, 1]",
            "big = model.upscale_image(low_res[0])  # one image of any size, tiled without seams",
        ]
        command = f"keras-gans upscale --preset {name} --input image.png --output image_x{metadata['scale']}.png"
    else:
        example = "labels=[0, 1, 2], seed=0" if metadata["num_classes"] else "16, seed=0"
        python = [f"images = model.generate({example})  # float32 in [-1, 1]"]
        command = f"keras-gans sample --preset {name} --output samples.png"
    return [
        "```python",
        "import numpy as np",
        "import keras_gans as kg",
        "",
        load,
        *python,
        "```",
        "",
        "```",
        command,
        "```",
    ]


def _number(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def model_card(metadata: dict[str, Any], samples: bool) -> str:
    """The README.md of a preset, from its metadata (see the module docstring)."""
    rows = [
        ("model", f"{metadata['model_class']} (keras_gans {metadata['keras_gans_version']})"),
        ("dataset", metadata.get("dataset") or "not recorded"),
        *_fact_rows(metadata),
        ("EMA generator", "yes" if metadata.get("ema") else "no"),
        ("training steps", metadata.get("training_steps")),
        ("license", metadata.get("license")),
    ]
    lines = [f"# {metadata['name']}", "", metadata.get("description") or "A keras_gans preset.", "", "| | |"]
    lines += ["|---|---|", *[f"| {key} | {value} |" for key, value in rows]]
    metrics = {k: v for k, v in (metadata.get("metrics") or {}).items() if not isinstance(v, dict)}
    if metrics:
        lines += ["", "## Metrics", "", "| metric | value |", "|---|---|"]
        lines += [f"| {key} | {_number(value)} |" for key, value in metrics.items()]
        reference = {k: v for k, v in (metadata.get("reference_metrics") or {}).items() if isinstance(v, float)}
        lines += [f"| reference: {key} | {_number(value)} |" for key, value in reference.items()]
        lines += [""]
        if metadata.get("evaluation"):
            lines += [metadata["evaluation"], ""]
        lines += [
            "The settings of every number (extractor, its weights fingerprint, sample counts) are in `metadata.json`."
        ]
    if samples:
        lines += ["", "## Samples", "", "![samples](samples.png)"]
    lines += ["", "## Usage", "", *_usage(metadata), ""]
    lines += [
        "Files: `config.json` and `model.weights.h5` (Keras' model folder format), `metadata.json`, this card. "
        "See keras_gans' `docs/hub.md`.",
        "",
    ]
    return "\n".join(lines)
