"""ResNet-block generator: paper layout, reflection padding against numpy, instance normalisation per image."""

import numpy as np
import pytest

from keras_gans.networks.resnet_translator import ReflectionPadding2D, build_resnet_translator, default_residual_blocks


def test_reflection_padding_matches_numpy():
    x = np.arange(2 * 4 * 5 * 3, dtype="float32").reshape(2, 4, 5, 3)
    y = ReflectionPadding2D(2)(x).numpy()
    np.testing.assert_array_equal(y, np.pad(x, [(0, 0), (2, 2), (2, 2), (0, 0)], mode="reflect"))


def test_layout_blocks_and_shapes():
    assert default_residual_blocks((256, 256, 3)) == 9 and default_residual_blocks((128, 128, 3)) == 6
    g = build_resnet_translator((16, 16, 1), 3, filters=4, residual_blocks=6)
    names = [layer.name for layer in g.layers]
    assert sum(n.endswith("_add") for n in names) == 6
    assert g.get_layer("resnet_translator_in_conv").kernel.shape[:2] == (7, 7)
    assert g.get_layer("resnet_translator_res_0_conv_0").input.shape[1:3] == (6, 6)  # 4x4 map, reflection-padded
    out = g(np.random.default_rng(0).uniform(-1, 1, (3, 16, 16, 1)).astype("float32")).numpy()
    assert out.shape == (3, 16, 16, 3) and np.abs(out).max() <= 1.0


def test_instance_norm_makes_each_image_independent_of_the_batch():
    g = build_resnet_translator((8, 8, 1), 1, filters=4, residual_blocks=1)
    x = np.random.default_rng(1).uniform(-1, 1, (4, 8, 8, 1)).astype("float32")
    np.testing.assert_allclose(g(x).numpy()[:1], g(x[:1]).numpy(), atol=1e-5)


def test_too_small_images_are_refused():
    with pytest.raises(ValueError, match="divisible by 4"):
        build_resnet_translator((6, 6, 1), 1)
