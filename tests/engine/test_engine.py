"""The engine's own mechanics, each against an independent computation: noise streams, lazy regularisation,
skipping non-finite updates (weights and batch-norm state), weight clipping, the step counter, and the checks of
constructors and ``compile``."""

import math

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg
from keras_gans import penalties
from keras_gans.engine import regularization, update
from keras_gans.engine.randomness import DRAWS_PER_STEP, SAMPLING_STREAM, NoiseSource, sampling_normal

SHAPE = (8, 8, 1)


def digits(n=16):
    from sklearn.datasets import load_digits

    return (load_digits().images[:n, :, :, None] / 8.0 - 1.0).astype("float32")


def test_noise_streams_are_functions_of_seed_step_and_purpose():
    noise = NoiseSource(5)
    a = noise.normal([4, 3], tf.constant(2), 7).numpy()
    expected = tf.random.stateless_normal([4, 3], [5, 2 * DRAWS_PER_STEP + 7], alg="philox").numpy()
    np.testing.assert_array_equal(a, expected)
    assert np.abs(a - noise.normal([4, 3], tf.constant(2), 8).numpy()).max() > 0.1
    assert np.abs(a - noise.normal([4, 3], tf.constant(3), 7).numpy()).max() > 0.1
    categories = noise.categorical(1000, 3, tf.constant(0), 1).numpy()
    assert set(np.unique(categories)) == {0, 1, 2} and abs((categories == 0).mean() - 1 / 3) < 0.05
    np.testing.assert_array_equal(
        sampling_normal([2, 3], 9).numpy(),
        tf.random.stateless_normal([2, 3], [9, SAMPLING_STREAM], alg="philox").numpy(),
    )


def test_lazy_penalty_counts_interval_times_on_its_steps_only():
    calls = []

    def penalty():
        calls.append(1)
        return tf.constant(2.5)

    for step in range(6):
        value, log = regularization.lazy_penalty(penalty, tf.constant(step, tf.int64), 4)
        assert float(value) == (10.0 if step % 4 == 0 else 0.0)
        assert float(log.weight) == (1.0 if step % 4 == 0 else 0.0)
    value, log = regularization.lazy_penalty(penalty, tf.constant(3, tf.int64), 1)
    assert float(value) == float(log) == 2.5


def test_lazy_r1_gradient_is_interval_times_the_r1_gradient():
    """r1_interval=4: at step 0 D's gradient holds 4 x weight x grad(R1); at step 1 none of it."""
    images = digits(8)
    eager = kg.DCGAN(image_shape=SHAPE, latent_dim=4, filters=4, seed=1, r1_weight=1.0, r1_interval=4)
    plain = kg.DCGAN(image_shape=SHAPE, latent_dim=4, filters=4, seed=1, r1_weight=0.0)
    for v, w in zip(plain.discriminator.weights, eager.discriminator.weights):
        v.assign(w)
    for v, w in zip(plain.generator.weights, eager.generator.weights):
        v.assign(w)
    for model in (eager, plain):
        model.compile()
    batch = (tf.constant(images), None)
    player = eager.players()[0]
    d_vars = eager.discriminator.trainable_variables
    critic = lambda x: eager._discriminate(x, None)  # noqa: E731
    with tf.GradientTape() as tape:
        r1 = penalties.r1_penalty(critic, tf.constant(images))
    r1_grads = [tf.zeros_like(v) if g is None else g for g, v in zip(tape.gradient(r1, d_vars), d_vars)]
    for step, factor in ((0, 4.0), (1, 0.0)):
        lazy, logs = eager.player_gradients(player, batch, tf.constant(step, tf.int64), 0)
        base, _ = plain.player_gradients(plain.players()[0], batch, tf.constant(step, tf.int64), 0)
        for g_lazy, g_base, g_r1 in zip(lazy, base, r1_grads):
            np.testing.assert_allclose(g_lazy.numpy(), (g_base + factor * g_r1).numpy(), rtol=1e-4, atol=1e-6)
        assert float(logs["r1_penalty"].weight) == (1.0 if factor else 0.0)


def test_lazy_r1_log_averages_the_steps_it_was_computed():
    model = kg.DCGAN(image_shape=SHAPE, latent_dim=4, filters=4, seed=1, r1_weight=1.0, r1_interval=2)
    model.compile()
    history = model.fit(digits(32), batch_size=8, epochs=1, shuffle=False, verbose=0)
    assert history.history["r1_penalty"][-1] > 0  # not diluted towards 0 by the skipped steps' zeros


