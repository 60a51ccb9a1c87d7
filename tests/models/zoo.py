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


def _translation(cls_name: str, **kwargs):
    """A translation model at 8x8x1 with 4-filter networks (family "translation")."""

    def build(seed: int = 7, **extra):
        import keras_gans as kg

        if cls_name == "CycleGAN":
            common = {"shape_a": SHAPE, "shape_b": SHAPE, "filters": 4, "residual_blocks": 2}
        else:
            common = {"input_shape": SHAPE, "output_channels": SHAPE[-1], "filters": 4}
        return getattr(kg, cls_name)(**common, discriminator_filters=4, seed=seed, **kwargs, **extra)

    return build


def _super_resolution(cls_name: str, **kwargs):
    """A x2 super-resolution model, 4x4 -> 8x8x1, tiny networks; a D with 2 halvings (8x8 -> 2x2)."""

    def build(seed: int = 7, **extra):
        import keras_gans as kg

        discriminator = kg.networks.build_sr_discriminator(1, filters=4, stages=2, dense_units=8)
        common = {"scale": 2, "channels": 1, "filters": 4, "num_blocks": 1, "discriminator": discriminator}
        if cls_name == "ESRGAN":
            common["growth"] = 4
        return getattr(kg, cls_name)(**common, seed=seed, **kwargs, **extra)

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
    # A 2-layer mapping network keeps the traced step (R1 and path length: second-order gradients) small.
    ZooEntry("StyleGAN2", _latent("StyleGAN2", mapping_layers=2)),
    # 4 images at 4x4, a fade-in over 8, then 8x8: the first step of 8 trains at alpha 0.5, the second at 8x8.
    ZooEntry("ProGAN", _latent("ProGAN", max_filters=8, schedule=[4, 8, 4]), exact_with_xla_replicas=True),
    ZooEntry("Pix2Pix", _translation("Pix2Pix"), family="translation"),
    ZooEntry("CycleGAN", _translation("CycleGAN"), family="translation"),
    # SRGAN: one MSE pretraining step, then the GAN phase; ESRGAN: the GAN phase (relativistic D) from the start.
    # SRGAN-MSE (content on pixels); ESRGAN's perceptual loss on VGG19 (random weights) block1_conv2, pre-ReLU.
    # SRGAN ends in tanh; ESRGAN with bicubic_skip (the BicubicResidual output) through the whole contract.
    ZooEntry("SRGAN", _super_resolution("SRGAN", pretrain_steps=1, content=None), family="super_resolution"),
    ZooEntry(
        "ESRGAN",
        _super_resolution("ESRGAN", pretrain_steps=0, content="vgg19", content_layer="block1_conv2", bicubic_skip=True),
        family="super_resolution",
    ),
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


def _digit_images(n: int, offset: int = 0) -> np.ndarray:
    from sklearn.datasets import load_digits

    return (load_digits().images[offset : offset + n, :, :, None] / 8.0 - 1.0).astype("float32")


def _translation_training_data(entry: ZooEntry, n: int = 16):
    """Pix2Pix: digits -> their negatives (pairs); CycleGAN: digits (A) and other, inverted digits (B), unpaired."""
    if entry.name == "CycleGAN":
        return _digit_images(n), -_digit_images(n, offset=n)
    images = _digit_images(n)
    return images, -images


def _translation_serving_inputs(model, n: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    return {"inputs": rng.uniform(-1, 1, size=(n, *model.input_shape_of("a_to_b"))).astype("float32")}


def _translation_sampler_output(model, inputs: dict) -> np.ndarray:
    return model.translate(inputs["inputs"], direction="a_to_b")


def _translation_bad_batches(entry: ZooEntry, model):
    x, y = _translation_training_data(entry, 8)
    first, second = ("inputs", "targets") if entry.name == "Pix2Pix" else ("domain A images", "domain B images")
    cases = [
        ("uint8", (x * 127 + 128).astype("uint8"), y, "must be floats"),
        ("shape", np.zeros((8, 16, 16, 1), "float32"), y, rf"makes {first} of shape \(8, 8, 1\)"),
        ("channels", x, np.repeat(y, 3, axis=-1), rf"makes {second} of shape \(8, 8, 1\)"),
        ("no channel axis", x[..., 0], y, "no channel axis"),
        ("one part", x, None, "trains on"),
        ("counts", x, y[:6], "cardinality"),
    ]
    if entry.name == "Pix2Pix":
        cases.append(("unpaired", {"a": x, "b": y}, None, "unpaired.*Use CycleGAN"))
    else:
        cases.append(("paired", {"input": x, "target": y}, None, "paired.*use Pix2Pix"))
    return cases


def _translation_dict_batch(entry: ZooEntry, n: int) -> dict:
    x, y = _translation_training_data(entry, n)
    return {"input": x, "target": y} if entry.name == "Pix2Pix" else {"a": x, "b": y}


def _super_resolution_training_data(entry: ZooEntry, n: int = 16):
    """High-res digits only: the models make their 4x4 inputs by bicubic downsampling."""
    return _digit_images(n), None


def _super_resolution_serving_inputs(model, n: int, seed: int = 0) -> dict:
    rng = np.random.default_rng(seed)
    return {"low_res": rng.uniform(-1, 1, size=(n, 4, 3 + n % 3, model.channels)).astype("float32")}


def _super_resolution_sampler_output(model, inputs: dict) -> np.ndarray:
    return model.upscale(inputs["low_res"])


def _super_resolution_bad_batches(entry: ZooEntry, model):
    images = _digit_images(8)
    return [
        ("uint8", (images * 127 + 128).astype("uint8"), None, "must be floats"),
        ("not divisible", np.zeros((8, 9, 9, 1), "float32"), None, "multiples of 2"),
        ("channels", np.repeat(images, 3, axis=-1), None, "built for 1-channel images"),
        ("no channel axis", images[..., 0], None, "Add a channel axis"),
        ("labels", images, np.zeros(8, "int32"), "images only"),
        ("pair sizes", images, images, "2 times smaller"),
    ]


def _super_resolution_dict_batch(entry: ZooEntry, n: int) -> dict:
    return {"image": _digit_images(n)}


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
    "translation": FamilyHooks(
        training_data=_translation_training_data,
        serving_inputs=_translation_serving_inputs,
        sampler_output=_translation_sampler_output,
        bad_batches=_translation_bad_batches,
        dict_batch=_translation_dict_batch,
        sampled_network="primary_generator",
    ),
    "super_resolution": FamilyHooks(
        training_data=_super_resolution_training_data,
        serving_inputs=_super_resolution_serving_inputs,
        sampler_output=_super_resolution_sampler_output,
        bad_batches=_super_resolution_bad_batches,
        dict_batch=_super_resolution_dict_batch,
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
