"""Every model of the zoo, tiny, for the contract test: adding a model to the zoo is adding an entry here.

Each entry builds the model at 8x8x1 (the embedded sklearn digits' size) with a few filters, says what it trains
on, and how to call its sampler with the inputs of its ``serving_default`` signature (the reference an export is
checked against).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import numpy as np

SHAPE = (8, 8, 1)
NUM_CLASSES = 3
CODES = {"categorical_codes": (3,), "continuous_codes": 1}


@dataclasses.dataclass(frozen=True)
class ZooEntry:
    name: str
    build: Callable
    labels: bool = False  # trains on (images, labels)
    # 2 XLA replicas equal one XLA device: nothing needs a cross-replica op inside the per-replica XLA function
    # (synchronized batch norm, the unrolled GAN's gather of the global batch fall back to per-replica there).
    exact_with_xla_replicas: bool = False


def _latent(cls_name: str, **kwargs):
    def build(seed: int = 7, **extra):
        import keras_gans as kg

        common = {"image_shape": SHAPE, "latent_dim": 4, "seed": seed}
        if cls_name == "GAN":
            common["hidden_units"] = ((8,), (8,))
        else:
            common["filters"] = 4
        return getattr(kg, cls_name)(**common, **kwargs, **extra)

    return build


ZOO = [
    ZooEntry("GAN", _latent("GAN"), exact_with_xla_replicas=True),
    ZooEntry("DCGAN", _latent("DCGAN")),
    ZooEntry("CGAN", _latent("CGAN", num_classes=NUM_CLASSES), labels=True),
    ZooEntry("WGANGP", _latent("WGANGP", discriminator_steps=2)),
    ZooEntry("LSGAN", _latent("LSGAN")),
    ZooEntry("WGAN", _latent("WGAN", discriminator_steps=2)),
    ZooEntry("SNGAN", _latent("SNGAN")),
    ZooEntry("ACGAN", _latent("ACGAN", num_classes=NUM_CLASSES), labels=True),
    ZooEntry("InfoGAN", _latent("InfoGAN", **CODES)),
    ZooEntry("GAN_UNROLLED", _latent("GAN", unrolled_steps=2)),
]
BY_NAME = {entry.name: entry for entry in ZOO}


def training_data(entry: ZooEntry, n: int = 16):
    """``n`` real digits (8x8, [-1, 1]) and their labels folded into ``NUM_CLASSES`` classes."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images[:n, :, :, None] / 8.0 - 1.0).astype("float32")
    labels = (digits.target[:n] % NUM_CLASSES).astype("int32")
    return (images, labels) if entry.labels else (images, None)


def serving_inputs(model, n: int, seed: int = 0) -> dict:
    """Inputs of ``serving_default`` for ``n`` images, by input name."""
    rng = np.random.default_rng(seed)
    inputs = {"z": rng.normal(size=(n, model.latent_dim)).astype("float32")}
    if getattr(model, "num_classes", None):
        inputs["labels"] = (np.arange(n) % model.num_classes).astype("int32")
    if hasattr(model, "categorical_codes"):
        k = len(model.categorical_codes)
        inputs["categorical"] = (np.arange(n * k).reshape(n, k) % np.array(model.categorical_codes)).astype("int32")
        inputs["continuous"] = rng.uniform(-1, 1, size=(n, model.continuous_codes)).astype("float32")
    return inputs


def sampler_output(model, inputs: dict) -> np.ndarray:
    """What the model's own sampler gives for ``serving_default``'s inputs."""
    if "categorical" in inputs:
        codes = {"categorical": inputs["categorical"], "continuous": inputs["continuous"]}
        return model.generate(len(inputs["z"]), z=inputs["z"], codes=codes)
    return model.generate(z=inputs["z"], labels=inputs.get("labels"))


def generate_reference(model, n: int, seed: int):
    """``(generate signature inputs, sampler output)`` for the exported ``generate`` signature."""
    if getattr(model, "num_classes", None):
        labels = (np.arange(n) % model.num_classes).astype("int32")
        return {"seed": np.int64(seed), "labels": labels}, model.generate(labels=labels, seed=seed)
    return {"num_samples": np.int32(n), "seed": np.int64(seed)}, model.generate(n, seed=seed)
