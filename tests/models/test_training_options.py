"""Each training trick changes what it should, with and without XLA, on one device and on 2 replicas.

Models are tiny MLP GANs without batch norm (``training_option_runs.py``) trained with plain SGD on real MNIST
digits, so a step's outcome can be recomputed independently: the first logged D loss from D's outputs with numpy,
a linear D's penalties in closed form, the EMA from the recorded weights.
"""

import importlib.util
import json
import os
import subprocess
import sys

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans.models.latent.base import Draw
from keras_gans.models.latent.options import TrainingOptions

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCRIPT = os.path.join(HERE, "training_option_runs.py")

_spec = importlib.util.spec_from_file_location("training_option_runs", SCRIPT)
runs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(runs)

B, SHAPE, LATENT = runs.BATCH, runs.SHAPE, runs.LATENT


@pytest.fixture(scope="module")
def real(mnist_float) -> np.ndarray:
    """64 real MNIST digits in [-1, 1]: four batches."""
    return mnist_float[0][: 4 * B]


def weights(variables) -> list[np.ndarray]:
    return [np.array(v.numpy()) for v in variables]


def draw(model, shape, purpose: int, jit: bool) -> np.ndarray:
    """The model's stateless draw at step 0, made as the step makes it: inside XLA or not, the numbers differ.

    The step is a runtime input, as in the train step: with a constant seed TensorFlow folds the draw before XLA
    compiles it, which gives graph mode's numbers.
    """
    fn = tf.function(model.noise.normal, jit_compile=True) if jit else model.noise.normal
    return fn(shape, tf.constant(0, tf.int64), purpose).numpy()


def softplus(x):
    return np.logaddexp(0.0, x)


def expected_first_d_loss(model, real_batch, jit: bool = False) -> float:
    """The first step's D loss recomputed from D's outputs with numpy: the model's latents and instance noise at
    step 0, the targets 1 - label_smoothing and fake_label_smoothing, the loss's formula."""
    opts = model.options
    z = draw(model, [B, LATENT], Draw.LATENT, jit)
    fake = model.generator(z, training=True).numpy()
    real_view, fake_view = real_batch, fake
    if opts.instance_noise:  # at generator step 0 the noise has its full standard deviation
        shape = [B, *SHAPE]
        real_view = real_batch + opts.instance_noise * draw(model, shape, Draw.NOISE, jit)
        fake_view = fake + opts.instance_noise * draw(model, shape, Draw.NOISE + 1, jit)
    r = model.discriminator(real_view, training=True).numpy().astype("float64")
    f = model.discriminator(fake_view, training=True).numpy().astype("float64")
    real_target, fake_target = 1.0 - opts.label_smoothing, opts.fake_label_smoothing
    if model.loss_name == "least_squares":
        return 0.5 * np.mean((r - real_target) ** 2) + 0.5 * np.mean((f - fake_target) ** 2)
    bce_real = np.mean(real_target * softplus(-r) + (1 - real_target) * softplus(r))
    return bce_real + np.mean(fake_target * softplus(-f) + (1 - fake_target) * softplus(f))


# ----------------------------------------------------------------------------------------------------------------
# Label smoothing and instance noise: the first D loss against numpy


@pytest.mark.parametrize(
    "loss,label_smoothing,fake_label_smoothing,instance_noise",
    [
        ("non_saturating", 0.0, 0.0, 0.0),
        ("non_saturating", 0.1, 0.0, 0.0),
        ("minimax", 0.1, 0.05, 0.0),
        ("least_squares", 0.1, 0.0, 0.0),
        ("non_saturating", 0.0, 0.0, 0.3),
    ],
    ids=["plain", "one_sided_0.9", "two_sided", "least_squares_0.9", "instance_noise"],
)
def test_first_d_loss_matches_numpy(real, loss, label_smoothing, fake_label_smoothing, instance_noise):
    options = {
        "label_smoothing": label_smoothing,
        "fake_label_smoothing": fake_label_smoothing,
        "instance_noise": instance_noise,
    }
    model = runs.build_model(options, loss=loss)
    runs.compile_sgd(model, jit=False)
    expected = expected_first_d_loss(model, real[:B])
    if label_smoothing or instance_noise:
        # The check can tell: the same weights, batch and latents without the trick give another loss.
        plain = runs.build_model(loss=loss)
        runs.set_weights(plain, runs.all_weights(model))
        assert abs(expected_first_d_loss(plain, real[:B]) - expected) > 1e-3
    assert runs.fit_steps(model, real)["d_loss"][0] == pytest.approx(expected, rel=1e-5)


