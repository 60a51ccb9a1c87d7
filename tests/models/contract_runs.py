"""The contract's tf.distribute check in its own process (logical devices must be set before TensorFlow starts).

Usage: python contract_runs.py NAME[,NAME...] JIT OUT.json

For each zoo entry: one step on one device and one on 2 replicas of a MirroredStrategy, both with XLA when JIT is
1 (the whole step on one device, the per-replica gradients under the strategy), same initial weights, same global
batch, SGD (weights linear in the gradients); writes the largest weight difference per model.
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tensorflow as tf  # noqa: E402

GLOBAL_BATCH = 8


def _compile(model, jit: bool) -> None:
    import keras

    optimizers = {name: keras.optimizers.SGD(0.1) for name in model.optimizers}
    model.compile(jit_compile=jit, **optimizers)


def _weights(model):
    return [v.numpy() for network in model.networks.values() for v in network.weights]


def _dataset(entry, model):
    import zoo

    images, labels = zoo.training_data(entry, GLOBAL_BATCH)
    data = (images, labels) if labels is not None else images
    return tf.data.Dataset.from_tensor_slices(data).batch(GLOBAL_BATCH, drop_remainder=True)


def main(names: str, jit: str, out: str) -> None:
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import zoo  # noqa: I001  (after the device setup)

    import keras_gans  # noqa: F401

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    results = {}
    for name in names.split(","):
        entry = zoo.BY_NAME[name]
        single = entry.build()
        initial = _weights(single)
        _compile(single, jit == "1")  # XLA's random draws are not graph mode's: compare like with like
        single.fit(_dataset(entry, single), epochs=1, verbose=0)
        with strategy.scope():
            replicated = entry.build()
            for v, value in zip([v for n in replicated.networks.values() for v in n.weights], initial):
                v.assign(value)
            _compile(replicated, jit == "1")
        replicated.fit(_dataset(entry, replicated), epochs=1, verbose=0)
        diffs = [float(abs(a - b).max()) for a, b in zip(_weights(single), _weights(replicated)) if a.size]
        moved = max(float(abs(a - b).max()) for a, b in zip(initial, _weights(single)) if a.size)
        results[name] = {"max_diff": max(diffs), "moved": moved, "steps": int(replicated.step_counter.numpy())}
    with open(out, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main(*sys.argv[1:])
