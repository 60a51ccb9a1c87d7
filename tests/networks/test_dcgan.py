"""The DCGAN discriminator's label conditioning: input concatenation and the projection discriminator."""

import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans.networks import build_dcgan_discriminator

SHAPE = (16, 16, 1)


def _batch(n=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n, *SHAPE)).astype("float32"), (np.arange(n) % 3).astype("int32")


def test_projection_output_is_the_linear_head_plus_the_class_embedding_dot_the_features():
    d = build_dcgan_discriminator(SHAPE, filters=4, num_classes=3, conditioning="projection")
    images, labels = _batch()
    features = np.asarray(keras.Model(d.inputs, d.get_layer("output").input)([images, labels], training=False))
    kernel, bias = (np.asarray(w) for w in d.get_layer("output").weights)
    embedding = np.asarray(d.get_layer("d_label").embeddings)
    expected = features @ kernel + bias + np.sum(embedding[labels] * features, axis=1, keepdims=True)
    np.testing.assert_allclose(np.asarray(d([images, labels], training=False)), expected, rtol=1e-5, atol=1e-5)


def test_projection_discriminator_sees_no_label_maps_and_its_label_changes_only_the_projection():
    projection = build_dcgan_discriminator(SHAPE, filters=4, num_classes=3, conditioning="projection")
    concat = build_dcgan_discriminator(SHAPE, filters=4, num_classes=3)
    assert projection.get_layer("conv0").kernel.shape[2] == 1  # the image's channel only
    assert concat.get_layer("conv0").kernel.shape[2] == 1 + 3  # image + one map per class
    images, _ = _batch()
    outputs = [np.asarray(projection([images, np.full(len(images), k, "int32")], training=False)) for k in range(3)]
    assert not np.allclose(outputs[0], outputs[1])


def test_unknown_conditioning_is_refused_with_the_choices():
    with pytest.raises(ValueError, match="conditioning must be one of"):
        build_dcgan_discriminator(SHAPE, num_classes=3, conditioning="film")
    with pytest.raises(ValueError, match="conditioning must be one of"):
        kg.CGAN(image_shape=SHAPE, num_classes=3, conditioning="film")


def test_cgan_with_a_projection_discriminator_trains_and_round_trips(tmp_path):
    model = kg.CGAN(image_shape=SHAPE, num_classes=3, latent_dim=8, filters=4, seed=1, conditioning="projection")
    assert "d_label" in [layer.name for layer in model.discriminator.layers]
    model.compile()
    images, labels = _batch(32)
    model.fit(images, labels, batch_size=16, epochs=1, verbose=0)
    path = str(tmp_path / "cgan.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    np.testing.assert_allclose(loaded.generate(labels=[0, 1, 2], seed=0), model.generate(labels=[0, 1, 2], seed=0))
    np.testing.assert_allclose(
        np.asarray(loaded.discriminator([images, labels], training=False)),
        np.asarray(model.discriminator([images, labels], training=False)),
        rtol=1e-6,
    )


def test_projection_output_stays_float32_under_mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_float16")
    try:
        d = build_dcgan_discriminator(SHAPE, filters=4, num_classes=3, conditioning="projection")
    finally:
        keras.mixed_precision.set_global_policy("float32")
    images, labels = _batch()
    assert d([images, labels], training=False).dtype == "float32"
