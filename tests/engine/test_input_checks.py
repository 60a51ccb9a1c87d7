"""The value checks of every batch ``fit`` trains on (keras_gans.engine.data_spec): each kind of bad batch stops
``fit`` with a BadBatchError naming the problem and the fix, before it changes any weight, in graph mode, with XLA,
eagerly and under a 2-replica MirroredStrategy; good data trains; the checks can be turned off."""

import json
import os
import re
import subprocess
import sys

import numpy as np
import pytest

import keras_gans as kg
from keras_gans.engine.data_spec import BadBatchError

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SHAPE = (8, 8, 1)
NUM_CLASSES = 3
JIT_MODES = [pytest.param(False, id="graph"), pytest.param(True, id="xla")]


def digits(n=16):
    from sklearn.datasets import load_digits

    data = load_digits()
    images = (data.images[:n, :, :, None] / 8.0 - 1.0).astype("float32")
    return images, (data.target[:n] % NUM_CLASSES).astype("int32")


def _with_pixel(images, value, index=77):
    bad = images.copy()
    bad.reshape(-1)[index] = value
    return bad


def bad_value_cases(conditional: bool) -> dict:
    """case -> (images, labels or None, message regex); every one refused at the first batch (step 0)."""
    images, labels = digits()
    y = labels if conditional else None
    cases = {
        "0_255": (images * 127.5 + 127.5, y, r"images are in \[0, 255\].*divide by 127\.5 and subtract 1"),
        "0_1": ((images + 1) / 2, y, r"images are in \[0, 1\].*multiply by 2 and subtract 1.*check_unit_range"),
        "nan": (_with_pixel(images, np.nan), y, "images hold NaN or inf values .*step 0"),
        "inf": (_with_pixel(images, np.inf), y, "images hold NaN or inf values"),
        "-inf": (_with_pixel(images, -np.inf), y, "images hold NaN or inf values"),
        "standardised": ((images - images.mean()) / images.std(), y, r"must be in \[-1, 1\] but .*spans"),
        "overshoot": (images * 1.1, y, r"must be in \[-1, 1\].*tf.clip_by_value"),
    }
    if conditional:
        too_big, negative = labels.copy(), labels.copy()
        too_big[3], negative[5] = NUM_CLASSES, -1
        cases["label_too_big"] = (images, too_big, r"class ids in \[0, 3\).*from 0 to 3.*num_classes=4")
        cases["label_negative"] = (images, negative, r"class ids in \[0, 3\).*from -1 to \d: negative")
        huge = labels.astype("int64")
        huge[0] = 2**32 + 1  # wraps to 1 in int32: checked before the cast
        cases["label_huge_int64"] = (images, huge, r"class ids in \[0, 3\)")
    return cases


STATIC_CASES = {
    "float_labels": (lambda x, y: (x, y.astype("float32")), "integer class labels"),
    "one_hot_labels": (lambda x, y: (x, np.eye(NUM_CLASSES, dtype="int32")[y]), "one-hot"),
    "rank3_labels": (lambda x, y: (x, y[:, None, None]), r"shape \(batch,\)"),
}


def build(name, jit, **kwargs):
    extra = {"num_classes": NUM_CLASSES} if name == "CGAN" else {}
    model = getattr(kg, name)(image_shape=SHAPE, latent_dim=4, filters=4, seed=1, **extra, **kwargs)
    model.compile(jit_compile=jit)
    return model


def _state(model):
    return [w.numpy() for w in model.weights]


def _assert_unchanged(model, before):
    for a, w in zip(before, model.weights):
        np.testing.assert_array_equal(a, w.numpy(), err_msg=w.path)


@pytest.fixture(scope="module")
def models():
    """One model per (family, jit): every case is refused, so none of them changes the model."""
    cache = {}

    def get(name, jit):
        if (name, jit) not in cache:
            cache[name, jit] = build(name, jit)
        return cache[name, jit]

    return get


CASES = [("DCGAN", c) for c in bad_value_cases(False)] + [("CGAN", c) for c in bad_value_cases(True)]


@pytest.mark.parametrize("jit", JIT_MODES)
@pytest.mark.parametrize("name,case", CASES, ids=[f"{n}-{c}" for n, c in CASES])
def test_bad_values_stop_fit_before_any_update(models, name, case, jit):
    model = models(name, jit)
    images, labels, message = bad_value_cases(name == "CGAN")[case]
    before = _state(model)
    with pytest.raises(BadBatchError, match=message) as caught:
        model.fit(images, labels, batch_size=8, epochs=1, verbose=0, shuffle=False)
    assert str(caught.value).startswith(f"{name}: ") and caught.value.step == 0
    assert "\n" not in str(caught.value)  # one line, no TensorFlow graph dump
    _assert_unchanged(model, before)
    assert int(model.step_counter.numpy()) == 0


@pytest.mark.parametrize("jit", JIT_MODES)
@pytest.mark.parametrize("case", STATIC_CASES)
def test_label_formats_are_refused_at_trace_time(case, jit):
    make, message = STATIC_CASES[case]
    images, labels = make(*digits())
    with pytest.raises(ValueError, match=message):
        build("CGAN", jit).fit(images, labels, batch_size=8, epochs=1, verbose=0)


