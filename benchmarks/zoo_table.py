"""The zoo's results table: every registered latent model at one fixed budget, judged by an independent classifier.

Run from the repository root::

    python benchmarks/zoo_table.py                                   # every latent model, MNIST + digits, 3 seeds
    python benchmarks/zoo_table.py --datasets digits --seeds 1 --steps 200     # a small run
    python benchmarks/zoo_table.py --models DCGAN --datasets mnist --variants none ema_decay=0.99 ema_decay=0.999 \\
        --output docs/zoo/ema.md --grid-dir docs/zoo/ema                  # one model, several settings

For each dataset the digits are split once (fixed permutation): the GANs train on ``1 - --held-out`` of them; the
judge, :func:`keras_gans.metrics.train_mnist_classifier` (conv32-pool-conv64-pool-dense128), trains on the held-out
rest, which the GANs never see, and is scored on the GANs' training split. The real side of every metric is the
held-out split's judge features (128-d penultimate layer); the generated side is as many samples, from a fixed seed
(class-balanced labels ``i % 10`` for conditional models). Reported per model, mean ± standard deviation over seeds:

* FID (:func:`~keras_gans.metrics.fid_from_features`), KID × 10³ (50 subsets of ``min(1000, n)``), precision and
  recall (k = 3): the judge's features;
* label accuracy (conditional models): the fraction of samples the judge classifies as the label they were asked for;
* train time (wall, ``fit`` only, tracing included) and it/s (steady steps, the first two skipped);
* a sample grid of the first seed (``--grid-dir``; conditional models: one class per column).

Datasets: ``mnist``, the 10,000 test digits of ``../shared/data/mnist`` (``$KERAS_GANS_MNIST_DIR``) at 28x28;
``digits``, the 1,797 embedded 8x8 sklearn digits. Models: ``keras_gans.models.models_by_family()["latent"]``;
conditional ones (a ``num_classes`` argument of their own constructor) get ``num_classes=10``. Each model runs with
its defaults, its ``default_optimizers`` and batch ``--batch``, for ``--steps`` steps; ``--variants`` adds constructor
arguments (``key=value``, ``none`` for the defaults). The raw results go to ``<grid-dir>/results.json``.
"""

from __future__ import annotations

import argparse
import datetime
import inspect
import json
import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
import numpy as np  # noqa: E402

NUM_CLASSES = 10
SPLIT_SEED = 0
JUDGE_SEED = 1234
SAMPLE_SEED = 0
KID_SUBSETS = 50
KID_SUBSET_SIZE = 1000
PR_K = 3
GRID_ROWS = 10
JUDGE_STEPS = 400
METRICS = ("fid", "kid", "precision", "recall", "label_accuracy", "train_s", "it_per_s")


# ----------------------------------------------------------------------------------------------------------------
# Data and judge


