"""keras_gans.serving_formats: ONNX and LiteRT files from tf.functions over tiny Keras networks, checked against
the Keras forward pass (inference mode) at batch 2 and 5, and the refusals (Philox sampling, PNG)."""

from __future__ import annotations

import os
import sys
import types

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans import serving_formats as sf

LATENT = 4
CLASSES = 10
# The converters rewrite BatchNormalization as a scale and shift (folded into a convolution where they can) and
# onnxruntime / XNNPACK order the sums their own way, so float32 results differ from Keras' by a few ulps (seen:
# <= 1.5e-7 on these nets, outputs in [-1, 1]).
ATOL = 1e-5


def _needs_onnx() -> None:
    for name in ("onnx", "tf2onnx", "onnxruntime"):
        pytest.importorskip(name, reason=f"{name} is not installed ({sf.ONNX_INSTALL})")


def _needs_litert() -> None:
    try:
        sf._litert_interpreter()
    except ImportError as err:
        pytest.skip(str(err))


@pytest.fixture
def needs_litert():
    _needs_litert()


@pytest.fixture(params=["onnx", "litert"])
def fmt(request) -> str:
    """The format under test; skipped when its optional packages are not installed."""
    _needs_onnx() if request.param == "onnx" else _needs_litert()
    return request.param


def _randomize_batchnorm(model: keras.Model, seed: int) -> keras.Model:
    """Non-trivial moving statistics, so that a converter that ignored them would be caught."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            gamma, beta, mean, var = (w.shape for w in layer.get_weights())
            layer.set_weights(
                [
                    rng.uniform(0.5, 1.5, gamma).astype("float32"),
                    rng.normal(0, 0.2, beta).astype("float32"),
                    rng.normal(0, 0.3, mean).astype("float32"),
                    rng.uniform(0.5, 2.0, var).astype("float32"),
                ]
            )
    return model


def _upsample(x: keras.KerasTensor) -> keras.KerasTensor:
    x = keras.layers.Dense(4 * 4 * 8)(x)
    x = keras.layers.Reshape((4, 4, 8))(x)
    x = keras.layers.Conv2DTranspose(1, 3, strides=2, padding="same")(x)
    x = keras.layers.BatchNormalization()(x)
    return keras.layers.Activation("tanh")(x)


@pytest.fixture(scope="module")
def generator() -> keras.Model:
    keras.utils.set_random_seed(1)
    z = keras.Input((LATENT,), name="z")
    return _randomize_batchnorm(keras.Model(z, _upsample(z)), 1)


@pytest.fixture(scope="module")
def conditional() -> keras.Model:
    keras.utils.set_random_seed(2)
    z = keras.Input((LATENT,), name="z")
    labels = keras.Input((), dtype="int32", name="labels")
    x = keras.layers.Concatenate()([z, keras.layers.Embedding(CLASSES, LATENT)(labels)])
    return _randomize_batchnorm(keras.Model([z, labels], _upsample(x)), 2)


@pytest.fixture(scope="module")
def translator() -> keras.Model:
    """Image -> image with dynamic H, W (even sizes: one stride-2 step down and up)."""
    keras.utils.set_random_seed(3)
    images = keras.Input((None, None, 3), name="images")
    x = keras.layers.Conv2D(8, 3, strides=2, padding="same")(images)
    x = keras.layers.BatchNormalization()(x)
    x = keras.layers.LeakyReLU(0.2)(x)
    x = keras.layers.Conv2DTranspose(3, 3, strides=2, padding="same")(x)
    return _randomize_batchnorm(keras.Model(images, keras.layers.Activation("tanh")(x)), 3)


Z_SPEC = tf.TensorSpec([None, LATENT], tf.float32, name="z")
LABELS_SPEC = tf.TensorSpec([None], tf.int32, name="labels")


def _serve_z(generator: keras.Model):
    @tf.function(input_signature=[Z_SPEC])
    def serve(z):
        return {"images": generator(z, training=False)}

    return serve


def _generate(generator: keras.Model):
    """Like keras_gans.export's generate signature: Philox latents from (num_samples, seed)."""

    @tf.function(
        input_signature=[tf.TensorSpec([], tf.int32, name="num_samples"), tf.TensorSpec([], tf.int64, name="seed")]
    )
    def generate(num_samples, seed):
        seed = tf.stack([seed, tf.constant(1, tf.int64)])
        z = tf.random.stateless_normal(tf.stack([num_samples, LATENT]), seed=seed, alg="philox")
        return {"images": generator(z, training=False)}

    return generate


