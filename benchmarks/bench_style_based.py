"""Train-step speed of the style-based / progressive generators (issue 12): it/s with XLA on and off.

StyleGAN2 part: the networks of ``zoo_configs/stylegan2_mnist.yaml`` (32x32x1, latent 128, 4 mapping layers, widths
32 -> 128), batch 32, every regulariser at the paper's interval (R1 every 16 steps, path length every 4: a window of
16 steps holds one R1 and four path-length steps, so the timed steps are a multiple of 16). Reports the first call's
time (tracing + compilation) and the steady it/s.

Usage: python benchmarks/bench_style_based.py [--part stylegan2] [--steps 32] [--size 32] [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def stylegan2_speed(jit: bool, steps: int, size: int, batch: int) -> dict:
    import numpy as np
    import tensorflow as tf

    import keras_gans as kg

    images = np.random.default_rng(0).uniform(-1, 1, size=(batch * 4, size, size, 1)).astype("float32")
    data = tf.data.Dataset.from_tensor_slices(images).repeat().batch(batch, drop_remainder=True)
    model = kg.StyleGAN2(
        image_shape=(size, size, 1), latent_dim=128, filters=32, max_filters=128, mapping_layers=4, seed=0
    )
    model.compile(jit_compile=jit)
    start = time.perf_counter()
    model.fit(data, epochs=1, steps_per_epoch=16, verbose=0)  # traces, compiles, runs one full lazy window
    first = time.perf_counter() - start
    start = time.perf_counter()
    model.fit(data, epochs=1, steps_per_epoch=steps, verbose=0)
    seconds = time.perf_counter() - start
    return {
        "jit_compile": jit,
        "first_16_steps_s": round(first, 2),
        "steps": steps,
        "it_per_s": round(steps / seconds, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", default="stylegan2", choices=["stylegan2"])
    parser.add_argument("--steps", type=int, default=32, help="timed steps (a multiple of 16)")
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    results = []
    for jit in (False, True):
        results.append(stylegan2_speed(jit, args.steps, args.size, args.batch))
        print(json.dumps(results[-1]), flush=True)
    report = {"model": "StyleGAN2", "size": args.size, "batch": args.batch, "cpus": os.cpu_count(), "runs": results}
    print(json.dumps(report, indent=2))
    if args.out:
        with open(args.out, "w") as f:
            json.dump(report, f, indent=2)


if __name__ == "__main__":
    main()
