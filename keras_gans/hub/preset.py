"""The preset format, and writing presets (:func:`save_preset`, :func:`pack_preset`).

A preset is Keras 3's own unzipped model folder (``keras.saving.save_model(model, folder, zipped=False)``, the
layout ``keras.saving.load_model("hf://org/name")`` reads) plus a model card::

    <name>/
      config.json         the model: {"module", "class_name", "config", "compile_config", ...} (Keras' format)
      model.weights.h5    every weight: G, D, the EMA weights and (unless include_optimizer=False) the
                          optimizers' state, so fine-tuning resumes where training stopped
      metadata.json       Keras' keys (keras_version, date_saved) and keras_gans' (see PRESET_METADATA_KEYS)
      README.md           the model card
      samples.png         optional: a grid of samples

:mod:`keras_gans.hub.loading` finds and loads them. See ``docs/hub.md``.
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from keras_gans.hub.download import PresetError, archive_stem, is_archive

__all__ = [
    "PRESET_FORMAT",
    "PRESET_FORMAT_VERSION",
    "PRESET_METADATA_KEYS",
    "pack_preset",
    "read_metadata",
    "save_preset",
]

PRESET_FORMAT = "keras_gans.preset"
PRESET_FORMAT_VERSION = 1
#: Keys keras_gans writes in metadata.json (besides Keras' ``keras_version`` and ``date_saved``).
PRESET_METADATA_KEYS = (
    "format",
    "format_version",
    "name",
    "description",
    "model_class",
    "image_shape",
    "latent_dim",
    "num_classes",
    "ema",
    "optimizer_state",
    "dataset",
    "training_steps",
    "metrics",
    "license",
    "keras_gans_version",
    "tensorflow_version",
)
_OPTIMIZER_ATTRIBUTES = ("d_optimizer", "g_optimizer")


# ----------------------------------------------------------------------------------------------------------------
# Writing


def save_preset(
    gan,
    path: str | os.PathLike,
    metadata: dict[str, Any] | None = None,
    *,
    model_card: str | None = None,
    samples: bool = True,
    include_optimizer: bool = True,
    overwrite: bool = False,
) -> Path:
    """Writes ``gan`` as a preset folder, or as an archive when ``path`` ends in ``.tar.gz``/``.tgz``/``.zip``.

    Args:
        gan: a :class:`keras_gans.GANModel`.
        path: the preset folder (its name is the preset's default name) or archive to write.
        metadata: dataset, metrics, license, description, training_steps... merged over the values read from the
            model (class, image shape, latent size, classes, EMA, optimizer steps, versions).
        model_card: the README.md text; one is made from the metadata when None.
        samples: also write ``samples.png``, a grid of 64 samples (seed 0; 8 per class for conditional models).
        include_optimizer: keep the optimizers' state (about 2/3 of the file with Adam). Without it the preset
            still loads compiled, with fresh optimizer state.
        overwrite: replace an existing folder or archive.

    Returns:
        The path written.
    """
    import keras

    path = Path(path)
    archive = is_archive(path)
    name = (metadata or {}).get("name") or archive_stem(path.name)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=".tmp-preset-"))
    try:
        folder = tmp / name
        keras.saving.save_model(gan, str(folder), zipped=False)
        if not include_optimizer:
            _drop_optimizer_state(folder / "model.weights.h5")
        if (folder / "assets").is_dir() and not any((folder / "assets").iterdir()):
            (folder / "assets").rmdir()  # Keras makes it even when empty; git would not ship it anyway
        with open(Path(folder) / "metadata.json") as f:
            keras_metadata = json.load(f)
        full = {**keras_metadata, **_model_metadata(gan, name), **(metadata or {})}
        full.update(
            format=PRESET_FORMAT, format_version=PRESET_FORMAT_VERSION, name=name, optimizer_state=include_optimizer
        )
        with open(folder / "metadata.json", "w") as f:
            json.dump(full, f, indent=2, sort_keys=True, default=_json_default)
            f.write("\n")
        if samples:
            _write_samples(gan, folder / "samples.png")
        (folder / "README.md").write_text(model_card if model_card is not None else _model_card(full, samples))
        if archive:
            _replace_dir(pack_preset(folder, tmp / path.name), path)
        else:
            _replace_dir(folder, path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return path


def pack_preset(folder: str | os.PathLike, archive: str | os.PathLike) -> Path:
    """Packs a preset folder into ``.tar.gz``/``.tgz``/``.zip`` (one top folder named like the preset)."""
    folder, archive = Path(folder), Path(archive)
    _check_preset_folder(folder)
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    if archive.name.lower().endswith(".zip"):
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
            for file in files:
                zf.write(file, f"{folder.name}/{file.relative_to(folder).as_posix()}")
    elif archive.name.lower().endswith((".tar.gz", ".tgz")):
        with tarfile.open(archive, "w:gz") as tf:
            for file in files:
                tf.add(file, f"{folder.name}/{file.relative_to(folder).as_posix()}")
    else:
        raise ValueError(f"archive must end in .tar.gz, .tgz or .zip, got {archive.name}")
    return archive


def _drop_optimizer_state(weights_file: Path) -> None:
    """Rewrites a Keras weights file without the optimizers' groups."""
    import h5py

    stripped = weights_file.with_suffix(".tmp.h5")
    with h5py.File(weights_file, "r") as source, h5py.File(stripped, "w") as target:
        for key, value in source.attrs.items():
            target.attrs[key] = value
        for key in source:
            if key not in _OPTIMIZER_ATTRIBUTES:
                source.copy(source[key], target, name=key)
    os.replace(stripped, weights_file)


def _replace_dir(source: Path, target: Path) -> None:
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()
    os.replace(source, target)


def _model_metadata(gan, name: str) -> dict[str, Any]:
    import tensorflow as tf

    import keras_gans

    steps = None
    if getattr(gan, "g_optimizer", None) is not None:
        steps = int(gan.g_optimizer.iterations.numpy())
    return {
        "name": name,
        "description": "",
        "model_class": type(gan).__name__,
        "image_shape": list(gan.image_shape),
        "latent_dim": int(gan.latent_dim),
        "num_classes": gan.num_classes,
        "ema": bool(gan.options.ema_decay),
        "dataset": None,
        "training_steps": steps,
        "metrics": {},
        "license": "Apache-2.0",
        "keras_gans_version": keras_gans.__version__,
        "tensorflow_version": tf.__version__,
    }


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def _write_samples(gan, path: Path) -> None:
    import numpy as np

    from keras_gans.utils.images import make_grid, save_png

    if gan.num_classes is not None:
        images = gan.generate(labels=np.repeat(np.arange(gan.num_classes), 8), seed=0)
        rows = gan.num_classes
    else:
        images, rows = gan.generate(64, seed=0), 8
    save_png(make_grid(images, num_rows=rows), path, scale=max(1, 32 // gan.image_shape[0]))


def _model_card(metadata: dict[str, Any], samples: bool) -> str:
    name = metadata["name"]
    shape = "x".join(str(d) for d in metadata["image_shape"])
    rows = [
        ("model", f"{metadata['model_class']} (keras_gans {metadata['keras_gans_version']})"),
        ("dataset", metadata.get("dataset") or "not recorded"),
        ("image shape", shape),
        ("latent dim", metadata["latent_dim"]),
        ("classes", metadata["num_classes"] or "unconditional"),
        ("EMA generator", "yes" if metadata.get("ema") else "no"),
        ("training steps", metadata.get("training_steps")),
        ("license", metadata.get("license")),
    ]
    lines = [f"# {name}", "", metadata.get("description") or "A keras_gans preset.", "", "| | |", "|---|---|"]
    lines += [f"| {key} | {value} |" for key, value in rows]
    metrics = {k: v for k, v in (metadata.get("metrics") or {}).items() if not isinstance(v, dict)}
    if metrics:
        lines += ["", "## Metrics", "", "| metric | value |", "|---|---|"]
        lines += [f"| {k} | {v:.4g} |" if isinstance(v, float) else f"| {k} | {v} |" for k, v in metrics.items()]
        reference = {k: v for k, v in (metadata.get("reference_metrics") or {}).items() if isinstance(v, float)}
        lines += [f"| reference: {k} | {v:.4g} |" for k, v in reference.items()]
        lines += ["", "The settings of every number (extractor, sample counts) are in `metadata.json`."]
    if samples:
        lines += ["", "## Samples", "", "![samples](samples.png)"]
    example = "labels=[0, 1, 2], seed=0" if metadata["num_classes"] else "16, seed=0"
    lines += [
        "",
        "## Usage",
        "",
        "```python",
        "import keras_gans as kg",
        "",
        f'gan = kg.hub.load_gan("{name}")  # or a path, an archive, an https:// or hf:// URL',
        f"images = gan.generate({example})  # float32 in [-1, 1]",
        "```",
        "",
        "Files: `config.json` and `model.weights.h5` (Keras' model folder format), `metadata.json`, this card. "
        "See keras_gans' `docs/hub.md`.",
        "",
    ]
    return "\n".join(lines)


def _check_preset_folder(folder: Path) -> None:
    missing = [f for f in ("config.json", "model.weights.h5") if not (folder / f).is_file()]
    if missing:
        raise PresetError(f"{folder} is not a preset folder: missing {missing}")


def read_metadata(folder: str | os.PathLike) -> dict[str, Any]:
    """The ``metadata.json`` of a preset folder."""
    with open(Path(folder) / "metadata.json") as f:
        return json.load(f)