def test_one_hot_labels_after_a_relaxed_retrace_are_refused_in_the_step():
    """After good (batch,) labels, Keras retraces one-hot labels with a relaxed shape the static check cannot read."""
    images, labels = digits()
    model = build("CGAN", False)
    model.fit(images, labels, batch_size=8, epochs=1, verbose=0)
    with pytest.raises(BadBatchError, match=r"3 values per image \(one-hot\?\).*argmax"):
        model.fit(images, np.eye(NUM_CLASSES, dtype="int32")[labels], batch_size=8, epochs=1, verbose=0)


def test_eager_steps_are_checked_too():
    model = kg.DCGAN(image_shape=SHAPE, latent_dim=4, filters=4, seed=1)
    model.compile(run_eagerly=True)
    images, _ = digits()
    with pytest.raises(BadBatchError, match=r"\[0, 255\]"):
        model.fit(images * 127.5 + 127.5, batch_size=8, epochs=1, verbose=0)
    assert int(model.step_counter.numpy()) == 0


@pytest.mark.parametrize("jit", JIT_MODES)
def test_a_bad_batch_later_in_the_run_stops_fit_at_that_batch(jit):
    """Every batch is checked: a NaN in the third batch (steps_per_execution=2 included) stops fit there."""
    model = build("CGAN", jit)
    model.compile(jit_compile=jit, steps_per_execution=2)
    images, labels = digits(32)
    images[8 * 2 + 3, 4, 4, 0] = np.nan
    with pytest.raises(BadBatchError, match="step 2") as caught:
        model.fit(images, labels, batch_size=8, epochs=1, verbose=0, shuffle=False)
    assert caught.value.step == 2 and caught.value.what == "images"
    assert int(model.step_counter.numpy()) == 2  # the two good batches trained, the bad one did nothing
    assert all(np.isfinite(w).all() for w in _state(model))
    # Labels too, at any step.
    images, labels = digits(32)
    labels[30] = 7
    with pytest.raises(BadBatchError, match="step 5.*labels from 0 to 7"):
        model.fit(images, labels, batch_size=8, epochs=1, verbose=0, shuffle=False)


def test_unit_range_is_judged_on_the_first_step_and_can_be_turned_off():
    images, _ = digits()
    unit = (images + 1) / 2
    trained = build("DCGAN", False)
    trained.fit(images, batch_size=8, epochs=1, verbose=0)
    trained.fit(unit, batch_size=8, epochs=1, verbose=0)  # step > 0: a non-negative batch is not refused
    model = build("DCGAN", False)
    model.data_spec.check_unit_range = False
    model.fit(unit, batch_size=8, epochs=1, verbose=0)
    assert int(model.step_counter.numpy()) == 2


@pytest.mark.heavy(seconds=35)
@pytest.mark.parametrize("jit", JIT_MODES)
def test_checks_can_be_turned_off_and_good_data_trains(jit):
    images, labels = digits()
    model = build("CGAN", jit)
    model.fit(images, labels, batch_size=8, epochs=1, verbose=0)
    assert int(model.step_counter.numpy()) == 2
    unchecked = build("CGAN", jit)
    unchecked.data_spec.check_values = False
    unchecked.fit(images * 127.5 + 127.5, labels, batch_size=8, epochs=1, verbose=0)
    assert int(unchecked.step_counter.numpy()) == 2


def test_evaluate_and_dict_batches_are_checked():
    import tensorflow as tf

    images, labels = digits()
    model = build("CGAN", False)
    with pytest.raises(BadBatchError, match=r"\[0, 255\]"):
        model.evaluate(images * 127.5 + 127.5, labels, batch_size=8, verbose=0)
    bad = labels.copy()
    bad[0] = 9
    dataset = tf.data.Dataset.from_tensor_slices({"image": images, "label": bad}).batch(8)
    with pytest.raises(BadBatchError, match="labels from 0 to 9"):
        model.fit(dataset, epochs=1, verbose=0)


#: The cases run under 2 replicas: one of each check (range, non-finite values, labels), with the bad value in all
#: replicas' shards ("0_1"), only the first's ("nan": image 1 of 8) or only the second's ("label_negative": label
#: 5). Every message is checked on one device above; under a strategy what matters is that one replica's failed
#: check stops all of them.
REPLICA_CASES = ("0_1", "nan", "label_negative")


@pytest.mark.heavy(seconds=150)
def test_two_replica_mirrored_strategy(tmp_path):
    """Graph mode and XLA per replica, in one process of 2 logical CPUs (tests/engine/input_check_runs.py)."""
    out = tmp_path / "checks.json"
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run(
        [sys.executable, os.path.join(HERE, "input_check_runs.py"), "0,1", str(out)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    results = json.loads(out.read_text())
    assert len(results) == 4
    for key, result in results.items():
        name, jit = key.split(" jit=")
        assert result["replicas"] == 2
        cases = {case: value for case, value in bad_value_cases(name == "CGAN").items() if case in REPLICA_CASES}
        assert set(result["cases"]) == set(cases), key
        for case, (_x, _y, message) in cases.items():
            assert re.search(message, result["cases"][case]), (key, case, result["cases"][case])
        # No trainable weight and no step: a replica's failed check stops the update's all-reduce. With XLA per
        # replica, batch norm's per-replica moving statistics of the other replicas may take that step's update.
        changed = result["changed_by_bad_batches"]
        assert not [p for p in changed if p.startswith("trainable ")], (key, changed)
        if jit == "0":
            assert not changed, (key, changed)
        assert result["step_after_bad_batches"] == 0, key
        assert result["steps_after_good_fit"] == 2, key
