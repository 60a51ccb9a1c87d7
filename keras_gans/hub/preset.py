"""Preset folders: writing them (:func:`save_preset`), finding them (:func:`resolve_preset`) and loading them.

A preset is Keras 3's own unzipped model folder (``keras.saving.save_model(model, folder, zipped=False)``, the
layout ``keras.saving.load_model("hf://org/name")`` reads) plus a model card::

    <name>/
      config.json         the model: {"module", "class_name", "config", "compile_config", ...} (Keras' format)
      model.weights.h5    every weight: G, D, the EMA weights and (unless include_optimizer=False) the
                          optimizers' state, so fine-tuning resumes where training stopped
      metadata.json       Keras' keys (keras_version, date_saved) and keras_gans' (see PRESET_METADATA_KEYS)
      README.md           the model card
      samples.png         optional: a grid of samples

Loading always uses Keras' safe mode (no Python lambdas are deserialised). See ``docs/hub.md``.
"""

from __future__ import annotations

import json
import os
import shutil
import tarfile
import tempfile
import urllib.parse
import urllib.request
import warnings
import zipfile
from pathlib import Path
from typing import Any

from keras_gans.hub.download import (
    DownloadError,
    HashMismatchError,
    PresetError,
    cache_dir,
    download_file,
    extract_archive,
    file_sha256,
    is_archive,
)
from keras_gans.hub.registry import list_presets, registry_entry

__all__ = [
    "PRESET_FORMAT",
    "PRESET_FORMAT_VERSION",
    "PRESET_METADATA_KEYS",
    "PresetNotFoundError",
    "load_gan",
    "load_generator",
    "load_metadata",
    "pack_preset",
    "resolve_preset",
    "save_preset",
]

PRESET_FORMAT = "keras_gans.preset"
PRESET_FORMAT_VERSION = 1
#: Keys keras_gans writes in metadata.json (besides Keras' ``keras_version`` and ``date_saved``).
PRESET_METADATA_KEYS = (
    "format", "format_version", "name", "description", "model_class", "image_shape", "latent_dim", "num_classes",
    "ema", "optimizer_state", "dataset", "training_steps", "metrics", "license", "keras_gans_version",
    "tensorflow_version",
)
_OPTIMIZER_ATTRIBUTES = ("d_optimizer", "g_optimizer")
_URL_SCHEMES = ("http://", "https://", "file://")


class PresetNotFoundError(PresetError, LookupError):
    """No preset has that name, and no file or folder has that path."""


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
    name = (metadata or {}).get("name") or _strip_archive_suffix(path.name)
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
        with open(folder / "metadata.json") as f:
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


def _strip_archive_suffix(name: str) -> str:
    for suffix in (".tar.gz", ".tgz", ".tar", ".zip"):
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


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
        "", "## Usage", "", "```python", "import keras_gans as kg", "",
        f'gan = kg.hub.load_gan("{name}")  # or a path, an archive, an https:// or hf:// URL',
        f"images = gan.generate({example})  # float32 in [-1, 1]", "```", "",
        "Files: `config.json` and `model.weights.h5` (Keras' model folder format), `metadata.json`, this card. "
        "See keras_gans' `docs/hub.md`.", "",
    ]
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------------------------
# Finding


def resolve_preset(
    name_or_path: str | os.PathLike,
    *,
    sha256: str | None = None,
    force_download: bool = False,
    progress: bool = True,
) -> Path:
    """The local preset folder (or ``.keras`` file) for a preset name, path, archive or URL.

    Sources, in this order: ``hf://org/name`` (needs ``huggingface_hub``); ``https://``, ``http://`` and
    ``file://`` URLs of an archive or ``.keras`` file (downloaded into the cache, checked against ``sha256``);
    a local folder, archive or ``.keras`` file; a bundled preset; a name in the registry (its url and sha256).
    """
    source = os.fspath(name_or_path)
    if source.startswith("hf://"):
        return _hf_snapshot(source)
    if source.startswith(_URL_SCHEMES):
        if source.startswith("file://"):
            local = Path(urllib.request.url2pathname(urllib.parse.urlparse(source).path))
            if local.is_dir():
                return _local(local, sha256)
        return _from_download(download_file(source, sha256, force=force_download, progress=progress))
    path = Path(source).expanduser()
    entry = registry_entry(source)
    if path.exists():
        try:
            return _local(path, sha256)
        except PresetError:
            if entry is None:
                raise
            # A local folder that is not a preset but shares a preset's name (e.g. a run folder): the name wins.
    if entry is not None:
        if entry.get("path"):
            return Path(entry["path"])
        url = entry["url"]
        if url.startswith("hf://"):
            return _hf_snapshot(url)
        return _from_download(download_file(url, entry.get("sha256"), force=force_download, progress=progress))
    known = ", ".join(list_presets()) or "none"
    raise PresetNotFoundError(
        f"No preset named {source!r} and no file or folder at that path. Known presets: {known}. "
        "A preset can also be a folder, a .tar.gz/.zip archive, a .keras file, or an https://, file:// or hf:// URL."
    )


