"""EMA rules at several budgets, from one training run each: which average of G to sample from, and with which
batch-norm statistics.

Run from the repository root::

    python benchmarks/bench_ema.py [--seeds 2 --steps 780 --eval-at 100 200 400 780 --filters 32]

One DCGAN per seed trains on MNIST (the split and the judge of ``zoo_table.py``: the GAN trains on 70% of the 10k
test digits, the judge classifier on the other 30%, against which FID is computed with as many samples). A callback
keeps, in float64 numpy, several averages of G's trainable weights and of its batch-norm moving statistics after
every step:

* ``tf_warmup``: ``d_n = min(decay, (1 + n) / (10 + n))`` (``tf.train.ExponentialMovingAverage(num_updates=)``, what
  ``keras_gans.engine.ema`` does), for decay 0.99 and 0.999;
* ``stylegan_rampup``: StyleGAN2-ADA's ramp-up, half-life ``min(h, 0.05 n)`` steps with ``h`` the decay's half-life;
* ``no_warmup``: ``d_n = decay`` from the initial weights (the package before the warm-up);

each sampled with the averaged statistics (``bn=avg``, what the package does) and with the live generator's
(``bn=live``, the package before). At every ``--eval-at`` step, the live generator and every average are scored
(FID on the judge's features). The table in ``docs/zoo/ema.md`` comes from this script.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
import zoo_table  # noqa: E402

RAMPUP = 0.05  # StyleGAN2-ADA's ema_rampup


def rules(n: int) -> dict[str, float]:
    """The decay of step ``n`` under every rule."""
    out = {}
    for decay in (0.99, 0.999):
        half_life = math.log(0.5) / math.log(decay)
        out[f"tf_warmup_{decay}"] = min(decay, (1 + n) / (10 + n))
        out[f"stylegan_rampup_{decay}"] = 0.5 ** (1.0 / max(min(half_life, RAMPUP * n), 1e-8))
        out[f"no_warmup_{decay}"] = decay
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--steps", type=int, default=780)
    parser.add_argument("--eval-at", type=int, nargs="+", default=[100, 200, 400, 780])
    parser.add_argument("--filters", type=int, default=32)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--output", default="docs/zoo/ema.json")
    args = parser.parse_args()

    data = zoo_table.split(*zoo_table.load_dataset("mnist"), 0.3)
    judge, accuracy = zoo_table.train_judge(data["held_out"], data["train"], None)
    real_features = judge.features(data["held_out"][0])
    results = {"machine": harness.machine_info(), "args": vars(args), "judge_accuracy": accuracy, "runs": []}
    print(f"judge accuracy {accuracy:.3f}", flush=True)

    for seed in range(args.seeds):
        results["runs"].append(run_seed(seed, args, data, judge, real_features))
        os.makedirs(os.path.dirname(args.output), exist_ok=True)
        with open(args.output, "w") as f:
            json.dump(results, f, indent=1)
        write_markdown(results, os.path.splitext(args.output)[0] + ".md")


COLUMNS = (
    ("live", "live G (no EMA)"),
    ("no_warmup_0.999_bn=live", "0.999, no ramp-up (before)"),
    ("no_warmup_0.99_bn=live", "0.99, no ramp-up (before)"),
    ("tf_warmup_0.999_bn=live", "TF warm-up"),
    ("tf_warmup_0.999_bn=avg", "TF warm-up, averaged BN"),
    ("stylegan_rampup_0.999_bn=live", "**ramp-up (now)**"),
    ("stylegan_rampup_0.999_bn=avg", "ramp-up, averaged BN"),
)


def write_markdown(results: dict, path: str) -> None:
    """The FID table (mean ± spread over seeds per step) of ``docs/zoo/ema.md``."""
    runs = results["runs"]
    steps = [row["step"] for row in runs[0]["evals"]]
    machine = results["machine"]
    lines = [
        "# EMA of the generator at several budgets",
        "",
        f"`python benchmarks/bench_ema.py --seeds {len(runs)} --steps {results['args']['steps']} "
        f"--filters {results['args']['filters']}` on {machine['date']}: {machine['cpu']}, {machine['cores']} cores "
        "shared with other jobs. DCGAN (`filters=32`, otherwise the defaults, batch 64) on 7,000 MNIST test digits; "
        "FID on the features of a judge classifier trained on the other 3,000 (accuracy "
        f"{results['judge_accuracy']:.3f} on the GAN's digits), 3,000 samples against those 3,000. All averages come "
        "from the same runs (kept in numpy by a callback), so they differ only in the rule. Decay 0.999 for the "
        "rules below; with the TF warm-up and the ramp-up 0.99 gives the same numbers at these budgets (the "
        "warm-up/ramp-up sets the decay). BN: the batch-norm statistics the average samples with (live: the live "
        "generator's moving statistics; averaged: averaged like the weights). Mean ± half the range over seeds.",
        "",
        "| step | " + " | ".join(label for _, label in COLUMNS) + " |",
        "|---|" + "---|" * len(COLUMNS),
    ]
    for i, step in enumerate(steps):
        cells = []
        for key, _ in COLUMNS:
            values = [run["evals"][i][key] for run in runs if len(run["evals"]) > i]
            spread = (max(values) - min(values)) / 2
            cells.append(f"{sum(values) / len(values):.1f} ± {spread:.1f}" if len(values) > 1 else f"{values[0]:.1f}")
        lines.append(f"| {step} | " + " | ".join(cells) + " |")
    lines.append("")
    with open(path, "w") as f:
        f.write("\n".join(lines))


def run_seed(seed: int, args, data: dict, judge, real_features) -> dict:
    """One DCGAN run; the FID of the live generator and of every average at the ``--eval-at`` steps."""
    import keras
    import tensorflow as tf

    import keras_gans as kg
    from keras_gans.engine.ema import batch_norm_statistics
    from keras_gans.metrics import fid_from_features

    keras.utils.set_random_seed(seed)
    model = kg.DCGAN(image_shape=(28, 28, 1), filters=args.filters, seed=seed)
    model.compile()
    generator = model.generator
    statistics = batch_norm_statistics(generator)
    copy = keras.models.clone_model(generator)
    z = model.latents(len(real_features), seed=zoo_table.SAMPLE_SEED)
    run = {"seed": seed, "evals": []}

    def snapshot():
        weights = [v.numpy().astype("float64") for v in generator.trainable_variables]
        return weights, [v.numpy().astype("float64") for v in statistics]

    def score(weights, stats) -> float:
        copy.set_weights(generator.get_weights())
        for variable, value in zip(copy.trainable_variables + batch_norm_statistics(copy), weights + stats):
            variable.assign(value)
        images = copy.predict(z, batch_size=500, verbose=0)
        return fid_from_features(real_features, judge.features(images))

    weights0, stats0 = snapshot()
    averages = {name: ([w.copy() for w in weights0], [s.copy() for s in stats0]) for name in rules(1)}

    class Averages(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            n = batch + 1
            live_weights, live_stats = snapshot()
            for name, d in rules(n).items():
                weights, stats = averages[name]
                weights[:] = [d * a + (1 - d) * w for a, w in zip(weights, live_weights)]
                stats[:] = [d * a + (1 - d) * s for a, s in zip(stats, live_stats)]
            if n in args.eval_at:
                row = {"step": n, "live": score(live_weights, live_stats)}
                for name, (weights, stats) in averages.items():
                    row[f"{name}_bn=avg"] = score(weights, stats)
                    row[f"{name}_bn=live"] = score(weights, live_stats)
                run["evals"].append(row)
                print(json.dumps({"seed": seed, **{k: round(v, 2) for k, v in row.items()}}), flush=True)

    dataset = (
        tf.data.Dataset.from_tensor_slices(data["train"][0])
        .shuffle(len(data["train"][0]), seed=seed)
        .repeat()
        .batch(args.batch, drop_remainder=True)
    )
    model.fit(dataset, epochs=1, steps_per_epoch=args.steps, verbose=0, callbacks=[Averages()])
    return run


if __name__ == "__main__":
    main()
