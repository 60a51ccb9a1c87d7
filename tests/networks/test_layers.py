"""MinibatchStdDev against numpy; spectral normalisation brings the largest singular value to 1."""

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans.networks import MinibatchStdDev, build_dcgan_discriminator, build_mlp_discriminator


def minibatch_std_np(x: np.ndarray, group_size: int | None, epsilon: float = 1e-8) -> np.ndarray:
    """StyleGAN's feature, written per sample: sample i's group is every sample j with j = i (mod n / group)."""
    n = len(x)
    group = n if group_size is None else min(group_size, n)
    stride = n // group
    feature = np.empty(x.shape[:3] + (1,))
    for i in range(n):
        members = x[[j for j in range(n) if j % stride == i % stride]].astype("float64")
        feature[i] = np.sqrt(members.var(axis=0) + epsilon).mean()
    return np.concatenate([x, feature], axis=-1)


@pytest.mark.parametrize("n,group_size", [(8, 4), (6, None), (2, 4), (4, 1)])
def test_minibatch_std_matches_numpy(n, group_size):
    x = np.random.default_rng(n).normal(size=(n, 5, 3, 2)).astype("float32")
    got = MinibatchStdDev(group_size=group_size)(x).numpy()
    assert got.shape == (n, 5, 3, 3)
    np.testing.assert_allclose(got, minibatch_std_np(x, group_size), rtol=1e-5, atol=1e-6)


def test_minibatch_std_is_near_zero_for_a_collapsed_batch():
    same = np.repeat(np.random.default_rng(0).normal(size=(1, 4, 4, 3)), 8, axis=0).astype("float32")
    assert np.abs(MinibatchStdDev()(same).numpy()[..., -1]).max() < 1e-3
    varied = np.random.default_rng(1).normal(size=(8, 4, 4, 3)).astype("float32")
    assert MinibatchStdDev()(varied).numpy()[..., -1].min() > 0.5


def test_minibatch_std_passes_gradients_and_serialises():
    x = tf.constant(np.random.default_rng(2).normal(size=(4, 3, 3, 2)).astype("float32"))
    layer = MinibatchStdDev(group_size=2)
    with tf.GradientTape() as tape:
        tape.watch(x)
        total = tf.reduce_sum(layer(x)[..., -1])
    grads = tape.gradient(total, x).numpy()
    assert np.all(np.isfinite(grads)) and np.abs(grads).sum() > 0
    clone = MinibatchStdDev.from_config(layer.get_config())
    assert clone.group_size == 2 and clone.epsilon == layer.epsilon


def largest_singular_value(kernel) -> float:
    """Of the kernel reshaped to (-1, out_features), the matrix spectral normalisation works on."""
    matrix = np.reshape(np.asarray(kernel), (-1, np.shape(kernel)[-1]))
    return float(np.linalg.svd(matrix, compute_uv=False)[0])


def kernel_with_spectrum(shape, singular_values, seed=0):
    rows, cols = int(np.prod(shape[:-1])), shape[-1]
    rng = np.random.default_rng(seed)
    u, _ = np.linalg.qr(rng.normal(size=(rows, cols)))
    v, _ = np.linalg.qr(rng.normal(size=(cols, cols)))
    return ((u * singular_values) @ v.T).reshape(shape).astype("float32")


@pytest.mark.parametrize(
    "layer,input_shape,kernel_shape",
    [
        (keras.layers.Dense(6), (3, 10), (10, 6)),
        (keras.layers.Conv2D(4, 3), (2, 6, 6, 3), (3, 3, 3, 4)),
    ],
    ids=["dense", "conv"],
)
def test_spectral_normalization_brings_the_largest_singular_value_to_one(layer, input_shape, kernel_shape):
    sn = keras.layers.SpectralNormalization(layer, power_iterations=1)
    x = np.random.default_rng(3).normal(size=input_shape).astype("float32")
    sn(x)
    spectrum = np.array([8.0, 4.0, 2.0, 1.0] + [0.5] * (kernel_shape[-1] - 4))
    original = kernel_with_spectrum(kernel_shape, spectrum)
    layer.kernel.assign(original)
    assert largest_singular_value(layer.kernel) == pytest.approx(8.0, rel=1e-5)
    for _ in range(8):  # one power iteration per training call
        sn(x, training=True)
    assert largest_singular_value(layer.kernel) == pytest.approx(1.0, abs=1e-3)
    # Only rescaled: W / sigma(W), the other singular values keep their ratios.
    np.testing.assert_allclose(layer.kernel.numpy(), original / 8.0, rtol=2e-3, atol=1e-6)
    # Inference calls use the normalised kernel and leave it alone.
    before = layer.kernel.numpy().copy()
    sn(x, training=False)
    np.testing.assert_array_equal(layer.kernel.numpy(), before)


@pytest.mark.parametrize("kind", ["mlp", "dcgan"])
def test_spectrally_normalised_discriminators_have_unit_layers_after_training_calls(kind):
    keras.utils.set_random_seed(0)
    if kind == "mlp":
        d = build_mlp_discriminator((28, 28, 1), hidden_units=(32, 16), spectral_normalization=True)
    else:
        d = build_dcgan_discriminator((28, 28, 1), filters=8, normalization=None, spectral_normalization=True)
    wrapped = [layer for layer in d.layers if isinstance(layer, keras.layers.SpectralNormalization)]
    assert len(wrapped) == 3
    x = np.random.default_rng(4).uniform(-1, 1, (8, 28, 28, 1)).astype("float32")
    for _ in range(50):  # one power iteration per call; random kernels have close singular values, so ~50 calls
        d(x, training=True)
    for layer in wrapped:
        assert largest_singular_value(layer.layer.kernel) == pytest.approx(1.0, abs=0.01), layer.name
