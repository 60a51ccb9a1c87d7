"""The pure parts of benchmarks/zoo_table.py: the curve's evaluation points, the clock that pauses while it
evaluates, the wall-clock budget stop, the mean curve and the keras.io baselines' shapes and ranges."""

from __future__ import annotations

import importlib.util
import os
import sys

import numpy as np
import pytest

BENCHMARKS = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "benchmarks")


def _load(name: str):
    spec = importlib.util.spec_from_file_location(name, os.path.join(BENCHMARKS, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(name, module)
    spec.loader.exec_module(module)
    return sys.modules[name]


zoo_table = _load("zoo_table")  # puts benchmarks/ on sys.path, so its siblings import by name
import keras_io_baselines  # noqa: E402
import zoo_curves  # noqa: E402


def test_eval_points_are_evenly_spaced_and_end_at_the_end():
    assert zoo_curves.eval_steps(780, 4) == [195, 390, 585, 780]
    assert zoo_curves.eval_steps(3, 5) == [1, 2, 3]  # no repeats, no step 0
    assert zoo_curves.eval_seconds(20.0, 2) == [10.0, 20.0]
    with pytest.raises(ValueError, match="eval points"):
        zoo_curves.eval_steps(10, 0)


class FakeClock:
    """Time that moves only when the test says: one second per training step, 100 per evaluation."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _fit(recorder, clock, steps=20):
    import keras

    class Tick(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            clock.now += 1.0

    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.zeros((steps, 2), "float32")
    model.fit(x, x[:, :1], batch_size=1, epochs=1, verbose=0, callbacks=[Tick(), recorder])


def test_budget_stops_fit_and_evaluation_time_is_not_training_time():
    clock = FakeClock()
    calls = []

    def evaluate():
        calls.append(clock.now)
        clock.now += 100.0  # a slow evaluation must not eat the budget
        return {"fid": float(len(calls))}

    recorder = zoo_curves.curve_recorder(evaluate, [2.0, 4.0], unit="seconds", budget_seconds=5.0, clock=clock)
    _fit(recorder, clock)
    assert recorder.steps == 5  # stopped at 5 training seconds, not at the 20 steps of the data
    assert recorder.training_seconds() == pytest.approx(5.0)
    assert recorder.eval_s == pytest.approx(200.0)
    assert [(p["step"], p["train_s"], p["fid"]) for p in recorder.curve] == [(2, 2.0, 1.0), (4, 4.0, 2.0)]


def test_step_points_evaluate_once_per_threshold_without_a_budget():
    clock = FakeClock()
    recorder = zoo_curves.curve_recorder(lambda: {"fid": 1.0}, [3, 6], unit="steps", clock=clock)
    _fit(recorder, clock, steps=8)
    assert recorder.steps == 8
    assert [p["step"] for p in recorder.curve] == [3, 6]


def test_mean_curve_averages_points_over_seeds_that_have_them():
    a = [{"step": 10, "train_s": 1.0, "fid": 100.0}, {"step": 20, "train_s": 3.0, "fid": 50.0}]
    b = [{"step": 10, "train_s": 2.0, "fid": 80.0}]
    xs, ys = zoo_curves.mean_curve([a, b], "train_s", "fid")
    np.testing.assert_allclose(xs, [1.5, 3.0])
    np.testing.assert_allclose(ys, [90.0, 50.0])


def test_generator_stages_keep_a_grid_of_at_least_seven_pixels():
    stages = keras_io_baselines.generator_stages
    assert [stages(s, s, 3) for s in (8, 28, 32, 64)] == [1, 2, 2, 3]  # 64: the face example's 8x8 start
    assert [stages(s, s, 2, min_start=1) for s in (8, 28, 30)] == [2, 2, 1]


@pytest.mark.parametrize("name", ["keras-io DCGAN", "keras-io CGAN"])
def test_keras_io_baselines_train_and_sample_in_range(name):
    import tensorflow as tf

    cls = zoo_table.model_class(name)
    conditional = zoo_table.is_conditional(cls)
    assert conditional == (name == "keras-io CGAN")
    model = cls(image_shape=(8, 8, 1), seed=0, **({"num_classes": 10} if conditional else {}))
    model.compile()
    rng = np.random.default_rng(0)
    images = rng.uniform(-1, 1, (16, 8, 8, 1)).astype("float32")
    elements = (images, np.arange(16) % 10) if conditional else images
    history = model.fit(tf.data.Dataset.from_tensor_slices(elements).batch(8), epochs=1, verbose=0)
    assert set(history.history) == {"d_loss", "g_loss"}
    assert all(np.isfinite(v[-1]) for v in history.history.values())
    kwargs = zoo_table.generate_kwargs(conditional, 20)
    samples = model.generate(seed=0, **kwargs)
    assert samples.shape == (20, 8, 8, 1) and samples.dtype == np.float32
    assert samples.min() >= -1.0 and samples.max() <= 1.0
    np.testing.assert_array_equal(samples, model.generate(seed=0, **kwargs))  # the seed fixes the samples


def test_grid_names_have_no_spaces():
    name = zoo_table.grid_name("digits", "keras-io DCGAN", "ema_decay=0.99")
    assert name == "digits_keras-io_DCGAN_ema_decay0p99.png"


def test_planned_steps_leave_the_tracing_overhead_out_of_the_budget():
    assert zoo_table.planned_steps(20.0, 0.5, 5.0) == 30  # (20 - 5) / 0.5
    assert zoo_table.planned_steps(3.0, 0.5, 5.0) == 1  # never zero steps
