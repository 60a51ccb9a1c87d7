"""Training runs under tf.distribute strategies, each in its own process (device setup must precede TF's init).

Usage:
    python distributed_runs.py mirrored MODEL[,MODEL...] JIT OUT.json   # 1 step on one device, then on 2 CPUs
    python distributed_runs.py worker INDEX PORTS MODEL JIT OUT.npz   # one MultiWorkerMirrored worker
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

GLOBAL_BATCH = 16


def real_batch(num_batches: int = 1):
    """Real MNIST digits (first images of the test set), float32 in [-1, 1], with labels."""
    from keras_gans.data.idx import default_mnist_dir, load_mnist_idx

    images, labels = load_mnist_idx(default_mnist_dir(), split="test")
    n = GLOBAL_BATCH * num_batches
    return images[:n, :, :, None].astype("float32") / 127.5 - 1.0, labels[:n].astype("int32")


def build(model_name: str):
    """A small model by name; a ``_REUSE`` suffix turns on ``reuse_fake_batch`` (one G forward per step).

    The initial weights are seeded too, so that a run (and a failure) is the same in every process.
    """
    import keras

    import keras_gans as kg

    keras.utils.set_random_seed(1234)

    options = {}
    if model_name.endswith("_REUSE"):
        model_name, options = model_name[: -len("_REUSE")], {"reuse_fake_batch": True}
    kwargs = dict(image_shape=(28, 28, 1), latent_dim=16, seed=7, **options)
    if model_name == "GAN":
        return kg.GAN(hidden_units=((32, 64), (64, 32)), **kwargs)
    if model_name == "DCGAN_NO_BN":
        return kg.DCGAN(
            generator=kg.networks.build_dcgan_generator(16, (28, 28, 1), filters=8, batch_norm=False),
            discriminator=kg.networks.build_dcgan_discriminator((28, 28, 1), filters=8, normalization=None),
            latent_dim=16,
            seed=7,
            **options,
        )
    if model_name == "CGAN":
        return kg.CGAN(num_classes=10, filters=8, **kwargs)
    model_cls = getattr(kg, model_name)
    extra = {"discriminator_steps": 2} if model_name == "WGANGP" else {}
    return model_cls(filters=8, **kwargs, **extra)


def compile_with_sgd(model, jit: bool) -> None:
    """SGD makes the weight change linear in the gradients, so equal weights mean equal aggregated gradients."""
    import keras

    model.compile(keras.optimizers.SGD(0.1), keras.optimizers.SGD(0.1), jit_compile=jit)


def dataset(model, images, labels):
    data = (images, labels) if model.num_classes is not None else images
    return tf.data.Dataset.from_tensor_slices(data).batch(GLOBAL_BATCH, drop_remainder=True)


def weights(model):
    return [v.numpy() for v in model.generator.weights + model.discriminator.weights]


def run_mirrored(model_names: str, jit: bool, out: str) -> None:
    """For each model: one step on one device and one on 2 replicas, both ``jit``, from the same weights."""
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    images, labels = real_batch()
    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    results = {}
    for model_name in model_names.split(","):
        single = build(model_name)
        initial = weights(single)
        # One device compiled the same way: XLA's random draws are not graph mode's (keras_gans.engine.randomness).
        compile_with_sgd(single, jit)
        single_logs = single.fit(dataset(single, images, labels), epochs=1, verbose=0).history
        with strategy.scope():
            mirrored = build(model_name)
            for var, value in zip(mirrored.generator.weights + mirrored.discriminator.weights, initial):
                var.assign(value)
            compile_with_sgd(mirrored, jit)
        mirrored_logs = mirrored.fit(dataset(mirrored, images, labels), epochs=1, verbose=0).history
        results[model_name] = {
            "max_diff": max(float(np.max(np.abs(a - b))) for a, b in zip(weights(single), weights(mirrored))),
            "max_moved": max(float(np.max(np.abs(a - b))) for a, b in zip(weights(single), initial)),
            "replicas": strategy.num_replicas_in_sync,
            "single_logs": single_logs,
            "mirrored_logs": mirrored_logs,
        }
    with open(out, "w") as f:
        json.dump(results, f)


def run_worker(index: int, ports: str, model_name: str, jit: bool, out: str) -> None:
    workers = [f"127.0.0.1:{p}" for p in ports.split(",")]
    os.environ["TF_CONFIG"] = json.dumps({"cluster": {"worker": workers}, "task": {"type": "worker", "index": index}})
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    images, labels = real_batch(num_batches=4)
    with strategy.scope():
        model = build(model_name)
        model.compile(jit_compile=jit)
    history = model.fit(dataset(model, images, labels), epochs=3, verbose=0).history
    np.savez(out, *weights(model), logs=json.dumps(history), replicas=strategy.num_replicas_in_sync)


if __name__ == "__main__":
    mode, *args = sys.argv[1:]
    if mode == "mirrored":
        run_mirrored(args[0], args[1] == "1", args[2])
    elif mode == "worker":
        run_worker(int(args[0]), args[1], args[2], args[3] == "1", args[4])
    else:
        raise SystemExit(__doc__)
