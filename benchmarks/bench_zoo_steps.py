"""Train-step throughput of every model of the zoo beside DCGAN's, side by side in one process.

    python benchmarks/bench_zoo_steps.py [--batch 64] [--rounds 4] [--chunk 5] [--xla 0] [--json out.json]

Every registered model (and DCGAN with ``unrolled_steps=5``) is built with its default networks for 28x28x1 MNIST
(``latent_dim=100`` where the model takes it, ``filters=64``) and its paper optimizers, then all are timed in
alternating rounds (the order reversed every other round) of ``--chunk`` train steps on one constant batch of real
digits, so that load from other processes falls on all alike. One iteration is one train step: one generator update
and ``discriminator_steps`` D updates (5 for WGAN and WGAN-GP). Reported: median seconds per iteration, it/s and
the ratio of DCGAN's seconds per iteration to the model's (1.0 = as fast as DCGAN), with the machine's CPU.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402

SHAPE = (28, 28, 1)
EXTRA = {"CGAN": {"num_classes": 10}, "ACGAN": {"num_classes": 10}}


def variants() -> dict[str, tuple[str, dict]]:
    from keras_gans.models import model_names

    table = {name: (name, dict(EXTRA.get(name, {}))) for name in model_names()}
    table["DCGAN unrolled_steps=5"] = ("DCGAN", {"unrolled_steps": 5})
    return table


def build(class_name: str, kwargs: dict):
    import keras_gans as kg

    cls = kg.models.get_model_class(class_name)
    args = {"image_shape": SHAPE, "seed": 0, **kwargs}
    if class_name != "InfoGAN":
        args["latent_dim"] = 100
    return cls(**args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--chunk", type=int, default=5)
    parser.add_argument("--xla", type=int, default=0)
    parser.add_argument("--only", help="comma-separated names (DCGAN is always included)")
    parser.add_argument("--json", help="write the results here")
    parser.add_argument("--markdown", help="write the table as Markdown here (benchmarks/ZOO_STEPS.md)")
    args = parser.parse_args()

    import numpy as np
    import tensorflow as tf

    import keras_gans  # noqa: F401  (before TensorFlow does work: the oneDNN choice)

    images, labels = harness.mnist_images(args.batch)
    table = variants()
    if args.only:
        keep = {"DCGAN", *args.only.split(",")}
        table = {k: v for k, v in table.items() if k in keep}
    models, datasets, seconds = {}, {}, {}
    for name, (class_name, kwargs) in table.items():
        model = build(class_name, kwargs)
        model.compile(jit_compile=bool(args.xla))
        element = (images, labels) if getattr(model, "num_classes", None) else images
        datasets[name] = tf.data.Dataset.from_tensors(element).repeat()
        model.fit(datasets[name], epochs=1, steps_per_epoch=2, verbose=0)  # trace and warm up
        models[name], seconds[name] = model, []
    order = list(models)
    for round_index in range(args.rounds):
        for name in order if round_index % 2 == 0 else order[::-1]:
            start = time.perf_counter()
            models[name].fit(datasets[name], epochs=1, steps_per_epoch=args.chunk, verbose=0)
            seconds[name].append((time.perf_counter() - start) / args.chunk)
    dcgan = float(np.median(seconds["DCGAN"]))
    results = {
        "machine": harness.machine_info(),
        "batch": args.batch,
        "xla": bool(args.xla),
        "models": {
            name: {
                "s_per_it": float(np.median(s)),
                "it_per_s": 1.0 / float(np.median(s)),
                "speed_vs_dcgan": dcgan / float(np.median(s)),
                "d_steps": models[name].options.discriminator_steps,
            }
            for name, s in seconds.items()
        },
    }
    print(f"CPU: {results['machine']['cpu']} ({results['machine']['cores']} cores), batch {args.batch}, XLA {args.xla}")
    print(f"{'model':<24} {'s/it':>8} {'it/s':>7} {'vs DCGAN':>9} {'D steps':>8}")
    for name, r in results["models"].items():
        print(f"{name:<24} {r['s_per_it']:8.3f} {r['it_per_s']:7.2f} {r['speed_vs_dcgan']:9.2f} {r['d_steps']:8d}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)
    if args.markdown:
        write_markdown(results, args, args.markdown)


def write_markdown(results: dict, args: argparse.Namespace, path: str) -> None:
    machine = results["machine"]
    lines = [
        "# Train-step throughput of every model beside DCGAN's",
        "",
        f"`python benchmarks/bench_zoo_steps.py --rounds {args.rounds} --chunk {args.chunk} --batch {args.batch}"
        f" --xla {args.xla} --markdown {path}`, {machine['date']}.",
        "",
        f"CPU: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gib']} GiB; TensorFlow "
        f"{machine['tensorflow']}, Keras {machine['keras']}; 1-minute load average at the end "
        f"{machine['load_average_1min']}. MNIST 28x28x1, each model's default networks and paper optimizers, batch "
        f"{args.batch}, XLA {'on' if args.xla else 'off'}; all models alternated in one process (median of "
        f"{args.rounds} rounds of {args.chunk} steps).",
        "",
        "| model | s/it | it/s | speed vs DCGAN | D steps per it |",
        "|---|---|---|---|---|",
    ]
    for name, r in results["models"].items():
        lines.append(
            f"| {name} | {r['s_per_it']:.3f} | {r['it_per_s']:.2f} | {r['speed_vs_dcgan']:.2f} | {r['d_steps']} |"
        )
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
