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


@pytest.mark.parametrize("name", legacy.NAMES)
@pytest.mark.parametrize("jit", [False, True], ids=["graph", "xla"])
def test_same_numbers_as_before_the_engine(name, jit):
    _, losses, samples = legacy.run(name, jit)
    tag = f"{name}_{'xla' if jit else 'graph'}"
    np.testing.assert_allclose(losses, REFERENCE[f"{tag}_losses"], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(samples, REFERENCE[f"{tag}_samples"], rtol=1e-4, atol=1e-6)


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
