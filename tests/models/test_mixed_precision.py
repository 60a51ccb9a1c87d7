"""Mixed precision: every model trains under mixed_bfloat16; mixed_float16 scales the losses of both optimizers and
of the gradient penalty's inner tape, unscales the gradients, and skips non-finite steps."""

import keras
import numpy as np
import pytest

import keras_gans as kg

SHAPE = (28, 28, 1)
MODELS = ("GAN", "DCGAN", "CGAN", "WGANGP", "LSGAN")


@pytest.fixture
def set_policy():
    """Sets the global dtype policy for one test and restores the previous one afterwards."""
    previous = keras.mixed_precision.global_policy()
    yield keras.mixed_precision.set_dtype_policy
    keras.mixed_precision.set_dtype_policy(previous)


def small_model(name, **kwargs):
    kwargs = {"image_shape": SHAPE, "latent_dim": 16, "seed": 3, **kwargs}
    if name == "GAN":
        return kg.GAN(hidden_units=((32, 64), (64, 32)), **kwargs)
    if name == "CGAN":
        return kg.CGAN(num_classes=10, filters=8, **kwargs)
    if name == "WGANGP":
        kwargs.setdefault("discriminator_steps", 2)
    return getattr(kg, name)(filters=8, **kwargs)


def batch(model, mnist_float, n=32):
    images, labels = mnist_float
    return images[:n], (labels[:n] if model.num_classes is not None else None)


def weights(network):
    return [w.numpy().copy() for w in network.trainable_weights]


def moved(before, network):
    return any(np.abs(a - w.numpy()).max() > 0 for a, w in zip(before, network.trainable_weights))


@pytest.mark.parametrize("name", MODELS)
def test_trains_under_mixed_bfloat16(name, set_policy, mnist_float):
    set_policy("mixed_bfloat16")
    model = small_model(name)
    for network in (model.generator, model.discriminator):
        assert network.compute_dtype == "bfloat16"
        assert {w.dtype for w in network.weights} == {"float32"}
    model.compile()
    assert not isinstance(model.d_optimizer, keras.optimizers.LossScaleOptimizer)
    g_before, d_before = weights(model.generator), weights(model.discriminator)
    x, y = batch(model, mnist_float)
    history = model.fit(x, y, batch_size=16, epochs=1, verbose=0).history
    assert all(np.isfinite(values[-1]) for values in history.values()), history
    assert moved(g_before, model.generator) and moved(d_before, model.discriminator)
    labels = np.arange(4, dtype="int32") if model.num_classes else None
    images = model.generate(4, seed=0, labels=labels)
    assert images.dtype == np.float32 and np.isfinite(images).all()
    z = keras.ops.convert_to_tensor(model.latents(4, seed=0))
    labels = None if labels is None else keras.ops.convert_to_tensor(labels)
    fake = model.generator(z if labels is None else [z, labels], training=False)
    outputs = model.discriminator(fake if labels is None else [fake, labels], training=False)
    assert fake.dtype == "float32" and outputs.dtype == "float32"


def initial_weights(name, **kwargs):
    keras.mixed_precision.set_dtype_policy("float32")
    model = small_model(name, **kwargs)
    return model, [w.numpy() for w in model.generator.weights + model.discriminator.weights]


def one_step(name, policy, initial, mnist_float, **kwargs):
    """One SGD step of a model built under ``policy`` from the ``initial`` weights; its logs and weight changes."""
    keras.mixed_precision.set_dtype_policy(policy)
    model = small_model(name, **kwargs)
    for variable, value in zip(model.generator.weights + model.discriminator.weights, initial):
        variable.assign(value)
    model.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1))
    x, y = batch(model, mnist_float, n=16)
    logs = {k: v[-1] for k, v in model.fit(x, y, batch_size=16, epochs=1, verbose=0).history.items()}
    deltas = [w.numpy() - a for w, a in zip(model.generator.weights + model.discriminator.weights, initial)]
    return model, logs, deltas


@pytest.mark.parametrize("name", ["DCGAN", "WGANGP"])
def test_mixed_float16_scales_losses_and_unscales_gradients(name, set_policy, mnist_float):
    _, initial = initial_weights(name)
    _, logs32, deltas32 = one_step(name, "float32", initial, mnist_float)
    model, logs16, deltas16 = one_step(name, "mixed_float16", initial, mnist_float)
    for optimizer in (model.d_optimizer, model.g_optimizer):
        assert isinstance(optimizer, keras.optimizers.LossScaleOptimizer)
        assert float(optimizer.dynamic_scale) == 2.0**15  # the scale was applied, and the step was finite
    # Unscaled gradients: the float16 step changes the weights as the float32 one does (float16 rounding aside);
    # a missing unscale would make the change 32768 times larger.
    largest = max(np.abs(d).max() for d in deltas32)
    assert max(np.abs(a - b).max() for a, b in zip(deltas16, deltas32)) < 0.1 * largest
    # Logged gradient norms are of the unscaled gradients.
    for key in ("d_grad_norm", "g_grad_norm", "d_loss", "g_loss"):
        assert logs16[key] == pytest.approx(logs32[key], rel=0.05, abs=1e-3), key
    if name == "WGANGP":
        # The penalty's inner gradient is taken of the scaled critic output, then unscaled.
        assert logs16["gradient_penalty"] == pytest.approx(logs32["gradient_penalty"], rel=0.02)


def test_mixed_float16_scales_the_penalty_inner_tape(set_policy, mnist_float):
    # A critic with a tiny output layer: its input gradients (about 1e-8) flush to zero in float16 unless the
    # penalty's inner loss is scaled by the D optimizer's loss scale (R1 would then log 0).
    model, initial = initial_weights("DCGAN", r1_weight=1.0)
    output_kernel = [w.path for w in model.generator.weights + model.discriminator.weights].index("output/kernel")
    initial[output_kernel] = initial[output_kernel] * 1e-6
    _, logs32, _ = one_step("DCGAN", "float32", initial, mnist_float, r1_weight=1.0)
    _, logs16, _ = one_step("DCGAN", "mixed_float16", initial, mnist_float, r1_weight=1.0)
    assert logs32["r1_penalty"] > 0
    assert logs16["r1_penalty"] == pytest.approx(logs32["r1_penalty"], rel=0.05)


def test_mixed_float16_skips_non_finite_steps(set_policy, mnist_float):
    set_policy("mixed_float16")
    model = small_model("DCGAN")
    # A scale so large that D's float16 gradients overflow: the D update must be skipped and the scale halved.
    d_optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.Adam(2e-4, beta_1=0.5), initial_scale=2.0**40)
    model.compile(d_optimizer, keras.optimizers.Adam(2e-4, beta_1=0.5))
    g_before, d_before = weights(model.generator), weights(model.discriminator)
    x, _ = batch(model, mnist_float, n=16)
    model.fit(x, batch_size=16, epochs=1, verbose=0)
    assert not moved(d_before, model.discriminator)
    assert float(model.d_optimizer.dynamic_scale) == 2.0**39 and int(model.d_optimizer.iterations) == 0
    assert moved(g_before, model.generator) and int(model.g_optimizer.iterations) == 1
