"""The bundled presets of every family: they load offline as the right class, the CLI uses them, and a recorded
metric is what re-evaluating the preset gives (scripts/build_presets.py builds them; docs/hub.md lists them)."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import keras_gans as kg
from keras_gans import cli, hub
from keras_gans.model_evaluation import evaluate_model

ROOT = Path(__file__).resolve().parents[2]

#: name -> (class, what it can do)
BUNDLED = {
    "pix2pix_edges2digits": (kg.Pix2Pix, "translate"),
    "cyclegan_digits2mnist": (kg.CycleGAN, "translate"),
    "srgan_digits": (kg.SRGAN, "upscale"),
    "stylegan2_digits": (kg.StyleGAN2, "generate"),
    "progan_digits": (kg.ProGAN, "generate"),
}
MAX_PRESET_BYTES = 6 * 2**20


@pytest.fixture
def offline(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a bundled preset must not touch the network")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_preset_loads_offline_as_its_class(name, offline):
    cls, capability = BUNDLED[name]
    presets = hub.list_presets()
    assert presets[name]["source"] == "bundled" and "zoo_configs" in presets[name]["description"]
    model = hub.load_gan(name)
    assert type(model) is cls and hasattr(model, capability)
    metadata = hub.load_metadata(name)
    assert metadata["family"] == model.family and metadata["model_class"] == cls.__name__
    assert metadata["optimizer_state"] is False and metadata["training_steps"] > 0
    assert metadata["training"]["command"] == f"keras-gans train --config zoo_configs/{name}.yaml"
    numbers = {k: v for k, v in metadata["metrics"].items() if k != "settings"}
    assert numbers and all(np.isfinite(v) for v in numbers.values())
    folder = Path(presets[name]["path"])
    assert sum(p.stat().st_size for p in folder.iterdir()) < MAX_PRESET_BYTES
    card = (folder / "README.md").read_text()
    assert f'kg.hub.load_gan("{name}")' in card and "## Metrics" in card


def _write_pngs(images: np.ndarray, folder: Path) -> None:
    folder.mkdir()
    for index, image in enumerate(images):
        Image.fromarray(np.round((image[..., 0] + 1) * 127.5).astype("uint8")).save(folder / f"{index}.png")


def _read_pngs(folder: Path) -> np.ndarray:
    return np.stack([np.asarray(Image.open(folder / f"{i}.png"), "float32") / 127.5 - 1 for i in range(8)])[..., None]


def test_translate_edges_with_the_pix2pix_preset(tmp_path, offline, capsys):
    task = kg.data.edges2digits_arrays("test", image_size=32)
    _write_pngs(task.inputs[:8], tmp_path / "edges")
    code = cli.main(
        [
            "translate",
            "--preset",
            "pix2pix_edges2digits",
            "--input",
            str(tmp_path / "edges"),
            "--output",
            str(tmp_path / "out"),
        ]
    )
    assert code == 0 and "Wrote 8 translated image(s)" in capsys.readouterr().out
    outputs = _read_pngs(tmp_path / "out")
    assert outputs.shape == (8, 32, 32, 1)
    # the digits are filled in: much closer to the targets than the edge maps are
    assert np.abs(outputs - task.targets[:8]).mean() < 0.5 * np.abs(task.inputs[:8] - task.targets[:8]).mean()


def test_translate_mnist_to_digits_with_the_cyclegan_preset(tmp_path, offline, capsys):
    task = kg.data.digits2mnist_arrays("test")
    _write_pngs(task.images_b[:8], tmp_path / "mnist")
    argv = ["translate", "--preset", "cyclegan_digits2mnist", "--direction", "b_to_a"]
    code = cli.main([*argv, "--input", str(tmp_path / "mnist"), "--output", str(tmp_path / "out")])
    assert code == 0 and "Wrote 8 translated image(s)" in capsys.readouterr().out
    outputs = _read_pngs(tmp_path / "out")
    model = hub.load_gan("cyclegan_digits2mnist")
    expected = model.translate(_read_pngs(tmp_path / "mnist"), direction="b_to_a")
    assert outputs.shape == (8, 28, 28, 1) and np.abs(outputs - expected).max() <= 2 / 255 + 1e-6


def test_upscale_a_digit_with_the_srgan_preset(tmp_path, offline, capsys):
    digit = kg.data.edges2digits_arrays("test").targets[0]  # an MNIST digit, 28x28: any size is upscaled
    Image.fromarray(np.round((digit[..., 0] + 1) * 127.5).astype("uint8")).save(tmp_path / "x.png")
    argv = [
        "upscale",
        "--preset",
        "srgan_digits",
        "--input",
        str(tmp_path / "x.png"),
        "--output",
        str(tmp_path / "y.png"),
    ]
    assert cli.main(argv) == 0 and "28x28 -> 56x56 (x2" in capsys.readouterr().out
    assert np.asarray(Image.open(tmp_path / "y.png")).shape == (56, 56)


@pytest.mark.parametrize("name", ["stylegan2_digits", "progan_digits"])
def test_sample_the_style_based_presets(name, tmp_path, offline, capsys):
    out = tmp_path / "grid.png"
    assert cli.main(["sample", "--preset", name, "--num", "16", "--rows", "4", "--output", str(out)]) == 0
    assert "Wrote 16 samples" in capsys.readouterr().out
    grid = np.asarray(Image.open(out))
    side = (4 * (16 + 2) + 2) * 2  # 4 cells of 16 pixels and 2 of padding, enlarged twice (to 32 pixels a digit)
    assert grid.shape[:2] == (side, side)
    assert grid.std() > 20  # digits on a background, not a flat image


#: name -> (images or samples to re-evaluate with, {metric: tolerance}); the preset recorded all held-out images
#: (2,000 samples for the sampler, whose FID grows a little with fewer samples).
REPRODUCED = {
    "pix2pix_edges2digits": (300, {"psnr": 1.0, "ssim": 0.03, "accuracy": 0.05}),
    "srgan_digits": (300, {"psnr": 1.0, "psnr_bicubic": 1.0, "accuracy": 0.05}),
    "stylegan2_digits": (500, {"fid": 6.0, "precision": 0.1}),
}


@pytest.mark.parametrize("name", REPRODUCED)
def test_recorded_metrics_are_what_re_evaluating_the_preset_gives(name, offline, monkeypatch):
    """The preset re-evaluated by the same code (keras_gans.model_evaluation) on fewer images or samples."""
    monkeypatch.chdir(ROOT)  # the classifier paths in the settings are relative to the repository
    metadata = hub.load_metadata(name)
    config = metadata["training"]["config"]
    settings = metadata["metrics"]["settings"]
    classifier = {d: s["classifier"] for d, s in settings.items()} if "a_to_b" in settings else settings["classifier"]
    num_samples, tolerances = REPRODUCED[name]
    again = evaluate_model(hub.load_gan(name), config["dataset"], config.get("dataset_args"), classifier, num_samples)
    for metric, tolerance in tolerances.items():
        assert abs(again[metric] - metadata["metrics"][metric]) < tolerance, metric
