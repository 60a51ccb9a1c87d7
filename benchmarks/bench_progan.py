"""ProGAN train-step speed in every growth phase, with XLA on and off.

The networks compute every level at every step and blend by the growth state (variables), so the step graph is
the same in every phase: one trace per run, and a step should cost the same at 4x4 as at 32x32. This measures it:
for each phase of growing 4x4 -> 32x32 (MNIST padded to 32x32 shapes, random data), the model's images_shown is set
to the middle of the phase and ``steps`` train steps are timed after a warm-up.

    python benchmarks/bench_progan.py [--steps 20] [--batch 32] [--filters 32] [--max-filters 128] [--out FILE]

Writes a JSON file (default ``benchmarks/progan_steps.json``) and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

PHASE_IMAGES = 1_000_000  # long phases: the timed steps stay inside the phase they start in


def measure(jit: bool, args) -> list[dict]:
    import keras
    import tensorflow as tf

    import keras_gans as kg

    keras.utils.set_random_seed(0)
    model = kg.ProGAN(
        image_shape=(32, 32, 1),
        latent_dim=args.latent_dim,
        filters=args.filters,
        max_filters=args.max_filters,
        schedule={"fade": PHASE_IMAGES, "stable": PHASE_IMAGES},
        seed=0,
    )
    model.compile(jit_compile=jit)
    images = np.random.default_rng(0).uniform(-1, 1, (args.batch, 32, 32, 1)).astype("float32")
    data = tf.data.Dataset.from_tensors(images).repeat()
    model.fit(data, steps_per_epoch=args.warmup, epochs=1, verbose=0)  # trace + compile once
    rows = []
    for phase, name in enumerate(kg.models.latent.progan.growth_phases(model.levels)):
        model.images_shown.assign(phase * PHASE_IMAGES + PHASE_IMAGES // 2)
        model.fit(data, steps_per_epoch=2, epochs=1, verbose=0)
        start = time.perf_counter()
        model.fit(data, steps_per_epoch=args.steps, epochs=1, verbose=0)
        seconds = time.perf_counter() - start
        rows.append(
            {
                "phase": name,
                "xla": jit,
                "level": model.level,
                "alpha": round(model.alpha, 3),
                "steps_per_second": round(args.steps / seconds, 2),
                "images_per_second": round(args.steps * args.batch / seconds, 1),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--latent-dim", type=int, default=128)
    parser.add_argument("--filters", type=int, default=32)
    parser.add_argument("--max-filters", type=int, default=128)
    parser.add_argument("--xla", choices=["both", "on", "off"], default="both")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "progan_steps.json"))
    args = parser.parse_args()

    import tensorflow as tf

    modes = {"both": [False, True], "on": [True], "off": [False]}[args.xla]
    rows = [row for jit in modes for row in measure(jit, args)]
    devices = [d.device_type for d in tf.config.list_physical_devices()]
    result = {"settings": vars(args), "devices": devices, "cpu_count": os.cpu_count(), "rows": rows}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2)
    print("\n| phase | XLA | steps/s | images/s |\n|---|---|---|---|")
    for row in rows:
        xla = "on" if row["xla"] else "off"
        print(f"| {row['phase']} | {xla} | {row['steps_per_second']} | {row['images_per_second']} |")


if __name__ == "__main__":
    main()
