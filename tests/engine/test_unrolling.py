"""keras_gans.engine.unrolling: unrolled SGD / Adam updates of a network, checked against independent computations."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans.engine.unrolling import AdamState, adam_state_from_optimizer, unrolled_variables


def _mlp(dtype="float32", seed=0, hidden=8, batch_norm=False):
    keras.utils.set_random_seed(seed)
    layers = [keras.Input((2,), dtype=dtype), keras.layers.Dense(hidden, activation="tanh", dtype=dtype)]
    if batch_norm:
        layers.append(keras.layers.BatchNormalization(dtype=dtype))
    layers.append(keras.layers.Dense(1, dtype=dtype))
    return keras.Sequential(layers)


def _batch(dtype="float32", n=16, seed=1):
    rng = np.random.default_rng(seed)
    real = rng.normal(size=(n, 2)).astype(dtype)
    z = rng.normal(size=(n, 2)).astype(dtype)
    generator = (0.7 * np.eye(2) + 0.2 * rng.normal(size=(2, 2))).astype(dtype)
    return tf.constant(real), tf.constant(z), generator


def _d_loss(logits_real, logits_fake):
    """The discriminator's loss: -log D(x) - log(1 - D(G(z))) with D = sigmoid(logits)."""
    return tf.reduce_mean(tf.nn.softplus(-logits_real)) + tf.reduce_mean(tf.nn.softplus(logits_fake))


def _d_loss_fn(real, fake):
    return lambda forward: _d_loss(forward(real), forward(fake))


def _g_loss(network, values, fake):
    logits, _ = network.stateless_call(values, [v.value for v in network.non_trainable_variables], fake, training=True)
    return tf.reduce_mean(tf.nn.softplus(-logits))


def _numpy(tensors):
    return [np.asarray(t) for t in tensors]


def _copy(network):
    copy = keras.models.clone_model(network)
    copy.set_weights(network.get_weights())
    return copy


def _reference_steps(network, optimizer, real, fake, steps, copy=None):
    """``steps`` updates by a real Keras optimizer of a copy of ``network``: what unrolling must reproduce."""
    copy = _copy(network) if copy is None else copy
    for _ in range(steps):
        with tf.GradientTape() as tape:
            loss = _d_loss(copy(real, training=True), copy(fake, training=True))
        optimizer.apply(tape.gradient(loss, copy.trainable_variables), copy.trainable_variables)
    return [v.numpy() for v in copy.trainable_variables]


def _copy_adam(optimizer, network):
    """A copy of ``network`` and a fresh Adam built on it with the configuration and the state of ``optimizer``."""
    copy = _copy(network)
    twin = keras.optimizers.Adam.from_config(optimizer.get_config())
    twin.build(copy.trainable_variables)
    for mine, theirs in zip(twin.variables, optimizer.variables):
        mine.assign(theirs)
    return copy, twin


def _close(actual, expected, rtol=1e-6, atol=1e-7):
    assert len(actual) == len(expected)
    for a, e in zip(actual, expected):
        np.testing.assert_allclose(np.asarray(a), e, rtol=rtol, atol=atol)


def test_one_sgd_step_is_w_minus_lr_grad():
    network = _mlp()
    real, z, g = _batch()
    fake = z @ g
    with tf.GradientTape() as tape:
        loss = _d_loss(network(real, training=True), network(fake, training=True))
    grads = tape.gradient(loss, network.trainable_variables)
    expected = [w.numpy() - 0.1 * gr.numpy() for w, gr in zip(network.trainable_variables, grads)]
    result = unrolled_variables(network, None, None, _d_loss_fn(real, fake), 1, learning_rate=0.1, method="sgd")
    _close(result, expected)


def test_sgd_steps_match_keras_sgd():
    network = _mlp()
    real, z, g = _batch()
    fake = z @ g
    expected = _reference_steps(network, keras.optimizers.SGD(0.1), real, fake, steps=3)
    learning_rate = keras.optimizers.SGD(0.1).learning_rate  # a variable, as a caller would pass it
    result = unrolled_variables(network, None, None, _d_loss_fn(real, fake), 3, learning_rate, method="sgd")
    _close(result, expected, rtol=1e-5, atol=1e-6)


def test_zero_steps_returns_the_starting_weights():
    network = _mlp()
    real, z, g = _batch()
    result = unrolled_variables(network, None, None, _d_loss_fn(real, z @ g), 0, learning_rate=0.1, method="sgd")
    _close(result, network.get_weights(), rtol=0, atol=0)


@pytest.mark.parametrize("steps", [1, 2])
def test_adam_from_fresh_state_matches_keras_adam(steps):
    network = _mlp()
    real, z, g = _batch()
    fake = z @ g
    optimizer = keras.optimizers.Adam(1e-2, beta_1=0.5, epsilon=1e-8)
    expected = _reference_steps(network, keras.optimizers.Adam.from_config(optimizer.get_config()), real, fake, steps)
    from_unbuilt = unrolled_variables(network, None, None, _d_loss_fn(real, fake), steps, adam_state=optimizer)
    _close(from_unbuilt, expected)
    zeros = [tf.zeros_like(v) for v in network.trainable_variables]
    state = AdamState(zeros, zeros, 0, 1e-2, 0.5, 0.999, 1e-8)
    _close(unrolled_variables(network, None, None, _d_loss_fn(real, fake), steps, adam_state=state), expected)


