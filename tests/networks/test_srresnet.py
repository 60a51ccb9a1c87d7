"""SRResNet, RRDBNet and the VGG-style discriminator: shapes at every scale, receptive radius, bad arguments."""

import numpy as np
import pytest

import keras_gans as kg


@pytest.mark.parametrize("scale", [2, 4, 8])
def test_generators_upscale_any_size(scale):
    x = np.random.default_rng(0).uniform(-1, 1, (2, 5, 3, 1)).astype("float32")
    for network in (
        kg.networks.build_srresnet(1, scale, filters=4, num_blocks=1),
        kg.networks.build_rrdb_generator(1, scale, filters=4, growth=2, num_blocks=1),
    ):
        out = network(x).numpy()
        assert out.shape == (2, 5 * scale, 3 * scale, 1)
        assert np.abs(out).max() <= 1.0


def test_receptive_radius_bounds_what_an_output_pixel_sees():
    network = kg.networks.build_srresnet(1, 2, filters=4, num_blocks=1, batch_norm=False)
    radius = kg.networks.receptive_radius(network)
    # conv9 (4) + 2 block convs (2) + body conv (1) + up conv at x1 (1) + conv9 at x2 (2) = 10
    assert radius == 10
    x = np.zeros((1, 32, 32, 1), "float32")
    y = x.copy()
    y[0, 16, 16, 0] = 1.0
    changed = np.argwhere(np.abs(network(y).numpy() - network(x).numpy())[0, ..., 0] > 0)
    # pixel 16 covers output rows 32..33; its influence stays within radius low-res pixels of them
    assert changed.min() >= 2 * (16 - radius) and changed.max() <= 2 * (16 + radius) + 1
    assert len(changed) > 0


def test_discriminator_takes_any_patch_size():
    d = kg.networks.build_sr_discriminator(3, filters=4, dense_units=8)
    assert d(np.zeros((2, 24, 40, 3), "float32")).shape == (2, 1)
    assert d(np.zeros((2, 96, 96, 3), "float32")).shape == (2, 1)
    with pytest.raises(ValueError, match="stages"):
        kg.networks.build_sr_discriminator(3, stages=0)


def test_bad_arguments():
    with pytest.raises(ValueError, match="scale must be one of"):
        kg.networks.build_srresnet(3, 3)
    with pytest.raises(ValueError, match="residual_scaling"):
        kg.networks.build_rrdb_generator(3, 4, residual_scaling=0)


def test_rrdb_nearest_upsampling_equals_upsampling2d():
    import keras

    x = np.random.default_rng(1).uniform(-1, 1, (2, 3, 5, 4)).astype("float32")
    copies = np.concatenate([x] * 4, axis=-1)
    np.testing.assert_array_equal(kg.networks.PixelShuffle(2)(copies).numpy(), keras.layers.UpSampling2D(2)(x).numpy())
