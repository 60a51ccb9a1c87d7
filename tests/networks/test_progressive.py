"""The progressive networks: fade-in blends against numpy, the growth state saved, static graph under XLA."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans.networks import progressive as pg

SHAPE = (16, 16, 1)  # 3 levels: 4, 8, 16


def _up(x, factor):
    return np.repeat(np.repeat(x, factor, axis=1), factor, axis=2)


def _pool(x, factor):
    n, h, w, c = x.shape
    return x.reshape(n, h // factor, factor, w // factor, factor, c).mean(axis=(2, 4))


@pytest.fixture(scope="module")
def generator():
    keras.utils.set_random_seed(0)
    return pg.build_progressive_generator(8, SHAPE, filters=4, max_filters=8)


@pytest.fixture(scope="module")
def discriminator():
    keras.utils.set_random_seed(1)
    return pg.build_progressive_discriminator(SHAPE, filters=4, max_filters=8)


def _to_rgb(generator, z):
    """Every level's toRGB image, read from the network's own layers."""
    names = [f"to_rgb_{4 * 2**k}" for k in range(3)]
    probe = keras.Model(generator.input, [generator.get_layer(n).output for n in names])
    return [np.asarray(x) for x in probe(z)]


@pytest.mark.parametrize("level, alpha", [(0, 1.0), (1, 0.25), (1, 1.0), (2, 0.6), (2, 1.0)])
def test_generator_output_is_the_fade_in_blend(generator, level, alpha):
    z = np.random.default_rng(0).normal(size=(3, 8)).astype("float32")
    pg.set_growth(generator, level, alpha)
    rgb = _to_rgb(generator, z)
    # (1 - a) * upsample(previous level's toRGB) + a * this level's toRGB, at the full size.
    expected = alpha * _up(rgb[level], 16 // (4 * 2**level))
    if level > 0:
        expected = expected + (1 - alpha) * _up(rgb[level - 1], 16 // (4 * 2 ** (level - 1)))
    np.testing.assert_allclose(np.asarray(generator(z)), expected, rtol=1e-5, atol=1e-6)
    assert pg.get_growth(generator) == (level, pytest.approx(alpha))


def test_level_zero_ignores_alpha(generator):
    z = np.random.default_rng(1).normal(size=(2, 8)).astype("float32")
    pg.set_growth(generator, 0, 0.3)
    np.testing.assert_allclose(np.asarray(generator(z)), _up(_to_rgb(generator, z)[0], 4), rtol=1e-5, atol=1e-6)


def test_discriminator_fade_in_blends_the_block_inputs(discriminator):
    """D at level 2, alpha a, rebuilt from its own layers: the 8x8 block takes (1-a) fromRGB_8(pool(x)) +
    a downsample(block_16(fromRGB_16(x)))."""
    x = np.random.default_rng(2).uniform(-1, 1, size=(4, *SHAPE)).astype("float32")
    layer = discriminator.get_layer
    alpha = 0.3
    pg.set_growth(discriminator, 2, alpha)
    high = layer("d16_downsample")(layer("d16_conv2")(layer("d16_conv1")(layer("from_rgb_16")(x))))
    h8 = (1 - alpha) * layer("from_rgb_8")(_pool(x, 2)) + alpha * high
    h4 = layer("d8_downsample")(layer("d8_conv2")(layer("d8_conv1")(h8)))
    tail = ["d4_minibatch_std", "d4_conv", "d4_flatten", "d4_dense", "critic"]
    out = h4
    for name in tail:
        out = layer(name)(out)
    np.testing.assert_allclose(np.asarray(discriminator(x)), np.asarray(out), rtol=1e-4, atol=1e-5)


def test_discriminator_at_a_level_ignores_the_higher_levels(discriminator):
    x = np.random.default_rng(3).uniform(-1, 1, size=(4, *SHAPE)).astype("float32")
    pg.set_growth(discriminator, 1, 1.0)
    before = np.asarray(discriminator(x))
    # Level 2 faded in at alpha 0 is level 1; the 16x16 weights do not matter at either.
    pg.set_growth(discriminator, 2, 0.0)
    np.testing.assert_allclose(np.asarray(discriminator(x)), before, rtol=1e-5, atol=1e-6)
    kernel = discriminator.get_layer("d16_conv1").kernel
    saved = kernel.numpy()
    kernel.assign(saved + 1.0)
    try:
        np.testing.assert_allclose(np.asarray(discriminator(x)), before, rtol=1e-5, atol=1e-6)
    finally:
        kernel.assign(saved)


@pytest.mark.parametrize("level, alpha", [(0, 1.0), (1, 0.4), (2, 0.7), (2, 1.0)])
def test_blend_to_level_matches_numpy(level, alpha):
    x = np.random.default_rng(4).uniform(-1, 1, size=(2, *SHAPE)).astype("float32")
    state = tf.constant([level, alpha], tf.float32)
    factor = 16 // (4 * 2**level)
    expected = alpha * _up(_pool(x, factor), factor) if level else _up(_pool(x, 4), 4)
    if level:
        expected = expected + (1 - alpha) * _up(_pool(x, 2 * factor), 2 * factor)
    np.testing.assert_allclose(pg.blend_to_level(tf.constant(x), state, 3).numpy(), expected, rtol=1e-5, atol=1e-6)


def test_weights_of_the_levels():
    np.testing.assert_allclose(pg.generator_output_weights(tf.constant([2.0, 0.3]), 4).numpy(), [0, 0.7, 0.3, 0])
    np.testing.assert_allclose(pg.generator_output_weights(tf.constant([0.0, 0.3]), 4).numpy(), [1, 0, 0, 0])
    np.testing.assert_allclose(pg.discriminator_input_weights(tf.constant([3.0, 0.3]), 4).numpy(), [1, 1, 0.3, 0])
    np.testing.assert_allclose(pg.discriminator_input_weights(tf.constant([0.0, 1.0]), 4).numpy(), [0, 0, 0, 0])


@pytest.mark.parametrize("shape", [(28, 28, 1), (16, 8, 1), (2, 2, 1), (12, 12, 3)])
def test_sizes_that_are_not_powers_of_two_are_refused(shape):
    with pytest.raises(ValueError, match="power of two"):
        pg.build_progressive_generator(8, shape)
    with pytest.raises(ValueError, match="power of two"):
        pg.build_progressive_discriminator(shape)


def test_widths_double_towards_4x4_up_to_the_cap():
    assert [pg.level_filters(k, 4, 64, 256) for k in range(4)] == [256, 256, 128, 64]
    assert pg.num_levels((32, 32, 3)) == 4 and pg.num_levels((4, 4, 1)) == 1
    with pytest.raises(ValueError, match="max_filters"):
        pg.build_progressive_generator(8, SHAPE, filters=16, max_filters=8)


def test_minibatch_std_groups_consecutive_samples(discriminator):
    """Groups of consecutive samples: a batch split across replicas forms the groups one device forms."""
    from keras_gans.networks.equalized import GroupedMinibatchStdDev

    layer = discriminator.get_layer("d4_minibatch_std")
    assert isinstance(layer, GroupedMinibatchStdDev) and layer.group_size == 4


def test_growth_state_is_saved_with_the_network(tmp_path, generator):
    pg.set_growth(generator, 1, 0.45)
    path = tmp_path / "g.keras"
    generator.save(path)
    loaded = keras.saving.load_model(path)
    assert pg.get_growth(loaded) == (1, pytest.approx(0.45))
    z = np.random.default_rng(6).normal(size=(2, 8)).astype("float32")
    np.testing.assert_allclose(np.asarray(loaded(z)), np.asarray(generator(z)), atol=1e-6)


def test_one_static_xla_program_for_every_state(generator, discriminator):
    """The state is read from variables: one XLA trace serves every level and alpha, equal to eager."""
    traces = []

    @tf.function(jit_compile=True)
    def critic_of_samples(z):
        traces.append(1)
        return discriminator(generator(z))

    z = np.random.default_rng(7).normal(size=(4, 8)).astype("float32")
    for level, alpha in [(0, 1.0), (1, 0.5), (2, 0.2)]:
        pg.set_growth(generator, level, alpha)
        pg.set_growth(discriminator, level, alpha)
        np.testing.assert_allclose(
            critic_of_samples(z).numpy(), np.asarray(discriminator(generator(z))), rtol=1e-4, atol=1e-5
        )
    assert len(traces) == 1


def test_networks_without_a_growth_state_are_refused():
    with pytest.raises(ValueError, match="GrowthState"):
        pg.get_growth(keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)]))
