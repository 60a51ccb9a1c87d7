"""Pix2Pix: its losses recomputed in numpy from the networks' outputs, its checks, and learning a real mapping."""

import keras
import numpy as np
import pytest
import tensorflow as tf
from sklearn.datasets import load_digits

import keras_gans as kg


def _softplus(x):
    return np.logaddexp(0.0, x)


def _digits(n, offset=0):
    return (load_digits().images[offset : offset + n, :, :, None] / 8.0 - 1.0).astype("float32")


def _edges(images):
    """Gradient magnitude of [-1, 1] digits, scaled back to [-1, 1]: a real edge map (the input) of each digit."""
    x = (images[..., 0] + 1.0) / 2.0
    gy, gx = np.gradient(x, axis=(1, 2))
    magnitude = np.sqrt(gx**2 + gy**2)
    return (np.clip(magnitude / 0.5, 0, 1) * 2 - 1)[..., None].astype("float32")


def _model(**kwargs):
    return kg.Pix2Pix(input_shape=(8, 8, 1), output_channels=1, filters=4, discriminator_filters=4, seed=3, **kwargs)


def test_losses_match_numpy():
    model = _model(dropout=0.0)
    model.compile()
    x, y = _digits(6), -_digits(6)
    batch = model.unpack_batch((tf.constant(x), tf.constant(y)))
    g_total, g_logs = model._generator_loss(batch, tf.constant(0, tf.int64), 0)
    # Independent recomputation from the networks' outputs (dropout off: the pass is deterministic).
    fake = model.generator(x, training=True).numpy()
    fake_logits = model.discriminator([x, fake], training=True).numpy()
    g_gan = np.mean(_softplus(-fake_logits))
    l1 = np.mean(np.abs(y - fake))
    np.testing.assert_allclose(float(g_logs["g_loss"]), g_gan, rtol=1e-5)
    np.testing.assert_allclose(float(g_logs["l1_loss"]), l1, rtol=1e-5)
    np.testing.assert_allclose(float(g_total), g_gan + 100.0 * l1, rtol=1e-5)
    d_total, _ = model._discriminator_loss(batch, tf.constant(0, tf.int64), 0)
    real_logits = model.discriminator([x, y], training=True).numpy()
    expected_d = 0.5 * (np.mean(_softplus(-real_logits)) + np.mean(_softplus(fake_logits)))
    np.testing.assert_allclose(float(d_total), expected_d, rtol=1e-5)


def test_checks_and_data_arguments():
    spec = tf.data.Dataset.from_tensor_slices((np.zeros((4, 8, 8, 3), "float32"), np.zeros((4, 8, 8, 1), "float32")))
    assert kg.Pix2Pix.data_arguments(spec.batch(2).element_spec) == {"input_shape": (8, 8, 3), "output_channels": 1}
    model = _model()
    with pytest.raises(ValueError, match="translates 'a_to_b'"):
        model.translate(np.zeros((1, 8, 8, 1), "float32"), direction="b_to_a")
    with pytest.raises(ValueError, match="uint8"):
        model.translate(np.zeros((1, 8, 8, 1), "uint8"))
    with pytest.raises(ValueError, match=r"x\[None\]"):
        model.translate(np.zeros((8, 8, 1), "float32"))
    with pytest.raises(ValueError, match=r"\[-1, 1\]"):
        model.translate(np.full((1, 8, 8, 1), 3.0, "float32"))
    with pytest.raises(ValueError, match="train it on a batch first"):
        model.grid_samples(2)
    with pytest.raises(ValueError, match="input_shape"):
        kg.Pix2Pix(output_channels=1)
    with pytest.raises(ValueError, match="Unknown translation loss"):
        _model(loss="hinge")
    assert model.translate(np.zeros((0, 8, 8, 1), "float32")).shape == (0, 8, 8, 1)


def test_pix2pix_learns_edge_maps_to_digits():
    """96 steps on 8x8 digits: held-out L1 of edge map -> digit falls far below the untrained model's.

    Measured (seed 11, 2 CPU cores): L1 0.79 -> 0.23, PSNR 7.5 -> 15.2 dB. Adam at 2e-3 (10x the paper's) keeps the
    test short.
    """
    tf.keras.utils.set_random_seed(11)
    train, held_out = _digits(512), _digits(256, offset=1200)
    model = kg.Pix2Pix(input_shape=(8, 8, 1), output_channels=1, filters=8, discriminator_filters=8, seed=11)
    model.compile(
        d_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5), g_optimizer=keras.optimizers.Adam(2e-3, beta_1=0.5)
    )
    before = model.evaluate_quality((_edges(held_out), held_out), 256)
    model.fit(_edges(train), train, batch_size=32, epochs=6, verbose=0, shuffle=False)
    after = model.evaluate_quality((_edges(held_out), held_out), 256)
    assert after["l1"] < 0.5 * before["l1"], (before, after)
    assert after["psnr"] > before["psnr"] + 4.0, (before, after)
    images, rows = model.grid_samples(4)
    assert rows == 4 and images.shape == (12, 8, 8, 1)  # input | output | target per row
    np.testing.assert_array_equal(images[0::3], _edges(train)[:4])  # the first batch's examples, kept


def test_ema_generator_is_what_translate_and_export_use(tmp_path):
    model = _model(ema_decay=0.5)
    model.compile()
    x, y = _digits(16), -_digits(16)
    model.fit(x, y, batch_size=8, epochs=1, verbose=0)
    averaged = model.averaged_network("generator")
    expected = averaged(x[:4], training=False).numpy()
    np.testing.assert_allclose(model.translate(x[:4]), expected, atol=1e-6)
    assert averaged is not model.generator  # the copy holding the averages (the engine ramps the decay up)
    for copy, ema in zip(averaged.trainable_weights, model._ema.weights["generator"]):
        np.testing.assert_array_equal(copy.numpy(), ema.numpy())
    saved = tf.saved_model.load(model.export(tmp_path / "saved"))
    np.testing.assert_allclose(
        saved.signatures["serving_default"](inputs=tf.constant(x[:4]))["images"], expected, atol=1e-5
    )