def load_dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Images as float32 (N, H, W, 1) in [-1, 1] and int labels (N,)."""
    if name == "mnist":
        from keras_gans.data.idx import default_mnist_dir, load_mnist_idx

        images, labels = load_mnist_idx(default_mnist_dir(), split="test")
        return (images[..., None].astype("float32") / 127.5 - 1.0), labels.astype("int32")
    if name == "digits":
        from sklearn.datasets import load_digits

        digits = load_digits()
        return (digits.images[..., None].astype("float32") / 8.0 - 1.0), digits.target.astype("int32")
    raise ValueError(f"unknown dataset {name!r}; choose mnist or digits")


def split(images: np.ndarray, labels: np.ndarray, held_out: float) -> dict:
    order = np.random.default_rng(SPLIT_SEED).permutation(len(images))
    cut = int(round(len(images) * (1.0 - held_out)))
    train, judge = order[:cut], order[cut:]
    return {"train": (images[train], labels[train]), "held_out": (images[judge], labels[judge])}


def train_judge(held_out: tuple, train: tuple, epochs: int | None):
    """The judge classifier on the held-out digits; its accuracy on the GANs' training split.

    ``epochs=None``: as many as make about ``JUDGE_STEPS`` steps of batch 128 (the held-out sets differ 6-fold).
    """
    import keras

    from keras_gans.metrics import ClassifierFeatureExtractor, train_mnist_classifier

    if epochs is None:
        epochs = int(np.ceil(JUDGE_STEPS / np.ceil(len(held_out[0]) / 128)))
    keras.utils.set_random_seed(JUDGE_SEED)
    classifier = train_mnist_classifier(*held_out, epochs=epochs, num_classes=NUM_CLASSES)
    accuracy = float(np.mean(np.argmax(classifier.predict(train[0], verbose=0), axis=1) == train[1]))
    return ClassifierFeatureExtractor(classifier), accuracy


# ----------------------------------------------------------------------------------------------------------------
# One run


def is_conditional(cls) -> bool:
    """A model whose own constructor takes ``num_classes`` trains on (images, labels) (CGAN, ACGAN)."""
    return "num_classes" in inspect.signature(cls.__init__).parameters


def parse_variant(text: str) -> dict:
    """Constructor arguments of ``key=value,...`` (JSON values, else strings; a later key wins). A part without
    ``=`` continues the previous value, so ``augment=translation,cutout`` is one DiffAugment policy."""
    if text in ("none", "default", ""):
        return {}
    pairs: list[list[str]] = []
    for part in text.split(","):
        if "=" in part or not pairs:
            pairs.append(list(part.partition("=")[::2]))
        else:
            pairs[-1][1] += "," + part
    arguments = {}
    for key, value in pairs:
        try:
            arguments[key] = json.loads(value)
        except json.JSONDecodeError:
            arguments[key] = value
    return arguments


def training_dataset(data: dict, conditional: bool, batch: int, seed: int):
    """The GANs' training split as an endless, seeded, reshuffled stream of batches (with labels if conditional)."""
    import tensorflow as tf

    images, labels = data["train"]
    elements = (images, labels) if conditional else images
    return (
        tf.data.Dataset.from_tensor_slices(elements)
        .shuffle(len(images), seed=seed, reshuffle_each_iteration=True)
        .repeat()
        .batch(batch, drop_remainder=True)
        .prefetch(2)
    )


def sample_labels(n: int, conditional: bool) -> np.ndarray | None:
    """The class-balanced labels ``i % 10`` that conditional models are asked for (None otherwise)."""
    return np.arange(n) % NUM_CLASSES if conditional else None


def score_samples(samples: np.ndarray, labels: np.ndarray | None, judge, real_features: np.ndarray) -> dict:
    """FID, KID × 10³, precision, recall (k = 3), label accuracy (when ``labels``) and the number of classes the judge
    finds, of ``samples`` against ``real_features``, all on the judge's features."""
    from keras_gans.metrics import fid_from_features, kid_from_features, precision_recall

    n = len(real_features)
    features, probabilities = judge.features_and_probabilities(samples)
    kid, _ = kid_from_features(real_features, features, KID_SUBSETS, min(KID_SUBSET_SIZE, n), seed=0)
    predicted = probabilities.argmax(axis=1)
    return {
        "fid": fid_from_features(real_features, features),
        "kid": kid * 1e3,
        **precision_recall(real_features, features, k=PR_K),
        "label_accuracy": float(np.mean(predicted == labels)) if labels is not None else None,
        "classes_present": int(len(np.unique(predicted))),
    }


