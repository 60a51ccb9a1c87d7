"""StyleGAN2's networks and the equalised layers, each checked against an independent numpy computation."""

import math

import keras
import numpy as np
import pytest

from keras_gans.networks import equalized
from keras_gans.networks import stylegan2 as sg


def _numpy_modulated_conv(x, kernel, styles, demodulate):
    """Each sample convolved ('same', stride 1) with its own modulated (and demodulated) weights, float64."""
    x, kernel, styles = (np.asarray(a, np.float64) for a in (x, kernel, styles))
    k = kernel.shape[0]
    pad = k // 2
    padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
    out = np.zeros((*x.shape[:3], kernel.shape[-1]))
    for b in range(x.shape[0]):
        weights = kernel * styles[b][None, None, :, None]
        if demodulate:
            weights = weights / np.sqrt((weights**2).sum(axis=(0, 1, 2), keepdims=True) + 1e-8)
        for i in range(x.shape[1]):
            for j in range(x.shape[2]):
                out[b, i, j] = np.einsum("hwc,hwco->o", padded[b, i : i + k, j : j + k], weights)
    return out


def test_demodulation_normalises_the_weights_per_output_channel():
    rng = np.random.default_rng(0)
    kernel = rng.normal(size=(3, 3, 5, 7)).astype("float32")
    styles = rng.uniform(0.2, 3.0, size=(4, 5)).astype("float32")
    weights = keras.ops.convert_to_numpy(sg.modulated_kernels(kernel, styles))
    # Every sample's every output channel has unit L2 norm over (kernel, kernel, input channel).
    np.testing.assert_allclose(np.sqrt((weights.astype(np.float64) ** 2).sum(axis=(1, 2, 3))), 1.0, rtol=1e-5)
    # The coefficients the layers use equal the reciprocal norms of the modulated weights.
    modulated = kernel[None].astype(np.float64) * styles[:, None, None, :, None]
    expected = 1.0 / np.sqrt((modulated**2).sum(axis=(1, 2, 3)) + 1e-8)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(sg.demodulation(kernel, styles)), expected, rtol=1e-5)


@pytest.mark.parametrize("demodulate", [True, False], ids=["demodulated", "modulated"])
def test_modulated_conv_equals_a_per_sample_convolution(demodulate):
    rng = np.random.default_rng(1)
    x = rng.normal(size=(3, 5, 5, 4)).astype("float32")
    w = rng.normal(size=(3, 6)).astype("float32")
    layer = sg.ModulatedConv2D(2, 3, demodulate=demodulate)
    y = keras.ops.convert_to_numpy(layer([x, w]))
    affine = layer.affine
    assert affine.lr_multiplier == 1.0
    styles = w @ (affine.kernel.numpy() * affine.gain / math.sqrt(6)) + affine.bias.numpy()
    np.testing.assert_allclose(affine.bias.numpy(), 1.0)  # styles start at 1
    kernel = layer.kernel.numpy() / math.sqrt(3 * 3 * 4)  # equalised learning rate
    np.testing.assert_allclose(y, _numpy_modulated_conv(x, kernel, styles, demodulate), atol=1e-4)


def test_equalized_layers_scale_their_weights_at_run_time():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4, 6)).astype("float32")
    dense = equalized.EqualizedDense(3, lr_multiplier=0.01, bias_initializer=0.5)
    y = keras.ops.convert_to_numpy(dense(x))
    kernel, bias = dense.kernel.numpy(), dense.bias.numpy()
    np.testing.assert_allclose(bias, 50.0)  # stored divided by the lr multiplier
    np.testing.assert_allclose(y, x @ (kernel * math.sqrt(2) * 0.01 / math.sqrt(6)) + bias * 0.01, atol=1e-5)
    # Stored N(0, 1/lr²): the effective weights are He-initialised whatever the multiplier.
    big = equalized.EqualizedDense(64, lr_multiplier=0.01)
    big.build((None, 256))
    assert 80 < big.kernel.numpy().std() < 120
    images = rng.normal(size=(2, 4, 4, 3)).astype("float32")
    conv = equalized.EqualizedConv2D(5, 3, gain=1.0)
    out = keras.ops.convert_to_numpy(conv(images))
    reference = _numpy_modulated_conv(images, conv.kernel.numpy() / math.sqrt(27), np.ones((2, 3)), False)
    np.testing.assert_allclose(out, reference, atol=1e-4)
    pixel = keras.ops.convert_to_numpy(equalized.PixelNormalization()(images))
    np.testing.assert_allclose(pixel, images / np.sqrt((images**2).mean(-1, keepdims=True) + 1e-8), rtol=1e-5)


def test_grouped_minibatch_std_uses_consecutive_groups_so_replicas_agree():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(8, 3, 3, 2)).astype("float32")
    layer = equalized.GroupedMinibatchStdDev(4)
    y = keras.ops.convert_to_numpy(layer(x))
    for g in range(2):
        group = x[4 * g : 4 * g + 4].astype(np.float64)
        np.testing.assert_allclose(y[4 * g : 4 * g + 4, ..., -1], np.sqrt(group.var(0) + 1e-8).mean(), rtol=1e-5)
    # Two replicas holding the halves of the batch compute the same feature as one device.
    halves = np.concatenate([keras.ops.convert_to_numpy(layer(x[:4])), keras.ops.convert_to_numpy(layer(x[4:]))])
    np.testing.assert_allclose(halves, y, rtol=1e-6)
    # A batch not divisible by the group size uses the largest divisor below it (6 -> groups of 3).
    six = keras.ops.convert_to_numpy(layer(x[:6]))
    np.testing.assert_allclose(six[:3, ..., -1], np.sqrt(x[:3].astype(np.float64).var(0) + 1e-8).mean(), rtol=1e-5)


@pytest.mark.parametrize("shape", [(12, 12, 1), (8, 16, 1), (2, 2, 3), (28, 28, 1)])
def test_sizes_that_are_not_powers_of_two_are_refused(shape):
    with pytest.raises(ValueError, match="power of two"):
        sg.check_resolution(shape)


def test_generator_and_discriminator_shapes_and_round_trip():
    generator = sg.build_stylegan2_generator(8, (16, 16, 3), filters=4, max_filters=8, mapping_layers=8)
    discriminator = sg.build_stylegan2_discriminator((16, 16, 3), filters=4, max_filters=8)
    mapping = generator.get_layer("mapping")
    assert len([layer for layer in mapping.layers if isinstance(layer, equalized.EqualizedDense)]) == 8
    assert all(layer.lr_multiplier == 0.01 for layer in mapping.layers if isinstance(layer, equalized.EqualizedDense))
    synthesis = generator.get_layer("synthesis")
    assert synthesis.inputs[0].shape[1:] == (sg.num_styles(4), 8) == (6, 8)  # one w per layer, toRGBs included
    assert [i.shape[1] for i in synthesis.inputs[1:]] == [4, 8, 8, 16, 16]  # one noise map per conv layer
    z = np.random.default_rng(4).normal(size=(4, 8)).astype("float32")
    images = keras.ops.convert_to_numpy(generator(z))
    assert images.shape == (4, 16, 16, 3)
    assert keras.ops.convert_to_numpy(discriminator(images)).shape == (4, 1)
    clone = keras.models.clone_model(generator)
    clone.set_weights(generator.get_weights())
    np.testing.assert_allclose(keras.ops.convert_to_numpy(clone(z)), images, atol=1e-6)
