"""The five models: construction, fit with and without XLA, generate, save/load/resume, and clear errors."""

import keras
import numpy as np
import pytest
import tensorflow as tf

import keras_gans as kg

SHAPE = (28, 28, 1)
SMALL = {"latent_dim": 16, "seed": 3}


def small_model(name, **kwargs):
    kwargs = {**SMALL, **kwargs}
    if name == "GAN":
        return kg.GAN(image_shape=SHAPE, hidden_units=((32, 64), (64, 32)), **kwargs)
    if name == "CGAN":
        return kg.CGAN(image_shape=SHAPE, num_classes=10, filters=8, **kwargs)
    return getattr(kg, name)(image_shape=SHAPE, filters=8, **kwargs)


def fit_data(model, mnist_float, n=128):
    images, labels = mnist_float
    return (images[:n], labels[:n]) if model.num_classes is not None else (images[:n], None)


EXPECTED_LOGS = {
    "GAN": {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"},
    "DCGAN": {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"},
    "CGAN": {"d_loss", "g_loss", "d_acc_real", "d_acc_fake"},
    "LSGAN": {"d_loss", "g_loss", "d_real", "d_fake"},
    "WGANGP": {"d_loss", "g_loss", "gradient_penalty", "wasserstein_estimate"},
}


@pytest.mark.parametrize("name", sorted(EXPECTED_LOGS))
@pytest.mark.parametrize("jit", [False, True], ids=["graph", "xla"])
def test_fit_logs_and_updates_both_networks(name, jit, mnist_float):
    model = small_model(name)
    model.compile(jit_compile=jit)
    assert model.jit_compile is jit
    g_before = [w.numpy().copy() for w in model.generator.trainable_weights]
    d_before = [w.numpy().copy() for w in model.discriminator.trainable_weights]
    x, y = fit_data(model, mnist_float, n=64)
    history = model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    logs = {k: v[-1] for k, v in history.history.items()}
    assert EXPECTED_LOGS[name] <= set(logs), logs
    assert all(np.isfinite(v) for v in logs.values())
    assert any(np.abs(a - w.numpy()).max() > 0 for a, w in zip(g_before, model.generator.trainable_weights))
    assert any(np.abs(a - w.numpy()).max() > 0 for a, w in zip(d_before, model.discriminator.trainable_weights))
    steps = model.options.discriminator_steps
    assert int(model.d_optimizer.iterations) == 2 * steps and int(model.g_optimizer.iterations) == 2


def test_paper_defaults():
    wgan = small_model("WGANGP")
    assert wgan.options.gradient_penalty_weight == 10.0 and wgan.options.discriminator_steps == 5
    assert not any(isinstance(layer, keras.layers.BatchNormalization) for layer in wgan.discriminator.layers)
    wgan.compile()
    assert float(wgan.d_optimizer.learning_rate) == pytest.approx(1e-4)
    assert float(wgan.d_optimizer.beta_1) == 0.0 and float(wgan.d_optimizer.beta_2) == pytest.approx(0.9)
    dcgan = small_model("DCGAN")
    dcgan.compile()
    # DCGAN and CGAN: the defaults measured at 780 MNIST steps (docs/zoo/defaults.md), not the paper's Adam(2e-4, 0.5).
    for optimizer in (dcgan.d_optimizer, dcgan.g_optimizer):
        adam = (float(optimizer.learning_rate), float(optimizer.beta_1), float(optimizer.beta_2))
        assert adam == pytest.approx((4e-4, 0.0, 0.99))
    assert dcgan.options.ema_decay == 0.999 and small_model("DCGAN", ema_decay=None).options.ema_decay is None
    cgan = small_model("CGAN")
    assert cgan.options.ema_decay == 0.999 and "d_label" in [layer.name for layer in cgan.discriminator.layers]
    assert small_model("CGAN", conditioning="concat").discriminator.get_layer("conv0").kernel.shape[2] == 1 + 10
    lsgan = small_model("LSGAN")  # models on DCGAN networks with a recipe of their own keep it
    lsgan.compile()
    assert lsgan.loss_name == "least_squares" and lsgan.options.ema_decay is None
    assert float(lsgan.g_optimizer.learning_rate) == pytest.approx(2e-4) and float(lsgan.g_optimizer.beta_1) == 0.5
    # XLA is off by default on this CPU-only host (measured slower), one argument away.
    assert dcgan.jit_compile is False


@pytest.mark.parametrize("size", [8, 16, 28, 32, 64])
def test_dcgan_any_multiple_of_four(size):
    model = kg.DCGAN(image_shape=(size, size, 3), latent_dim=8, filters=4)
    images = model.generate(2, seed=0)
    assert images.shape == (2, size, size, 3) and images.dtype == np.float32
    assert np.abs(images).max() <= 1.0


def test_generate_is_deterministic_per_seed():
    model = small_model("DCGAN")
    a, b, c = model.generate(4, seed=1), model.generate(4, seed=1), model.generate(4, seed=2)
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 0
    cgan = small_model("CGAN")
    out = cgan.generate(labels=[0, 1, 2], seed=0)
    assert out.shape == (3, 28, 28, 1)
    np.testing.assert_array_equal(out, cgan.generate(labels=[0, 1, 2], seed=0))


def test_bring_your_own_networks():
    g = keras.Sequential(
        [keras.Input((8,)), keras.layers.Dense(16 * 16, activation="tanh"), keras.layers.Reshape((16, 16, 1))]
    )
    d = keras.Sequential([keras.Input((16, 16, 1)), keras.layers.Flatten(), keras.layers.Dense(1)])
    model = kg.DCGAN(generator=g, discriminator=d, latent_dim=8)
    model.compile()
    model.fit(np.zeros((32, 16, 16, 1), "float32"), batch_size=16, epochs=1, verbose=0)
    assert model.image_shape == (16, 16, 1)


@pytest.mark.parametrize("name", ["CGAN", "WGANGP"])
def test_save_load_round_trip_resumes_identically(name, mnist_float, tmp_path):
    model = small_model(name, ema_decay=0.9) if name == "WGANGP" else small_model(name)
    model.compile()
    x, y = fit_data(model, mnist_float, n=64)
    model.fit(x, y, batch_size=32, epochs=1, verbose=0)
    path = str(tmp_path / "gan.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert type(loaded) is type(model)
    assert int(loaded.g_optimizer.iterations) == int(model.g_optimizer.iterations) > 0
    labels = [0, 5, 9] if model.num_classes else None
    np.testing.assert_array_equal(model.generate(3, seed=0, labels=labels), loaded.generate(3, seed=0, labels=labels))
    h1 = model.fit(x, y, batch_size=32, epochs=1, verbose=0, shuffle=False).history
    h2 = loaded.fit(x, y, batch_size=32, epochs=1, verbose=0, shuffle=False).history
    assert h1["d_loss"] == pytest.approx(h2["d_loss"], rel=1e-5)
    for a, b in zip(model.generator.weights, loaded.generator.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), atol=1e-6)


def test_config_round_trip_keeps_options():
    model = small_model("DCGAN", label_smoothing=0.1, instance_noise=0.1, instance_noise_decay_steps=100)
    clone = kg.DCGAN.from_config(model.get_config())
    assert clone.options == model.options and clone.seed == model.seed and clone.latent_dim == 16


# ---------------------------------------------------------------------------------------------------------------
# Bad input: clear errors that name the fix


def test_wrong_image_shape(mnist_float):
    model = kg.DCGAN(image_shape=(32, 32, 1), latent_dim=8, filters=4)
    model.compile()
    with pytest.raises(ValueError, match=r"makes images of shape \(32, 32, 1\).*\(28, 28, 1\).*image_size="):
        model.fit(mnist_float[0][:32], batch_size=16, epochs=1, verbose=0)


def test_labels_missing_for_cgan(mnist_float):
    model = small_model("CGAN")
    model.compile()
    with pytest.raises(ValueError, match="conditional.*\\(images, labels\\)"):
        model.fit(mnist_float[0][:32], batch_size=16, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="pass labels="):
        model.generate(4)


def test_labels_given_to_unconditional(mnist_float):
    model = small_model("DCGAN")
    model.compile()
    ds = tf.data.Dataset.from_tensor_slices(mnist_float).batch(16).take(2)
    with pytest.raises(ValueError, match="unconditional but the data has labels.*CGAN"):
        model.fit(ds, epochs=1, verbose=0)
    with pytest.raises(ValueError, match="takes no labels"):
        model.generate(2, labels=[1, 2])


def test_uint8_images_are_refused(mnist):
    model = small_model("DCGAN")
    model.compile()
    with pytest.raises(ValueError, match="floats in \\[-1, 1\\].*uint8.*from_arrays"):
        model.fit(mnist[0][:32, :, :, None], batch_size=16, epochs=1, verbose=0)


def test_empty_dataset_is_refused():
    with pytest.raises(ValueError, match="(?i)empty|no images"):
        kg.data.from_arrays(np.zeros((0, 28, 28, 1), "float32"))


def test_bad_options_and_networks():
    with pytest.raises(ValueError, match="label_smoothing must be in"):
        small_model("DCGAN", label_smoothing=0.9)
    with pytest.raises(ValueError, match="discriminator_steps"):
        small_model("DCGAN", discriminator_steps=0)
    with pytest.raises(ValueError, match="CGAN needs num_classes"):
        kg.CGAN(image_shape=SHAPE)
    with pytest.raises(ValueError, match="multiples of 4"):
        kg.DCGAN(image_shape=(30, 30, 1))
    with pytest.raises(ValueError, match="Pass both generator= and discriminator="):
        kg.DCGAN(generator=kg.networks.build_dcgan_generator(8, (16, 16, 1)), latent_dim=8)
    with pytest.raises(ValueError, match="d_optimizer= and g_optimizer="):
        small_model("DCGAN").compile(optimizer="adam")