def run_one(model_name: str, variant: dict, data: dict, steps: int, batch: int, seed: int, judge, real_features):
    import keras

    from keras_gans.models import get_model_class

    cls = get_model_class(model_name)
    images = data["train"][0]
    conditional = is_conditional(cls)
    keras.utils.set_random_seed(seed)
    arguments = {"image_shape": images.shape[1:], "seed": seed, **variant}
    if conditional:
        arguments["num_classes"] = NUM_CLASSES
    model = cls(**arguments)
    model.compile()
    dataset = training_dataset(data, conditional, batch, seed)
    timer = harness.step_timer(skip=2)
    start = time.perf_counter()
    history = model.fit(dataset, epochs=1, steps_per_epoch=steps, verbose=0, callbacks=[timer])
    train_s = time.perf_counter() - start
    n = len(real_features)
    labels = sample_labels(n, conditional)
    kwargs = {"labels": labels} if conditional else {"num_samples": n}
    samples = np.asarray(model.generate(seed=SAMPLE_SEED, **kwargs))
    result = {
        **score_samples(samples, labels, judge, real_features),
        "train_s": train_s,
        "it_per_s": 1.0 / statistics.median(timer.times) if timer.times else None,
        "final_logs": {k: float(v[-1]) for k, v in history.history.items()},
    }
    grid_labels = np.tile(np.arange(NUM_CLASSES), GRID_ROWS) if conditional else None
    grid_kwargs = {"labels": grid_labels} if conditional else {"num_samples": GRID_ROWS * NUM_CLASSES}
    grid = np.asarray(model.generate(seed=SAMPLE_SEED, **grid_kwargs))
    return result, grid


# ----------------------------------------------------------------------------------------------------------------
# The table


def mean_spread(values: list) -> str:
    values = [v for v in values if v is not None and np.isfinite(v)]
    if not values:
        return "—"
    digits = 3 if max(abs(v) for v in values) < 10 else 1
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{np.mean(values):.{digits}f} ± {np.std(values, ddof=1):.{digits}f}"