def _png(generator: keras.Model):
    @tf.function(input_signature=[Z_SPEC])
    def png(z):
        pixels = tf.cast(tf.clip_by_value(tf.round((generator(z, training=False) + 1.0) * 127.5), 0, 255), tf.uint8)
        return {"png_bytes": tf.map_fn(tf.io.encode_png, pixels, fn_output_signature=tf.TensorSpec([], tf.string))}

    return png


def _write(fmt: str, functions, path, **kwargs) -> str:
    return (sf.write_onnx if fmt == "onnx" else sf.write_litert)(functions, path, **kwargs)


def _run(fmt: str, path, inputs, signature=None) -> dict[str, np.ndarray]:
    if fmt == "onnx":
        return sf.run_onnx(path, inputs)
    return sf.run_litert(path, inputs, signature=signature)


SUFFIX = {"onnx": ".onnx", "litert": ".tflite"}


def test_generator_dynamic_batch(fmt, generator, tmp_path):
    path = _write(fmt, _serve_z(generator), tmp_path / f"g{SUFFIX[fmt]}")
    rng = np.random.default_rng(0)
    for n in (2, 5):
        z = rng.normal(size=(n, LATENT)).astype("float32")
        out = _run(fmt, path, {"z": z})
        assert list(out) == ["images"] and out["images"].shape == (n, 8, 8, 1)
        np.testing.assert_allclose(out["images"], generator(z, training=False).numpy(), rtol=0, atol=ATOL)


def test_conditional_int32_labels(fmt, conditional, tmp_path):
    @tf.function(input_signature=[Z_SPEC, LABELS_SPEC])
    def serve(z, labels):
        return {"images": conditional([z, labels], training=False)}

    path = _write(fmt, serve, tmp_path / f"c{SUFFIX[fmt]}")
    rng = np.random.default_rng(1)
    for n in (2, 5):
        z = rng.normal(size=(n, LATENT)).astype("float32")
        labels = rng.integers(0, CLASSES, n).astype("int32")
        out = _run(fmt, path, {"z": z, "labels": labels})
        ref = conditional([z, labels], training=False).numpy()
        np.testing.assert_allclose(out["images"], ref, rtol=0, atol=ATOL)
    # Other labels give other images: the labels input is wired in, not folded away.
    assert not np.allclose(_run(fmt, path, {"z": z, "labels": (labels + 1) % CLASSES})["images"], ref, atol=1e-3)


def test_image_to_image_dynamic_height_width(fmt, translator, tmp_path):
    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.float32, name="images")])
    def translate(images):
        return translator(images, training=False)  # a bare tensor: the output is named output_0

    path = _write(fmt, translate, tmp_path / f"t{SUFFIX[fmt]}")
    rng = np.random.default_rng(2)
    for n, (h, w) in ((2, (8, 8)), (5, (12, 16))):
        images = rng.uniform(-1, 1, size=(n, h, w, 3)).astype("float32")
        out = _run(fmt, path, {"images": images})
        assert list(out) == ["output_0"] and out["output_0"].shape == (n, h, w, 3)
        np.testing.assert_allclose(out["output_0"], translator(images, training=False).numpy(), rtol=0, atol=ATOL)


