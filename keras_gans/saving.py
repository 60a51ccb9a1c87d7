"""Model files that fail with the file's name and what is wrong with it: :func:`load_model`, :func:`check_save_path`.

``keras.saving.load_model`` reports a truncated or non-zip ``.keras`` file as "File not found" (the file exists),
a zip without ``config.json`` as a bare ``KeyError``, a model folder without weights as an ``UnboundLocalError`` from
its internals, and ``model.save("m.h5")`` crashes in h5py. :func:`load_model` checks the file first and raises one
error type, :class:`ModelFileError`, naming the file, the damage and the fix; only then does it call Keras.
:func:`check_save_path` refuses, before anything is written, the paths Keras cannot save these models to.

See ``docs/errors.md`` (section "Model files") for every message and its fix.
"""

from __future__ import annotations

import json
import os
import re
import zipfile
import zlib
from pathlib import Path
from typing import Any

__all__ = ["ModelFileError", "check_model_file", "check_save_path", "load_model"]

_CONFIG = "config.json"
_WEIGHTS = ("model.weights.h5", "model.weights.npz")
_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_HDF5_SUFFIXES = (".h5", ".hdf5")
_ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")
_REMOTE_PREFIXES = ("hf://", "gs://", "s3://", "http://", "https://")
_KERAS_PACKAGES = {"keras", "keras_hub", "keras_cv", "keras_nlp"}
_MISSING_CLASS = re.compile(r"Could not locate (class|function) '([^']+)'")


