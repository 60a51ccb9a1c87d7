"""``keras-gans translate`` and ``keras-gans evaluate`` on tiny saved translation models and a tmp folder of PNGs."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image

import keras_gans as kg
from keras_gans import cli

SHAPE = (8, 8, 1)


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    """A Pix2Pix and a CycleGAN at 8x8x1 (4 filters), as built (translation needs no training), saved as .keras."""
    folder = tmp_path_factory.mktemp("models")
    pix2pix = kg.Pix2Pix(input_shape=SHAPE, output_channels=1, filters=4, discriminator_filters=4, seed=0)
    cyclegan = kg.CycleGAN(shape_a=SHAPE, shape_b=SHAPE, filters=4, residual_blocks=1, discriminator_filters=4, seed=0)
    paths = {"pix2pix": str(folder / "p2p.keras"), "cyclegan": str(folder / "cyc.keras")}
    pix2pix.save(paths["pix2pix"])
    cyclegan.save(paths["cyclegan"])
    return {**paths, "models": {"pix2pix": pix2pix, "cyclegan": cyclegan}}


def _png_folder(path, count: int = 3, size=(8, 8), mode: str = "L"):
    path.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(1)
    for i in range(count):
        channels = {"L": (), "RGB": (3,)}[mode]
        Image.fromarray(rng.integers(0, 256, (*size, *channels), dtype=np.uint8), mode).save(path / f"img{i}.png")
    (path / "notes.txt").write_text("not an image")
    return path


def test_translate_writes_one_png_per_input_equal_to_the_model(saved, tmp_path, capsys):
    source = _png_folder(tmp_path / "in")
    sub = _png_folder(tmp_path / "in" / "nested", count=1, size=(16, 12), mode="RGB")  # resized, made grey
    assert (
        cli.main(["translate", "--model", saved["pix2pix"], "--input", str(source), "--output", str(tmp_path / "out")])
        == 0
    )
    assert "Wrote 4 translated image(s)" in capsys.readouterr().out
    written = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.png"))
    assert written == ["img0.png", "img1.png", "img2.png", "nested/img0.png"]
    image = np.asarray(Image.open(source / "img1.png"), np.float32)[None, ..., None] / 127.5 - 1
    expected = kg.utils.images.to_uint8(saved["models"]["pix2pix"].translate(image))[0, ..., 0]
    np.testing.assert_array_equal(np.asarray(Image.open(tmp_path / "out" / "img1.png")), expected)
    assert Image.open(tmp_path / "out" / "nested" / "img0.png").size == (8, 8) and sub.is_dir()


def test_translate_cyclegan_both_directions(saved, tmp_path):
    source = _png_folder(tmp_path / "in", count=2)
    for direction in ("a_to_b", "b_to_a"):
        out = tmp_path / direction
        args = ["translate", "--model", saved["cyclegan"], "--input", str(source), "--output", str(out)]
        assert cli.main([*args, "--direction", direction]) == 0
        assert len(list(out.glob("*.png"))) == 2


def _one_line_error(capsys, argv, pattern: str) -> None:
    import re

    assert cli.main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith(f"keras-gans {argv[0]}: error:"), err
    assert re.search(pattern, err[0]), err[0]


def test_user_errors_are_one_line_with_exit_code_2(saved, tmp_path, capsys):
    source = _png_folder(tmp_path / "in", count=1)
    out = str(tmp_path / "out")
    model = ["--model", saved["pix2pix"]]
    _one_line_error(capsys, ["translate", *model, "--input", str(tmp_path / "nope"), "--output", out], "not a folder")
    _one_line_error(
        capsys,
        ["translate", *model, "--input", str(source), "--output", out, "--direction", "b_to_a"],
        r"Pix2Pix translates 'a_to_b'; got direction='b_to_a'",
    )
    _one_line_error(
        capsys,
        ["translate", "--model", saved["cyclegan"], "--input", str(source), "--output", out, "--direction", "atob"],
        "did you mean 'a_to_b'",
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    _one_line_error(capsys, ["translate", *model, "--input", str(empty), "--output", out], "no images")
    (tmp_path / "file").write_text("")
    _one_line_error(
        capsys, ["translate", *model, "--input", str(source), "--output", str(tmp_path / "file")], "is a file"
    )
    _one_line_error(capsys, ["translate", "--input", str(source), "--output", out], "exactly one of --model")


def test_evaluate_a_translation_model_on_held_out_pairs(saved, tmp_path, capsys, monkeypatch):
    import keras_gans.data as data_lib
    from keras_gans.data.translation_tasks import PairedTask

    rng = np.random.default_rng(2)
    inputs = rng.uniform(-1, 1, (12, *SHAPE)).astype(np.float32)
    monkeypatch.setattr(
        data_lib, "edges2digits_arrays", lambda split="test", image_size=None: PairedTask(inputs, -inputs, np.zeros(12))
    )
    output = tmp_path / "results.json"
    argv = ["evaluate", "--model", saved["pix2pix"], "--dataset", "edges2digits", "--output", str(output)]
    assert cli.main(argv) == 0
    results = json.loads(output.read_text())
    expected = kg.metrics.image_quality_scores(saved["models"]["pix2pix"].translate(inputs), -inputs)
    for name in ("psnr", "ssim", "l1"):
        np.testing.assert_allclose(results[name], expected[name], rtol=1e-4)
    capsys.readouterr()
    _one_line_error(capsys, ["evaluate", "--model", saved["pix2pix"]], "needs held-out pairs or domains")
    _one_line_error(
        capsys,
        ["evaluate", "--model", saved["cyclegan"], "--dataset", "digits2mnist"],
        "--classifier PATH.keras is needed",
    )