@pytest.mark.parametrize("loss", ["wasserstein", "hinge"])
def test_label_smoothing_refused_for_losses_without_targets(loss):
    with pytest.raises(ValueError, match=f"label_smoothing has no effect with the '{loss}' loss.*instance_noise"):
        runs.build_model({"label_smoothing": 0.1}, loss=loss)
    assert runs.build_model({"instance_noise": 0.1}, loss=loss).options.instance_noise == 0.1


def test_instance_noise_std_decays_linearly_to_zero():
    decaying = TrainingOptions(instance_noise=0.2, instance_noise_decay_steps=10)
    got = [float(decaying.instance_noise_std(tf.constant(step))) for step in range(14)]
    np.testing.assert_allclose(got, [0.2 * max(0.0, 1 - step / 10) for step in range(14)], atol=1e-7)
    assert float(TrainingOptions(instance_noise=0.2).instance_noise_std(tf.constant(1000))) == pytest.approx(0.2)
    assert TrainingOptions().instance_noise_std(tf.constant(0)) is None


def test_discriminator_views_carry_the_decaying_noise(real):
    model = runs.build_model({"instance_noise": 0.3, "instance_noise_decay_steps": 4})
    runs.compile_sgd(model, jit=False)
    batch = tf.constant(real[:B])
    for g_step in (0, 1, 2, 4, 6):  # the model's step counter: one per train step
        model.step_counter.assign(g_step)
        for view in (0, 1, 2):  # real (D step), fake (D step), fake (G step): independent noise
            seen = model._d_view(batch, tf.constant(g_step, tf.int64), view).numpy()
            noise = model.noise.normal([B, *SHAPE], g_step, Draw.NOISE + view).numpy()
            np.testing.assert_allclose(seen - real[:B], 0.3 * max(0.0, 1 - g_step / 4) * noise, atol=1e-6)
    model.step_counter.assign(0)
    views = [model._d_view(batch, tf.constant(0, tf.int64), view).numpy() for view in (0, 1)]
    assert np.abs(views[0] - views[1]).mean() > 0.1


# ----------------------------------------------------------------------------------------------------------------
# Discriminator steps, EMA


def test_discriminator_steps_make_k_d_updates_per_g_update(real):
    model = runs.build_model({"discriminator_steps": 3})
    runs.compile_sgd(model, jit=False)
    runs.fit_steps(model, real, steps=4)
    assert int(model.d_optimizer.iterations) == 12 and int(model.g_optimizer.iterations) == 4


def mlp_generator_np(variables, z):
    """The tiny MLP generator in numpy: tanh(leaky_relu(z W0 + b0, 0.2) W1 + b1), reshaped to images."""
    w0, b0, w1, b1 = (np.asarray(v, "float64") for v in variables)
    hidden = z @ w0 + b0
    hidden = np.where(hidden > 0, hidden, 0.2 * hidden)
    return np.tanh(hidden @ w1 + b1).reshape(-1, *SHAPE)


def test_ema_weights_lag_and_generate_uses_them(real):
    decay = 0.5
    model = runs.build_model({"ema_decay": decay})
    runs.compile_sgd(model, jit=False)
    recorded = [weights(model.generator.trainable_variables)]
    record = keras.callbacks.LambdaCallback(
        on_train_batch_end=lambda batch, logs: recorded.append(weights(model.generator.trainable_variables))
    )
    dataset = tf.data.Dataset.from_tensor_slices(real[: 3 * B]).batch(B)
    model.fit(dataset, epochs=1, verbose=0, shuffle=False, callbacks=[record])
    assert len(recorded) == 4
    ema = [w.copy() for w in recorded[0]]  # the EMA starts at the initial weights
    for n, live in enumerate(recorded[1:], start=1):
        d = 0.5 ** (1 / min(np.log(0.5) / np.log(decay), 0.05 * n))  # the ramp-up of keras_gans.engine.ema
        ema = [d * e + (1 - d) * w for e, w in zip(ema, live)]
    got = weights(model._ema_weights)
    for expected, value in zip(ema, got):
        np.testing.assert_allclose(value, expected, rtol=1e-5, atol=1e-7)
    # (the ramp-up keeps the lag small over 3 steps: d_3 = 0.5^(1/0.15) ~ 0.01)
    assert max(float(np.abs(v - w).max()) for v, w in zip(got, recorded[-1])) > 1e-7, "EMA should lag"
    z = model.latents(5, seed=1)
    np.testing.assert_allclose(model.generate(z=z), mlp_generator_np(got, z), atol=1e-5)
    assert np.abs(model.generate(z=z) - mlp_generator_np(recorded[-1], z)).max() > 1e-7


# ----------------------------------------------------------------------------------------------------------------
# R1 and gradient penalty: closed form with a linear D, D(x) = <w, x> + b, whose input gradient is w everywhere


