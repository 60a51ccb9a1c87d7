"""Preset names: the presets bundled in the package and the registry ``zoo_configs/presets.yaml``.

The registry maps a name to where its archive lives::

    presets:
      dcgan_mnist:
        url: https://example.org/keras_gans/dcgan_mnist.tar.gz   # https://, http://, file:// or hf://
        sha256: 3f5a...                                            # of the archive; checked after every download
        description: DCGAN on MNIST 28x28, 25 epochs.

Entries with ``bundled: true`` name presets that ship inside the package (``keras_gans/presets/<name>/``) and load
with no network; a bundled entry may also carry a ``url``/``sha256`` for the published archive. The file is looked
for at ``$KERAS_GANS_PRESET_REGISTRY``, else ``presets.yaml`` in ``$KERAS_GANS_CONFIGS``, the source tree's
``zoo_configs/`` or the installed ``share/keras_gans/zoo_configs/``. :func:`register_preset` adds entries at run time.

A broken registry never makes the bundled presets unusable: a file that is missing, unreadable or not valid YAML is
skipped with a :class:`RegistryWarning` naming the file and line, and so is each invalid entry (unknown keys, no
url, a url of another scheme, a sha256 that is not 64 hex digits, ...); asking for a skipped entry by name raises a
:class:`~keras_gans.hub.PresetError` saying why. Values are read as strings (an unquoted all-digit sha256 stays the
string it is) and a key given twice is a YAML error.
"""

from __future__ import annotations

import difflib
import json
import os
import warnings
from pathlib import Path
from typing import Any

from keras_gans.hub.download import PresetError, check_sha256

__all__ = [
    "RegistryWarning",
    "bundled_presets_dir",
    "list_presets",
    "register_preset",
    "registry_entry",
    "registry_path",
    "skipped_entries",
]

_RUNTIME_ENTRIES: dict[str, dict[str, Any]] = {}
_ENTRY_KEYS = {"url", "sha256", "description", "bundled"}
_URL_SCHEMES = ("https://", "http://", "file://", "hf://")


class RegistryWarning(UserWarning):
    """A registry file, or one of its entries, could not be used and was skipped (the rest still works)."""


def bundled_presets_dir() -> Path:
    """The folder of the presets shipped inside the package."""
    return Path(__file__).resolve().parent.parent / "presets"


def _bundled() -> dict[str, Path]:
    folder = bundled_presets_dir()
    if not folder.is_dir():
        return {}
    return {p.name: p for p in sorted(folder.iterdir()) if (p / "config.json").is_file()}


def registry_path() -> Path | None:
    """The registry file in use (see the module docstring), or None when there is none."""
    if os.environ.get("KERAS_GANS_PRESET_REGISTRY"):
        return Path(os.environ["KERAS_GANS_PRESET_REGISTRY"]).expanduser()
    from keras_gans.config import zoo_config_dirs

    return next((d / "presets.yaml" for d in zoo_config_dirs() if (d / "presets.yaml").is_file()), None)


def _loader_class():
    """PyYAML's safe loader without implicit ints and floats, and refusing duplicate keys.

    Every registry value is a string or a boolean: an unquoted all-digit sha256 must stay the string it is (the
    safe loader would read it as an int, and a leading-zero one as octal), and a name given twice must not be
    silently replaced by its second entry.
    """
    import yaml

    numeric = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float"}

    class RegistryLoader(yaml.SafeLoader):
        def construct_mapping(self, node, deep=False):
            seen: dict[Any, Any] = {}
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                if key in seen:
                    raise yaml.constructor.ConstructorError(
                        "while reading a mapping",
                        node.start_mark,
                        f"found the key {key!r} twice (first at line {seen[key].line + 1})",
                        key_node.start_mark,
                    )
                seen[key] = key_node.start_mark
            return super().construct_mapping(node, deep=deep)

    RegistryLoader.yaml_implicit_resolvers = {
        first: [(tag, regexp) for tag, regexp in resolvers if tag not in numeric]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }
    return RegistryLoader