def test_skip_non_finite_keeps_weights_and_batch_norm_statistics():
    model = kg.DCGAN(image_shape=SHAPE, latent_dim=4, filters=4, seed=1, skip_non_finite_gradients=True)
    # The value checks refuse a NaN batch before it trains; turned off here to reach the non-finite update path
    # (NaN gradients from other causes: an overflowing loss, a bad custom layer).
    model.data_spec.check_values = False
    model.compile()
    model.fit(digits(8), batch_size=8, epochs=1, verbose=0)
    before = [v.numpy().copy() for n in model.networks.values() for v in n.weights]
    bad = digits(8)
    bad[0, 0, 0, 0] = np.nan
    model.fit(bad, batch_size=8, epochs=1, verbose=0)
    after = [v.numpy() for n in model.networks.values() for v in n.weights]
    assert all(np.isfinite(a).all() for a in after)
    moving = [v for n in model.networks.values() for v in n.non_trainable_weights if "moving" in v.path]
    assert moving and all(np.isfinite(v.numpy()).all() for v in moving)
    # D's gradients saw the NaN pixel and were zeroed: its weights moved only by Adam's momentum, by less than
    # a normal step of this run; G's loss never sees real data, so G's update went ahead.
    critic = {id(v) for v in model.discriminator.trainable_weights}
    for a, b, v in zip(before, after, [v for n in model.networks.values() for v in n.weights]):
        if id(v) in critic:
            assert np.abs(a - b).max() < 2e-4


def test_non_finite_guard_restores_only_what_became_non_finite():
    layer = keras.layers.BatchNormalization()
    net = keras.Sequential([keras.Input((2,)), layer])
    guard = update.NonFiniteGuard([net])
    layer.moving_mean.assign([np.nan, 3.0])
    guard.restore()
    np.testing.assert_array_equal(layer.moving_mean.numpy(), [0.0, 3.0])


def test_wgan_clips_the_critic_after_every_update():
    model = kg.WGAN(image_shape=SHAPE, latent_dim=4, filters=4, seed=1)
    assert model.options.weight_clip == 0.01 and model.options.discriminator_steps == 5
    model.compile()
    assert isinstance(model.d_optimizer, keras.optimizers.RMSprop)
    assert float(model.d_optimizer.learning_rate) == pytest.approx(5e-5)
    model.fit(digits(16), batch_size=8, epochs=1, verbose=0)
    critic = np.concatenate([v.numpy().ravel() for v in model.discriminator.trainable_weights])
    assert np.abs(critic).max() <= 0.01 + 1e-7
    assert np.isclose(np.abs(critic).max(), 0.01)  # clipping was active (the init exceeds 0.01)
    generator = np.concatenate([v.numpy().ravel() for v in model.generator.trainable_weights])
    assert np.abs(generator).max() > 0.01  # only the critic player is clipped


def test_weight_clip_is_an_option_of_any_model():
    model = kg.DCGAN(image_shape=SHAPE, latent_dim=4, filters=4, seed=1, weight_clip=0.02)
    model.compile()
    model.fit(digits(8), batch_size=8, epochs=1, verbose=0)
    assert max(np.abs(v.numpy()).max() for v in model.discriminator.trainable_weights) <= 0.02 + 1e-7


def test_step_counter_is_the_models_and_is_saved(tmp_path):
    model = kg.WGANGP(image_shape=SHAPE, latent_dim=4, filters=4, seed=1, discriminator_steps=3)
    model.compile()
    model.fit(digits(16), batch_size=8, epochs=1, verbose=0)
    assert int(model.step_counter.numpy()) == 2 and int(model.d_optimizer.iterations.numpy()) == 6
    model.save(tmp_path / "m.keras")
    assert int(keras.saving.load_model(tmp_path / "m.keras").step_counter.numpy()) == 2


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"latent_dim": 0}, "latent_dim must be in"),
        ({"latent_dim": 2.5}, "latent_dim must be a whole number"),
        ({"image_shape": (16.5, 16, 1)}, r"image_shape\[0\] must be a whole number"),
        ({"image_shape": (16, 16)}, r"image_shape must be \(height, width, channels\)"),
        ({"image_shape": (4, 4, 1)}, "at least 8"),
        ({"image_shape": (10, 12, 1)}, "multiples of 4"),
        ({"filters": 0}, "filters must be an integer >= 1"),
        ({"num_classes": 2.7}, "num_classes must be a whole number"),
        ({"num_classes": 1}, "num_classes must be in"),
        ({"label_smoothing": math.nan}, "label_smoothing must be a finite number"),
        ({"ema_decay": math.inf}, "ema_decay must be a finite number"),
        ({"instance_noise": -1.0}, "instance_noise must be in"),
        ({"skip_non_finite_gradients": "no"}, "skip_non_finite_gradients must be True or False"),
        ({"reuse_fake_batch": 1}, "reuse_fake_batch must be True or False"),
        ({"weight_clip": 0.0}, "weight_clip must be > 0"),
        ({"discriminator_steps": 1.5}, "discriminator_steps must be a whole number"),
        ({"r1_interval": 0}, "r1_interval must be in"),
        ({"seed": -3}, "seed must be a non-negative integer"),
        ({"unrolled_steps": 2, "reuse_fake_batch": True}, "do not combine"),
    ],
)
def test_constructor_refuses_what_cannot_work(kwargs, message):
    base = {"image_shape": (8, 8, 1), "latent_dim": 4, "filters": 4, **kwargs}
    with pytest.raises(ValueError, match=message):
        kg.DCGAN(**base)


