"""Every model of the zoo, tiny, for the contract test: adding a model to the zoo is adding an entry here.

Each entry builds the model at 8x8x1 (the embedded sklearn digits' size) with a few filters and names its family.
A family (:class:`FamilyHooks`, one per ``model.family``) says what its models train on, how to call their sampler
with the inputs of the ``serving_default`` signature (the reference an export is checked against), the reference of
their ``generate`` signature if they have one, and the bad batches their data spec must refuse.
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
    family: str = "latent"  # the key of its FamilyHooks in FAMILIES


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


def _latent_training_data(entry: ZooEntry, n: int = 16):
    """``n`` real digits (8x8, [-1, 1]) and their labels folded into ``NUM_CLASSES`` classes."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    images = (digits.images[:n, :, :, None] / 8.0 - 1.0).astype("float32")
    labels = (digits.target[:n] % NUM_CLASSES).astype("int32")
    return (images, labels) if entry.labels else (images, None)


def _latent_serving_inputs(model, n: int, seed: int = 0) -> dict:
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


def _latent_sampler_output(model, inputs: dict) -> np.ndarray:
    """What the model's own sampler gives for ``serving_default``'s inputs."""
    if "categorical" in inputs:
        codes = {"categorical": inputs["categorical"], "continuous": inputs["continuous"]}
        return model.generate(len(inputs["z"]), z=inputs["z"], codes=codes)
    return model.generate(z=inputs["z"], labels=inputs.get("labels"))


def _latent_generate_reference(model, n: int, seed: int):
    """``(generate signature inputs, sampler output)`` for the exported ``generate`` signature."""
    if getattr(model, "num_classes", None):
        labels = (np.arange(n) % model.num_classes).astype("int32")
        return {"seed": np.int64(seed), "labels": labels}, model.generate(labels=labels, seed=seed)
    return {"num_samples": np.int32(n), "seed": np.int64(seed)}, model.generate(n, seed=seed)


def _latent_bad_batches(entry: ZooEntry, model):
    images, labels = _latent_training_data(entry, 8)
    wrong_size = np.zeros((8, 16, 16, 1), "float32")
    cases = [
        ("uint8", (images * 127 + 128).astype("uint8"), labels, "must be floats"),
        ("shape", wrong_size, labels, r"makes images of shape \(8, 8, 1\)"),
        ("no channel axis", images[..., 0], labels, "no channel axis"),
    ]
    if entry.labels:
        cases += [
            ("no labels", images, None, "conditional: it trains on"),
            ("float labels", images, labels.astype("float32"), "integer class labels"),
            ("one-hot labels", images, np.eye(NUM_CLASSES, dtype="int32")[labels], "one-hot"),
        ]
    else:
        cases.append(("labels given", images, labels if labels is not None else np.zeros(8, "int32"), "unconditional"))
    return cases


def _latent_dict_batch(entry: ZooEntry, n: int) -> dict:
    images, labels = _latent_training_data(entry, n)
    return {"image": images} if labels is None else {"image": images, "label": labels}


@dataclasses.dataclass(frozen=True)
class FamilyHooks:
    """How the contract test drives the models of one family.

    training_data(entry, n) -> (x, y) for ``fit(x, y)`` (y may be None); serving_inputs(model, n, seed) -> the
    ``serving_default`` inputs by name; sampler_output(model, inputs) -> what the model's own sampler gives for them;
    generate_reference(model, n, seed) -> (``generate`` signature inputs, expected images), or None when the family
    exports no ``generate``; bad_batches(entry, model) -> [(case, x, y, message regex)]; dict_batch(entry, n) -> a
    TFDS-style dict element the family understands, or None; sampled_network: the network whose compute dtype the
    mixed-precision check reads.
    """

    training_data: Callable
    serving_inputs: Callable
    sampler_output: Callable
    bad_batches: Callable
    generate_reference: Callable | None = None
    dict_batch: Callable | None = None
    sampled_network: str = "generator"


FAMILIES = {
    "latent": FamilyHooks(
        training_data=_latent_training_data,
        serving_inputs=_latent_serving_inputs,
        sampler_output=_latent_sampler_output,
        bad_batches=_latent_bad_batches,
        generate_reference=_latent_generate_reference,
        dict_batch=_latent_dict_batch,
    ),
}


def hooks(entry_or_model) -> FamilyHooks:
    """The family hooks of a zoo entry or a model."""
    return FAMILIES[entry_or_model.family]


def training_data(entry: ZooEntry, n: int = 16):
    return hooks(entry).training_data(entry, n)


def serving_inputs(model, n: int, seed: int = 0) -> dict:
    return hooks(model).serving_inputs(model, n, seed)


def sampler_output(model, inputs: dict) -> np.ndarray:
    return hooks(model).sampler_output(model, inputs)