@pytest.mark.parametrize("steps", [1, 2])
@pytest.mark.parametrize("schedule", [False, True])
def test_adam_continues_a_trained_optimizer(steps, schedule):
    network = _mlp()
    real, z, g = _batch()
    fake = z @ g
    lr = keras.optimizers.schedules.ExponentialDecay(1e-2, decay_steps=2, decay_rate=0.5) if schedule else 1e-2
    optimizer = keras.optimizers.Adam(lr, beta_1=0.5, epsilon=1e-8)
    for _ in range(3):  # a real optimizer with non-zero moments and iterations = 3
        with tf.GradientTape() as tape:
            loss = _d_loss(network(real, training=True), network(fake, training=True))
        optimizer.apply(tape.gradient(loss, network.trainable_variables), network.trainable_variables)
    weights = network.get_weights()
    state = [v.numpy() for v in optimizer.variables]
    copy, twin = _copy_adam(optimizer, network)
    expected = _reference_steps(network, twin, real, fake, steps, copy=copy)

    result = unrolled_variables(network, None, None, _d_loss_fn(real, fake), steps, adam_state=optimizer)
    _close(result, expected)
    # Read only: neither the network nor the optimizer moved.
    _close(network.get_weights(), weights, rtol=0, atol=0)
    _close([v.numpy() for v in optimizer.variables], state, rtol=0, atol=0)
    assert int(optimizer.iterations.numpy()) == 3


def _unrolled_g_loss(network, theta0, generator, real, z, steps, method, lr, adam_state, second_order=True):
    fake = z @ generator
    unrolled = unrolled_variables(
        network,
        theta0,
        None,
        _d_loss_fn(real, fake),
        steps,
        learning_rate=lr,
        method=method,
        adam_state=adam_state,
        second_order=second_order,
    )
    return _g_loss(network, unrolled, fake), unrolled


def _warm_adam_state(network, seed=3):
    """A float64 Adam state with non-zero moments, as after 5 updates."""
    rng = np.random.default_rng(seed)
    momentums = [tf.constant(0.05 * rng.normal(size=v.shape)) for v in network.trainable_variables]
    velocities = [tf.constant(0.01 * rng.uniform(0.1, 1.0, size=v.shape)) for v in network.trainable_variables]
    return AdamState(momentums, velocities, tf.constant(5, tf.int64), 0.05, 0.5, 0.999, 1e-8)


def _central_difference(f, x, h=1e-6):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        plus, minus = x.copy(), x.copy()
        plus[index] += h
        minus[index] -= h
        grad[index] = (f(plus) - f(minus)) / (2 * h)
    return grad


