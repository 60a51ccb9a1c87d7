"""TrainingMonitor: each failure provoked on purpose on real MNIST is recognised; a healthy run raises nothing.

Small MLP GANs (a second or two per run on CPU); then the detection logic alone, driven by synthetic logs.
"""

import json
import math
import types
import warnings

import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans.callbacks import TrainingMonitor
from keras_gans.callbacks.training_diagnoses import DIAGNOSES
from keras_gans.callbacks.training_monitor import TrainingHealthWarning, pixel_diversity

LATENT = 16
SHAPE = (28, 28, 1)


@pytest.fixture(scope="module")
def digits(mnist_float) -> np.ndarray:
    return mnist_float[0][:1024]


@pytest.fixture(autouse=True)
def seeded():
    """Weight initialisation is seeded (the runs' noise already is, by the model's seed); each diagnosis was also
    checked to fire under other seeds."""
    keras.utils.set_random_seed(0)


def mlp_gan(**kwargs) -> kg.GAN:
    return kg.GAN(image_shape=SHAPE, latent_dim=LATENT, hidden_units=((128,), (128,)), seed=1, **kwargs)


def adam(rate: float) -> keras.optimizers.Optimizer:
    return keras.optimizers.Adam(rate, beta_1=0.5)


def train(model, digits, epochs=3, callbacks=(), **monitor_args):
    """Fits with a monitor; returns (monitor, history, the TrainingHealthWarnings raised)."""
    monitor = TrainingMonitor(real_images=digits, verbose=0, **monitor_args)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        history = model.fit(digits, batch_size=64, epochs=epochs, verbose=0, callbacks=[monitor, *callbacks])
    raised = [w for w in caught if issubclass(w.category, TrainingHealthWarning)]
    return monitor, history.history, raised


def diagnosed(monitor) -> set[str]:
    return {event["diagnosis"] for event in monitor.events}


# ----------------------------------------------------------------------------------------------------------------
# Failures provoked on real digits


def test_healthy_run_raises_nothing_and_writes_the_summary(digits, tmp_path):
    model = mlp_gan()
    model.compile()
    path = tmp_path / "run" / "health.json"
    monitor, history, raised = train(model, digits, path=path)
    assert diagnosed(monitor) == set() and raised == []
    summary = json.loads(path.read_text())
    assert summary["status"] == "healthy" and summary["epochs"] == 3 and summary["steps"] == 48
    assert summary["real_diversity"] == pytest.approx(pixel_diversity(digits[:1000]))
    assert len(history["fixed_diversity"]) == 3 and all(d > 0.05 for d in history["fixed_diversity"])
    assert summary["monitor_seconds"] < 2.0


def test_strong_discriminator_learning_rate_is_overpowering(digits):
    model = mlp_gan()
    model.compile(d_optimizer=adam(5e-3), g_optimizer=adam(1e-5))
    monitor, _, raised = train(model, digits)
    assert "discriminator_overpowering" in diagnosed(monitor)
    message = next(str(w.message) for w in raised if "overpowering" in str(w.message))
    assert "docs/troubleshooting.md#discriminator-overpowering" in message
    remedies = " ".join(DIAGNOSES["discriminator_overpowering"].remedies)
    assert "label_smoothing=0.1" in remedies and "Adam(4e-4" in remedies and "instance_noise=0.1" in remedies


def test_generator_that_ignores_its_noise_is_mode_collapse(digits):
    z = keras.Input((LATENT,))
    constant = keras.layers.Lambda(lambda t: t * 0.0)(z)  # the generator's output cannot depend on z
    hidden = keras.layers.Dense(64, activation="relu", bias_initializer="random_normal")(constant)
    image = keras.layers.Reshape(SHAPE)(keras.layers.Dense(784, activation="tanh")(hidden))
    generator = keras.Model(z, image)
    discriminator = kg.networks.build_mlp_discriminator(SHAPE, hidden_units=(128,))
    model = kg.GAN(generator=generator, discriminator=discriminator, latent_dim=LATENT, seed=1)
    model.compile()
    monitor, _, raised = train(model, digits, epochs=2)
    assert "mode_collapse" in diagnosed(monitor)
    assert monitor.epochs[0]["fixed_diversity"] == pytest.approx(0.0, abs=1e-6)
    assert any("minibatch_std=True" in r for r in DIAGNOSES["mode_collapse"].remedies)
    assert any("#mode-collapse" in str(w.message) for w in raised)


