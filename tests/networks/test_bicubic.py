"""Bicubic upsampling as a convolution, against TensorFlow's resize and a direct numpy evaluation of the kernel,
and the generators that learn a residual over it (bicubic_skip)."""

import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg
from keras_gans.networks.bicubic import bicubic_phase_weights, bicubic_upsample


def _numpy_bicubic_axis(size: int, factor: int) -> np.ndarray:
    """``(factor size, size)``: TensorFlow's half-pixel bicubic resize of one axis, from its definition: the taps
    ``floor(u) - 1 .. floor(u) + 2`` of ``u = (j + 0.5) / factor - 0.5``, Keys' a = -0.5, out-of-image taps
    dropped and the rest renormalised."""

    def keys(t):
        t = abs(t)
        if t <= 1:
            return 1.5 * t**3 - 2.5 * t**2 + 1
        return -0.5 * t**3 + 2.5 * t**2 - 4 * t + 2 if t < 2 else 0.0

    matrix = np.zeros((factor * size, size))
    for j in range(factor * size):
        u = (j + 0.5) / factor - 0.5
        base = int(np.floor(u))
        for tap in range(base - 1, base + 3):
            if 0 <= tap < size:
                matrix[j, tap] = keys(u - tap)
        matrix[j] /= matrix[j].sum()
    return matrix


@pytest.mark.parametrize("factor", [2, 4, 8])
@pytest.mark.parametrize("shape", [(2, 5, 3, 1), (1, 1, 1, 3), (1, 7, 2, 3), (1, 12, 9, 3)])
def test_bicubic_upsample_is_tensorflows_resize(factor, shape):
    x = np.random.default_rng(factor).uniform(-1, 1, shape).astype("float32")
    n, h, w, c = shape
    got = bicubic_upsample(x, factor).numpy()
    assert got.shape == (n, factor * h, factor * w, c)
    expected = tf.image.resize(x, [factor * h, factor * w], "bicubic").numpy()
    np.testing.assert_allclose(got, expected, atol=2e-6)
    rows, cols = _numpy_bicubic_axis(h, factor), _numpy_bicubic_axis(w, factor)
    np.testing.assert_allclose(got, np.einsum("ph,nhwc,qw->npqc", rows, x, cols), atol=2e-6)


def test_phase_weights_interpolate():
    for factor in (2, 4, 8):
        weights = bicubic_phase_weights(factor)
        np.testing.assert_allclose(weights.sum(axis=1), 1.0, rtol=1e-6)  # constants stay constant
        taps = np.arange(-2, 3)
        offsets = (np.arange(factor) + 0.5) / factor - 0.5
        np.testing.assert_allclose(weights @ taps, offsets, atol=1e-6)  # ramps stay ramps: it is cubic


@pytest.mark.parametrize("build", ["srresnet", "rrdb"])
@pytest.mark.parametrize("scale", [2, 4])
def test_bicubic_skip_generators_start_as_the_bicubic_baseline(build, scale):
    from keras_gans.metrics.super_resolution import bicubic_upscale

    if build == "srresnet":
        network = kg.networks.build_srresnet(3, scale, filters=4, num_blocks=1, bicubic_skip=True)
        plain = kg.networks.build_srresnet(3, scale, filters=4, num_blocks=1)
    else:
        network = kg.networks.build_rrdb_generator(3, scale, filters=4, growth=2, num_blocks=1, bicubic_skip=True)
        plain = kg.networks.build_rrdb_generator(3, scale, filters=4, growth=2, num_blocks=1)
    x = np.random.default_rng(2).uniform(-1, 1, (2, 6, 5, 3)).astype("float32")
    np.testing.assert_allclose(network(x).numpy(), bicubic_upscale(x, scale), atol=2e-6)
    assert network.count_params() == plain.count_params()  # the upsampling has no weights
    # The bicubic branch reads 2 input pixels around each output pixel; the radius counts them.
    assert kg.networks.receptive_radius(network) == kg.networks.receptive_radius(plain) + 2


def test_bicubic_skip_radius_bounds_what_an_output_pixel_sees():
    network = kg.networks.build_srresnet(1, 2, filters=4, num_blocks=1, batch_norm=False, bicubic_skip=True)
    rng = np.random.default_rng(5)
    network.set_weights([rng.normal(0, 0.3, w.shape).astype("float32") for w in network.get_weights()])
    radius = kg.networks.receptive_radius(network)
    x = np.full((1, 40, 40, 1), -0.2, "float32")
    y = x.copy()
    y[0, 20, 20, 0] = 0.3
    changed = np.argwhere(np.abs(network(y).numpy() - network(x).numpy())[0, ..., 0] > 0)
    assert len(changed) > 0
    assert changed.min() >= 2 * (20 - radius) and changed.max() <= 2 * (20 + radius) + 1


def test_bicubic_skip_must_be_a_bool():
    with pytest.raises(TypeError, match="bicubic_skip must be True or False"):
        kg.networks.build_srresnet(1, 2, filters=4, num_blocks=1, bicubic_skip="yes")


@pytest.mark.parametrize("cls", [kg.SRGAN, kg.ESRGAN])
def test_models_take_bicubic_skip_and_save_it(cls, tmp_path):
    import keras

    extra = {"growth": 4} if cls is kg.ESRGAN else {}
    model = cls(scale=2, channels=1, filters=4, num_blocks=1, d_filters=4, content=None, bicubic_skip=True, **extra)
    assert model.get_config()["bicubic_skip"] is True
    high = np.random.default_rng(0).uniform(-1, 1, (8, 12, 12, 1)).astype("float32")
    low = model.downsample(high)
    from keras_gans.metrics.super_resolution import bicubic_upscale

    np.testing.assert_allclose(model.upscale(low), bicubic_upscale(low, 2), atol=2e-6)
    model.compile()
    model.fit(high, batch_size=4, epochs=1, verbose=0)
    trained = model.upscale(low)
    assert np.abs(trained - bicubic_upscale(low, 2)).max() > 1e-4  # the residual has started to learn
    model.save(tmp_path / "m.keras")
    loaded = keras.saving.load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.upscale(low), trained, atol=1e-6)
    assert loaded.get_config()["bicubic_skip"] is True
