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
import re
import shutil
import tarfile
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from keras_gans.hub.download import PresetError, archive_stem
from keras_gans.hub.model_card import model_card as _model_card
from keras_gans.hub.model_card import model_metadata as _model_metadata
from keras_gans.hub.model_card import write_samples as _write_samples

__all__ = [
    "PRESET_FORMAT",
    "PRESET_FORMAT_VERSION",
    "PRESET_METADATA_KEYS",
    "WRITABLE_ARCHIVES",
    "pack_preset",
    "read_metadata",
    "save_preset",
]

PRESET_FORMAT = "keras_gans.preset"
PRESET_FORMAT_VERSION = 1
#: Keys keras_gans writes in metadata.json (besides Keras' ``keras_version`` and ``date_saved``), with the family's
#: facts (:data:`keras_gans.hub.model_card.FAMILY_FACTS`: ``image_shape``, ``latent_dim``, ``num_classes`` of a
#: latent GAN; ``directions`` of a translator; ``scale`` and ``channels`` of an upscaler).
PRESET_METADATA_KEYS = (
    "format",
    "format_version",
    "name",
    "description",
    "model_class",
    "family",
    "ema",
    "optimizer_state",
    "dataset",
    "training_steps",
    "metrics",
    "license",
    "keras_gans_version",
    "tensorflow_version",
)


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
        gan: a model of the zoo (any family: a :class:`keras_gans.GANModel`, a translator, an upscaler).
        path: the preset folder (its name is the preset's default name) or archive to write. A name ending in
            another file suffix (``x.rar``, ``m.keras``, ``x.tar``) is refused with ``ValueError`` rather than
            written as a folder of that name.
        metadata: dataset, metrics, license, description, training_steps... merged over the values read from the
            model (class, family and its facts, EMA, optimizer steps, versions).
        model_card: the README.md text; one is made from the metadata when None.
        samples: also write ``samples.png``, the model's ``grid_samples(8, seed=0)``: 64 samples (8 per class for
            conditional models), or 8 rows of input | output (| target) for translators and upscalers.
        include_optimizer: keep the optimizers' state (about 2/3 of the file with Adam). Without it the preset
            still loads compiled, with fresh optimizer state.
        overwrite: replace an existing folder or archive.

    Returns:
        The path written.
    """
    import keras

    path = Path(path)
    archive = _check_preset_path(path)
    if metadata is not None and not isinstance(metadata, dict):
        raise TypeError(f"metadata must be a dict, got {type(metadata).__name__}")
    name = (metadata or {}).get("name") or archive_stem(path.name)
    _check_preset_name(name)
    _check_gan(gan)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=path.parent, prefix=".tmp-preset-"))
    try:
        folder = tmp / name
        keras.saving.save_model(gan, str(folder), zipped=False)
        if not include_optimizer:
            _drop_optimizer_state(folder / "model.weights.h5", tuple(gan.optimizers))
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


#: What ``save_preset`` and ``pack_preset`` write: a folder, or one of these archives.
WRITABLE_ARCHIVES = (".tar.gz", ".tgz", ".zip")
_FILE_SUFFIX = re.compile(r"\.(?=[A-Za-z0-9]{1,6}$)[0-9]*[A-Za-z][A-Za-z0-9]*$")


def _check_preset_path(path: Path) -> bool:
    """Whether ``path`` names an archive to write; ``ValueError`` for a name that is neither a folder nor one.

    A last component ending like a file name (a dot and 1 to 6 letters or digits, at least one a letter: ``x.rar``,
    ``x.7z``, ``m.keras``, ``x.tar``) that is not one of :data:`WRITABLE_ARCHIVES` is refused instead of becoming a
    folder of that name; a dot followed by digits only (``dcgan_v1.2``) is fine.
    """
    name = path.name.lower()
    if name.endswith(WRITABLE_ARCHIVES):
        if archive_stem(path.name) in ("", ".", ".."):
            raise ValueError(f"{path}: an archive needs a name before its suffix, e.g. my_preset{path.name}")
        return True
    if name in ("", ".", ".."):
        raise ValueError(f"{path!s}: name the preset folder, e.g. {path / 'my_preset'}")
    if name.endswith(".keras"):
        raise ValueError(
            f"{path}: a preset is a folder or a .tar.gz/.tgz/.zip archive, not a .keras file; for a single .keras "
            f"file use gan.save({str(path)!r}), or drop the suffix to write a preset folder"
        )
    suffix = _FILE_SUFFIX.search(path.name)
    if suffix:
        raise ValueError(
            f"{path}: cannot write a preset as {suffix.group(0)!r}; save_preset writes a folder (a name without a "
            f"file suffix) or an archive ending in {', '.join(WRITABLE_ARCHIVES)}"
        )
    return False


def _check_preset_name(name: Any) -> None:
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"the preset name (metadata['name'] or the path's name) must be a non-empty string: {name!r}")
    if name in (".", "..") or "/" in name or "\\" in name or os.sep in name:
        raise ValueError(f"the preset name {name!r} must be a plain folder name, without '/', '\\' or '..'")


def _check_gan(gan: Any) -> None:
    from keras_gans.engine import AdversarialModel

    if not isinstance(gan, AdversarialModel):
        raise TypeError(f"save_preset takes a keras_gans model (DCGAN, Pix2Pix, SRGAN, ...), got {type(gan).__name__}")


def pack_preset(folder: str | os.PathLike, archive: str | os.PathLike) -> Path:
    """Packs a preset folder into ``.tar.gz``/``.tgz``/``.zip`` (one top folder named like the preset)."""
    folder, archive = Path(folder), Path(archive)
    if not archive.name.lower().endswith(WRITABLE_ARCHIVES):
        raise ValueError(f"archive must end in {', '.join(WRITABLE_ARCHIVES)}, got {archive.name}")
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
        raise ValueError(f"archive must end in {', '.join(WRITABLE_ARCHIVES)}, got {archive.name}")
    return archive


def _drop_optimizer_state(weights_file: Path, optimizer_names) -> None:
    """Rewrites a Keras weights file without the groups of the model's optimizers (``model.optimizers``)."""
    import h5py

    stripped = weights_file.with_suffix(".tmp.h5")
    with h5py.File(weights_file, "r") as source, h5py.File(stripped, "w") as target:
        for key, value in source.attrs.items():
            target.attrs[key] = value
        for key in source:
            if key not in optimizer_names:
                source.copy(source[key], target, name=key)
    os.replace(stripped, weights_file)


def _replace_dir(source: Path, target: Path) -> None:
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()
    os.replace(source, target)


def _json_default(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


def _check_preset_folder(folder: Path) -> None:
    missing = [f for f in ("config.json", "model.weights.h5") if not (folder / f).is_file()]
    if missing:
        raise PresetError(f"{folder} is not a preset folder: missing {missing}")


def read_metadata(folder: str | os.PathLike) -> dict[str, Any]:
    """The ``metadata.json`` of a preset folder; :class:`PresetError` naming the file when missing or not JSON."""
    path = Path(folder) / "metadata.json"
    try:
        with open(path, encoding="utf-8") as f:
            metadata = json.load(f)
    except FileNotFoundError as error:
        raise PresetError(f"{folder} has no metadata.json (the model may still load; its card is missing)") from error
    except (OSError, UnicodeDecodeError) as error:
        raise PresetError(f"{path} cannot be read ({type(error).__name__}: {error})") from error
    except json.JSONDecodeError as error:
        raise PresetError(
            f"{path} is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}): fix or rewrite it"
        ) from error
    if not isinstance(metadata, dict):
        raise PresetError(f"{path} must hold a JSON object, not a {type(metadata).__name__}")
    return metadata
