"""PatchGAN: the receptive field against the gradient support of a real network and the jump/start arithmetic."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans.networks.patchgan import (
    build_patchgan_discriminator,
    default_patchgan_layers,
    patchgan_output_size,
    patchgan_receptive_field,
)


def _forward_receptive_field(layers):
    """Receptive field by forward accumulation (Araujo et al., 2019): r += (k - 1) j; j *= s."""
    field, jump = 1, 1
    for kernel, stride in layers:
        field += (kernel - 1) * jump
        jump *= stride
    return field


@pytest.mark.parametrize("num_layers, expected", [(1, 16), (2, 34), (3, 70), (4, 142)])
def test_receptive_field_matches_the_paper_and_forward_arithmetic(num_layers, expected):
    assert patchgan_receptive_field(num_layers) == expected
    assert _forward_receptive_field([(4, 2)] * num_layers + [(4, 1)] * 2) == expected


@pytest.mark.parametrize("num_layers, size", [(1, 40), (2, 64)])
def test_receptive_field_is_the_gradient_support_of_one_logit(num_layers, size):
    d = build_patchgan_discriminator((size, size, 1), filters=2, num_layers=num_layers, normalization=None)
    for layer in d.layers:  # positive weights: no cancellation, every input in the field has a non-zero gradient
        if isinstance(layer, keras.layers.Conv2D):
            kernel, bias = layer.get_weights()
            layer.set_weights([np.abs(kernel) + 0.01, bias])
    x = tf.Variable(np.random.default_rng(0).uniform(0.1, 1, (1, size, size, 1)).astype("float32"))
    out_size = patchgan_output_size(size, num_layers)
    assert d.output_shape[1] == out_size
    center = out_size // 2
    with tf.GradientTape() as tape:
        logit = d(x)[0, center, center, 0]
    grad = np.abs(tape.gradient(logit, x).numpy()[0, :, :, 0])
    rows, cols = np.nonzero(grad.sum(1))[0], np.nonzero(grad.sum(0))[0]
    field = patchgan_receptive_field(num_layers)
    # One logit sees `field` input pixels per side; the start is i*2^n minus the padding seen through the jumps.
    start = center * 2**num_layers - sum(2**i for i in range(num_layers)) - 2**num_layers * 2
    assert rows[0] > 0 and rows[-1] < size - 1  # not clipped by the border
    assert rows[-1] - rows[0] + 1 == field and cols[-1] - cols[0] + 1 == field
    assert rows[0] == start


def test_paper_output_map_and_default_depths():
    assert patchgan_output_size(256, 3) == 30  # 30x30 logits of 70x70 patches at 256 px
    assert [default_patchgan_layers((s, s, 3)) for s in (256, 128, 64, 32, 28, 8)] == [3, 3, 2, 1, 1, 1]


def test_conditional_discriminator_takes_input_and_output():
    d = build_patchgan_discriminator((16, 16, 3), conditioning_shape=(16, 16, 1), filters=4)
    assert [tuple(t.shape[1:]) for t in d.inputs] == [(16, 16, 1), (16, 16, 3)]
    out = d([np.zeros((2, 16, 16, 1), "float32"), np.zeros((2, 16, 16, 3), "float32")])
    assert out.shape == (2, patchgan_output_size(16, 1), patchgan_output_size(16, 1), 1)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="logit map would be empty"):
        build_patchgan_discriminator((8, 8, 1), num_layers=3)
    with pytest.raises(ValueError, match="same height"):
        build_patchgan_discriminator((16, 16, 1), conditioning_shape=(8, 8, 1))
    with pytest.raises(ValueError, match="normalization"):
        build_patchgan_discriminator((16, 16, 1), normalization="spectral")
