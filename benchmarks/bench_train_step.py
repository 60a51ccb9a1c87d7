"""Train-step throughput of one model in ``fit``, or an A/B comparison of two variants in one process.

Run from the repository root (``run_all.py`` runs it once per configuration)::

    python benchmarks/bench_train_step.py --model DCGAN --batch 64 --xla 0 [--steps 15 --warmup 3]
    python benchmarks/bench_train_step.py --model DCGAN --batch 64 --compare feed    # keras_gans.data vs constant
    python benchmarks/bench_train_step.py --model DCGAN --batch 64 --compare reuse   # G step reuses D's fakes or not
    python benchmarks/bench_train_step.py --model DCGAN --batch 64 --compare xla     # jit_compile False vs True
    python benchmarks/bench_train_step.py --model DCGAN --batch 64 --compare precision  # float32 vs mixed_bfloat16

Every model is the default network of its class for 28x28x1 MNIST digits (DCGAN: ``latent_dim=100,
filters=64``), compiled with its paper optimizers. One *iteration* is one call of the train step: one generator
update and ``discriminator_steps`` discriminator updates (5 for WGAN-GP). The batch is real MNIST test digits held
in memory (``--feed constant``: one batch repeated, so the input costs nothing) or the ``keras_gans.data``
pipeline over all 10,000 digits (``--feed pipeline``: shuffle, batch, normalise, prefetch).

``--compare`` builds both variants in the same process and alternates them (A B, B A, ...) in rounds of ``--chunk``
steps, so that load from other processes on a shared machine falls on both alike; the ratio of medians is reported.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402

MODELS = ("GAN", "DCGAN", "CGAN", "WGANGP", "LSGAN")
IMAGE_SHAPE = (28, 28, 1)


def build_model(name: str, seed: int = 0, **options):
    """The model's default networks for MNIST digits."""
    import keras_gans as kg

    kwargs = {"image_shape": IMAGE_SHAPE, "latent_dim": 100, "seed": seed, **options}
    if name == "CGAN":
        kwargs["num_classes"] = 10
    return getattr(kg, name)(**kwargs)


def make_dataset(model, batch: int, feed: str):
    """An endless dataset of batches: one constant in-memory batch, or the real ``keras_gans.data`` pipeline."""
    import tensorflow as tf

    import keras_gans as kg

    conditional = model.num_classes is not None
    if feed == "pipeline":
        return kg.data.from_mnist_idx(batch_size=batch, with_labels=conditional, seed=0).repeat()
    images, labels = harness.mnist_images(batch)
    element = (images, labels) if conditional else images
    return tf.data.Dataset.from_tensors(element).repeat()


def timed_fit(model, dataset, steps: int, warmup: int) -> tuple[list[float], list[float]]:
    """Per-step wall and CPU times of ``fit`` over ``warmup + steps`` steps, without the warm-up ones."""
    timer = harness.step_timer(skip=warmup)
    model.fit(dataset, epochs=1, steps_per_epoch=warmup + steps, verbose=0, callbacks=[timer])
    return timer.times, timer.cpu_times


def set_threads(intra: int | None, inter: int | None) -> None:
    import tensorflow as tf

    if intra is not None:
        tf.config.threading.set_intra_op_parallelism_threads(intra)
    if inter is not None:
        tf.config.threading.set_inter_op_parallelism_threads(inter)


def single(args) -> dict:
    options = {} if args.reuse is None else {"reuse_fake_batch": bool(args.reuse)}
    model = build_model(args.model, **options)
    model.compile(jit_compile=bool(args.xla))
    dataset = make_dataset(model, args.batch, args.feed)
    import time

    start = time.perf_counter()
    model.fit(dataset, epochs=1, steps_per_epoch=1, verbose=0)
    first_step_s = time.perf_counter() - start
    summary = harness.summarize(*timed_fit(model, dataset, args.steps, args.warmup))
    return {
        "model": args.model,
        "batch": args.batch,
        "xla": bool(args.xla),
        "feed": args.feed,
        "discriminator_steps": model.options.discriminator_steps,
        "reuse_fake_batch": bool(getattr(model.options, "reuse_fake_batch", False)),
        "first_step_s": first_step_s,
        **summary,
        "images_per_s": summary["it_per_s"] * args.batch,
        "peak_rss_mb": harness.peak_rss_mb(),
        "threading": harness.tf_threading(),
        "load_average_1min": harness.load_average(),
    }