def linear_gan(**options):
    import keras_gans as kg

    images = keras.Input(SHAPE)
    logit = keras.layers.Dense(1, name="linear")(keras.layers.Flatten()(images))
    discriminator = keras.Model(images, logit, name="linear_discriminator")
    generator = kg.networks.build_mlp_generator(LATENT, SHAPE, hidden_units=(32,))
    return kg.GANModel(generator, discriminator, LATENT, seed=runs.SEED, **options)


@pytest.mark.parametrize(
    "option,log,penalty_and_gradient",
    [
        # R1 = ||w||^2, d/dw = 2w.   GP = (||w|| - 1)^2, d/dw = 2 (||w|| - 1) w / ||w||.
        ("r1_weight", "r1_penalty", lambda w, n: (n**2, 2 * w)),
        ("gradient_penalty_weight", "gradient_penalty", lambda w, n: ((n - 1) ** 2, 2 * (n - 1) * w / n)),
    ],
    ids=["r1", "gradient_penalty"],
)
def test_penalties_are_logged_and_change_the_d_update(real, option, log, penalty_and_gradient):
    weight = 2.0
    with_penalty, without = linear_gan(**{option: weight}), linear_gan()
    kernel = np.random.default_rng(0).normal(size=(np.prod(SHAPE), 1))
    kernel = (3.0 * kernel / np.linalg.norm(kernel)).astype("float32")  # ||w|| = 3
    with_penalty.discriminator.get_layer("linear").kernel.assign(kernel)
    for var, value in zip(
        without.generator.weights + without.discriminator.weights,
        weights(with_penalty.generator.weights + with_penalty.discriminator.weights),
    ):
        var.assign(value)
    for model in (with_penalty, without):
        runs.compile_sgd(model, jit=False)
    logs = runs.fit_steps(with_penalty, real)
    assert log not in runs.fit_steps(without, real)
    penalty, gradient = penalty_and_gradient(kernel.astype("float64"), 3.0)
    assert logs[log][0] == pytest.approx(penalty, rel=1e-4)
    # Same batch, latents and weights: the kernels differ by exactly -lr * weight * d(penalty)/dw; biases do not.
    got = [layer.get_layer("linear") for layer in (with_penalty.discriminator, without.discriminator)]
    np.testing.assert_allclose(
        got[0].kernel.numpy() - got[1].kernel.numpy(), -runs.LEARNING_RATE * weight * gradient, atol=2e-5
    )
    np.testing.assert_allclose(got[0].bias.numpy(), got[1].bias.numpy(), atol=1e-7)


# ----------------------------------------------------------------------------------------------------------------
# Spectral normalisation, skipping non-finite gradients


def sn_kernels(model) -> list:
    return [
        layer.layer.kernel
        for layer in model.discriminator.layers
        if isinstance(layer, keras.layers.SpectralNormalization)
    ]


def sigma_max(kernel) -> float:
    matrix = np.reshape(kernel.numpy(), (-1, kernel.shape[-1]))
    return float(np.linalg.svd(matrix, compute_uv=False)[0])


def test_spectral_normalization_keeps_d_layers_near_unit_norm_in_training(real):
    model = runs.build("spectral_normalization")
    plain = runs.build("label_smoothing")
    assert sigma_max(plain.discriminator.get_layer("dense0").kernel) > 1.3  # Glorot init: far from 1
    runs.compile_sgd(model, jit=False)
    runs.fit_steps(model, real, steps=4)
    kernels = sn_kernels(model)
    assert len(kernels) == 2
    for kernel in kernels:  # 1 power iteration per D call, ~12 calls: within a few percent, never below 1
        assert 0.999 < sigma_max(kernel) < 1.1, kernel.path


@pytest.mark.parametrize("skip", [True, False], ids=["skip", "no_skip"])
def test_skip_non_finite_gradients_zeroes_the_update(real, skip):
    model = runs.build_model({"skip_non_finite_gradients": skip}, nan_gradients=True)
    before = runs.all_weights(model)
    runs.compile_sgd(model, jit=False)
    logs = runs.fit_steps(model, real)
    assert np.isfinite(logs["d_loss"][0]) and not np.isfinite(logs["d_grad_norm"][0])
    after = runs.all_weights(model)
    if skip:
        for a, b in zip(before, after):
            np.testing.assert_array_equal(a, b)
    else:
        assert not all(np.all(np.isfinite(w)) for w in after), "NaN gradients should poison the weights"


# ----------------------------------------------------------------------------------------------------------------
# Every trick under XLA


