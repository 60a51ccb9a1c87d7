"""Pretrained presets: load them by name, path or URL, list them, and save your own. See ``docs/hub.md``.

import keras_gans as kg

gan = kg.hub.load_gan("dcgan_digits")            # bundled: no network
images = gan.generate(16, seed=0)
kg.hub.save_preset(gan, "my_preset", metadata={"dataset": "digits"})
"""

from keras_gans.hub.download import DownloadError, HashMismatchError, PresetError, cache_dir, download_file
from keras_gans.hub.loading import (
    PresetFileError,
    PresetNotFoundError,
    load_gan,
    load_generator,
    load_metadata,
    resolve_preset,
)
from keras_gans.hub.preset import pack_preset, read_metadata, save_preset
from keras_gans.hub.registry import RegistryWarning, list_presets, register_preset

__all__ = [
    "DownloadError",
    "HashMismatchError",
    "PresetError",
    "PresetFileError",
    "PresetNotFoundError",
    "RegistryWarning",
    "cache_dir",
    "download_file",
    "list_presets",
    "load_gan",
    "load_generator",
    "load_metadata",
    "pack_preset",
    "read_metadata",
    "register_preset",
    "resolve_preset",
    "save_preset",
]
