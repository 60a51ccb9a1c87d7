"""Finding presets (:func:`resolve_preset`: names, paths, archives, URLs) and loading them.

Loading always uses Keras' safe mode (``keras.saving.load_model(..., safe_mode=True)``: no Python lambdas are
deserialised), after :func:`keras_gans.saving.check_model_file`: a damaged or incomplete preset (no weights, no
config, a truncated ``.keras`` file, ...) raises :class:`PresetFileError` naming the preset, the file and the damage.
See ``docs/hub.md`` and ``docs/errors.md``.
"""

from __future__ import annotations

import os
import shutil
import urllib.parse
import urllib.request
import warnings
from pathlib import Path
from typing import Any

from keras_gans.hub.download import (
    DownloadError,
    HashMismatchError,
    PresetError,
    archive_stem,
    cache_dir,
    check_sha256,
    download_file,
    extract_archive,
    file_sha256,
    is_archive,
)
from keras_gans.hub.preset import read_metadata
from keras_gans.hub.registry import list_presets, registry_entry, skipped_entries
from keras_gans.saving import ModelFileError

__all__ = ["PresetFileError", "PresetNotFoundError", "load_gan", "load_generator", "load_metadata", "resolve_preset"]

_URL_SCHEMES = ("http://", "https://", "file://")


class PresetNotFoundError(PresetError, LookupError):
    """No preset has that name, and no file or folder has that path."""


class PresetFileError(PresetError, ModelFileError):
    """A preset was found but its model cannot be loaded: a missing or damaged file, an unknown class...

    Both a :class:`PresetError` and a :class:`keras_gans.saving.ModelFileError` (a ``ValueError``). Attributes:
    ``preset`` (the name or path asked for), ``path`` (the file or folder) and ``problem``.
    """

    def __init__(self, preset: str, path: str | os.PathLike, problem: str) -> None:
        self.preset = preset
        self.path = os.fspath(path)
        self.problem = problem
        where = f"Preset {preset!r} ({self.path})" if preset != self.path else f"Preset {self.path}"
        hint = ""
        try:
            Path(self.path).resolve().relative_to(cache_dir().resolve())
            hint = (
                f". It comes from the keras_gans cache ({cache_dir()}): load it again with force_download=True, or "
                "delete it there"
            )
        except ValueError:
            pass
        Exception.__init__(self, f"{where} cannot be loaded: {problem}{hint}")


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
    sha256 = check_sha256(sha256, "sha256=")
    if source.startswith("hf://"):
        return _hf_snapshot(source)
    if source.startswith(_URL_SCHEMES):
        if source.startswith("file://"):
            local = Path(urllib.request.url2pathname(urllib.parse.urlparse(source).path))
            if local.is_dir():
                return _local(local, sha256)
        downloaded = download_file(source, sha256, force=force_download, progress=progress)
        return _from_download(downloaded, refresh=force_download)
    path = Path(source).expanduser()
    if path.exists():
        try:
            return _local(path, sha256)
        except PresetError:
            if registry_entry(source) is None:
                raise
            # A local folder that is not a preset but shares a preset's name (e.g. a run folder): the name wins.
    entry = registry_entry(source)
    if entry is not None:
        if entry.get("path"):
            return Path(entry["path"])
        url = entry["url"]
        if url.startswith("hf://"):
            return _hf_snapshot(url)
        downloaded = download_file(url, entry.get("sha256"), force=force_download, progress=progress)
        return _from_download(downloaded, refresh=force_download)
    known = ", ".join(list_presets()) or "none"
    skipped = skipped_entries().get(None)
    note = f" ({skipped})" if skipped else ""
    raise PresetNotFoundError(
        f"No preset named {source!r} and no file or folder at that path. Known presets: {known}{note}. "
        "A preset can also be a folder, a .tar.gz/.zip archive, a .keras file, or an https://, file:// or hf:// URL."
    )


def _local(path: Path, sha256: str | None) -> Path:
    if path.is_dir():
        if (path / "config.json").is_file():
            return path
        if (path / "model.keras").is_file():  # a `keras-gans train` output folder
            return path / "model.keras"
        files = sorted(p.name for p in path.iterdir())
        if {"model.weights.h5", "metadata.json"} & set(files):
            raise PresetFileError(
                os.fspath(path),
                path,
                f"the preset folder has no config.json (it holds {', '.join(files)}): the model's config is missing; "
                "copy the complete folder again (or re-save it)",
            )
        raise PresetError(f"{path} is not a preset: it has no config.json (nor model.keras)")
    if sha256 is not None and file_sha256(path) != sha256.lower():
        raise HashMismatchError(f"sha256 mismatch for {path}: expected {sha256}, got {file_sha256(path)}")
    if is_archive(path):
        key = sha256 or file_sha256(path)
        folder = cache_dir() / "presets" / f"{key[:16]}-{archive_stem(path.name)}"
        return _preset_root(extract_archive(path, folder))
    if path.suffix == ".keras":
        return path
    raise PresetError(f"{path} is not a preset folder, a .tar.gz/.tgz/.zip archive or a .keras file")


def _from_download(path: Path, refresh: bool = False) -> Path:
    if is_archive(path):
        folder = cache_dir() / "presets" / archive_stem(path.name)
        if refresh and folder.is_dir():
            shutil.rmtree(folder)  # force_download: unpack the fresh archive, not an older (or damaged) unpacking
        return _preset_root(extract_archive(path, folder))
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
    """A pretrained model of the zoo from a preset (name, folder, archive, .keras file or URL).

    Any family: a :class:`keras_gans.GANModel` (``generate``), a translator (``translate``) or an upscaler
    (``upscale``). Loaded with ``keras.saving.load_model(..., safe_mode=True)``; compiled with the saved optimizers
    and their state when ``compile`` (ready to fine-tune). ``expected_class`` (set by ``DCGAN.from_preset``,
    ``Pix2Pix.from_preset``...) refuses a preset of another model class.
    """
    from keras_gans import saving
    from keras_gans.engine import AdversarialModel

    path = resolve_preset(name_or_path, sha256=sha256, force_download=force_download, progress=progress)
    with warnings.catch_warnings():
        if path.is_dir() and _optional_metadata(path).get("optimizer_state") is False:
            # Saved without optimizer state on purpose: Keras' "Skipping variable loading for optimizer" is expected.
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
        try:
            model = saving.load_model(str(path), compile=compile, safe_mode=True)
        except ModelFileError as error:
            raise PresetFileError(os.fspath(name_or_path), path, error.problem) from error
    expected = expected_class or AdversarialModel
    if not isinstance(model, expected):
        raise TypeError(f"{name_or_path} holds a {type(model).__name__}, not a {expected.__name__}")
    return model


def load_generator(name_or_path: str | os.PathLike, **kwargs: Any):
    """The sampling generator of a preset (the EMA generator when the model has one): ``z`` -> images in [-1, 1].

    Conditional generators take ``[z, labels]``. Keyword arguments are those of :func:`load_gan`.
    """
    return load_gan(name_or_path, compile=False, **kwargs).sampling_generator


def _optional_metadata(folder: Path) -> dict[str, Any]:
    """The folder's metadata.json, or {} when it has none or it is unreadable (the model loads without it)."""
    try:
        return read_metadata(folder)
    except PresetError:
        return {}


def load_metadata(name_or_path: str | os.PathLike, **kwargs: Any) -> dict[str, Any]:
    """A preset's ``metadata.json`` (dataset, metrics, license, versions...); ``{}`` for a plain .keras file."""
    path = resolve_preset(name_or_path, **kwargs)
    return {} if path.is_file() else read_metadata(path)
