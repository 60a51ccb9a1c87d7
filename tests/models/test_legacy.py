"""The five pre-engine models give the same numbers on the engine, and files written before it still load.

``tests/fixtures/legacy`` was written by the code before the engine (``make_legacy_fixtures.py``): per model, the
losses after 3 steps from a fixed seed in graph mode and with XLA, ``generate(4, seed=0)`` after them, and the
graph-mode model saved as ``.keras``.
"""

import os
import sys

import keras
import numpy as np
import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "fixtures"))
import make_legacy_fixtures as legacy  # noqa: E402

REFERENCE = np.load(os.path.join(legacy.HERE, "reference.npz"))


# DCGAN_EMA's samples changed with the EMA's warm-up and averaged statistics: test_ema_row_samples_the_warmed_up_average
@pytest.mark.parametrize("name", [n for n in legacy.NAMES if n != "DCGAN_EMA"])
@pytest.mark.parametrize("jit", [False, True], ids=["graph", "xla"])
def test_same_numbers_as_before_the_engine(name, jit):
    _, losses, samples = legacy.run(name, jit)
    tag = f"{name}_{'xla' if jit else 'graph'}"
    np.testing.assert_allclose(losses, REFERENCE[f"{tag}_losses"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(samples, REFERENCE[f"{tag}_samples"], rtol=1e-4, atol=1e-6)


def _values(variables):
    return [np.array(v.numpy(), dtype="float64") for v in variables]


@pytest.mark.parametrize("jit", [False, True], ids=["graph", "xla"])
def test_ema_row_samples_the_warmed_up_average(jit):
    """The DCGAN_EMA row's samples: the pre-engine code averaged without a ramp-up; now with StyleGAN's ramp-up
    d_n = 0.5^(1 / min(h, 0.05 n)), h the decay's half-life, computed here in numpy from the live weights after each
    step (the same run as the fixture: seed, data, steps and losses), sampled with the live batch-norm statistics."""
    from keras_gans.engine.ema import batch_norm_statistics

    keras.utils.set_random_seed(0)
    model = legacy.small_model("DCGAN_EMA", jit)
    statistics = batch_norm_statistics(model.generator)
    recorded = [(_values(model.generator.trainable_variables), _values(statistics))]
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: recorded.append(
            (_values(model.generator.trainable_variables), _values(statistics))
        )
    )
    x, _ = legacy.data(False)
    history = model.fit(x, None, batch_size=4, epochs=1, shuffle=False, verbose=0, callbacks=[record])
    tag = f"DCGAN_EMA_{'xla' if jit else 'graph'}"
    losses = [history.history["d_loss"][-1], history.history["g_loss"][-1]]
    np.testing.assert_allclose(losses, REFERENCE[f"{tag}_losses"], rtol=1e-5, atol=1e-6)
    decay = model.options.ema_decay
    weights = [v.copy() for v in recorded[0][0]]
    for n, (live_weights, _) in enumerate(recorded[1:], start=1):
        d = 0.5 ** (1 / min(np.log(0.5) / np.log(decay), 0.05 * n))
        weights = [d * a + (1 - d) * w for a, w in zip(weights, live_weights)]
    stats = recorded[-1][1]  # the live batch-norm statistics, which the averaged copy samples with
    for got, expected in zip(_values(model._ema.weights["generator"]), weights):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)
    # generate(4, seed=0) is G with those weights and statistics, run here on an independent copy.
    copy = keras.models.clone_model(model.generator)
    copy.set_weights(model.generator.get_weights())
    for variable, value in zip(copy.trainable_variables + batch_norm_statistics(copy), weights + stats):
        variable.assign(value)
    expected = copy(model.latents(4, seed=0), training=False).numpy()
    np.testing.assert_allclose(model.generate(num_samples=4, seed=0), expected, rtol=1e-4, atol=1e-6)
    # Not the pre-engine samples (no ramp-up).
    assert np.abs(expected - REFERENCE[f"{tag}_samples"]).max() > 1e-3 * np.abs(expected).max()


@pytest.mark.parametrize("name", legacy.NAMES)
def test_files_written_before_the_engine_load_and_resume(name):
    import keras_gans  # noqa: F401

    model = keras.saving.load_model(os.path.join(legacy.HERE, f"{name}.keras"))
    kwargs = {"labels": [0, 1, 2, 0]} if model.num_classes is not None else {"num_samples": 4}
    np.testing.assert_allclose(model.generate(seed=0, **kwargs), REFERENCE[f"{name}_graph_samples"], atol=1e-6)
    x, y = legacy.data(model.num_classes is not None)
    model.fit(x, y, batch_size=4, epochs=1, shuffle=False, verbose=0)
    # The step counter continues from the steps the old file counted in its generator optimizer.
    assert int(model.step_counter.numpy()) == 6 == int(model.g_optimizer.iterations.numpy())