def _local(path: Path, sha256: str | None) -> Path:
    if path.is_dir():
        if (path / "config.json").is_file():
            return path
        if (path / "model.keras").is_file():  # a `keras-gans train` output folder
            return path / "model.keras"
        raise PresetError(f"{path} is not a preset: it has no config.json (nor model.keras)")
    if sha256 is not None and file_sha256(path) != sha256.lower():
        raise HashMismatchError(f"sha256 mismatch for {path}: expected {sha256}, got {file_sha256(path)}")
    if is_archive(path):
        key = sha256 or file_sha256(path)
        folder = cache_dir() / "presets" / f"{key[:16]}-{_strip_archive_suffix(path.name)}"
        return _preset_root(extract_archive(path, folder))
    if path.suffix == ".keras":
        return path
    raise PresetError(f"{path} is not a preset folder, a .tar.gz/.tgz/.zip archive or a .keras file")


def _from_download(path: Path) -> Path:
    if is_archive(path):
        return _preset_root(extract_archive(path, cache_dir() / "presets" / _strip_archive_suffix(path.name)))
    if path.suffix == ".keras":
        return path
    raise PresetError(f"{path.name} is not a preset archive (.tar.gz, .tgz, .zip) or a .keras file")


def _preset_root(folder: Path) -> Path:
    """The folder holding config.json: the archive's root or its single top folder."""
    if (folder / "config.json").is_file():
        return folder
    candidates = [p for p in folder.iterdir() if p.is_dir() and (p / "config.json").is_file()]
    if len(candidates) != 1:
        raise PresetError(f"The archive unpacked in {folder} holds no single preset folder with a config.json")
    return candidates[0]


def _check_preset_folder(folder: Path) -> None:
    missing = [f for f in ("config.json", "model.weights.h5") if not (folder / f).is_file()]
    if missing:
        raise PresetError(f"{folder} is not a preset folder: missing {missing}")


def _hf_snapshot(url: str) -> Path:
    try:
        import huggingface_hub
    except ImportError as e:
        raise ImportError(
            f"Loading {url} needs the huggingface_hub package (pip install huggingface_hub); keras_gans does not "
            "require it otherwise."
        ) from e
    import keras_gans

    repo_id, _, revision = url[len("hf://") :].partition("@")
    try:
        folder = huggingface_hub.snapshot_download(
            repo_id=repo_id,
            revision=revision or None,
            cache_dir=str(cache_dir() / "huggingface"),
            library_name="keras_gans",
            library_version=keras_gans.__version__,
        )
    except Exception as e:  # huggingface_hub raises many kinds; keep one clear type
        raise DownloadError(f"Could not download {url} from the Hugging Face Hub: {type(e).__name__}: {e}") from e
    return Path(folder)


# ----------------------------------------------------------------------------------------------------------------
# Loading


def load_gan(
    name_or_path: str | os.PathLike,
    *,
    compile: bool = True,
    expected_class: type | None = None,
    sha256: str | None = None,
    force_download: bool = False,
    progress: bool = True,
):
    """A pretrained :class:`keras_gans.GANModel` from a preset (name, folder, archive, .keras file or URL).

    Loaded with ``keras.saving.load_model(..., safe_mode=True)``; compiled with the saved optimizers and their
    state when ``compile`` (ready to fine-tune). ``expected_class`` (set by ``DCGAN.from_preset``) refuses a
    preset of another model class.
    """
    import keras

    import keras_gans  # noqa: F401  (registers the model classes for deserialisation)
    from keras_gans.models.base import GANModel

    path = resolve_preset(name_or_path, sha256=sha256, force_download=force_download, progress=progress)
    with warnings.catch_warnings():
        if path.is_dir() and _read_metadata(path).get("optimizer_state") is False:
            # Saved without optimizer state on purpose: Keras' "Skipping variable loading for optimizer" is expected.
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        model = keras.saving.load_model(str(path), compile=compile, safe_mode=True)
    expected = expected_class or GANModel
    if not isinstance(model, expected):
        raise TypeError(f"{name_or_path} holds a {type(model).__name__}, not a {expected.__name__}")
    return model


def load_generator(name_or_path: str | os.PathLike, **kwargs: Any):
    """The sampling generator of a preset (the EMA generator when the model has one): ``z`` -> images in [-1, 1].

    Conditional generators take ``[z, labels]``. Keyword arguments are those of :func:`load_gan`.
    """
    return load_gan(name_or_path, compile=False, **kwargs).sampling_generator


def load_metadata(name_or_path: str | os.PathLike, **kwargs: Any) -> dict[str, Any]:
    """A preset's ``metadata.json`` (dataset, metrics, license, versions...); ``{}`` for a plain .keras file."""
    path = resolve_preset(name_or_path, **kwargs)
    return {} if path.is_file() else _read_metadata(path)


def _read_metadata(folder: Path) -> dict[str, Any]:
    with open(folder / "metadata.json") as f:
        return json.load(f)