def test_several_signatures_and_uint8(fmt, generator, tmp_path):
    @tf.function(input_signature=[Z_SPEC])
    def uint8(z):
        images = generator(z, training=False)
        pixels = tf.cast(tf.clip_by_value(tf.round((images + 1.0) * 127.5), 0.0, 255.0), tf.uint8)
        return {"images": images, "images_uint8": pixels}

    functions = {"serving_default": _serve_z(generator), "uint8": uint8}
    path = _write(fmt, functions, tmp_path / f"m{SUFFIX[fmt]}")
    assert path == str(tmp_path / f"m{SUFFIX[fmt]}")
    if fmt == "onnx":
        files = sf.onnx_paths(path, list(functions))
        assert files == {"serving_default": path, "uint8": str(tmp_path / "m.uint8.onnx")}
        assert sorted(os.listdir(tmp_path)) == ["m.onnx", "m.uint8.onnx"]
    else:
        files = dict.fromkeys(functions, path)
        assert sorted(os.listdir(tmp_path)) == ["m.tflite"]
    z = np.random.default_rng(3).normal(size=(5, LATENT)).astype("float32")
    ref = generator(z, training=False).numpy()
    np.testing.assert_allclose(_run(fmt, files["serving_default"], {"z": z})["images"], ref, rtol=0, atol=ATOL)
    out = _run(fmt, files["uint8"], {"z": z}, signature="uint8")
    assert sorted(out) == ["images", "images_uint8"] and out["images_uint8"].dtype == np.uint8
    expected = np.clip(np.round((ref + 1.0) * 127.5), 0, 255)
    # A value within ATOL of a .5 rounding boundary may round the other way.
    assert np.abs(out["images_uint8"].astype(int) - expected).max() <= 1


def test_stateless_random_generate_is_refused(fmt, generator, tmp_path):
    functions = {"serving_default": _serve_z(generator), "generate": _generate(generator)}
    with pytest.raises(sf.UnsupportedSignatureError, match="SavedModel") as info:
        _write(fmt, functions, tmp_path / f"g{SUFFIX[fmt]}")
    assert info.value.signature == "generate" and "StatelessRandomNormalV2" in info.value.ops
    assert os.listdir(tmp_path) == []


@pytest.mark.usefixtures("needs_litert")
def test_litert_select_tf_ops_keeps_philox(generator, tmp_path):
    """With Select TF ops the Philox ops convert (as Flex ops); the pip interpreters are not linked with Flex."""
    generate = _generate(generator)
    path = sf.write_litert({"generate": generate}, tmp_path / "g.tflite", select_tf_ops=True)
    try:
        out = sf.run_litert(path, {"num_samples": 3, "seed": 7})
    except RuntimeError as err:
        assert "Flex" in str(err)
    else:  # a runtime with the Flex delegate: TF's own kernels, so TF's numbers
        ref = generate(tf.constant(3), tf.constant(7, tf.int64))["images"].numpy()
        np.testing.assert_allclose(out["images"], ref, rtol=0, atol=ATOL)


def test_png_is_refused_and_nothing_is_left(fmt, generator, tmp_path):
    (tmp_path / "other.txt").write_text("kept")
    with pytest.raises(sf.UnsupportedSignatureError, match="EncodePng") as info:
        _write(fmt, {"serving_default": _serve_z(generator), "png": _png(generator)}, tmp_path / f"p{SUFFIX[fmt]}")
    assert "SavedModel" in str(info.value)
    assert os.listdir(tmp_path) == ["other.txt"]


def test_failed_write_leaves_nothing(fmt, generator, tmp_path, monkeypatch):
    functions = {"serving_default": _serve_z(generator), "again": _serve_z(generator)}
    calls = []

    def failing_write(path, data):
        calls.append(path)
        if len(calls) == (2 if fmt == "onnx" else 1):  # ONNX: the second of two files
            raise OSError("disk full")
        with open(path, "wb") as f:
            f.write(data)

    monkeypatch.setattr(sf, "_write_bytes", failing_write)
    with pytest.raises(OSError, match="disk full"):
        _write(fmt, functions, tmp_path / f"f{SUFFIX[fmt]}")
    assert calls and all(p.parent == tmp_path and p.name.endswith(".tmp") for p in calls)
    assert os.listdir(tmp_path) == []


def test_overwrite_refused_unless_asked(fmt, generator, tmp_path):
    functions = {"serving_default": _serve_z(generator), "again": _serve_z(generator)}
    names = ["x.onnx", "x.again.onnx"] if fmt == "onnx" else ["x.tflite"]
    existing = tmp_path / names[-1]
    existing.write_bytes(b"old")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        _write(fmt, functions, tmp_path / f"x{SUFFIX[fmt]}")
    assert existing.read_bytes() == b"old" and os.listdir(tmp_path) == [existing.name]
    _write(fmt, functions, tmp_path / f"x{SUFFIX[fmt]}", overwrite=True)
    assert existing.read_bytes() != b"old" and sorted(os.listdir(tmp_path)) == sorted(names)