def test_exploding_learning_rate_stops_training_and_restores_the_last_healthy_epoch(digits, tmp_path):
    model = mlp_gan(loss="least_squares")
    model.compile(d_optimizer=keras.optimizers.SGD(0.01), g_optimizer=keras.optimizers.SGD(0.01))
    healthy = {}

    def explode(epoch, logs=None):
        if epoch == 1:  # after one healthy epoch, a learning rate that makes the losses explode
            healthy["weights"] = [np.array(v.numpy()) for v in model.generator.weights + model.discriminator.weights]
            model.d_optimizer.learning_rate.assign(1e4)
            model.g_optimizer.learning_rate.assign(1e4)

    path = tmp_path / "health.json"
    monitor, history, raised = train(
        model, digits, epochs=4, callbacks=[keras.callbacks.LambdaCallback(on_epoch_begin=explode)], path=path
    )
    assert monitor.diverged is not None and monitor.diverged["epoch"] == 2
    assert monitor.diverged["restored_from"] == "the end of epoch 1"
    assert model.stop_training and len(history["d_loss"]) == 2  # epoch 2 stopped early, no epochs 3-4
    restored = [v.numpy() for v in model.generator.weights + model.discriminator.weights]
    for value, expected in zip(restored, healthy["weights"]):
        np.testing.assert_array_equal(value, expected)
    assert all(np.all(np.isfinite(v)) for v in restored)
    assert np.all(np.isfinite(model.generate(4, seed=0)))
    assert json.loads(path.read_text())["status"] == "diverged"
    assert any("#divergence-nan-or-inf" in str(w.message) for w in raised)


def test_saturating_loss_with_a_strong_discriminator_has_vanishing_gradients(digits):
    model = mlp_gan(loss="minimax")
    model.compile(d_optimizer=adam(5e-3), g_optimizer=adam(1e-5))
    monitor, _, raised = train(model, digits, epochs=4)
    assert "vanishing_gradients" in diagnosed(monitor)
    assert any("loss='non_saturating'" in r for r in DIAGNOSES["vanishing_gradients"].remedies)
    assert any("#vanishing-gradients" in str(w.message) for w in raised)


def test_conditional_model_is_sampled_with_labels(mnist_float, tmp_path):
    images, labels = mnist_float[0][:256], mnist_float[1][:256]
    model = kg.GAN(num_classes=10, image_shape=SHAPE, latent_dim=LATENT, hidden_units=((32,), (32,)), seed=1)
    model.compile()
    monitor = TrainingMonitor(num_samples=20, verbose=0, path=tmp_path / "h.json")
    model.fit(images, labels, batch_size=64, epochs=1, verbose=0, callbacks=[monitor])
    assert monitor.epochs[0]["fixed_diversity"] >= 0 and monitor.real_diversity is None


# ----------------------------------------------------------------------------------------------------------------
# The detection logic, driven by synthetic logs


class LogStub(keras.Model):
    """Just what the monitor reads: options, loss name, weights; no generate (so no fixed-batch diversity)."""

    def __init__(self, loss_name="non_saturating", skip_non_finite_gradients=False):
        super().__init__()
        self.loss_name = loss_name
        self.options = kg.TrainingOptions(skip_non_finite_gradients=skip_non_finite_gradients)
        self.kernel = self.add_weight(shape=(3,), initializer="ones")
        self.stop_training = False


def feed(monitor, epochs: list[list[dict]]) -> None:
    """Runs the callback over per-step values, handing it Keras-style running means."""
    monitor.set_model(monitor.model)
    monitor.on_train_begin()
    for epoch, steps in enumerate(epochs):
        monitor.on_epoch_begin(epoch)
        sums: dict[str, float] = {}
        for t, values in enumerate(steps, start=1):
            for key, value in values.items():
                sums[key] = sums.get(key, 0.0) + value
            monitor.on_train_batch_end(t - 1, {key: total / t for key, total in sums.items()})
            if monitor.model.stop_training:
                break
        monitor.on_epoch_end(epoch, {key: total / len(steps) for key, total in sums.items()})
        if monitor.model.stop_training:
            break
    monitor.on_train_end()


def monitor_for(model=None, **kwargs) -> TrainingMonitor:
    monitor = TrainingMonitor(verbose=0, **kwargs)
    monitor.set_model(model or LogStub())
    return monitor


def healthy_step(rng) -> dict:
    return {
        "d_loss": 1.2 + 0.05 * rng.normal(),
        "g_loss": 0.8 + 0.05 * rng.normal(),
        "d_acc_real": 0.7,
        "d_acc_fake": 0.6,
        "d_grad_norm": 1.0,
        "g_grad_norm": 1.0 + 0.1 * rng.random(),
        "diversity": 0.3,
    }


def test_step_values_are_recovered_from_running_means():
    rng = np.random.default_rng(0)
    steps = [healthy_step(rng) for _ in range(20)]
    monitor = monitor_for()
    with warnings.catch_warnings():
        warnings.simplefilter("error", TrainingHealthWarning)  # healthy: nothing may fire
        feed(monitor, [steps])
    np.testing.assert_allclose(monitor._series["g_loss"], [s["g_loss"] for s in steps], atol=1e-9)
    assert monitor.summary()["status"] == "healthy"