class ModelFileError(ValueError):
    """A model file or folder is missing, damaged, or of a kind that cannot be loaded or written.

    Attributes:
        path: the file or folder.
        problem: what is wrong with it and the fix (the message without the path).
    """

    def __init__(self, path: str | os.PathLike, problem: str) -> None:
        self.path = os.fspath(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


# ----------------------------------------------------------------------------------------------------------------
# Loading


def load_model(
    path: str | os.PathLike,
    compile: bool = True,
    safe_mode: bool = True,
    custom_objects: dict[str, Any] | None = None,
):
    """``keras.saving.load_model`` after :func:`check_model_file`; every failure is a :class:`ModelFileError`.

    Args:
        path: a ``.keras`` file, a Keras model folder (``config.json`` + ``model.weights.h5``, e.g. a preset), or a
            legacy ``.h5`` model. ``hf://`` and other remote paths go to Keras unchecked.
        compile: restore the compiled state (optimizers and their state).
        safe_mode: refuse to deserialise Python lambdas (Keras' safe mode).
        custom_objects: classes and functions that are not registered with Keras, by name.

    Raises:
        ModelFileError: the file is missing, not a Keras model, damaged (truncated, corrupt zip member, config that
            is not JSON, weights that are not HDF5), holds an unknown class, or Keras failed to rebuild it.
    """
    import keras

    import keras_gans  # noqa: F401  (registers the model classes for deserialisation)

    source = os.fspath(path)
    if not source.startswith(_REMOTE_PREFIXES):
        check_model_file(source, custom_objects=custom_objects)
    try:
        return keras.saving.load_model(source, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode)
    except TypeError as error:
        missing = _MISSING_CLASS.search(str(error))
        if missing:
            raise ModelFileError(source, _unknown_class_problem(missing.group(2), None, missing.group(1))) from error
        if "unexpected keyword argument" in str(error) or "required positional argument" in str(error):
            raise ModelFileError(
                source,
                f"its config does not match this version of the model class ({error}); it was probably saved by "
                "another version of keras_gans or of your own class: load it with that version, or re-save it",
            ) from error
        raise
    except (ValueError, KeyError, OSError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        if isinstance(error, ModelFileError):
            raise
        raise ModelFileError(source, f"Keras could not load it: {type(error).__name__}: {_one_line(error)}") from error


def check_model_file(path: str | os.PathLike, custom_objects: dict[str, Any] | None = None) -> None:
    """Raises :class:`ModelFileError` unless ``path`` looks like a loadable, undamaged Keras model.

    Checks, without building the model: the path exists; a folder holds ``config.json`` and its weights file; a
    ``.keras`` file is a complete zip (every member's CRC, like ``zipfile.testzip``) with ``config.json`` and
    ``model.weights.h5``; the config is a JSON object naming a class that is registered (or in ``custom_objects``);
    the weights are HDF5.
    """
    path = Path(os.fspath(path)).expanduser()
    if not path.exists():
        raise ModelFileError(path, _missing_problem(path))
    if path.is_dir():
        _check_folder(path, custom_objects)
        return
    name = path.name.lower()
    size = path.stat().st_size
    if size == 0:
        raise ModelFileError(path, "the file is empty (0 bytes): it was not written completely; save or copy it again")
    if name.endswith(_HDF5_SUFFIXES):
        _check_hdf5_model(path)
        return
    if not name.endswith(".keras"):
        raise ModelFileError(path, _wrong_kind_problem(path))
    _check_keras_zip(path, size, custom_objects)


def _missing_problem(path: Path) -> str:
    problem = "no such file or folder"
    for candidate in (path.with_name(path.name + ".keras"), path.parent / "model.keras"):
        if candidate != path and candidate.exists():
            return f"{problem}; did you mean {candidate}?"
    if not path.parent.exists():
        return f"{problem} (its folder {path.parent} does not exist either)"
    return problem


def _check_folder(path: Path, custom_objects: dict[str, Any] | None) -> None:
    files = sorted(p.name for p in path.iterdir())
    if path.name.lower().endswith(".keras") and (path / _CONFIG).is_file():
        raise ModelFileError(
            path,
            "a model folder whose name ends in .keras: Keras reads such a name as a zip file; rename the folder "
            "(without .keras) and load that",
        )
    if not (path / _CONFIG).is_file():
        if "model.keras" in files:
            hint = f"it looks like a `keras-gans train` output folder: load {path / 'model.keras'}"
        elif "saved_model.pb" in files:
            hint = (
                "it is a TensorFlow SavedModel (what keras_gans.export / `keras-gans export` write, for serving): "
                "load it with tf.saved_model.load, or load the .keras model it was exported from"
            )
        elif "last.keras" in files:
            hint = f"it looks like a checkpoints folder: load {path / 'last.keras'}"
        else:
            shown = ", ".join(files[:8]) + (", ..." if len(files) > 8 else "") if files else "nothing"
            hint = f"it holds {shown}"
        raise ModelFileError(path, f"a folder but not a Keras model folder: it has no {_CONFIG}; {hint}")
    config = _parse_config((path / _CONFIG).read_bytes(), path, f"{_CONFIG} in the folder")
    weights = [w for w in _WEIGHTS if (path / w).is_file()]
    if not weights:
        raise ModelFileError(
            path,
            f"the model folder has {_CONFIG} but no {_WEIGHTS[0]} (it holds {', '.join(files)}): the weights are "
            "missing; copy the complete folder again (or re-save it)",
        )
    if weights[0].endswith(".h5"):
        with open(path / weights[0], "rb") as f:
            _check_hdf5_bytes(f.read(2056), path, weights[0])
    _check_class(config, path, custom_objects)


def _check_keras_zip(path: Path, size: int, custom_objects: dict[str, Any] | None) -> None:
    with open(path, "rb") as f:
        head = f.read(2056)
    if not zipfile.is_zipfile(path):
        if head.startswith(b"PK\x03\x04"):
            raise ModelFileError(
                path,
                f"a truncated or damaged .keras file ({size} bytes: it starts like a zip archive but its end "
                "record is missing): the save or the download was cut short; save or download it again",
            )
        raise ModelFileError(path, f"not a .keras file: {_what_it_is(head)}; a .keras file is a zip archive")
    try:
        with zipfile.ZipFile(path) as zf:
            bad = zf.testzip()
            if bad is not None:
                raise ModelFileError(
                    path, f"damaged .keras file: its member {bad!r} fails the CRC check; save or download it again"
                )
            names = zf.namelist()
            if _CONFIG not in names:
                raise ModelFileError(
                    path, f"a zip archive but not a Keras model: it has no {_CONFIG} (it holds {_names(names)})"
                )
            weights = [w for w in _WEIGHTS if w in names]
            if not weights:
                raise ModelFileError(
                    path,
                    f"a damaged .keras file: it has {_CONFIG} but no {_WEIGHTS[0]} (it holds {_names(names)}); "
                    "save it again",
                )
            config = _parse_config(zf.read(_CONFIG), path, _CONFIG)
            if weights[0].endswith(".h5"):
                with zf.open(weights[0]) as member:
                    _check_hdf5_bytes(member.read(2056), path, weights[0])
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as error:
        raise ModelFileError(
            path, f"damaged .keras file ({type(error).__name__}: {error}); save or download it again"
        ) from error
    _check_class(config, path, custom_objects)


def _names(names: list[str]) -> str:
    return ", ".join(names[:8]) + (", ..." if len(names) > 8 else "") if names else "nothing"


def _parse_config(data: bytes, path: Path, where: str) -> dict:
    try:
        config = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as error:
        raise ModelFileError(path, f"{where} is not text (not UTF-8): the file is damaged; save it again") from error
    except json.JSONDecodeError as error:
        raise ModelFileError(
            path,
            f"{where} is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}): the file is "
            "damaged or was edited by hand; save it again or fix the JSON",
        ) from error
    if not isinstance(config, dict) or "class_name" not in config:
        raise ModelFileError(path, f"{where} does not describe a Keras model (no 'class_name' at its top level)")
    return config


def _check_class(config: dict, path: Path, custom_objects: dict[str, Any] | None) -> None:
    """The top-level class must resolve the way Keras resolves it (registered name first, then custom_objects)."""
    import keras

    class_name = str(config.get("class_name"))
    module = str(config.get("module") or "")
    if module.split(".", 1)[0] in _KERAS_PACKAGES or config.get("registered_name") is None and not module:
        return  # Keras' own classes (and old configs without module): Keras resolves them itself
    registered = str(config.get("registered_name") or class_name)
    custom_objects = custom_objects or {}
    if class_name in custom_objects or registered in custom_objects:
        return
    if keras.saving.get_registered_object(registered, custom_objects=custom_objects) is not None:
        return
    raise ModelFileError(path, _unknown_class_problem(class_name, module, "class", registered))


def _unknown_class_problem(name: str, module: str | None, kind: str = "class", registered: str | None = None) -> str:
    import keras

    known = sorted(k.split(">", 1)[1] for k in keras.saving.get_custom_objects() if k.startswith("keras_gans>"))
    where = f" (registered as {registered!r}, from module {module})" if module else ""
    return (
        f"it holds the {kind} {name!r}{where}, which is not registered in this Python process. keras_gans' classes "
        f"register on `import keras_gans` (this version has {', '.join(known) or 'none'}); a class of your own needs "
        "its module imported first (decorated with @keras.saving.register_keras_serializable) or "
        f"custom_objects={{{name.split('>')[-1]!r}: ...}}. A file saved by a newer keras_gans needs that version."
    )


def _check_hdf5_bytes(head: bytes, path: Path, member: str) -> None:
    if not any(head[offset : offset + 8] == _HDF5_SIGNATURE for offset in (0, 512, 1024, 2048)):
        raise ModelFileError(
            path, f"its weights file {member} is not an HDF5 file (the file is damaged); save or download it again"
        )


def _check_hdf5_model(path: Path) -> None:
    with open(path, "rb") as f:
        head = f.read(2056)
    if not any(head[offset : offset + 8] == _HDF5_SIGNATURE for offset in (0, 512, 1024, 2048)):
        raise ModelFileError(path, f"not an HDF5 file despite its name: {_what_it_is(head)}")
    import h5py

    try:
        with h5py.File(path, "r") as f:
            model_config = f.attrs.get("model_config")
    except OSError as error:
        raise ModelFileError(path, f"a damaged HDF5 file ({error}); save or download it again") from error
    if model_config is None:
        raise ModelFileError(
            path,
            "an HDF5 weights file, not a model: build the model (same arguments) and call "
            "model.load_weights(path), or load the .keras file or model folder it belongs to",
        )
    try:
        class_name = json.loads(model_config).get("class_name")
    except (ValueError, AttributeError, TypeError):
        class_name = None
    import keras

    if keras.saving.get_registered_object(f"keras_gans>{class_name}") is not None:
        raise ModelFileError(
            path,
            f"a legacy HDF5 file of a keras_gans {class_name}: keras_gans models cannot be saved or loaded in this "
            "format (a failed model.save('x.h5') leaves such a file); save the model as .keras instead",
        )


def _what_it_is(head: bytes) -> str:
    if head.startswith(_HDF5_SIGNATURE):
        return "it is an HDF5 file (a legacy .h5 model or a weights file: rename it to .h5, or load_weights it)"
    if head.startswith(b"\x1f\x8b"):
        return "it is a gzip file (a preset .tar.gz? load it with keras_gans.hub.load_gan)"
    if len(head) > 262 and head[257:262] == b"ustar":
        return "it is a tar archive (a preset? load it with keras_gans.hub.load_gan)"
    try:
        text = head[:256].decode("utf-8")
    except UnicodeDecodeError:
        text = None
    if text is not None and all(c.isprintable() or c.isspace() for c in text):
        return f"it is a text file starting with {text[:40]!r}"
    return f"it starts with the bytes {head[:16]!r}"


def _wrong_kind_problem(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(_ARCHIVE_SUFFIXES):
        if name.endswith(".zip") and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                if _CONFIG in zf.namelist():
                    return "a Keras model zipped under another name: rename it to .keras"
        return "an archive, not a model file: for a preset archive use keras_gans.hub.load_gan(path)"
    suffix = f"suffix {path.suffix!r}" if path.suffix else "no suffix"
    return (
        f"not a Keras model file ({suffix}): load_model reads .keras files and Keras model folders (config.json + "
        "model.weights.h5)"
    )


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())


# ----------------------------------------------------------------------------------------------------------------
# Saving


def check_save_path(path: str | os.PathLike) -> str:
    """Raises :class:`ModelFileError` for a path ``model.save(path)`` cannot write; returns the path as a string.

    Refused, with the fix: a name that does not end in ``.keras`` (``.h5``/``.hdf5``, Keras' legacy HDF5 format,
    cannot hold these models: Keras crashes in h5py), an existing folder, a folder that does not exist, a parent
    that is a file, and a folder without write permission.
    """
    source = os.fspath(path)
    if source.startswith(_REMOTE_PREFIXES):
        return source
    target = Path(source).expanduser()
    name = target.name.lower()
    if name.endswith(_HDF5_SUFFIXES):
        raise ModelFileError(
            source,
            "the legacy HDF5 format (.h5/.hdf5) is not supported for keras_gans models (Keras' HDF5 writer cannot "
            f"store their two networks and optimizers); save as .keras: {target.with_suffix('.keras')}",
        )
    if not name.endswith(".keras"):
        raise ModelFileError(
            source,
            f"a model file must end in .keras (got {target.suffix or 'no suffix'!r}); e.g. "
            f"{target.name}.keras. For a preset folder or archive use keras_gans.hub.save_preset, for a SavedModel "
            "to serve use keras_gans.export.export_saved_model",
        )
    if target.is_dir():
        raise ModelFileError(source, "it is a folder; pass a file name ending in .keras (inside it, or elsewhere)")
    parent = target.parent
    if not parent.exists():
        raise ModelFileError(source, f"its folder {parent} does not exist; create it first (os.makedirs)")
    if not parent.is_dir():
        raise ModelFileError(source, f"{parent} is a file, not a folder")
    if not os.access(parent, os.W_OK | os.X_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise ModelFileError(source, f"permission denied: cannot write in {parent}")
    return source
