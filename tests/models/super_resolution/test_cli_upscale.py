"""keras-gans upscale: a tiled upscale of an image file; user errors are one line with exit code 2."""

import numpy as np
from PIL import Image

import keras_gans as kg
from keras_gans import cli


def test_upscale_command(tmp_path, capsys):
    model = kg.SRGAN(scale=2, channels=1, filters=4, num_blocks=1, d_filters=4, content=None, seed=0)
    model.compile()
    path = tmp_path / "sr.keras"
    model.save(path)
    pixels = (np.random.default_rng(0).uniform(0, 255, (21, 30))).astype("uint8")
    Image.fromarray(pixels).save(tmp_path / "in.png")
    out = tmp_path / "out.png"
    code = cli.main(
        ["upscale", "--model", str(path), "--input", str(tmp_path / "in.png"), "--output", str(out), "--tile-size", "8"]
    )
    assert code == 0
    written = np.asarray(Image.open(out))
    assert written.shape == (42, 60)
    expected = model.upscale(pixels[None, :, :, None].astype("float32") / 127.5 - 1.0)[0, ..., 0]
    assert np.abs(written.astype(float) - np.round((expected + 1) * 127.5)).max() <= 1
    assert (
        cli.main(["upscale", "--model", str(path), "--input", str(tmp_path / "missing.png"), "--output", str(out)]) == 2
    )
    assert "no such image file" in capsys.readouterr().err
    assert cli.main(["upscale", "--model", str(path), "--input", str(tmp_path / "in.png"), "--output", "x.txt"]) == 2
    assert "not an image format" in capsys.readouterr().err
