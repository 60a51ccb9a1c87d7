"""U-Net generator: shapes and depths, the skips carry the input past the bottleneck, stream-driven dropout."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans.networks.unet import StreamDropout, build_unet_generator, dropout_noise, unet_depth


def test_depth_adapts_to_the_image_and_output_shape():
    assert [unet_depth((s, s, 1)) for s in (256, 512, 28, 8, 6)] == [8, 8, 2, 3, 1]
    g = build_unet_generator((8, 8, 1), 3, filters=4)
    assert g.output_shape == (None, 8, 8, 3)
    out = g(np.zeros((5, 8, 8, 1), "float32"))
    assert out.shape == (5, 8, 8, 3) and out.dtype == "float32"
    bottleneck = g.get_layer("unet_down_2")
    assert bottleneck.output.shape[1:3] == (1, 1)
    # Each skip joins decoder and encoder maps of the same size.
    for level in (0, 1):
        concat = g.get_layer(f"unet_skip_{level}")
        assert [tuple(t.shape[1:3]) for t in concat.input] == [(8 // 2 ** (level + 1),) * 2] * 2


def test_skips_carry_the_input_past_a_dead_bottleneck():
    g = build_unet_generator((8, 8, 1), 1, filters=4, dropout=0.0, normalization=None)
    layer = g.get_layer("unet_down_2")
    layer.set_weights([np.zeros_like(w) for w in layer.get_weights()])
    x = np.random.default_rng(0).uniform(-1, 1, (2, 8, 8, 1)).astype("float32")
    a, b = g(x).numpy(), g(-x).numpy()
    assert np.abs(a - b).max() > 1e-3  # the output still depends on the input: through the skips only


def test_stream_dropout_uses_the_draws():
    layer = StreamDropout(0.5, stream=3)
    x = np.ones((4, 2, 2, 3), "float32")
    seen = []

    def draw(shape, stream):
        seen.append(stream)
        return tf.random.stateless_uniform([int(shape[0]), *shape[1:]], [1, 2])

    with dropout_noise(draw):
        y = layer(x, training=True).numpy()
    u = tf.random.stateless_uniform([4, 2, 2, 3], [1, 2]).numpy()
    np.testing.assert_allclose(y, np.where(u >= 0.5, 2.0, 0.0))
    assert seen == [3]
    np.testing.assert_array_equal(layer(x, training=False).numpy(), x)  # no dropout at inference


def test_serialisation_and_bad_input():
    g = build_unet_generator((16, 16, 3), 1, filters=2)
    clone = keras.models.clone_model(g)
    assert [type(layer).__name__ for layer in clone.layers].count("StreamDropout") == 3
    with pytest.raises(ValueError, match="odd side"):
        build_unet_generator((7, 7, 1), 1)
    with pytest.raises(ValueError, match="divisible by 16"):
        build_unet_generator((8, 8, 1), 1, depth=4)
