"""The contract every model of the zoo passes (tests/models/zoo.py lists them; adding a model adds its row).

One train step in graph mode and with XLA; 2-replica MirroredStrategy equal to one device on the same global batch;
a mixed_bfloat16 step; ``.keras`` save/load/resume identical; export (SavedModel, ONNX, LiteRT) equal to the
sampler; the bad-input errors of its data; it is registered and exported at the top level.
"""

import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import zoo  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
NAMES = [entry.name for entry in zoo.ZOO]


def _fit(model, entry, epochs=1, n=16, callbacks=None):
    x, y = zoo.training_data(entry, n)
    return model.fit(x, y, batch_size=8, epochs=epochs, shuffle=False, verbose=0, callbacks=callbacks)


def _all_weights(model):
    return [v.numpy() for network in model.networks.values() for v in network.weights]


def test_every_registered_model_is_in_the_contract_and_exported():
    in_zoo = {entry.build().__class__.__name__ for entry in zoo.ZOO}
    assert set(kg.models.model_names()) == in_zoo
    assert set(kg.models.model_names()) <= set(kg.__all__)


@pytest.mark.parametrize("jit", [False, True], ids=["graph", "xla"])
@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=pytest.mark.heavy(seconds=97)) if n == "CycleGAN" else n for n in NAMES]
)
def test_train_step(name, jit, tmp_path):
    entry = zoo.BY_NAME[name]
    model = entry.build()
    model.compile(jit_compile=jit)
    before = {n: [w.numpy() for w in network.trainable_weights] for n, network in model.networks.items()}
    monitor = kg.callbacks.TrainingMonitor(path=tmp_path / "health.json", verbose=0)
    history = _fit(model, entry, callbacks=[monitor])
    assert json.loads((tmp_path / "health.json").read_text())["status"]  # the monitor reads every model's logs
    logs = {k: v[-1] for k, v in history.history.items()}
    assert set(model.log_names()) == set(logs) - {"fixed_diversity"}  # the monitor adds its own log
    assert all(np.isfinite(v) for v in logs.values()), logs
    for network_name, network in model.networks.items():
        changed = [np.abs(a - w.numpy()).max() > 0 for a, w in zip(before[network_name], network.trainable_weights)]
        assert any(changed), f"{network_name} did not change"
    assert int(model.step_counter.numpy()) == 2
    for player in model.players():
        assert int(getattr(model, player.optimizer).iterations.numpy()) == 2 * player.repeats


@pytest.mark.heavy(seconds=210)
@pytest.mark.parametrize(
    "jit", [False, pytest.param(True, id="xla_per_replica")], ids=lambda j: "graph" if j is False else None
)
def test_two_replicas_equal_one_device(tmp_path, jit):
    names = NAMES if not jit else [e.name for e in zoo.ZOO if e.exact_with_xla_replicas]
    out = tmp_path / "mirrored.json"
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run(
        [sys.executable, os.path.join(HERE, "contract_runs.py"), ",".join(names), "1" if jit else "0", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    results = json.loads(out.read_text())
    assert set(results) == set(names)
    for name, result in results.items():
        assert result["moved"] > 1e-4, (name, result)  # the step did something
        assert result["max_diff"] < 1e-5, (name, result)
        assert result["steps"] == 1


@pytest.mark.parametrize("name", NAMES)
def test_mixed_bfloat16_step(name):
    entry = zoo.BY_NAME[name]
    keras.mixed_precision.set_global_policy("mixed_bfloat16")
    try:
        model = entry.build()
        model.compile()
        history = _fit(model, entry, n=8)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    assert getattr(model, zoo.hooks(model).sampled_network).compute_dtype == "bfloat16"
    images = zoo.sampler_output(model, zoo.serving_inputs(model, 3))
    assert images.dtype == np.float32 and np.isfinite(images).all()
    assert np.abs(images).max() <= 1.0  # every sampler gives images in [-1, 1] (linear outputs are clipped)


@pytest.mark.parametrize("name", NAMES)
def test_save_load_resume_identical(name, tmp_path):
    entry = zoo.BY_NAME[name]
    model = entry.build()
    model.compile()
    _fit(model, entry)
    path = tmp_path / "model.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(model) and loaded.get_config().keys() == model.get_config().keys()
    inputs = zoo.serving_inputs(model, 4)
    np.testing.assert_array_equal(zoo.sampler_output(loaded, inputs), zoo.sampler_output(model, inputs))
    assert int(loaded.step_counter.numpy()) == int(model.step_counter.numpy()) == 2
    first, second = _fit(model, entry), _fit(loaded, entry)
    for a, b in zip(_all_weights(model), _all_weights(loaded)):
        np.testing.assert_allclose(a, b, atol=1e-6)
    for key in first.history:
        np.testing.assert_allclose(first.history[key], second.history[key], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("name", NAMES)
def test_export_matches_the_sampler(name, tmp_path):
    from keras_gans.serving_formats import run_litert, run_onnx

    entry = zoo.BY_NAME[name]
    model = entry.build()
    model.compile()
    _fit(model, entry, n=8)
    saved = model.export(tmp_path / "saved", outputs=("images", "images_uint8"))
    loaded = tf.saved_model.load(saved)
    reference = zoo.hooks(model).generate_reference
    assert {"serving_default"} | ({"generate"} if reference else set()) <= set(loaded.signatures)
    for n in (2, 5):
        inputs = zoo.serving_inputs(model, n, seed=n)
        expected = zoo.sampler_output(model, inputs)
        got = loaded.signatures["serving_default"](**{k: tf.constant(v) for k, v in inputs.items()})
        np.testing.assert_allclose(got["images"].numpy(), expected, atol=1e-5)
        assert got["images_uint8"].dtype == tf.uint8
    if reference:
        inputs, expected = reference(model, 5, seed=11)
        got = loaded.signatures["generate"](**{k: tf.constant(v) for k, v in inputs.items()})
        np.testing.assert_allclose(got["images"].numpy(), expected, atol=1e-5)

    inputs = zoo.serving_inputs(model, 3, seed=3)
    expected = zoo.sampler_output(model, inputs)
    onnx_path = model.export(tmp_path / "model.onnx", format="onnx")
    np.testing.assert_allclose(run_onnx(onnx_path, inputs)["images"], expected, atol=1e-5)
    litert_path = model.export(tmp_path / "model.tflite", format="litert")
    np.testing.assert_allclose(run_litert(litert_path, inputs)["images"], expected, atol=1e-5)


@pytest.mark.parametrize("name", NAMES)
def test_bad_data_is_refused_with_the_fix(name):
    entry = zoo.BY_NAME[name]
    model = entry.build()
    model.compile()
    for _case, x, y, message in zoo.hooks(entry).bad_batches(entry, model):
        with pytest.raises(ValueError, match=message):
            model.fit(x, y, batch_size=8, epochs=1, verbose=0)
        model.train_function = None  # retrace for the next case
    dict_batch = zoo.hooks(entry).dict_batch
    if dict_batch:  # TFDS-style dict batches are understood.
        model.fit(tf.data.Dataset.from_tensor_slices(dict_batch(entry, 8)).batch(8), epochs=1, verbose=0)