@pytest.mark.parametrize("method", ["sgd", "adam"])
def test_second_order_gradient_matches_finite_differences(method):
    network = _mlp("float64", hidden=3)
    real, z, generator = _batch("float64", n=8)
    lr, adam = (0.5, None) if method == "sgd" else (None, _warm_adam_state(network))
    theta0 = [v.numpy() for v in network.trainable_variables]

    def loss_at(gen, theta=theta0):
        value, _ = _unrolled_g_loss(
            network, [tf.constant(t) for t in theta], tf.constant(gen), real, z, 3, method, lr, adam
        )
        return float(value)

    gen = tf.constant(generator)
    thetas = [tf.constant(t) for t in theta0]
    with tf.GradientTape() as tape:
        tape.watch([gen, *thetas])
        loss, _ = _unrolled_g_loss(network, thetas, gen, real, z, 3, method, lr, adam)
    grad_gen, *grad_theta = tape.gradient(loss, [gen, *thetas])
    with tf.GradientTape() as tape:
        tape.watch(gen)
        first_order, _ = _unrolled_g_loss(network, thetas, gen, real, z, 3, method, lr, adam, second_order=False)
    first_order_grad = tape.gradient(first_order, gen).numpy()

    fd_gen = _central_difference(loss_at, generator.astype(np.float64))
    np.testing.assert_allclose(grad_gen.numpy(), fd_gen, rtol=1e-6, atol=1e-9)
    # The second-order term is material here, so the comparison above tests it.
    assert np.abs(grad_gen.numpy() - first_order_grad).max() > 1e3 * np.abs(grad_gen.numpy() - fd_gen).max()
    for i, t in enumerate(theta0):

        def loss_at_theta(x, i=i):
            return loss_at(generator, [x if j == i else theta0[j] for j in range(len(theta0))])

        np.testing.assert_allclose(grad_theta[i].numpy(), _central_difference(loss_at_theta, t), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("method", ["sgd", "adam"])
def test_first_order_is_the_gradient_at_stopped_unrolled_weights(method):
    network = _mlp("float64", hidden=3)
    real, z, generator = _batch("float64", n=8)
    lr, adam = (0.5, None) if method == "sgd" else (None, _warm_adam_state(network))
    gen = tf.constant(generator)
    thetas = [v.value for v in network.trainable_variables]
    with tf.GradientTape() as tape:
        tape.watch([gen, *thetas])
        loss, unrolled = _unrolled_g_loss(network, thetas, gen, real, z, 3, method, lr, adam, second_order=False)
    grad_gen, *grad_theta = tape.gradient(loss, [gen, *thetas])

    constants = [tf.constant(u.numpy()) for u in unrolled]  # theta^K as constants: no path back to gen or theta^0
    with tf.GradientTape() as tape:
        tape.watch([gen, *constants])
        stopped = _g_loss(network, constants, z @ gen)
    expected_gen, *expected_theta = tape.gradient(stopped, [gen, *constants])
    np.testing.assert_allclose(float(loss), float(stopped), rtol=1e-12)
    np.testing.assert_allclose(grad_gen.numpy(), expected_gen.numpy(), rtol=1e-10, atol=1e-14)
    # d theta^K / d theta^0 = I: the gradient reaches theta^0 unchanged.
    _close(grad_theta, _numpy(expected_theta), rtol=1e-10, atol=1e-14)


@pytest.mark.parametrize("method", ["sgd", "adam"])
def test_graph_and_xla_match_eager(method):
    network = _mlp()
    real, z, generator = _batch()
    optimizer = keras.optimizers.Adam(1e-2, beta_1=0.5, epsilon=1e-8)
    optimizer.build(network.trainable_variables)
    rng = np.random.default_rng(0)
    for m, v in zip(optimizer._momentums, optimizer._velocities):
        m.assign(0.05 * rng.normal(size=m.shape))
        v.assign(0.01 * rng.uniform(0.1, 1.0, size=v.shape))
    optimizer.iterations.assign(4)
    gen = tf.Variable(generator)
    lr, adam = (0.2, None) if method == "sgd" else (None, optimizer)

    def g_step():
        with tf.GradientTape() as tape:
            loss, unrolled = _unrolled_g_loss(network, None, gen, real, z, 2, method, lr, adam)
        return loss, tape.gradient(loss, gen), unrolled

    eager = g_step()
    for jit in (False, True):
        compiled = tf.function(g_step, jit_compile=jit)()
        _close([compiled[0], compiled[1], *compiled[2]], _numpy([eager[0], eager[1], *eager[2]]), rtol=1e-5, atol=1e-6)
    assert int(optimizer.iterations.numpy()) == 4


def test_network_state_is_threaded_and_dropped():
    network = _mlp(batch_norm=True)
    real, z, g = _batch()
    before = [v.numpy() for v in network.non_trainable_variables]
    calls = []

    def loss_fn(forward):
        calls.append(1)
        return _d_loss(forward(real), forward(z @ g))

    result = unrolled_variables(network, None, None, loss_fn, 2, learning_rate=0.1, method="sgd")
    assert len(calls) == 2 and len(result) == len(network.trainable_variables)
    _close([v.numpy() for v in network.non_trainable_variables], before, rtol=0, atol=0)


def test_adam_state_from_optimizer_reads_without_writing():
    network = _mlp()
    optimizer = keras.optimizers.Adam(3e-3, beta_1=0.5, beta_2=0.99, epsilon=1e-6)
    state = adam_state_from_optimizer(optimizer, network.trainable_variables)
    assert int(state.iterations) == 0 and not optimizer.built
    assert (state.beta_1, state.beta_2, state.epsilon) == (0.5, 0.99, 1e-6)
    np.testing.assert_allclose(float(state.learning_rate), 3e-3, rtol=1e-6)
    assert all(not np.any(m) for m in _numpy(state.momentums + state.velocities))


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"method": "sgd"}, "needs a learning_rate"),
        ({"method": "adam"}, "needs a learning_rate or an adam_state"),
        ({"method": "rmsprop", "learning_rate": 0.1}, "method must be"),
        ({"method": "adam", "adam_state": keras.optimizers.Adam(amsgrad=True)}, "amsgrad"),
        ({"method": "adam", "adam_state": keras.optimizers.AdamW()}, "weight_decay"),
        ({"method": "adam", "adam_state": keras.optimizers.Adam(clipnorm=1.0)}, "clipnorm"),
    ],
)
def test_rejects_what_it_cannot_reproduce(kwargs, error):
    network = _mlp()
    real, z, g = _batch()
    with pytest.raises(ValueError, match=error):
        unrolled_variables(network, None, None, _d_loss_fn(real, z @ g), 1, **kwargs)


def test_rejects_an_optimizer_built_on_other_variables():
    network, other = _mlp(), _mlp(seed=1)
    optimizer = keras.optimizers.Adam()
    optimizer.build(other.trainable_variables)
    with pytest.raises(ValueError, match="not built on variable"):
        adam_state_from_optimizer(optimizer, network.trainable_variables)
