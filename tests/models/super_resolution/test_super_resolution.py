"""Super-resolution family: losses and downsampling against numpy, tiling, phases, interpolation, bad input."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg
from keras_gans.models.super_resolution import losses
from keras_gans.models.super_resolution.content import vgg19_features
from keras_gans.models.super_resolution.data import bicubic_matrix, downsample


def _digits(n=16, offset=0):
    from sklearn.datasets import load_digits

    return (load_digits().images[offset : offset + n, :, :, None] / 8.0 - 1.0).astype("float32")


def _tiny(cls=kg.SRGAN, **kwargs):
    args = {"scale": 2, "channels": 1, "filters": 4, "num_blocks": 1, "d_filters": 4, "content": None, "seed": 3}
    if cls is kg.ESRGAN:
        args["growth"] = 4
    args.update(kwargs)
    return cls(**args)


def _sigmoid_bce(logits, target):
    p = 1 / (1 + np.exp(-logits))
    return -np.mean(target * np.log(p) + (1 - target) * np.log(1 - p))


def test_losses_match_numpy():
    rng = np.random.default_rng(0)
    real, fake = rng.normal(size=(6, 1)).astype("float32"), rng.normal(size=(6, 1)).astype("float32")
    d = _sigmoid_bce(real - fake.mean(), 1) + _sigmoid_bce(fake - real.mean(), 0)
    g = _sigmoid_bce(real - fake.mean(), 0) + _sigmoid_bce(fake - real.mean(), 1)
    np.testing.assert_allclose(losses.relativistic_average_discriminator_loss(real, fake), d, rtol=1e-5)
    np.testing.assert_allclose(losses.relativistic_average_generator_loss(real, fake), g, rtol=1e-5)
    np.testing.assert_allclose(
        losses.standard_discriminator_loss(real, fake), _sigmoid_bce(real, 1) + _sigmoid_bce(fake, 0), rtol=1e-5
    )
    np.testing.assert_allclose(losses.standard_generator_loss(fake), _sigmoid_bce(fake, 1), rtol=1e-5)
    a, b = rng.normal(size=(2, 4, 4, 3)), rng.normal(size=(2, 4, 4, 3))
    np.testing.assert_allclose(losses.mse_loss(a, b), np.mean((a - b) ** 2), rtol=1e-5)
    np.testing.assert_allclose(losses.l1_loss(a, b), np.mean(np.abs(a - b)), rtol=1e-5)


@pytest.mark.parametrize("scale", [2, 4])
def test_bicubic_downsampling_is_tensorflows_antialiased_resize(scale):
    x = np.random.default_rng(1).uniform(-1, 1, (2, 24, 16, 3)).astype("float32")
    expected = tf.image.resize(x, [24 // scale, 16 // scale], "bicubic", antialias=True).numpy()
    np.testing.assert_allclose(downsample(x, scale).numpy(), np.clip(expected, -1, 1), atol=1e-5)
    np.testing.assert_allclose(bicubic_matrix(24, scale).sum(1), 1.0, rtol=1e-6)
    blocks = x.reshape(2, 24 // scale, scale, 16 // scale, scale, 3).mean(axis=(2, 4))
    np.testing.assert_allclose(downsample(x, scale, "area").numpy(), blocks, atol=1e-6)


def test_pixel_shuffle_is_depth_to_space():
    x = np.arange(2 * 3 * 2 * 8, dtype="float32").reshape(2, 3, 2, 8)
    out = kg.networks.PixelShuffle(2)(x).numpy()
    # out[n, 2i + a, 2j + b, c] = x[n, i, j, (2a + b) * C + c] with C = 2 (TensorFlow's DCR order)
    expected = x.reshape(2, 3, 2, 2, 2, 2).transpose(0, 1, 3, 2, 4, 5).reshape(2, 6, 4, 2)
    np.testing.assert_array_equal(out, expected)


def test_vgg19_features_equal_keras_applications():
    features = vgg19_features(3, "block2_conv2")
    before = vgg19_features(3, "block2_conv2", before_activation=True)
    vgg = keras.applications.VGG19(include_top=False, weights=None, input_shape=(None, None, 3))
    for network in (features, before):
        for layer in network.layers:
            if layer.weights:
                layer.set_weights(vgg.get_layer(layer.name).get_weights())
    x = np.random.default_rng(2).uniform(-1, 1, (2, 16, 16, 3)).astype("float32")
    cut = keras.Model(vgg.input, vgg.get_layer("block2_conv2").output)
    expected = cut(keras.applications.vgg19.preprocess_input((x + 1) * 127.5)).numpy()
    np.testing.assert_allclose(features(x).numpy(), expected, atol=1e-3)
    pre = before(x).numpy()
    assert (pre < 0).mean() > 0.1  # before the ReLU
    np.testing.assert_allclose(np.maximum(pre, 0), expected, atol=1e-3)


@pytest.mark.parametrize("cls, bicubic_skip", [(kg.SRGAN, False), (kg.ESRGAN, False), (kg.SRGAN, True)])
def test_tiled_upscale_equals_whole_image(cls, bicubic_skip):
    model = _tiny(cls, num_blocks=2, bicubic_skip=bicubic_skip)
    if bicubic_skip:  # its last convolution starts at zeros: give the residual something to add
        tail = model.generator.get_layer("tail_conv")
        tail.set_weights([np.random.default_rng(1).normal(0, 0.1, w.shape) for w in tail.get_weights()])
    image = np.random.default_rng(4).uniform(-1, 1, (37, 29, 1)).astype("float32")
    whole = model.upscale(image[None])[0]
    tiled = model.upscale_image(image, tile_size=8)  # overlap = the receptive radius
    assert tiled.shape == (74, 58, 1)
    np.testing.assert_allclose(tiled, whole, atol=1e-5)
    seams = model.upscale_image(image, tile_size=8, overlap=1)  # too little context: the tiles differ
    assert np.abs(seams - whole).max() > 1e-3


def test_pretraining_phase_then_gan_phase_and_resume(tmp_path):
    model = _tiny(pretrain_steps=2)
    model.compile()
    x = _digits(16)
    d_before = [w.numpy() for w in model.discriminator.trainable_weights]
    history = model.fit(x, batch_size=8, epochs=1, verbose=0, shuffle=False)
    assert history.history["pretraining"][-1] == 1.0 and history.history["d_loss"][-1] == 0.0
    for before, w in zip(d_before, model.discriminator.trainable_weights):
        np.testing.assert_array_equal(before, w.numpy())  # D is not trained while G pretrains
    path = tmp_path / "sr.keras"
    model.save(path)
    loaded = keras.saving.load_model(path)
    history = loaded.fit(x, batch_size=8, epochs=1, verbose=0, shuffle=False)
    assert history.history["pretraining"][-1] == 0.0 and history.history["d_loss"][-1] > 0  # resumed in the GAN phase
    assert int(loaded.step_counter.numpy()) == 4
    assert any(np.abs(b - w.numpy()).max() > 0 for b, w in zip(d_before, loaded.discriminator.trainable_weights))


def test_interpolate_weights_is_the_closed_form():
    a, b = _tiny(kg.ESRGAN, seed=1), _tiny(kg.ESRGAN, seed=2)
    b.generator.set_weights([w + 1.0 for w in b.generator.get_weights()])
    mixed = kg.interpolate_weights(a, b, 0.3)
    for wa, wb, wm in zip(a.generator.get_weights(), b.generator.get_weights(), mixed.generator.get_weights()):
        np.testing.assert_allclose(wm, 0.7 * wa + 0.3 * wb, rtol=1e-6, atol=1e-6)
    low = np.random.default_rng(0).uniform(-1, 1, (2, 4, 4, 1)).astype("float32")
    np.testing.assert_allclose(kg.interpolate_weights(a, b, 0.0).upscale(low), a.upscale(low), atol=1e-6)
    np.testing.assert_allclose(kg.interpolate_weights(a.generator, b.generator, 1.0)(low), b.generator(low), atol=1e-6)
    with pytest.raises(ValueError, match="alpha"):
        kg.interpolate_weights(a, b, 1.5)
    with pytest.raises(ValueError, match="same architecture"):
        kg.interpolate_weights(a, _tiny(kg.ESRGAN, filters=8), 0.5)


def test_bad_input_names_the_fix():
    model = _tiny()
    with pytest.raises(ValueError, match="scale must be one of"):
        _tiny(scale=3)
    with pytest.raises(ValueError, match="1-channel"):
        model.upscale(np.zeros((1, 4, 4, 3), "float32"))
    with pytest.raises(ValueError, match="upscale_image takes one image"):
        model.upscale_image(np.zeros((2, 4, 4, 1), "float32"))
    with pytest.raises(ValueError, match="empty"):
        model.upscale(np.zeros((1, 0, 4, 1), "float32"))
    big = _tiny(content="vgg19", content_layer="block5_conv4")
    big.compile()
    with pytest.raises(ValueError, match="too small for its content network.*16x16"):
        big.fit(_digits(8), batch_size=8, verbose=0)
    with pytest.raises(ValueError, match="content must be"):
        _tiny(content="alexnet")


def test_evaluate_quality_and_grid(tmp_path):
    model = _tiny()
    model.compile()
    x = _digits(16)
    model.fit(x, batch_size=8, epochs=1, verbose=0)
    images, rows = model.grid_samples(3)
    assert images.shape == (9, 8, 8, 1) and rows == 3
    np.testing.assert_array_equal(images[2], x[0])  # low-res | output | high-res
    scores = model.evaluate_quality(x, num_samples=16)
    assert {"psnr", "ssim", "l1", "psnr_bicubic", "ssim_bicubic"} <= set(scores)
    low = model.downsample(x)
    from keras_gans.metrics.super_resolution import bicubic_upscale

    mse = np.mean((bicubic_upscale(low, 2)[:, 2:-2, 2:-2] - x[:, 2:-2, 2:-2]) ** 2, axis=(1, 2, 3))
    np.testing.assert_allclose(scores["psnr_bicubic"], np.mean(10 * np.log10(4.0 / mse)), rtol=1e-4)


def test_data_arguments_follow_the_element_spec():
    high = tf.TensorSpec([None, 16, 16, 3], tf.float32)
    low = tf.TensorSpec([None, 4, 4, 3], tf.float32)
    assert kg.SRGAN.data_arguments(high) == {"channels": 3}
    assert kg.ESRGAN.data_arguments((low, high)) == {"channels": 3, "scale": 4}
    assert kg.SRGAN.data_arguments({"image": high}) == {"channels": 3}
