"""The value checks under a 2-replica MirroredStrategy, in their own process (logical devices are set before TF starts).

Usage: python input_check_runs.py JIT[,JIT] OUT.json  (JIT: 0 or 1)

For DCGAN and CGAN (tiny, 8x8x1) built in the strategy's scope: each bad batch kind of test_input_checks.py's
REPLICA_CASES must raise BadBatchError and leave the weights and the step counter as they were; a good batch must
train. Writes
``{"MODEL jit=J": {"cases": {case: "error message" | "no error"}, "changed_by_bad_batches": [variable paths], ...}}``.
"""

import json
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import tensorflow as tf  # noqa: E402


def main(jits: str, out: str) -> None:
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
    import numpy as np
    from test_input_checks import REPLICA_CASES, bad_value_cases, digits

    import keras_gans as kg
    from keras_gans.engine.data_spec import BadBatchError

    strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
    results = {}
    for jit, name in [(jit, name) for jit in jits.split(",") for name in ("DCGAN", "CGAN")]:
        with strategy.scope():
            extra = {"num_classes": 3} if name == "CGAN" else {}
            model = getattr(kg, name)(image_shape=(8, 8, 1), latent_dim=4, filters=4, seed=1, **extra)
            model.compile(jit_compile=jit == "1")
        before = [w.numpy() for w in model.weights]
        trainable = [any(w is t for t in model.trainable_weights) for w in model.weights]
        outcome = {}
        for case, (images, labels, _message) in bad_value_cases(conditional=name == "CGAN").items():
            if case not in REPLICA_CASES:
                continue
            try:
                model.fit(images, labels, batch_size=8, epochs=1, verbose=0, shuffle=False)
                outcome[case] = "no error"
            except BadBatchError as error:
                outcome[case] = str(error)
        changed = [
            ("trainable " if is_trainable else "") + w.path
            for a, w, is_trainable in zip(before, model.weights, trainable)
            if not np.array_equal(a, w.numpy())
        ]
        step_after_bad = int(model.step_counter.numpy())
        images, labels = digits()
        model.fit(images, labels if name == "CGAN" else None, batch_size=8, epochs=1, verbose=0, shuffle=False)
        results[f"{name} jit={jit}"] = {
            "cases": outcome,
            "changed_by_bad_batches": changed,
            "step_after_bad_batches": step_after_bad,
            "replicas": strategy.num_replicas_in_sync,
            "steps_after_good_fit": int(model.step_counter.numpy()),
        }
    with open(out, "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main(*sys.argv[1:])