def write_markdown(path: str, grid_dir: str, results: list, args, info: dict, judges: dict) -> None:
    lines = [
        "# The zoo's results table",
        "",
        f"Written by `python benchmarks/zoo_table.py {' '.join(sys.argv[1:])}` on {info['date']}.",
        "",
        f"* Budget: **{args.steps} steps at batch {args.batch}** per run, {args.seeds} seed(s) "
        f"({', '.join(map(str, range(args.first_seed, args.first_seed + args.seeds)))}), each model with its "
        "defaults and default optimizers.",
        f"* Machine: {info['cpu']}, {info['cores']} cores shared with other jobs (1-minute load average "
        f"{info['load_average_1min']} at the start), TensorFlow {info['tensorflow']}, Keras {info['keras']}; "
        "times are wall-clock on that shared machine.",
        "* Judge: a classifier (`train_mnist_classifier`, conv32-pool-conv64-pool-dense128) trained on a held-out "
        f"{args.held_out:.0%} of the digits that the GANs never see; FID, KID and precision/recall (k = 3) on its "
        "128-d features against those held-out digits, with as many generated samples (fixed seed). Label accuracy: "
        "the judge's class equals the requested label (conditional models). Mean ± standard deviation over seeds.",
        "",
    ]
    for dataset, judge in judges.items():
        rows = [r for r in results if r["dataset"] == dataset]
        lines += [
            f"## {dataset}: {judge['train_images']} training images {judge['shape']}, "
            f"{judge['held_out_images']} held out",
            "",
            f"Judge accuracy on the GANs' training split: {judge['accuracy']:.3f}; FID of the training split itself "
            f"against the held-out split (the floor at this sample count): {judge['fid_floor']:.2f}.",
            "",
            "| model | settings | FID ↓ | KID×10³ ↓ | precision ↑ | recall ↑ | label acc. ↑ | classes | train s | it/s "
            "| samples |",
            "|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        keys = list(dict.fromkeys((r["model"], r["variant"]) for r in rows))
        for model_name, variant in keys:
            runs = [r for r in rows if r["model"] == model_name and r["variant"] == variant]
            failed = [r for r in runs if "error" in r]
            ok = [r for r in runs if "error" not in r]
            if not ok:
                lines.append(f"| {model_name} | {variant} | failed: {failed[0]['error'][:80]} |||||||||")
                continue
            cells = [mean_spread([r[m] for r in ok]) for m in METRICS]
            classes = mean_spread([float(r["classes_present"]) for r in ok])
            grids = [r["grid"] for r in ok if r.get("grid")]
            grid = f"![]({os.path.relpath(grids[0], os.path.dirname(path))})" if grids else "—"
            lines.append(
                f"| {model_name} | {variant} | {cells[0]} | {cells[1]} | {cells[2]} | {cells[3]} | {cells[4]} "
                f"| {classes} | {cells[5]} | {cells[6]} | {grid} |"
            )
        lines.append("")
    lines += [
        "Raw numbers (every seed, final logs, settings): "
        f"`{os.path.relpath(os.path.join(grid_dir, 'results.json'), os.path.dirname(path))}`.",
        "",
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=None, help="default: every registered latent model")
    parser.add_argument("--datasets", nargs="+", default=["mnist", "digits"], choices=("mnist", "digits"))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=780, help="training steps per run (780: 5 epochs of 10k at 64)")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--held-out", type=float, default=0.3, help="fraction of the digits kept for the judge")
    parser.add_argument("--judge-epochs", type=int, default=None, help=f"default: about {JUDGE_STEPS} steps")
    parser.add_argument("--variants", nargs="+", default=["none"], help="constructor arguments, e.g. ema_decay=0.99")
    parser.add_argument("--output", default="docs/zoo.md")
    parser.add_argument("--grid-dir", default="docs/zoo")
    args = parser.parse_args()

    import keras_gans  # noqa: F401  (registers the models)
    from keras_gans.metrics import fid_from_features
    from keras_gans.models import models_by_family
    from keras_gans.utils.images import make_grid, save_png

    models = args.models or models_by_family()["latent"]
    info = harness.machine_info()
    os.makedirs(args.grid_dir, exist_ok=True)
    results, judges = [], {}
    for dataset in args.datasets:
        data = split(*load_dataset(dataset), args.held_out)
        judge, accuracy = train_judge(data["held_out"], data["train"], args.judge_epochs)
        real_features = judge.features(data["held_out"][0])
        train_features = judge.features(data["train"][0][: len(real_features)])
        judges[dataset] = {
            "accuracy": accuracy,
            "fid_floor": fid_from_features(real_features, train_features),
            "train_images": len(data["train"][0]),
            "held_out_images": len(real_features),
            "shape": "x".join(map(str, data["train"][0].shape[1:])),
        }
        print(f"{dataset}: judge accuracy {accuracy:.3f}, floor FID {judges[dataset]['fid_floor']:.2f}", flush=True)
        for model_name in models:
            for variant_text in args.variants:
                for seed in range(args.first_seed, args.first_seed + args.seeds):
                    row = {"dataset": dataset, "model": model_name, "variant": variant_text, "seed": seed}
                    try:
                        result, grid = run_one(
                            model_name,
                            parse_variant(variant_text),
                            data,
                            args.steps,
                            args.batch,
                            seed,
                            judge,
                            real_features,
                        )
                        row.update(result)
                        if seed == args.first_seed:
                            tag = variant_text.replace("=", "").replace(",", "_").replace(".", "p")
                            row["grid"] = os.path.join(args.grid_dir, f"{dataset}_{model_name}_{tag}.png")
                            scale = max(1, 32 // grid.shape[1])
                            save_png(make_grid(grid, num_rows=GRID_ROWS), row["grid"], scale=scale)
                    except Exception as error:  # one failing model must not lose the others' rows
                        row["error"] = f"{type(error).__name__}: {error}"
                    results.append(row)
                    shown = {k: row.get(k) for k in ("fid", "kid", "precision", "recall", "label_accuracy", "train_s")}
                    print(json.dumps({**{k: row[k] for k in ("dataset", "model", "variant", "seed")}, **shown,
                                      "error": row.get("error")}), flush=True)  # fmt: skip
                    write_markdown(args.output, args.grid_dir, results, args, info, judges)
        with open(os.path.join(args.grid_dir, "results.json"), "w") as f:
            json.dump({"machine": info, "args": vars(args), "judges": judges, "runs": results}, f, indent=1)
    write_markdown(args.output, args.grid_dir, results, args, info, judges)
    print(f"wrote {args.output} at {datetime.datetime.now().isoformat(timespec='seconds')}")


if __name__ == "__main__":
    main()