def test_misspelt_keywords_are_refused():
    with pytest.raises(TypeError, match=r"unexpected keyword argument\(s\) \['label_smoothin'\]"):
        kg.DCGAN(image_shape=SHAPE, latent_dim=4, filters=4, label_smoothin=0.1)
    model = kg.DCGAN(image_shape=SHAPE, latent_dim=4, filters=4)
    with pytest.raises(TypeError, match=r"d_optimiser.*'d_optimizer', 'g_optimizer'"):
        model.compile(d_optimiser=keras.optimizers.Adam())
    with pytest.raises(ValueError, match="jit_compile must be True or False"):
        model.compile(jit_compile="no")
    with pytest.raises(ValueError, match="steps_per_execution must be an integer"):
        model.compile(steps_per_execution=0)


def _user_networks(d_outputs):
    g_in = keras.Input((4,))
    g = keras.Model(g_in, keras.layers.Reshape(SHAPE)(keras.layers.Dense(64, activation="tanh")(g_in)))
    d_in = keras.Input(SHAPE)
    flat = keras.layers.Flatten()(d_in)
    return g, keras.Model(d_in, d_outputs(flat))


def test_discriminators_that_cannot_work_are_refused():
    g, d = _user_networks(lambda x: keras.layers.Dense(2)(x))
    with pytest.raises(ValueError, match="one output per image"):
        kg.DCGAN(generator=g, discriminator=d, latent_dim=4)
    g, d = _user_networks(lambda x: keras.layers.Dense(1, activation="sigmoid")(x))
    with pytest.raises(ValueError, match="ends with a sigmoid"):
        kg.DCGAN(generator=g, discriminator=d, latent_dim=4)
    g, d = _user_networks(lambda x: [keras.layers.Dense(1)(x), keras.layers.Dense(3)(x)])
    with pytest.raises(ValueError, match="Use ACGAN or InfoGAN"):
        kg.DCGAN(generator=g, discriminator=d, latent_dim=4)
    g, d = _user_networks(lambda x: keras.layers.Dense(1)(x))
    with pytest.raises(ValueError, match="takes z of size 4 but DCGAN feeds it 6"):
        kg.DCGAN(generator=g, discriminator=d, latent_dim=6)


def test_gradient_penalty_on_a_batch_norm_critic_warns():
    with pytest.warns(UserWarning, match="batch normalization"):
        kg.DCGAN(image_shape=(16, 16, 1), latent_dim=4, filters=4, gradient_penalty_weight=10.0)


@pytest.mark.parametrize(
    "kwargs,message",
    [
        ({"num_samples": 2.5}, "num_samples must be a whole number"),
        ({"num_samples": -1}, "num_samples must be in"),
        ({"num_samples": 2, "seed": 1.7}, "seed must be an integer"),
        ({"num_samples": 2, "batch_size": -1}, "batch_size must be in"),
        ({"num_samples": 3, "z": np.zeros((2, 4), "float32")}, "z has 2 rows"),
        ({"z": np.full((2, 4), np.nan, "float32")}, "NaN"),
    ],
)
def test_generate_refuses_bad_arguments(kwargs, message):
    model = kg.DCGAN(image_shape=SHAPE, latent_dim=4, filters=4)
    with pytest.raises(ValueError, match=message):
        model.generate(**kwargs)


@pytest.mark.parametrize(
    "labels,message",
    [(["a", "b"], "integer class indices"), ([0.5, 1.0], "integer class indices"), (np.eye(3)[[0, 1]], "one-hot")],
)
def test_generate_refuses_bad_labels(labels, message):
    model = kg.CGAN(image_shape=SHAPE, latent_dim=4, filters=4, num_classes=3)
    with pytest.raises(ValueError, match=message):
        model.generate(labels=labels)
    np.testing.assert_array_equal(model.generate(labels=[0.0, 2.0], seed=1), model.generate(labels=[0, 2], seed=1))


@pytest.mark.parametrize(
    "cls,kwargs,d_lr,g_lr,loss",
    [
        (kg.SNGAN, {}, 2e-4, 2e-4, "hinge"),
        (kg.ACGAN, {"num_classes": 3}, 2e-4, 2e-4, "non_saturating"),
        (kg.InfoGAN, {}, 2e-4, 1e-3, "non_saturating"),
        (kg.WGAN, {}, 5e-5, 5e-5, "wasserstein"),
    ],
)
def test_paper_defaults_of_the_new_models(cls, kwargs, d_lr, g_lr, loss):
    model = cls(image_shape=SHAPE, filters=4, **kwargs)
    model.compile()
    assert float(model.d_optimizer.learning_rate) == pytest.approx(d_lr)
    assert float(model.g_optimizer.learning_rate) == pytest.approx(g_lr)
    assert model.loss_name == loss
    if cls is kg.SNGAN:
        assert all(
            isinstance(layer, keras.layers.SpectralNormalization)
            for layer in model.discriminator.layers
            if isinstance(layer, (keras.layers.Conv2D, keras.layers.Dense)) or "sn_" in layer.name
        )
        assert any(isinstance(layer, keras.layers.SpectralNormalization) for layer in model.discriminator.layers)
    if cls is kg.InfoGAN:
        assert model.latent_dim == 62 and model.categorical_codes == (10,) and model.continuous_codes == 2