def test_bad_arguments(generator, tmp_path):
    with pytest.raises(ValueError, match="input_signature"):
        sf.write_litert(tf.function(lambda z: generator(z)), tmp_path / "a.tflite")
    with pytest.raises(TypeError, match="tf.function"):
        sf.write_litert(generator, tmp_path / "a.tflite")
    with pytest.raises(ValueError, match="must match"):
        sf.write_litert({"has space": _serve_z(generator)}, tmp_path / "a.tflite")
    with pytest.raises(ValueError, match="not be one of"):
        sf.write_litert({"variables": _serve_z(generator)}, tmp_path / "a.tflite")
    with pytest.raises(ValueError, match=r"\.tflite"):
        sf.write_litert(_serve_z(generator), tmp_path / "a.lite")
    with pytest.raises(ValueError, match=r"\.onnx"):
        sf.onnx_paths(tmp_path / "a", ["serving_default"])
    assert os.listdir(tmp_path) == []


@pytest.mark.usefixtures("needs_litert")
def test_run_litert_checks_names_and_signatures(generator, tmp_path):
    path = sf.write_litert({"a": _serve_z(generator), "b": _serve_z(generator)}, tmp_path / "ab.tflite")
    z = np.zeros((2, LATENT), np.float64)  # cast to float32
    np.testing.assert_array_equal(
        sf.run_litert(path, {"z": z}, "a")["images"], sf.run_litert(path, {"z": z}, "b")["images"]
    )
    with pytest.raises(KeyError, match="signatures"):
        sf.run_litert(path, {"z": z})  # two signatures, none named serving_default
    with pytest.raises(KeyError, match="takes inputs"):
        sf.run_litert(path, {"x": z}, "a")
    with pytest.raises(TypeError, match="float32"):
        sf.run_litert(path, {"z": z.astype(np.complex64)}, "a")


@pytest.mark.usefixtures("needs_litert")
def test_run_litert_falls_back_to_tf_lite(generator, tmp_path, monkeypatch):
    path = sf.write_litert(_serve_z(generator), tmp_path / "g.tflite")
    z = np.random.default_rng(4).normal(size=(2, LATENT)).astype("float32")
    expected = sf.run_litert(path, {"z": z})["images"]
    monkeypatch.setitem(sys.modules, "ai_edge_litert", None)
    monkeypatch.setitem(sys.modules, "ai_edge_litert.interpreter", None)
    np.testing.assert_allclose(sf.run_litert(path, {"z": z})["images"], expected, rtol=0, atol=ATOL)


def test_friendly_import_errors(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "tf2onnx", None)
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(ImportError, match=r"pip install \"keras-gans\[onnx\]\""):
        sf.write_onnx(_serve_z(keras.Sequential()), tmp_path / "a.onnx")
    with pytest.raises(ImportError, match=r"onnxruntime==1\.32\.0"):
        sf.run_onnx(tmp_path / "a.onnx", {})
    monkeypatch.setitem(sys.modules, "ai_edge_litert", None)
    monkeypatch.setitem(sys.modules, "ai_edge_litert.interpreter", None)
    monkeypatch.setattr(sf, "tf", types.SimpleNamespace(lite=types.SimpleNamespace()))
    with pytest.raises(ImportError, match=r"pip install \"keras-gans\[litert\]\""):
        sf.run_litert(tmp_path / "a.tflite", {})


def test_unconvertible_op_is_refused_after_conversion(fmt, tmp_path):
    """An op neither tf2onnx nor LiteRT's builtins know: ONNX is checked after tf2onnx (which would write it
    anyway), LiteRT's converter error becomes the same exception."""

    @tf.function(input_signature=[tf.TensorSpec([None, 3], tf.float32, name="x")])
    def igamma(x):
        return tf.math.igamma(x + 2.0, x + 1.0)

    with pytest.raises(sf.UnsupportedSignatureError, match="Igamma") as info:
        _write(fmt, igamma, tmp_path / f"i{SUFFIX[fmt]}")
    assert info.value.ops == ["Igamma"] and "SavedModel" in str(info.value)
    assert os.listdir(tmp_path) == []
