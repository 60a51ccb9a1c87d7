"""Run configurations: defaults in code, YAML files in ``zoo_configs/`` that hold only the overrides.

A config names a model of the zoo and its arguments, a dataset, the optimizers and the training length. Unknown
keys are refused with the list of known ones, so a typo never passes silently.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Any

import yaml

__all__ = ["RunConfig", "find_config", "list_configs", "load_config", "model_names", "zoo_config_dirs"]


def model_names() -> tuple[str, ...]:
    """The models a config can name: the registry of :mod:`keras_gans.models.registry`."""
    from keras_gans.models import model_names as registered

    return registered()


@dataclasses.dataclass
class RunConfig:
    """Everything ``keras-gans train`` needs.

    Attributes:
        model: a registered model (``keras-gans info`` lists them): ``DCGAN``, ``CGAN``, ``WGANGP``...
        model_args: keyword arguments of the model (``latent_dim``, ``filters``, training options...).
        dataset: a name for :func:`keras_gans.data.load` (``digits`` needs no download).
        dataset_args: keyword arguments of the loader (``image_size``, ``split``...).
        batch_size: global batch size.
        epochs: epochs to train (a rerun on the same output folder continues up to this number).
        steps_per_epoch: cap on batches per epoch (``None``: the whole dataset).
        d_optimizer, g_optimizer: Keras optimizer configs (``{"class_name": "Adam", "config": {...}}``) or a
            short form ``{"learning_rate": ..., "beta_1": ...}`` meaning Adam; ``None``: the model's defaults.
        jit_compile: ``"auto"`` (XLA on GPU/TPU only), ``True`` or ``False``.
        seed: seed of the model's noise and of the data shuffling.
        sample_every: write a sample grid every this many epochs.
        grid_rows: rows of the sample grid.
        monitor: run the TrainingMonitor (``health.json``; a divergence stops the run with healthy weights).
        metrics_every: compute sample-quality metrics every this many epochs (and after the last); 0: never.
        metrics_samples: generated images (or examples) per metrics evaluation.
        metrics_extractor: ``"auto"``, ``"classifier"``, ``"inception"`` or a saved classifier ``.keras`` (see
            :mod:`keras_gans.run_metrics`).
        description: free text; where the values come from (papers).
    """

    model: str = "DCGAN"
    model_args: dict = dataclasses.field(default_factory=dict)
    dataset: str = "digits"
    dataset_args: dict = dataclasses.field(default_factory=dict)
    batch_size: int = 64
    epochs: int = 20
    steps_per_epoch: int | None = None
    d_optimizer: dict | None = None
    g_optimizer: dict | None = None
    jit_compile: Any = "auto"
    seed: int = 0
    sample_every: int = 1
    grid_rows: int = 8
    monitor: bool = True
    metrics_every: int = 5
    metrics_samples: int = 1000
    metrics_extractor: str = "auto"
    description: str = ""

    def __post_init__(self) -> None:
        if self.model not in model_names():
            raise ValueError(f"Unknown model {self.model!r}; choose one of {list(model_names())}.")
        if self.batch_size < 1 or self.epochs < 0:
            raise ValueError("batch_size must be >= 1 and epochs >= 0.")
        if self.jit_compile not in ("auto", True, False):
            raise ValueError(f"jit_compile must be 'auto', true or false, got {self.jit_compile!r}.")
        if not isinstance(self.monitor, bool):
            raise ValueError(f"monitor must be true or false, got {self.monitor!r}.")
        for key, least in (("metrics_every", 0), ("metrics_samples", 2)):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < least:
                raise ValueError(f"{key} must be an integer >= {least}, got {value!r}.")
        extractor = self.metrics_extractor
        if not isinstance(extractor, str) or (
            extractor not in ("auto", "classifier", "inception") and not os.path.isfile(extractor)
        ):
            raise ValueError(
                f"metrics_extractor {extractor!r}: not 'auto', 'classifier', 'inception' nor an existing file (a saved "
                "Keras classifier, .keras)."
            )

    @property
    def conditional(self) -> bool:
        """Whether the model trains on (images, labels): it has ``num_classes`` in its arguments."""
        return self.model_args.get("num_classes") is not None

    @classmethod
    def from_dict(cls, values: dict, source: str = "config") -> RunConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ValueError(f"Unknown key(s) {unknown} in {source}; known keys: {sorted(known)}.")
        return cls(**values)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def with_overrides(self, overrides: dict) -> RunConfig:
        return RunConfig.from_dict({**self.to_dict(), **overrides}, source="overrides")

    def build_optimizers(self):
        """The (d, g) optimizers, or ``(None, None)`` to use the model's defaults."""
        return _optimizer(self.d_optimizer, "d_optimizer"), _optimizer(self.g_optimizer, "g_optimizer")


def _optimizer(spec: dict | None, name: str):
    if spec is None:
        return None
    import keras

    if "class_name" not in spec:
        spec = {"class_name": "Adam", "config": dict(spec)}
    spec = {"class_name": spec["class_name"], "config": {**spec.get("config", {}), "name": name}}
    return keras.optimizers.deserialize(spec)


def zoo_config_dirs() -> list[Path]:
    """Where named configs live: ``$KERAS_GANS_CONFIGS``, the source tree's ``zoo_configs/``, the installed copy."""
    import sys

    dirs = []
    if os.environ.get("KERAS_GANS_CONFIGS"):
        dirs.append(Path(os.environ["KERAS_GANS_CONFIGS"]))
    dirs.append(Path(__file__).resolve().parent.parent / "zoo_configs")
    dirs.append(Path(sys.prefix) / "share" / "keras_gans" / "zoo_configs")
    return [d for d in dirs if d.is_dir()]


def list_configs() -> list[str]:
    """Names of the configs in ``zoo_configs/`` (model x dataset)."""
    names = set()
    for directory in zoo_config_dirs():
        names.update(p.stem for p in directory.glob("*.yaml") if p.stem != "presets")
    return sorted(names)


def find_config(name_or_path: str) -> Path:
    """The file of a config given by path or by name (``dcgan_digits``)."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    for directory in zoo_config_dirs():
        candidate = directory / f"{name_or_path}.yaml"
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(f"No config file or zoo config named {name_or_path!r}; available: {list_configs()}.")


def load_config(name_or_path: str) -> RunConfig:
    """A :class:`RunConfig` from a YAML file of overrides (a path or a name in ``zoo_configs/``)."""
    path = find_config(name_or_path)
    with open(path) as f:
        values = yaml.safe_load(f) or {}
    if not isinstance(values, dict):
        raise ValueError(f"{path} must hold a mapping of config keys.")
    return RunConfig.from_dict(values, source=str(path))
