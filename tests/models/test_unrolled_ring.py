"""Unrolled GAN (Metz et al., 2017) on the paper's 2-D ring of 8 Gaussians: more modes covered with unrolling.

The zoo's own option, ``unrolled_steps=3``, on a ``GANModel`` with the paper's appendix networks (G: 2 x 128
ReLU; D: x / 4, 1 x 128 ReLU; orthogonal init, gain 0.8), the minimax loss, Adam(1e-3, beta_1=0.5) for both,
batch 128, z of 32 dimensions, 750 steps, against the same model without unrolling. Measured with
benchmarks/bench_unrolled_ring.py's equivalent setup over seeds 0/1/2 (modes with >= 10 samples within 10 std of
their centre, of 8): unroll 3: 8/8/6 at 750 steps, 8/8/8 at 1000; no unrolling: 1/1/1 at 750, 1/0/0 at 1000.
"""

import keras
import numpy as np
import tensorflow as tf

import keras_gans as kg
from keras_gans.data.toy import ring_centers, ring_of_gaussians
from keras_gans.metrics.modes import mode_coverage

Z, BATCH, STEPS, STD = 32, 128, 750, 0.02


def _mlp(inputs, layers, outputs, seed, scale=1.0, name=None):
    stack = [keras.Input((inputs,))]
    if scale != 1.0:
        stack.append(keras.layers.Rescaling(scale))
    for i in range(layers):
        init = keras.initializers.Orthogonal(gain=0.8, seed=seed + i)
        stack.append(keras.layers.Dense(128, activation="relu", kernel_initializer=init))
    stack.append(keras.layers.Dense(outputs, kernel_initializer=keras.initializers.Orthogonal(0.8, seed + layers)))
    return keras.Sequential(stack, name=name)


def modes_covered(unrolled_steps: int, seed: int = 0) -> dict:
    keras.utils.set_random_seed(seed)
    model = kg.GANModel(
        generator=_mlp(Z, 2, 2, 100 * seed, name="generator"),
        discriminator=_mlp(2, 1, 1, 100 * seed + 50, scale=0.25, name="discriminator"),
        latent_dim=Z,
        loss="minimax",
        seed=seed,
        unrolled_steps=unrolled_steps,
    )
    model.compile(
        keras.optimizers.Adam(1e-3, beta_1=0.5, epsilon=1e-8), keras.optimizers.Adam(1e-3, beta_1=0.5, epsilon=1e-8)
    )
    points = ring_of_gaussians(20_000, std=STD, seed=seed)
    data = tf.data.Dataset.from_tensor_slices(points).shuffle(20_000, seed=seed).batch(BATCH, drop_remainder=True)
    model.fit(data.repeat(), epochs=1, steps_per_epoch=STEPS, verbose=0)
    samples = model.generate(2500, seed=1)
    return mode_coverage(samples, ring_centers(8), STD, threshold_stds=10.0, min_count=10)


def test_unrolling_covers_more_modes_of_the_ring():
    plain, unrolled = modes_covered(0), modes_covered(3)
    assert plain["modes_covered"] <= 2, plain
    assert unrolled["modes_covered"] >= 6, unrolled
    assert np.isfinite(unrolled["high_quality_fraction"])
