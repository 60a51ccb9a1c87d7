"""Preset names: the presets bundled in the package and the registry ``zoo_configs/presets.yaml``.

The registry maps a name to where its archive lives::

    presets:
      dcgan_mnist:
        url: https://example.org/keras_gans/dcgan_mnist.tar.gz   # https://, http:// or file://
        sha256: 3f5a...                                            # of the archive; checked after every download
        description: DCGAN on MNIST 28x28, 25 epochs.

Entries with ``bundled: true`` name presets that ship inside the package (``keras_gans/presets/<name>/``) and load
with no network; a bundled entry may also carry a ``url``/``sha256`` for the published archive. The file is looked
for at ``$KERAS_GANS_PRESET_REGISTRY``, else ``presets.yaml`` in ``$KERAS_GANS_CONFIGS``, the source tree's
``zoo_configs/`` or the installed ``share/keras_gans/zoo_configs/``. :func:`register_preset` adds entries at run time.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["bundled_presets_dir", "list_presets", "register_preset", "registry_entry", "registry_path"]

_RUNTIME_ENTRIES: dict[str, dict[str, Any]] = {}
_ENTRY_KEYS = {"url", "sha256", "description", "bundled"}


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
        return Path(os.environ["KERAS_GANS_PRESET_REGISTRY"])
    candidates = []
    if os.environ.get("KERAS_GANS_CONFIGS"):
        candidates.append(Path(os.environ["KERAS_GANS_CONFIGS"]) / "presets.yaml")
    candidates.append(Path(__file__).resolve().parents[2] / "zoo_configs" / "presets.yaml")
    candidates.append(Path(sys.prefix) / "share" / "keras_gans" / "zoo_configs" / "presets.yaml")
    return next((p for p in candidates if p.is_file()), None)


def _registry() -> dict[str, dict[str, Any]]:
    entries: dict[str, dict[str, Any]] = {}
    path = registry_path()
    if path is not None:
        import yaml

        with open(path) as f:
            data = yaml.safe_load(f) or {}
        presets = data.get("presets") or {}
        if not isinstance(presets, dict):
            raise ValueError(f"{path}: 'presets' must map names to entries")
        for name, entry in presets.items():
            entries[str(name)] = _check_entry(str(name), entry or {}, str(path))
    entries.update(_RUNTIME_ENTRIES)
    return entries


def _check_entry(name: str, entry: dict, source: str) -> dict[str, Any]:
    unknown = sorted(set(entry) - _ENTRY_KEYS)
    if unknown:
        raise ValueError(f"{source}: preset {name!r} has unknown keys {unknown}; allowed: {sorted(_ENTRY_KEYS)}")
    if not entry.get("url") and not entry.get("bundled"):
        raise ValueError(f"{source}: preset {name!r} needs a url (or bundled: true)")
    if entry.get("url") and not entry.get("sha256") and not str(entry["url"]).startswith("hf://"):
        raise ValueError(f"{source}: preset {name!r} needs the sha256 of its archive")
    return dict(entry)


def register_preset(name: str, url: str, sha256: str | None = None, description: str = "") -> None:
    """Adds (or replaces) a registry entry for this process: ``load_gan(name)`` then fetches ``url``."""
    _RUNTIME_ENTRIES[name] = _check_entry(name, {"url": url, "sha256": sha256, "description": description}, "runtime")


def registry_entry(name: str) -> dict[str, Any] | None:
    """The registry entry of a name (with ``"path"`` set for bundled presets), or None when it is unknown."""
    entry = dict(_registry().get(name) or {})
    bundled = _bundled()
    if name in bundled:
        entry["path"] = str(bundled[name])
    elif entry.get("bundled") and not entry.get("url"):
        missing = bundled_presets_dir() / name
        raise FileNotFoundError(f"Preset {name!r} is registered as bundled but {missing} is missing")
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
