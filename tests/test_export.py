"""keras_gans.export: SavedModels (Keras' ``export`` semantics and TF Serving's layout), checked in fresh processes
and with saved_model_cli; the refusals of bad names, labels and z inside the signatures."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg
from keras_gans.export import next_version
from keras_gans.utils.images import to_uint8

OUTPUTS = ("images", "images_uint8", "png_bytes")
LABELS = np.array([0, 4, 9, 2, 2], dtype=np.int32)

# Loads both exports in a fresh process (no keras_gans, no Keras models: what a server has) and calls every
# signature; batch sizes 2 and 5 show the batch dimension is dynamic.
_LOADER = textwrap.dedent(
    """
    import json, sys
    import numpy as np
    import tensorflow as tf

    dcgan_dir, cgan_dir, out = sys.argv[1:4]
    inputs = np.load(out + ".in.npz")
    results, info = {}, {}
    for key, path in (("dcgan", dcgan_dir), ("cgan", cgan_dir)):
        loaded = tf.saved_model.load(path)
        info[key] = sorted(loaded.signatures)
        serve, generate = loaded.signatures["serving_default"], loaded.signatures["generate"]
        for n in (2, 5):
            feed = {"z": tf.constant(inputs[key + "_z"][:n])}
            if key == "cgan":
                feed["labels"] = tf.constant(inputs["labels"][:n])
            for name, value in serve(**feed).items():
                results[f"{key}_serve{n}_{name}"] = value.numpy()
        if key == "cgan":
            generated = generate(seed=tf.constant(11, tf.int64), labels=tf.constant(inputs["labels"]))
        else:
            generated = generate(num_samples=tf.constant(5), seed=tf.constant(11, tf.int64))
        for name, value in generated.items():
            results[f"{key}_generate_{name}"] = value.numpy()
    np.savez(out, **results)
    print(json.dumps(info))
    """
)


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Exports a DCGAN (with EMA) and a CGAN, then runs the three outside checks in parallel processes."""
    tmp = tmp_path_factory.mktemp("export")
    dcgan = kg.DCGAN(image_shape=(8, 8, 1), latent_dim=8, filters=8, seed=5, ema_decay=0.5)
    cgan = kg.CGAN(image_shape=(8, 8, 1), latent_dim=8, filters=8, num_classes=10, seed=6)
    for gan in (dcgan, cgan):
        gan.compile()
    # Make the EMA weights differ from the live generator's, so that the test sees which one is exported.
    for v in dcgan.generator.trainable_variables:
        v.assign(v * 1.5)
    base = tmp / "models"
    dcgan_dir = dcgan.export(str(base), tf_serving_layout=True, model_name="digits", outputs=OUTPUTS)
    cgan_dir = kg.export.export_saved_model(cgan, base, outputs=OUTPUTS)
    inputs = {"dcgan_z": dcgan.latents(5, seed=2), "cgan_z": cgan.latents(5, seed=2), "labels": LABELS}
    out = str(tmp / "loaded")
    np.savez(out + ".in.npz", **inputs)
    np.savez(tmp / "cli_in.npz", seed=np.int64(11), labels=LABELS)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2", "CUDA_VISIBLE_DEVICES": ""}
    cli = shutil.which("saved_model_cli")
    if cli is None:
        pytest.fail("saved_model_cli (installed with TensorFlow) is not on PATH")
    commands = {
        "loader": [sys.executable, "-c", _LOADER, dcgan_dir, cgan_dir, out],
        "show": [cli, "show", "--all", "--dir", cgan_dir],
        "run": [
            cli,
            "run",
            "--dir",
            cgan_dir,
            "--tag_set",
            "serve",
            "--signature_def",
            "generate",
            "--inputs",
            f"seed={tmp / 'cli_in.npz'}[seed];labels={tmp / 'cli_in.npz'}[labels]",
            "--outdir",
            str(tmp / "cli_out"),
            "--overwrite",
        ],
    }
    processes = {
        name: subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        for name, cmd in commands.items()
    }
    logs = {}
    for name, process in processes.items():
        stdout, stderr = process.communicate(timeout=180)
        assert process.returncode == 0, f"{name} failed:\n{stderr[-3000:]}"
        logs[name] = stdout
    return {
        "dcgan": dcgan,
        "cgan": cgan,
        "base": base,
        "dcgan_dir": dcgan_dir,
        "cgan_dir": cgan_dir,
        "inputs": inputs,
        "results": dict(np.load(out + ".npz", allow_pickle=True)),  # PNGs are bytes objects
        "signatures": json.loads(logs["loader"]),
        "show": logs["show"],
        "cli_out": tmp / "cli_out",
    }


def _check_outputs(results, prefix, expected):
    np.testing.assert_allclose(results[f"{prefix}_images"], expected, atol=1e-5)
    assert results[f"{prefix}_images"].dtype == np.float32
    np.testing.assert_array_equal(results[f"{prefix}_images_uint8"], to_uint8(results[f"{prefix}_images"]))
    pngs = [tf.io.decode_png(png).numpy() for png in results[f"{prefix}_png_bytes"]]
    np.testing.assert_array_equal(np.stack(pngs), results[f"{prefix}_images_uint8"])


