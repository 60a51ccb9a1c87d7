"""keras_gans.hub.model_card: presets of every family (translators, upscalers) say what the model takes and gives."""

from __future__ import annotations

import json

import numpy as np
import pytest

import keras_gans as kg
from keras_gans import hub
from keras_gans.hub import model_card
from keras_gans.hub import registry as registry_lib


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_GANS_HOME", str(tmp_path / "home"))
    registry = tmp_path / "presets.yaml"
    registry.write_text("presets: {}\n")
    monkeypatch.setenv("KERAS_GANS_PRESET_REGISTRY", str(registry))
    monkeypatch.setattr(registry_lib, "_RUNTIME_ENTRIES", {})


def _images(n: int, size: int = 8, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1, 1, (n, size, size, 1)).astype("float32")


@pytest.fixture(scope="module")
def tiny_models() -> dict:
    pix2pix = kg.Pix2Pix(input_shape=(8, 8, 1), output_channels=1, filters=4, discriminator_filters=4, seed=0)
    cyclegan = kg.CycleGAN(
        shape_a=(8, 8, 1), shape_b=(8, 8, 1), filters=4, residual_blocks=1, discriminator_filters=4, seed=0
    )
    srgan = kg.SRGAN(scale=2, channels=1, filters=4, num_blocks=1, d_filters=4, content=None, seed=0)
    for model in (pix2pix, cyclegan, srgan):
        model.compile()
    pix2pix.sample_inputs = {"a": _images(3), "target": _images(3, seed=1)}
    cyclegan.sample_inputs = {"a": _images(2), "b": _images(2, seed=1)}
    srgan.sample_inputs = _images(4, size=16)
    return {"pix2pix": pix2pix, "cyclegan": cyclegan, "srgan": srgan}


@pytest.mark.parametrize(
    "kind, facts, usage",
    [
        ("pix2pix", {"directions": {"a_to_b": {"input_shape": [8, 8, 1], "output_shape": [8, 8, 1]}}}, "translate"),
        (
            "cyclegan",
            {"directions": {d: {"input_shape": [8, 8, 1], "output_shape": [8, 8, 1]} for d in ("a_to_b", "b_to_a")}},
            "--direction b_to_a",
        ),
        ("srgan", {"scale": 2, "channels": 1}, "keras-gans upscale --preset"),
    ],
)
def test_presets_of_translators_and_upscalers(kind, facts, usage, tiny_models, tmp_path):
    model = tiny_models[kind]
    folder = hub.save_preset(model, tmp_path / kind, {"metrics": {"psnr": 12.5}}, include_optimizer=False)
    metadata = hub.load_metadata(folder)
    assert metadata["family"] == model.family and metadata["model_class"] == type(model).__name__
    assert {key: metadata[key] for key in facts} == facts
    assert "latent_dim" not in metadata and "image_shape" not in metadata  # no facts of another family
    card = (folder / "README.md").read_text()
    assert usage in card and "| psnr | 12.5 |" in card
    assert (folder / "samples.png").stat().st_size > 100
    loaded = type(model).from_preset(folder)  # from_preset is on every family now
    assert type(loaded) is type(model)
    if kind == "srgan":
        low = _images(2)
        np.testing.assert_allclose(loaded.upscale(low), model.upscale(low), atol=1e-6)
    else:
        x = _images(2)
        for direction in model.generators:
            np.testing.assert_allclose(loaded.translate(x, direction), model.translate(x, direction), atol=1e-6)


def test_load_gan_loads_any_family_and_from_preset_refuses_another_class(tiny_models, tmp_path):
    folder = hub.save_preset(tiny_models["pix2pix"], tmp_path / "p2p", samples=False)
    assert isinstance(hub.load_gan(folder), kg.Pix2Pix)
    with pytest.raises(TypeError, match="holds a Pix2Pix, not a CycleGAN"):
        kg.CycleGAN.from_preset(folder)
    with pytest.raises(TypeError, match="holds a Pix2Pix, not a DCGAN"):
        kg.DCGAN.from_preset(folder)


def test_latent_card_keeps_its_facts():
    gan = kg.DCGAN(image_shape=(8, 8, 1), latent_dim=8, filters=8, seed=0)
    facts = model_card.model_facts(gan)
    assert facts == {"family": "latent", "image_shape": [8, 8, 1], "latent_dim": 8, "num_classes": None}
    metadata = {**model_card.model_metadata(gan, "g"), "metrics": {"fid": 3.0, "settings": {"x": 1}}}
    card = model_card.model_card(json.loads(json.dumps(metadata)), samples=False)
    assert "images = model.generate(16, seed=0)" in card and "| fid | 3 |" in card and "| settings" not in card


def test_a_family_presets_do_not_know_is_refused():
    class Other:
        family = "audio"

    with pytest.raises(ValueError, match="family 'audio'.*FAMILY_FACTS"):
        model_card.model_facts(Other())
