"""What the value checks of every batch cost: train-step time with and without them, side by side in one process.

    python benchmarks/bench_input_checks.py [--rounds 12] [--chunk 10] [--batch 64] [--xla 0,1] [--json out.json]

For each model (DCGAN, and CGAN whose labels are checked too) and each XLA mode, three copies with the same seed are
built: one with the checks (the default), two with ``data_spec.check_values = False``, the engine's step as it was
before the checks. They run in alternating rounds (the order reversed every other round) of ``--chunk`` train
steps each on one constant batch of real digits (16x16, the ``dcgan_digits`` config's networks: latent_dim 64,
filters 32), so that load from other processes falls on all alike. Reported: median seconds per step of each, the
ratio checked / unchecked (1.00 = no cost) and, as the noise floor, the ratio of the two unchecked copies, with
the interquartile range of the per-round ratios; and the machine's CPU. About 10 minutes on 2 CPU cores, most of
it XLA (``--xla 0``: 2 minutes).

On 2 cores of an Intel Xeon (shared with other jobs, 12 rounds x 10 steps): checked / unchecked 1.005 (DCGAN) and
1.04 (CGAN) without XLA, 0.99 and 0.98 with it, beside an A/A noise floor of 0.97-1.01 whose per-round IQR spans
about +-7 %: no cost measurable.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402

SHAPE = (16, 16, 1)
MODEL_ARGS = {"latent_dim": 64, "filters": 32, "seed": 0}
VARIANTS = ("checked", "unchecked", "unchecked again")


def _batch(batch: int, conditional: bool):
    import numpy as np
    import tensorflow as tf
    from sklearn.datasets import load_digits

    digits = load_digits()
    rows = np.arange(batch) % len(digits.images)
    images = tf.image.resize(digits.images[rows, :, :, None] / 8.0 - 1.0, SHAPE[:2], antialias=True)
    images = tf.cast(images, tf.float32)
    labels = tf.constant(digits.target[rows], tf.int32)
    return (images, labels) if conditional else images


def _quartiles(values):
    values = sorted(values)
    if len(values) < 2:
        return values[0], values[0]
    q = statistics.quantiles(values, n=4)
    return q[0], q[2]


def bench(name: str, xla: bool, batch: int, rounds: int, chunk: int) -> dict:
    import tensorflow as tf

    import keras_gans as kg

    extra = {"num_classes": 10} if name == "CGAN" else {}
    element = _batch(batch, bool(extra))
    functions, iterators, seconds = {}, {}, {}
    for variant in VARIANTS:
        model = getattr(kg, name)(image_shape=SHAPE, **MODEL_ARGS, **extra)
        model.data_spec.check_values = variant == "checked"
        model.compile(jit_compile=xla)
        dataset = tf.data.Dataset.from_tensors(element).repeat()
        model.fit(dataset, epochs=1, steps_per_epoch=2, verbose=0)  # trace, compile and warm up
        functions[variant] = model.train_function
        iterators[variant] = iter(dataset)
        seconds[variant] = []
    for round_index in range(rounds):
        for variant in VARIANTS if round_index % 2 == 0 else VARIANTS[::-1]:
            function, iterator = functions[variant], iterators[variant]
            start = time.perf_counter()
            for _ in range(chunk):
                logs = function(iterator)
            float(logs["d_loss"])  # wait for the last step
            seconds[variant].append((time.perf_counter() - start) / chunk)
    checked, unchecked, again = (seconds[v] for v in VARIANTS)
    ratios = [c / u for c, u in zip(checked, unchecked)]
    floor = [a / u for a, u in zip(again, unchecked)]
    return {
        "model": name,
        "xla": xla,
        "s_per_step": {v: statistics.median(s) for v, s in seconds.items()},
        "ratio": statistics.median(checked) / statistics.median(unchecked),
        "ratio_iqr": _quartiles(ratios),
        "noise_floor_ratio": statistics.median(again) / statistics.median(unchecked),
        "noise_floor_iqr": _quartiles(floor),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--chunk", type=int, default=10)
    parser.add_argument("--xla", default="0,1", help="XLA modes to run: 0, 1 or 0,1")
    parser.add_argument("--models", default="DCGAN,CGAN")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()

    import keras_gans  # noqa: F401  (before TensorFlow does work: the oneDNN choice)

    machine = harness.machine_info()
    results = [
        bench(name, bool(int(xla)), args.batch, args.rounds, args.chunk)
        for xla in args.xla.split(",")
        for name in args.models.split(",")
    ]
    print(f"CPU: {machine['cpu']} ({machine['cores']} cores); batch {args.batch}, {args.rounds} rounds x {args.chunk}")
    print(
        f"{'model':<6} {'XLA':<4} {'checked s':>10} {'unchecked s':>12} {'ratio':>6} {'(IQR)':>13} "
        f"{'A/A':>6} {'(IQR)':>13}"
    )
    for r in results:
        s = r["s_per_step"]
        iqr = "{:.3f}-{:.3f}".format(*r["ratio_iqr"])
        floor = "{:.3f}-{:.3f}".format(*r["noise_floor_iqr"])
        print(
            f"{r['model']:<6} {'on' if r['xla'] else 'off':<4} {s['checked']:10.4f} {s['unchecked']:12.4f} "
            f"{r['ratio']:6.3f} {iqr:>13} {r['noise_floor_ratio']:6.3f} {floor:>13}"
        )
    harness.emit({"machine": machine, "results": results})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"machine": machine, "results": results}, f, indent=2)


if __name__ == "__main__":
    main()