def test_oscillating_losses_are_flagged():
    rng = np.random.default_rng(1)
    steps = [{**healthy_step(rng), "g_loss": 1.0 + (2.0 if t % 2 else -0.8)} for t in range(20)]
    monitor = monitor_for()
    with pytest.warns(TrainingHealthWarning, match="Oscillation"):
        feed(monitor, [steps])
    assert diagnosed(monitor) == {"oscillation"}
    # Minibatch noise of the size healthy runs show (swing 0.25 of 1 + |mean|; the defaults on the digits peak at
    # 0.22) is not an oscillation either.
    noisy = [{**healthy_step(rng), "g_loss": 1.0 + 0.5 * float(rng.normal())} for t in range(200)]
    monitor = monitor_for()
    feed(monitor, [noisy])
    assert "oscillation" not in diagnosed(monitor)
    # A steady trend is not an oscillation.
    trend = [{**healthy_step(rng), "g_loss": 0.5 + 0.2 * t} for t in range(20)]
    monitor = monitor_for()
    feed(monitor, [trend])
    assert "oscillation" not in diagnosed(monitor)


def test_nan_loss_is_divergence_and_restores_the_snapshot():
    rng = np.random.default_rng(2)
    model = LogStub()
    monitor = monitor_for(model)
    steps = [healthy_step(rng) for _ in range(5)] + [{**healthy_step(rng), "d_loss": math.nan}]

    class Poison(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            model.kernel.assign([math.nan] * 3)

    poison = Poison()
    poison.set_model(model)
    original = monitor.on_train_batch_end

    def poisoned(batch, logs=None):  # the weights go bad before the monitor sees the step
        poison.on_train_batch_end(batch, logs)
        original(batch, logs)

    monitor.on_train_batch_end = poisoned
    with pytest.warns(TrainingHealthWarning, match="Divergence"):
        feed(monitor, [steps, steps])
    assert monitor.diverged["where"] == "step 6 of epoch 1" and "d_loss" in monitor.diverged["values"]
    np.testing.assert_array_equal(model.kernel.numpy(), np.ones(3))
    assert len(monitor.epochs) == 0 and monitor.summary()["status"] == "diverged"


def test_non_finite_gradient_norms_are_not_divergence_when_they_are_skipped():
    rng = np.random.default_rng(3)
    steps = [healthy_step(rng) for _ in range(6)]
    steps[3] = {**steps[3], "d_grad_norm": math.inf, "g_grad_norm": math.nan}
    skipping = monitor_for(LogStub(skip_non_finite_gradients=True))
    feed(skipping, [steps])
    assert skipping.diverged is None
    not_skipping = monitor_for(LogStub())
    with pytest.warns(TrainingHealthWarning):
        feed(not_skipping, [steps])
    assert not_skipping.diverged is not None


def test_mode_collapse_against_its_own_best_without_real_data():
    rng = np.random.default_rng(4)
    epochs = [[{**healthy_step(rng), "diversity": d} for _ in range(6)] for d in (0.3, 0.25, 0.02)]
    monitor = monitor_for(min_diversity=0.001)
    with pytest.warns(TrainingHealthWarning, match="Mode collapse"):
        feed(monitor, epochs)
    assert [e["epoch"] for e in monitor.events] == [3] and "its best so far" in monitor.events[0]["detail"]


def test_d_loss_floor_accounts_for_label_smoothing():
    model = LogStub()
    model.options = kg.TrainingOptions(label_smoothing=0.1)
    monitor = monitor_for(model)
    assert monitor._d_loss_floor() == pytest.approx(-(0.9 * math.log(0.9) + 0.1 * math.log(0.1)))


def test_every_diagnosis_links_a_section_of_the_troubleshooting_guide():
    import os

    guide = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "troubleshooting.md")
    with open(guide) as f:
        headings = [line.lstrip("#").strip() for line in f if line.startswith("#")]
    anchors = {
        "".join(c for c in heading.lower().replace(" ", "-") if c.isalnum() or c in "-_") for heading in headings
    }
    for diagnosis in DIAGNOSES.values():
        assert diagnosis.anchor in anchors, diagnosis.anchor


def test_a_remedy_already_applied_is_not_offered():
    diagnosis = DIAGNOSES["oscillation"]
    with_ema = types.SimpleNamespace(ema_decay=0.999)
    without = types.SimpleNamespace(ema_decay=None)
    assert any("ema_decay" in r for r in diagnosis.remedies_for(without))
    assert not any("ema_decay" in r for r in diagnosis.remedies_for(with_ema))
    assert diagnosis.remedies_for(with_ema) == diagnosis.remedies[:-1]
    assert diagnosis.remedies_for(None) == diagnosis.remedies  # a model without training options gets them all
