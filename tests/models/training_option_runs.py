"""Every training trick, one small model each; run as a script: one step on one device and on 2 replicas.

Imported by ``test_training_options.py`` for ``TRICKS`` and ``build``; run as a separate process by its
MirroredStrategy test, since logical CPU devices must be configured before TensorFlow starts:

    python training_option_runs.py OUT.json   # 1 step on one device, then on 2 logical CPUs (MIRRORED_RUNS)

Networks are tiny MLPs without batch norm, so a step is a pure function of weights, data and the model's
stateless noise, and 2 replicas must compute what one device computes on the global batch.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

SHAPE = (28, 28, 1)
LATENT = 8
BATCH = 16
SEED = 7
LEARNING_RATE = 0.05

# name -> (training options, network flags). One entry per trick, and all of them at once.
TRICKS: dict[str, tuple[dict, dict]] = {
    "label_smoothing": ({"label_smoothing": 0.1, "fake_label_smoothing": 0.05}, {}),
    "instance_noise": ({"instance_noise": 0.2, "instance_noise_decay_steps": 10}, {}),
    "discriminator_steps": ({"discriminator_steps": 2}, {}),
    "ema": ({"ema_decay": 0.9}, {}),
    "r1": ({"r1_weight": 1.0}, {}),
    "gradient_penalty": ({"gradient_penalty_weight": 10.0}, {}),
    "augment": ({"augment": "color,translation,cutout"}, {}),
    "skip_non_finite_gradients": ({"skip_non_finite_gradients": True}, {"nan_gradients": True}),
    "spectral_normalization": ({}, {"spectral_normalization": True}),
    "minibatch_std": ({}, {"minibatch_std": True}),
    "all": (
        {
            "label_smoothing": 0.1,
            "instance_noise": 0.1,
            "instance_noise_decay_steps": 10,
            "ema_decay": 0.9,
            "r1_weight": 1.0,
            "gradient_penalty_weight": 1.0,
            "augment": "color,translation,cutout",
            "skip_non_finite_gradients": True,
        },
        {"spectral_normalization": True},
    ),
    # Random draws inside the per-replica XLA-compiled code under a strategy (the rest is drawn outside it).
    "in_xla": ({"instance_noise": 0.1, "augment": "translation,cutout"}, {}),
}


# Runs of the MirroredStrategy test, (trick, jit): every trick at once (one trace instead of one per trick keeps the
# subprocess short), and apart: NaN gradients and the per-replica minibatch statistic, which cannot join it, and
# discriminator steps, which would double the traced (and XLA-compiled) all-tricks step.
MIRRORED_RUNS = [
    ("all", False),
    ("discriminator_steps", False),
    ("minibatch_std", False),
    ("skip_non_finite_gradients", False),
    ("in_xla", True),
]


class NaNGradient(keras.layers.Layer):
    """Identity forward, NaN backward: every gradient that flows through it becomes NaN."""

    def call(self, inputs):
        @tf.custom_gradient
        def identity(x):
            return tf.identity(x), lambda dy: dy * float("nan")

        return identity(inputs)


def build_model(
    options: dict | None = None,
    loss: str | None = None,
    seed: int = SEED,
    spectral_normalization: bool = False,
    minibatch_std: bool = False,
    nan_gradients: bool = False,
):
    """A tiny MLP GAN: generator z -> 32 -> image, discriminator image -> 32 -> 1, with these options."""
    import keras_gans as kg

    generator = kg.networks.build_mlp_generator(LATENT, SHAPE, hidden_units=(32,))
    discriminator = kg.networks.build_mlp_discriminator(
        SHAPE, hidden_units=(32,), spectral_normalization=spectral_normalization, minibatch_std=minibatch_std
    )
    if nan_gradients:
        images = keras.Input(SHAPE)
        discriminator = keras.Model(images, NaNGradient()(discriminator(images)), name="nan_discriminator")
    return kg.GANModel(generator, discriminator, LATENT, loss=loss, seed=seed, **(options or {}))


def build(trick: str, seed: int = SEED):
    """The tiny MLP GAN of ``trick`` (see :data:`TRICKS`)."""
    options, flags = TRICKS[trick]
    return build_model(options, seed=seed, **flags)


def compile_sgd(model, jit: bool) -> None:
    """Plain SGD: a step's weight change is -lr times the gradient, so it exposes any change in the gradients."""
    model.compile(keras.optimizers.SGD(LEARNING_RATE), keras.optimizers.SGD(LEARNING_RATE), jit_compile=jit)


def all_weights(model) -> list[np.ndarray]:
    """Generator, discriminator and EMA weights, as numpy arrays."""
    variables = model.generator.weights + model.discriminator.weights + list(model._ema_weights or [])
    return [np.array(v.numpy()) for v in variables]


def set_weights(model, values) -> None:
    variables = model.generator.weights + model.discriminator.weights + list(model._ema_weights or [])
    for variable, value in zip(variables, values):
        variable.assign(value)


def real_images(n: int = BATCH) -> np.ndarray:
    """The first ``n`` MNIST test digits, float32 in [-1, 1]."""
    from keras_gans.data.idx import default_mnist_dir, load_mnist_idx

    images, _ = load_mnist_idx(default_mnist_dir(), split="test")
    return images[:n, :, :, None].astype("float32") / 127.5 - 1.0


def fit_steps(model, images: np.ndarray, steps: int = 1) -> dict:
    """``steps`` steps on consecutive batches of ``images`` (no shuffling); the history."""
    dataset = tf.data.Dataset.from_tensor_slices(images[: BATCH * steps]).batch(BATCH, drop_remainder=True)
    return model.fit(dataset, epochs=1, verbose=0, shuffle=False).history


def run_mirrored(out: str) -> None:
    """For each of :data:`MIRRORED_RUNS`: one step on one device and one on 2 logical CPUs from the same weights.

    Without XLA the reference is a plain model; with XLA (compiled per replica under a strategy) it is the same
    model under a OneDeviceStrategy, since XLA's random draws are not graph mode's (see keras_gans.models.base).
    """
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    mirrored_strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    one_device = tf.distribute.OneDeviceStrategy("/cpu:0")
    images = real_images()
    results = {}
    for trick, jit in MIRRORED_RUNS:
        start = time.perf_counter()
        with one_device.scope() if jit else contextlib.nullcontext():
            single = build(trick)
            initial = all_weights(single)
            compile_sgd(single, jit)
        single_logs = fit_steps(single, images)
        with mirrored_strategy.scope():
            mirrored = build(trick)
            set_weights(mirrored, initial)
            compile_sgd(mirrored, jit)
        mirrored_logs = fit_steps(mirrored, images)
        pairs = list(zip(all_weights(single), all_weights(mirrored), initial))
        results[f"{trick}_xla" if jit else trick] = {
            "replicas": mirrored_strategy.num_replicas_in_sync,
            "max_diff": max(float(np.max(np.abs(a - b))) for a, b, _ in pairs),
            "max_moved": max(float(np.max(np.abs(b - c))) for _, b, c in pairs),
            "finite": all(bool(np.all(np.isfinite(b))) for _, b, _ in pairs),
            "single_logs": single_logs,
            "mirrored_logs": mirrored_logs,
            "d_steps": int(mirrored.d_optimizer.iterations.numpy()),
            "seconds": time.perf_counter() - start,
        }
    with open(out, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    run_mirrored(sys.argv[1])