def test_layout(exported):
    base = exported["base"]
    assert exported["dcgan_dir"] == str(base / "digits" / "1")
    assert exported["cgan_dir"] == str(base / exported["cgan"].name / "1")  # Keras may number the name
    assert (base / "digits" / "1" / "saved_model.pb").is_file()
    assert sorted(p.name for p in (base / "digits").iterdir()) == ["1"]  # no temporary folder left
    assert next_version(base / "digits") == 2
    with pytest.raises(FileExistsError):
        exported["dcgan"].export(str(base), tf_serving_layout=True, model_name="digits", version=1)
    with pytest.raises(ValueError, match="unknown outputs"):
        exported["dcgan"].export(str(base / "x"), outputs=("jpeg",))
    for name in ("../outside", "a/b", "..", ""):
        with pytest.raises(ValueError, match="plain folder name"):
            exported["dcgan"].export(str(base), tf_serving_layout=True, model_name=name)
    assert not (base.parent / "outside").exists()


def test_export_follows_keras_semantics(exported, tmp_path):
    """``model.export(path)``: ``path`` is the SavedModel; nothing is replaced unless asked."""
    path = exported["dcgan"].export(tmp_path / "sm")
    assert path == str(tmp_path / "sm") and (tmp_path / "sm" / "saved_model.pb").is_file()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        exported["dcgan"].export(tmp_path / "sm")
    exported["dcgan"].export(tmp_path / "sm", overwrite=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sm"]  # no temporary folder left
    with pytest.raises(ValueError, match="no PNG encoder"):
        exported["dcgan"].export(tmp_path / "m.onnx", format="onnx", outputs=("png_bytes",))
    with pytest.raises(ValueError, match="Unknown export format"):
        exported["dcgan"].export(tmp_path / "m.pt", format="torch")


def test_signatures_refuse_bad_labels_and_z(exported):
    loaded = tf.saved_model.load(exported["cgan_dir"])
    serve = loaded.signatures["serving_default"]
    z = tf.zeros([2, 8])
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"labels must be class indices in \[0, 10\)"):
        serve(z=z, labels=tf.constant([0, 10], tf.int32))
    with pytest.raises(tf.errors.InvalidArgumentError, match=r"labels must be class indices"):
        serve(z=z, labels=tf.constant([-1, 0], tf.int32))
    with pytest.raises((ValueError, TypeError, tf.errors.InvalidArgumentError)):
        serve(z=tf.zeros([2, 5]), labels=tf.constant([0, 1], tf.int32))


def test_signatures_in_a_fresh_process_match_generate(exported):
    assert exported["signatures"] == {"cgan": ["generate", "serving_default"], "dcgan": ["generate", "serving_default"]}
    results, inputs = exported["results"], exported["inputs"]
    dcgan, cgan = exported["dcgan"], exported["cgan"]
    for n in (2, 5):
        _check_outputs(results, f"dcgan_serve{n}", dcgan.generate(z=inputs["dcgan_z"][:n]))
        _check_outputs(results, f"cgan_serve{n}", cgan.generate(z=inputs["cgan_z"][:n], labels=LABELS[:n]))
    _check_outputs(results, "dcgan_generate", dcgan.generate(5, seed=11))
    _check_outputs(results, "cgan_generate", cgan.generate(labels=LABELS, seed=11))
    # The EMA generator was exported, not the live one.
    live = dcgan.generator(inputs["dcgan_z"], training=False).numpy()
    assert np.abs(live - results["dcgan_serve5_images"]).max() > 1e-3


def test_saved_model_cli_show(exported):
    show = exported["show"]
    for signature in ("signature_def['serving_default']", "signature_def['generate']"):
        assert signature in show
    for line in (
        "inputs['z'] tensor_info:",
        "inputs['labels'] tensor_info:",
        "inputs['seed'] tensor_info:",
        "outputs['images'] tensor_info:",
        "outputs['png_bytes'] tensor_info:",
        "shape: (-1, 8)",
        "shape: (-1, 8, 8, 1)",
        "tensorflow/serving/predict",
    ):
        assert line in show, line


def test_saved_model_cli_run(exported):
    images = np.load(exported["cli_out"] / "images.npy")
    np.testing.assert_allclose(images, exported["cgan"].generate(labels=LABELS, seed=11), atol=1e-5)
    np.testing.assert_array_equal(np.load(exported["cli_out"] / "images_uint8.npy"), to_uint8(images))


def test_cli_export(exported, tmp_path, capsys):
    from keras_gans import cli, hub

    preset = hub.save_preset(exported["cgan"], tmp_path / "cgan_preset", samples=False)
    argv = ["export", "--preset", str(preset), "--output", str(tmp_path / "serving"), "--name", "cgan_digits"]
    assert cli.main([*argv, "--outputs", "images,png_bytes"]) == 2  # --name is for --tf-serving
    assert cli.main([*argv, "--tf-serving", "--outputs", "images,png_bytes"]) == 0
    assert (tmp_path / "serving" / "cgan_digits" / "1" / "saved_model.pb").is_file()
    assert "serving_default, generate" in capsys.readouterr().out
    assert cli.main(["export", "--preset", str(preset), "--output", str(tmp_path / "m.onnx"), "--format", "onnx"]) == 0
    assert (tmp_path / "m.onnx").is_file() and "(serving_default)" in capsys.readouterr().out
    loaded = tf.saved_model.load(str(tmp_path / "serving" / "cgan_digits" / "1"))
    assert set(loaded.signatures["generate"].structured_outputs) == {"images", "png_bytes"}