def _read_registry_file(path: Path) -> tuple[dict[str, Any], dict[str, int], str | None]:
    """(the presets, the line of each preset name, None) or ({}, {}, why the file is skipped: "[:LINE: ]problem")."""
    import yaml

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, {}, ": the file does not exist (KERAS_GANS_PRESET_REGISTRY names it)"
    except (OSError, UnicodeDecodeError) as error:
        return {}, {}, f": it cannot be read ({type(error).__name__}: {error})"
    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f":{mark.line + 1}: " if mark is not None else ": "
        problem = " ".join(str(getattr(error, "problem", None) or error).split())
        column = f" (column {mark.column + 1})" if mark is not None else ""
        context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
        if context and context_mark is not None and mark is not None and context_mark.line != mark.line:
            problem += f" ({context} that starts at line {context_mark.line + 1}, column {context_mark.column + 1})"
        return {}, {}, f"{where}YAML error{column}: {problem}"
    finally:
        loader.dispose()
    if data is None:
        return {}, {}, None
    if not isinstance(data, dict):
        return {}, {}, f": it must be a mapping with a 'presets' key, not a {type(data).__name__}"
    unknown = sorted(str(k) for k in data if k != "presets")
    if unknown:
        hint = _did_you_mean(unknown, ["presets"])
        return {}, {}, f": unknown top-level key(s) {unknown}{hint}; the only key is 'presets'"
    presets = data.get("presets") or {}
    if not isinstance(presets, dict):
        return {}, {}, f": 'presets' must map names to entries, not be a {type(presets).__name__}"
    lines: dict[str, int] = {}
    for key_node, value_node in node.value:
        if getattr(key_node, "value", None) == "presets" and isinstance(value_node, yaml.MappingNode):
            lines = {str(k.value): k.start_mark.line + 1 for k, _ in value_node.value}
    return presets, lines, None


def _registry() -> dict[str, dict[str, Any]]:
    """The usable entries: the registry file's valid ones, then the runtime ones. See :func:`skipped_entries`."""
    entries, _ = _read_registry()
    entries.update(_RUNTIME_ENTRIES)
    return entries


def _read_registry() -> tuple[dict[str, dict[str, Any]], dict[str | None, str]]:
    """(valid entries, {name or None for the whole file: why it was skipped}); warns once per problem."""
    entries: dict[str, dict[str, Any]] = {}
    skipped: dict[str | None, str] = {}
    path = registry_path()
    if path is None:
        return entries, skipped
    presets, lines, problem = _read_registry_file(path)
    if problem is not None:
        skipped[None] = f"{path}{problem}; the preset registry was skipped"
        _warn(
            f"{skipped[None]}: only the bundled presets and those registered in code are available. Fix the file "
            "(or point KERAS_GANS_PRESET_REGISTRY at another one)."
        )
        return entries, skipped
    for name, entry in presets.items():
        where = f"{path}:{lines[str(name)]}" if str(name) in lines else str(path)
        try:
            entries[str(name)] = _check_entry(str(name), entry, where)
        except ValueError as error:
            skipped[str(name)] = str(error)
            _warn(f"{error}; this entry is skipped, the other presets are available.")
    return entries, skipped


def _warn(message: str) -> None:
    warnings.warn(message, RegistryWarning, stacklevel=4)


