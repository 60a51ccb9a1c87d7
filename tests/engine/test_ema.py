"""The EMA of the sampled networks: the ramped-up decay against numpy, the batch-norm statistics the averaged copy
samples with (the live ones), saving and loading."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg
from keras_gans.engine import ema as ema_lib

SHAPE = (8, 8, 1)
BATCH = 8
STEPS = 24


def digits(n=BATCH * STEPS):
    from sklearn.datasets import load_digits

    return (load_digits().images[:n, :, :, None] / 8.0 - 1.0).astype("float32")


def values(variables) -> list[np.ndarray]:
    return [np.array(v.numpy(), dtype="float64") for v in variables]


def ramped_decay(decay, n):
    """StyleGAN2-ADA's ramp-up in steps: half-life min(log 0.5 / log decay, 0.05 n)."""
    return 0.5 ** (1 / max(min(np.log(0.5) / np.log(decay), 0.05 * n), 1e-8))


def test_warmed_up_decay_is_stylegans_ramp_up():
    for n in (1, 5, 100, 1000, 20_000):
        assert ema_lib.warmed_up_decay(0.999, n) == pytest.approx(ramped_decay(0.999, n), rel=1e-12)
        assert float(ema_lib.warmed_up_decay(0.999, tf.constant(n, tf.int64))) == pytest.approx(
            ramped_decay(0.999, n), rel=1e-5
        )
    assert ema_lib.warmed_up_decay(0.999, 0) == 0.0  # the first average is the live weights
    # The full decay is reached after 20 half-lives of steps: 1,380 for 0.99 (half-life 69 steps).
    assert ema_lib.warmed_up_decay(0.99, 1370) < 0.99 and ema_lib.warmed_up_decay(0.99, 1380) == pytest.approx(0.99)


def trained_dcgan(decay: float):
    """A tiny DCGAN (batch norm in G) trained STEPS steps; the live weights and G's BN statistics after each step."""
    keras.utils.set_random_seed(0)
    model = kg.DCGAN(image_shape=SHAPE, latent_dim=4, filters=4, seed=3, ema_decay=decay)
    model.compile(jit_compile=False)
    statistics = ema_lib.batch_norm_statistics(model.generator)
    recorded = [(values(model.generator.trainable_variables), values(statistics))]
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: recorded.append(
            (values(model.generator.trainable_variables), values(statistics))
        )
    )
    dataset = tf.data.Dataset.from_tensor_slices(digits()).batch(BATCH)
    model.fit(dataset, epochs=1, verbose=0, shuffle=False, callbacks=[record])
    assert len(recorded) == STEPS + 1
    return model, recorded


def numpy_average(recorded, decay):
    """θ_ema ← d_n θ_ema + (1 - d_n) θ_n with d_n = 0.5^(1 / min(h, 0.05 n)), from the initial values (weights and,
    for comparison, BN statistics)."""
    weights, statistics = ([w.copy() for w in part] for part in recorded[0])
    for n, (live_weights, live_statistics) in enumerate(recorded[1:], start=1):
        d = ramped_decay(decay, n)
        weights = [d * e + (1 - d) * w for e, w in zip(weights, live_weights)]
        statistics = [d * e + (1 - d) * s for e, s in zip(statistics, live_statistics)]
    return weights, statistics


def generator_with(model, weights, statistics):
    """An independent copy of G holding the given trainable weights and BN statistics."""
    copy = keras.models.clone_model(model.generator)
    copy.set_weights(model.generator.get_weights())
    for variable, value in zip(copy.trainable_variables, weights):
        variable.assign(value)
    for variable, value in zip(ema_lib.batch_norm_statistics(copy), statistics):
        variable.assign(value)
    return copy


def test_ramped_up_average_matches_numpy_samples_with_the_live_statistics_and_is_saved(tmp_path):
    # Half-life 1 step: ramped (0.05 n) for n < 20, then the full decay: both sides of the min().
    decay = 0.5
    model, recorded = trained_dcgan(decay)
    live = recorded[-1][1]
    assert len(live) >= 4, "the default DCGAN generator should have batch norm"
    weights, _ = numpy_average(recorded, decay)
    for got, expected in zip(values(model._ema.weights["generator"]), weights):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)
    # generate() samples with the averaged weights and the live batch-norm statistics (see keras_gans.engine.ema).
    z = model.latents(6, seed=1)
    expected_images = generator_with(model, weights, live)(z, training=False).numpy()
    np.testing.assert_allclose(model.generate(z=z), expected_images, atol=1e-5)
    for got, expected in zip(values(ema_lib.batch_norm_statistics(model.ema_generator)), live):
        np.testing.assert_array_equal(got, expected)
    live_images = model.generator(z, training=False).numpy()
    assert np.abs(expected_images - live_images).max() > 0.01 * np.abs(live_images).max(), "EMA should differ"
    # The averages are saved and restored with the model.
    path = str(tmp_path / "ema.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    for a, b in zip(values(model._ema.weights["generator"]), values(loaded._ema.weights["generator"])):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(loaded.generate(z=z), model.generate(z=z), atol=1e-6)
    # The averaged copy is derived (averages + live statistics): the file holds G once, not the copy beside it.
    import zipfile

    with zipfile.ZipFile(path) as archive:
        weights_file = tmp_path / "model.weights.h5"
        weights_file.write_bytes(archive.read("model.weights.h5"))
    import h5py

    with h5py.File(weights_file) as f:
        groups = set(f.keys()) | set(f["layers"].keys() if "layers" in f else ())
    assert "generator" in groups and not {"ema_generator", "sampling_generator"} & groups, groups


def test_ramp_up_keeps_little_of_the_initial_weights():
    # Without it, decay 0.999 would keep 0.999^24 = 97.6% of the initial weights after 24 steps; with it,
    # prod_n d_n < 1e-6, so the average has moved most of the way to the trained weights.
    model, recorded = trained_dcgan(0.999)
    initial, last = recorded[0][0], recorded[-1][0]
    moved = [
        np.abs(a - i).sum() / max(np.abs(w - i).sum(), 1e-12)
        for a, i, w in zip(values(model._ema.weights["generator"]), initial, last)
    ]
    assert np.prod([ramped_decay(0.999, n) for n in range(1, STEPS + 1)]) < 1e-6 and np.median(moved) > 0.5