def compare(args) -> dict:
    """Two variants in one process, alternated in chunks; ``a`` is the reference."""
    import keras

    if args.compare == "feed":
        variants = {"constant": {"feed": "constant"}, "pipeline": {"feed": "pipeline"}}
    elif args.compare == "reuse":
        variants = {"two_g_forwards": {"reuse": False}, "one_g_forward": {"reuse": True}}
    elif args.compare == "xla":
        variants = {"graph": {"xla": False}, "xla": {"xla": True}}
    elif args.compare == "precision":
        variants = {"float32": {"policy": "float32"}, args.policy: {"policy": args.policy}}
    else:
        raise SystemExit(f"unknown --compare {args.compare}")
    runs = {}
    for label, variant in variants.items():
        reuse = variant.get("reuse", None if args.reuse is None else bool(args.reuse))
        options = {} if reuse is None else {"reuse_fake_batch": reuse}
        previous_policy = keras.mixed_precision.global_policy()
        keras.mixed_precision.set_dtype_policy(variant.get("policy", previous_policy))
        model = build_model(args.model, **options)
        keras.mixed_precision.set_dtype_policy(previous_policy)
        model.compile(jit_compile=bool(variant.get("xla", args.xla)))
        dataset = make_dataset(model, args.batch, variant.get("feed", args.feed))
        model.fit(dataset, epochs=1, steps_per_epoch=1 + args.warmup, verbose=0)
        runs[label] = (model, dataset, [], [])
    rounds = max(1, args.steps // args.chunk)
    for round_index in range(rounds):
        # A B, then B A: a variant that runs first (or second) in a round gets no systematic advantage.
        order = list(runs.values()) if round_index % 2 == 0 else list(runs.values())[::-1]
        for model, dataset, times, cpu_times in order:
            wall, cpu = timed_fit(model, dataset, args.chunk, warmup=1)
            times.extend(wall)
            cpu_times.extend(cpu)
    summaries = {label: harness.summarize(times, cpu) for label, (_, _, times, cpu) in runs.items()}
    reference, other = list(summaries)
    return {
        "model": args.model,
        "batch": args.batch,
        "xla": bool(args.xla),
        "compare": args.compare,
        "variants": summaries,
        # > 1: the second variant is faster than the first.
        "speedup": summaries[reference]["median_s"] / summaries[other]["median_s"],
        "slowdown_percent": 100.0 * (summaries[other]["median_s"] / summaries[reference]["median_s"] - 1.0),
        "cpu_speedup": summaries[reference]["cpu_median_s"] / summaries[other]["cpu_median_s"],
        "threading": harness.tf_threading(),
        "load_average_1min": harness.load_average(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=MODELS, default="DCGAN")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--xla", type=int, choices=(0, 1), default=0)
    parser.add_argument("--feed", choices=("constant", "pipeline"), default="constant")
    parser.add_argument("--reuse", type=int, choices=(0, 1), default=None, help="reuse_fake_batch (default: model's)")
    parser.add_argument("--steps", type=int, default=15, help="timed steps")
    parser.add_argument("--warmup", type=int, default=2, help="untimed steps after the first (tracing) one")
    parser.add_argument("--compare", choices=("feed", "reuse", "xla", "precision"), default=None)
    parser.add_argument("--policy", default="mixed_bfloat16", help="the low-precision policy of --compare precision")
    parser.add_argument("--chunk", type=int, default=3, help="steps per round in --compare mode")
    parser.add_argument("--intra", type=int, default=None, help="TensorFlow intra-op threads (default: cores)")
    parser.add_argument("--inter", type=int, default=None, help="TensorFlow inter-op threads (default: cores)")
    args = parser.parse_args()
    set_threads(args.intra, args.inter)
    harness.emit(compare(args) if args.compare else single(args))


if __name__ == "__main__":
    main()