def skipped_entries() -> dict[str | None, str]:
    """Why registry entries (by name; ``None``: the whole file) were skipped; empty when everything was usable."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RegistryWarning)
        return _read_registry()[1]


def _did_you_mean(words: list[str], choices: list[str] | set[str]) -> str:
    close = [m for w in words for m in difflib.get_close_matches(w, sorted(choices), n=1)]
    return f" (did you mean {', '.join(repr(c) for c in close)}?)" if close else ""


def _check_entry(name: str, entry: Any, source: str) -> dict[str, Any]:
    """The entry, checked: a ``ValueError`` naming ``source``, the preset and what is wrong otherwise."""
    prefix = f"{source}: preset {name!r}"
    if not name.strip():
        raise ValueError(f"{source}: a preset name must not be empty")
    if entry is None:
        raise ValueError(f"{prefix} is empty; give it a url and sha256 (or bundled: true)")
    if not isinstance(entry, dict):
        raise ValueError(
            f"{prefix} must be a mapping (url:, sha256:, description:), not a {type(entry).__name__} {entry!r}"
        )
    unknown = sorted(str(k) for k in set(entry) - _ENTRY_KEYS)
    if unknown:
        raise ValueError(
            f"{prefix} has unknown key(s) {unknown}{_did_you_mean(unknown, _ENTRY_KEYS)}; allowed: "
            f"{sorted(_ENTRY_KEYS)}"
        )
    bundled = entry.get("bundled", False)
    if not isinstance(bundled, bool):
        raise ValueError(f"{prefix}: bundled must be true or false, got {bundled!r}")
    url = entry.get("url")
    if url is not None and (not isinstance(url, str) or not url.startswith(_URL_SCHEMES)):
        raise ValueError(f"{prefix}: url must start with https://, http://, file:// or hf://, got {url!r}")
    if not url and not bundled:
        raise ValueError(f"{prefix} needs a url (or bundled: true)")
    sha256 = entry.get("sha256")
    if sha256 is not None:
        sha256 = check_sha256(sha256, f"{prefix}: sha256")
    elif url and not url.startswith("hf://"):
        raise ValueError(f"{prefix} needs the sha256 of its archive (`sha256sum FILE`)")
    description = entry.get("description", "")
    if description is None:
        description = ""
    if not isinstance(description, str):
        raise ValueError(f"{prefix}: description must be text, got {type(description).__name__}")
    checked = dict(entry, description=description)
    if sha256 is not None:
        checked["sha256"] = sha256
    return checked


def register_preset(name: str, url: str, sha256: str | None = None, description: str = "") -> None:
    """Adds (or replaces) a registry entry for this process: ``load_gan(name)`` then fetches ``url``.

    Raises ``ValueError`` for an empty name, a URL that is not https://, http://, file:// or hf://, or a missing or
    malformed sha256 (required except for hf://).
    """
    if not isinstance(name, str):
        raise ValueError(f"register_preset: the name must be a string, got {name!r}")
    entry = {"url": url, "sha256": sha256, "description": description}
    _RUNTIME_ENTRIES[name] = _check_entry(name, entry, "register_preset")


def registry_entry(name: str) -> dict[str, Any] | None:
    """The registry entry of a name (with ``"path"`` set for bundled presets), or None when it is unknown.

    Raises :class:`~keras_gans.hub.PresetError` for a name whose registry entry was skipped as invalid (saying
    why), or one registered as bundled whose folder is missing.
    """
    entries, skipped = _read_registry()
    entries.update(_RUNTIME_ENTRIES)
    entry = dict(entries.get(name) or {})
    bundled = _bundled()
    if name in bundled:
        entry["path"] = str(bundled[name])
    elif name in skipped and name not in _RUNTIME_ENTRIES:
        raise PresetError(f"Preset {name!r} cannot be used: {skipped[name]}")
    elif entry.get("bundled") and not entry.get("url"):
        missing = bundled_presets_dir() / name
        raise PresetError(
            f"Preset {name!r} is registered as bundled but {missing} is missing (or has no config.json): "
            "reinstall keras_gans, or give the entry a url and sha256"
        )
    return entry or None


def list_presets() -> dict[str, dict[str, Any]]:
    """The known presets, bundled first: ``{name: {"source": "bundled" | url, "description": ...}}``.

    Bundled presets load without a network; the others are downloaded (once) into the cache.
    """
    presets: dict[str, dict[str, Any]] = {}
    registry = _registry()
    for name, path in _bundled().items():
        metadata = _read_json(path / "metadata.json")
        description = registry.get(name, {}).get("description") or metadata.get("description", "")
        presets[name] = {"source": "bundled", "description": description, "path": str(path)}
    for name, entry in sorted(registry.items()):
        if name not in presets and entry.get("url"):
            presets[name] = {"source": entry["url"], "description": entry.get("description", "")}
    return presets


def _read_json(path: Path) -> dict:
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}