@pytest.mark.parametrize("trick", [name for name in runs.TRICKS if name not in ("all", "in_xla")])
def test_each_trick_one_step_under_xla(real, trick):
    model = runs.build(trick)
    runs.compile_sgd(model, jit=True)
    assert model.jit_compile is True
    initial = runs.all_weights(model)
    expected_d_loss = expected_first_d_loss(model, real[:B], jit=True)
    logs = {k: v[0] for k, v in runs.fit_steps(model, real).items()}
    after = runs.all_weights(model)
    nan_gradients = trick == "skip_non_finite_gradients"
    assert all(np.isfinite(v) for k, v in logs.items() if not (nan_gradients and k.endswith("grad_norm"))), logs
    assert all(np.all(np.isfinite(w)) for w in after)
    moved = max(float(np.abs(a - b).max()) for a, b in zip(initial, after))
    assert moved == 0.0 if nan_gradients else moved > 1e-4
    assert int(model.d_optimizer.iterations) == model.options.discriminator_steps
    if trick in ("label_smoothing", "instance_noise"):
        # XLA's draws (not graph mode's) recomputed under XLA: the same numbers as inside the compiled step.
        assert logs["d_loss"] == pytest.approx(expected_d_loss, rel=1e-5)
    if trick == "r1":
        assert logs["r1_penalty"] > 0
    if trick == "gradient_penalty":
        assert logs["gradient_penalty"] > 0
    if trick == "ema":
        n = len(model.generator.trainable_variables)
        d = 0.5 ** (1 / min(np.log(0.5) / np.log(0.9), 0.05))  # the first step's decay, keras_gans.engine.ema
        for ema, w0, w1 in zip(after[-n:], initial[:n], after[:n]):  # no batch norm: weights = trainables
            np.testing.assert_allclose(ema, d * w0 + (1 - d) * w1, rtol=1e-5, atol=1e-7)
    if trick == "spectral_normalization":
        assert all(0.999 < sigma_max(kernel) < 1.3 for kernel in sn_kernels(model))


# ----------------------------------------------------------------------------------------------------------------
# Every trick on 2 replicas (MirroredStrategy over 2 logical CPUs), all in one subprocess


@pytest.fixture(scope="module", autouse=True)
def mirrored_process(request, tmp_path_factory):
    """Starts the 2-replica subprocess when the module starts, if its tests are selected: it runs on the second core
    while the tests above trace and compile (mostly single-threaded work) on the first."""
    selected = any(
        "mirrored_results" in item.fixturenames for item in request.session.items if item.module is request.module
    )
    if not selected:
        yield None
        return
    folder = tmp_path_factory.mktemp("tricks")
    env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")}
    env.pop("TF_CONFIG", None)
    with open(folder / "stderr.txt", "w") as stderr:
        proc = subprocess.Popen(
            [sys.executable, SCRIPT, str(folder / "mirrored.json")], env=env, stdout=subprocess.DEVNULL, stderr=stderr
        )
    yield proc, folder
    if proc.poll() is None:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def mirrored_results(mirrored_process) -> dict:
    proc, folder = mirrored_process
    returncode = proc.wait(timeout=600)
    assert returncode == 0, (folder / "stderr.txt").read_text()[-4000:]
    return json.loads((folder / "mirrored.json").read_text())


@pytest.mark.parametrize("run", [f"{trick}_xla" if jit else trick for trick, jit in runs.MIRRORED_RUNS])
def test_tricks_on_two_replicas_match_one_device(mirrored_results, run):
    """``all`` holds every other trick (label smoothing, instance noise, EMA, R1, GP, DiffAugment, skipping non-finite
    gradients, spectral norm); ``in_xla_xla`` the draws made inside per-replica XLA code. Each one-trick model also
    matched on its own when tried (max weight gap 6e-8), one trace per trick was too slow to keep."""
    result = mirrored_results[run]
    assert result["replicas"] == 2 and result["finite"]
    assert result["d_steps"] == (2 if run == "discriminator_steps" else 1)
    if run == "skip_non_finite_gradients":
        assert result["max_moved"] == 0.0
        return
    assert result["max_moved"] > 1e-3
    if run == "minibatch_std":
        # Each replica computes the minibatch statistic over its own samples (StyleGAN does the same per GPU):
        # close to the one-device step, not equal.
        assert result["max_diff"] < 0.2 * result["max_moved"]
        return
    assert result["max_diff"] < 1e-5, f"{run}: weights differ by {result['max_diff']}"
    single, mirrored = result["single_logs"], result["mirrored_logs"]
    # Gradient norms and diversity are computed per replica (local gradients, local batch); the rest is global.
    for key in set(single) - {"d_grad_norm", "g_grad_norm", "diversity"}:
        assert mirrored[key][0] == pytest.approx(single[key][0], rel=1e-4, abs=1e-6), (run, key)
