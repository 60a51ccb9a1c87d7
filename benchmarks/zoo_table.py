"""The zoo's results table: every registered latent model at one fixed budget, judged by an independent classifier.

Run from the repository root::

    python benchmarks/zoo_table.py                                   # every latent model, MNIST + digits, 3 seeds
    python benchmarks/zoo_table.py --datasets digits --seeds 1 --steps 200     # a small run
    python benchmarks/zoo_table.py --models DCGAN --datasets mnist --variants none ema_decay=0.99 ema_decay=0.999 \\
        --output docs/zoo/ema.md --grid-dir docs/zoo/ema                  # one model, several settings
    python benchmarks/zoo_table.py --datasets mnist32 --budget-seconds 600   # equal wall-clock budgets (issue 12)
    python benchmarks/zoo_table.py --replot        # the markdown and plots again from <grid-dir>/results.json

For each dataset the digits are split once (fixed permutation): the GANs train on ``1 - --held-out`` of them; the
judge, :func:`keras_gans.metrics.train_mnist_classifier` (conv32-pool-conv64-pool-dense128), trains on the held-out
rest, which the GANs never see, and is scored on the GANs' training split. The real side of every metric is the
held-out split's judge features (128-d penultimate layer); the generated side is as many samples, from a fixed seed
(class-balanced labels ``i % 10`` for conditional models). Reported per model, mean ± standard deviation over seeds:

* FID (:func:`~keras_gans.metrics.fid_from_features`), KID × 10³ (50 subsets of ``min(1000, n)``), precision and
  recall (k = 3): the judge's features;
* label accuracy (conditional models): the fraction of samples the judge classifies as the label they were asked for;
* train time (wall, ``fit`` only, tracing included, the curve's evaluations excluded), it/s (steady steps, the
  first two skipped) and the steps trained;
* a sample grid of the first seed (``--grid-dir``; conditional models: one class per column);
* a time-to-quality curve (:mod:`zoo_curves`): the same scores at ``--eval-points`` evenly spaced points of the run
  (the last is the end), with the steps and the training wall seconds so far (evaluations excluded), plotted per
  dataset in ``<grid-dir>/time_to_quality_<dataset>.png`` (FID against seconds and against steps).

Budget: ``--steps`` steps per run, or with ``--budget-seconds T`` the same training wall time for every model (issue
12): a callback stops ``fit`` once the training clock (evaluations excluded) reaches T, and the curve's points sit at
``T·k/K`` seconds. ProGAN spreads its growth over a step count known up front, so in budget mode it gets ``T``
less the probe's tracing overhead, divided by the median step time of a ``PROBE_STEPS``-step probe run of a throwaway
copy; it may end before T (or
stop at T before it is fully grown, when the probe was optimistic); the table shows the real time and steps.

Datasets: ``mnist``, the 10,000 test digits of ``../shared/data/mnist`` (``$KERAS_GANS_MNIST_DIR``) at 28x28;
``mnist32``, the same digits padded to 32x32 (:mod:`keras_gans.data.mnist32`: the power-of-two size ProGAN and
StyleGAN2 grow to); ``digits``, the 1,797 embedded 8x8 sklearn digits. Models:
``keras_gans.models.models_by_family()["latent"]`` and the two keras.io baselines of :mod:`keras_io_baselines`
(``"keras-io DCGAN"``, ``"keras-io CGAN"``); conditional ones (a ``num_classes`` argument of their own constructor) get
``num_classes=10``. Each model runs with its defaults, its ``default_optimizers`` and batch ``--batch``, for
``--steps`` steps (or ``--budget-seconds``); ``--variants`` adds constructor arguments (``key=value``, ``none`` for
the defaults). The raw results go to ``<grid-dir>/results.json``.
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
import zoo_curves  # noqa: E402

NUM_CLASSES = 10
SPLIT_SEED = 0
JUDGE_SEED = 1234
SAMPLE_SEED = 0
KID_SUBSETS = 50
KID_SUBSET_SIZE = 1000
PR_K = 3
GRID_ROWS = 10
JUDGE_STEPS = 400
METRICS = ("fid", "kid", "precision", "recall", "label_accuracy", "train_s", "it_per_s", "steps")
DATASETS = ("mnist", "mnist32", "digits")
DEFAULT_EVAL_POINTS = 4
#: Steps of the throughput probe that sizes ProGAN's growth under a wall-clock budget (the first two, tracing, are
#: not timed).
PROBE_STEPS = 12
#: ``steps_per_epoch`` of a budget run: more than any budget reaches, so that the budget callback ends the run.
BUDGET_MAX_STEPS = 10**8


# ----------------------------------------------------------------------------------------------------------------
# Data and judge


def load_dataset(name: str) -> tuple[np.ndarray, np.ndarray]:
    """Images as float32 (N, H, W, 1) in [-1, 1] and int labels (N,)."""
    if name in ("mnist", "mnist32"):
        from keras_gans.data.idx import default_mnist_dir, load_mnist_idx
        from keras_gans.data.mnist32 import MNIST32_PADDING, pad_to_square

        images, labels = load_mnist_idx(default_mnist_dir(), split="test")
        if name == "mnist32":
            images = pad_to_square(images, images.shape[1] + 2 * MNIST32_PADDING)
        return (images[..., None].astype("float32") / 127.5 - 1.0), labels.astype("int32")
    if name == "digits":
        from sklearn.datasets import load_digits

        digits = load_digits()
        return (digits.images[..., None].astype("float32") / 8.0 - 1.0), digits.target.astype("int32")
    raise ValueError(f"unknown dataset {name!r}; choose one of {DATASETS}")


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


def model_class(name: str) -> type:
    """A registered model's class, or one of the keras.io baselines (:data:`keras_io_baselines.BASELINES`)."""
    from keras_io_baselines import BASELINES

    from keras_gans.models import get_model_class

    return BASELINES[name] if name in BASELINES else get_model_class(name)


def default_models() -> list[str]:
    """Every registered latent model, then the keras.io baselines."""
    from keras_io_baselines import BASELINES

    from keras_gans.models import models_by_family

    return [*models_by_family()["latent"], *BASELINES]


def grows_over_fit(cls, variant: dict) -> bool:
    """A model that spreads a growth schedule over the steps of ``fit`` (ProGAN with ``schedule=None``): it must
    know its step count before a budget run starts."""
    return "schedule" in inspect.signature(cls.__init__).parameters and variant.get("schedule") is None


def probe_step_seconds(make_model, dataset, probe_steps: int = PROBE_STEPS) -> tuple[float, float]:
    """``(step_s, overhead_s)`` of a throwaway model (``make_model()``) trained ``probe_steps`` steps: the median
    wall time of a steady step (the first two not timed) and what ``fit`` took beyond ``probe_steps · step_s``
    (tracing, setup), which a budget run pays once too."""
    model = make_model()
    model.compile()
    timer = harness.step_timer(skip=2)
    start = time.perf_counter()
    model.fit(dataset, epochs=1, steps_per_epoch=probe_steps, verbose=0, callbacks=[timer])
    step_s = statistics.median(timer.times)
    return step_s, max(0.0, time.perf_counter() - start - probe_steps * step_s)


def planned_steps(budget_seconds: float, step_s: float, overhead_s: float) -> int:
    """The steps that fit a budget: ``max(1, floor((budget - overhead) / step))``."""
    return max(1, int((budget_seconds - overhead_s) / step_s))


def generate_kwargs(conditional: bool, n: int) -> dict:
    """``generate``'s arguments for ``n`` samples: the class-balanced labels (conditional) or ``num_samples``."""
    return {"labels": sample_labels(n, conditional)} if conditional else {"num_samples": n}


def run_one(
    model_name: str,
    variant: dict,
    data: dict,
    steps: int,
    batch: int,
    seed: int,
    judge,
    real_features,
    eval_points: int = DEFAULT_EVAL_POINTS,
    budget_seconds: float | None = None,
):
    """One training run: ``steps`` steps, or ``budget_seconds`` of training wall time; the final scores, the curve
    of ``eval_points`` points (the last one the final scores) and a sample grid."""
    import keras

    cls = model_class(model_name)
    images = data["train"][0]
    conditional = is_conditional(cls)
    arguments = {"image_shape": images.shape[1:], "seed": seed, **variant}
    if conditional:
        arguments["num_classes"] = NUM_CLASSES
    dataset = training_dataset(data, conditional, batch, seed)
    n = len(real_features)
    labels = sample_labels(n, conditional)
    result: dict = {}
    fit_steps = steps
    if budget_seconds is not None:
        fit_steps = BUDGET_MAX_STEPS
        if grows_over_fit(cls, variant):
            keras.utils.set_random_seed(seed)
            step_s, overhead_s = probe_step_seconds(lambda: cls(**arguments), dataset)
            fit_steps = planned_steps(budget_seconds, step_s, overhead_s)
            result["probe"] = {"probe_steps": PROBE_STEPS, "step_s": step_s, "overhead_s": overhead_s,
                               "planned_steps": fit_steps}  # fmt: skip
    keras.utils.set_random_seed(seed)
    model = cls(**arguments)
    model.compile()

    def evaluate() -> dict:
        samples = np.asarray(model.generate(seed=SAMPLE_SEED, **generate_kwargs(conditional, n)))
        return score_samples(samples, labels, judge, real_features)

    if budget_seconds is None:
        at, unit = zoo_curves.eval_steps(steps, eval_points)[:-1], "steps"
    else:
        at, unit = zoo_curves.eval_seconds(budget_seconds, eval_points)[:-1], "seconds"
    recorder = zoo_curves.curve_recorder(evaluate, at, unit, budget_seconds)
    timer = harness.step_timer(skip=2)
    history = model.fit(dataset, epochs=1, steps_per_epoch=fit_steps, verbose=0, callbacks=[timer, recorder])
    final, train_s = evaluate(), recorder.training_seconds()
    recorder.curve.append({"step": recorder.steps, "train_s": train_s, **final})
    result.update(
        final,
        train_s=train_s,
        eval_s=recorder.eval_s,
        steps=recorder.steps,
        # The median is robust to the few steps whose interval holds an evaluation.
        it_per_s=1.0 / statistics.median(timer.times) if timer.times else None,
        curve=recorder.curve,
        final_logs={k: float(v[-1]) for k, v in history.history.items()},
    )
    # One class per column: the labels i % 10 of GRID_ROWS rows of NUM_CLASSES.
    grid = np.asarray(model.generate(seed=SAMPLE_SEED, **generate_kwargs(conditional, GRID_ROWS * NUM_CLASSES)))
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


def budget_text(args, results: list) -> str:
    """The header's budget line: steps, or the wall-clock budget (and how ProGAN's growth is sized, if it ran)."""
    seeds = ", ".join(map(str, range(args.first_seed, args.first_seed + args.seeds)))
    common = f"per run, {args.seeds} seed(s) ({seeds}), each model with its defaults and default optimizers."
    if getattr(args, "budget_seconds", None) is None:
        return f"* Budget: **{args.steps} steps at batch {args.batch}** {common}"
    return (
        f"* Budget: **{args.budget_seconds:g} s of training wall time at batch {args.batch}** {common} The clock "
        "runs during `fit` (tracing included) and stops while the curve is evaluated; a callback ends `fit` once it "
        "reaches the budget, so the models train different numbers of steps (column *steps*)."
        + (
            " ProGAN spreads its growth over a step count fixed up front: the budget less the probe's overhead "
            f"(tracing) divided by the median step time of a {PROBE_STEPS}-step probe run of a throwaway copy; it may "
            "end before the budget (or reach it before it is fully grown)."
            if any(r.get("probe") for r in results)
            else ""
        )
    )


def plot_path(grid_dir: str, dataset: str) -> str:
    return os.path.join(grid_dir, f"time_to_quality_{dataset}.png")


def run_label(model_name: str, variant: str) -> str:
    return model_name if variant in ("none", "default", "") else f"{model_name} ({variant})"


def write_plots(grid_dir: str, results: list, judges: dict, args) -> dict:
    """``time_to_quality_<dataset>.png`` per dataset from the runs' curves; ``{dataset: path}`` of those written."""
    written = {}
    unit = f"{args.budget_seconds:g} s budget" if getattr(args, "budget_seconds", None) else f"{args.steps} steps"
    for dataset in judges:
        groups: dict = {}
        for r in results:
            if r["dataset"] == dataset and r.get("curve"):
                groups.setdefault(run_label(r["model"], r["variant"]), []).append(r["curve"])
        title = f"{dataset}: FID along training ({unit}, batch {args.batch}; mean over seeds, seeds lighter)"
        path = zoo_curves.plot_dataset(plot_path(grid_dir, dataset), dataset, groups, title)
        if path:
            written[dataset] = path
    return written


def count_cell(values: list) -> str:
    """Mean ± standard deviation of counts (steps) as whole numbers."""
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    return f"{np.mean(values):.0f}" + (f" ± {np.std(values, ddof=1):.0f}" if len(values) > 1 else "")


def write_markdown(path: str, grid_dir: str, results: list, args, info: dict, judges: dict, plots=None,
                   command: str | None = None) -> None:  # fmt: skip
    """The results page: the setup, then per dataset the final scores of every model and its curve plot."""
    plots = plots or {}
    command = command if command is not None else " ".join(sys.argv[1:])
    eval_points = getattr(args, "eval_points", None)
    lines = [
        "# The zoo's results table",
        "",
        f"Written by `python benchmarks/zoo_table.py {command}` on {info['date']}.",
        "",
        budget_text(args, results),
        f"* Machine: {info['cpu']}, {info['cores']} cores shared with other jobs (1-minute load average "
        f"{info['load_average_1min']} at the start), TensorFlow {info['tensorflow']}, Keras {info['keras']}; "
        "times are wall-clock on that shared machine.",
        "* Judge: a classifier (`train_mnist_classifier`, conv32-pool-conv64-pool-dense128) trained on a held-out "
        f"{args.held_out:.0%} of the digits that the GANs never see; FID, KID and precision/recall (k = 3) on its "
        "128-d features against those held-out digits, with as many generated samples (fixed seed). Label accuracy: "
        "the judge's class equals the requested label (conditional models). Mean ± standard deviation over seeds.",
        *(
            [
                f"* Curves: the same scores at {eval_points} evenly spaced points of each run (the last is the end), "
                "against the training wall seconds so far (evaluations excluded) and the steps; *train s* excludes "
                "the evaluations too."
            ]
            if eval_points and any(r.get("curve") for r in results)
            else []
        ),
        *(
            [
                "* Baselines `keras-io DCGAN` and `keras-io CGAN`: the networks, losses and optimizers of the keras.io "
                'examples "DCGAN to generate face images" and "Conditional GAN", adapted to the image size '
                "(`benchmarks/keras_io_baselines.py`)."
            ]
            if any(r["model"].startswith("keras-io") for r in results)
            else []
        ),
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
            "| steps | samples |",
            "|---|---|---|---|---|---|---|---|---|---|---|---|",
        ]
        keys = list(dict.fromkeys((r["model"], r["variant"]) for r in rows))
        for model_name, variant in keys:
            runs = [r for r in rows if r["model"] == model_name and r["variant"] == variant]
            failed = [r for r in runs if "error" in r]
            ok = [r for r in runs if "error" not in r]
            if not ok:
                lines.append(f"| {model_name} | {variant} | failed: {failed[0]['error'][:80]} ||||||||||")
                continue
            cells = [(count_cell if m == "steps" else mean_spread)([r.get(m) for r in ok]) for m in METRICS]
            classes = mean_spread([float(r["classes_present"]) for r in ok])
            grids = [r["grid"] for r in ok if r.get("grid")]
            grid = f"![]({os.path.relpath(grids[0], os.path.dirname(path))})" if grids else "—"
            lines.append(
                f"| {model_name} | {variant} | {cells[0]} | {cells[1]} | {cells[2]} | {cells[3]} | {cells[4]} "
                f"| {classes} | {cells[5]} | {cells[6]} | {cells[7]} | {grid} |"
            )
        lines.append("")
        probes = [r for r in rows if r.get("probe")]
        lines += [
            f"* {r['model']} ({r['variant']}), seed {r['seed']}: probe {r['probe']['step_s']:.3f} s/step, "
            f"{r['probe'].get('overhead_s', 0.0):.1f} s overhead -> "
            f"{r['probe']['planned_steps']} steps planned; {r['steps']} trained in {r['train_s']:.1f} s."
            for r in probes
        ] + ([""] if probes else [])
        if dataset in plots:
            relative = os.path.relpath(plots[dataset], os.path.dirname(os.path.abspath(path)) or ".")
            lines += [f"Time to quality ({dataset}): FID against training seconds and against steps.", "",
                      f"![FID against training seconds and steps, {dataset}]({relative})", ""]  # fmt: skip
    lines += [
        "Raw numbers (every seed, curves, final logs, settings): "
        f"`{os.path.relpath(os.path.join(grid_dir, 'results.json'), os.path.dirname(path))}`.",
        "",
    ]
    with open(path, "w") as f:
        f.write("\n".join(lines))


def grid_name(dataset: str, model_name: str, variant_text: str) -> str:
    """The sample grid's file name: letters, digits and ``-`` kept, the rest ``_`` (``keras-io DCGAN``)."""
    tag = variant_text.replace("=", "").replace(",", "_").replace(".", "p")
    safe = "".join(c if c.isalnum() or c == "-" else "_" for c in f"{model_name}_{tag}")
    return f"{dataset}_{safe}.png"


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=None, help="default: every latent model + keras-io baselines")
    parser.add_argument("--datasets", nargs="+", default=["mnist", "digits"], choices=DATASETS)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=780, help="training steps per run (780: 5 epochs of 10k at 64)")
    parser.add_argument("--budget-seconds", type=float, default=None,
                        help="train each model for this many training wall seconds instead of --steps")  # fmt: skip
    parser.add_argument("--eval-points", type=int, default=DEFAULT_EVAL_POINTS,
                        help="points of the time-to-quality curve (evenly spaced; the last is the end)")  # fmt: skip
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--held-out", type=float, default=0.3, help="fraction of the digits kept for the judge")
    parser.add_argument("--judge-epochs", type=int, default=None, help=f"default: about {JUDGE_STEPS} steps")
    parser.add_argument("--variants", nargs="+", default=["none"], help="constructor arguments, e.g. ema_decay=0.99")
    parser.add_argument("--output", default="docs/zoo.md")
    parser.add_argument("--grid-dir", default="docs/zoo")
    parser.add_argument("--replot", action="store_true",
                        help="no training: redraw the markdown and plots from <grid-dir>/results.json")  # fmt: skip
    return parser


def replot(args) -> None:
    """The markdown (``--output``) and the plots (``--grid-dir``) again from ``<grid-dir>/results.json``, with the
    settings stored there."""
    with open(os.path.join(args.grid_dir, "results.json")) as f:
        saved = json.load(f)
    stored = vars(parser().parse_args([]))
    stored.update(saved.get("args", {}))
    stored.update(output=args.output, grid_dir=args.grid_dir)
    stored = argparse.Namespace(**stored)
    plots = write_plots(args.grid_dir, saved["runs"], saved["judges"], stored)
    command = saved.get("command", "(command not recorded)")
    write_markdown(args.output, args.grid_dir, saved["runs"], stored, saved["machine"], saved["judges"], plots, command)
    print(f"replotted {args.output} and {sorted(plots.values())} from {args.grid_dir}/results.json")


def main() -> None:
    args = parser().parse_args()
    if args.replot:
        replot(args)
        return

    import keras_gans  # noqa: F401  (registers the models)
    from keras_gans.metrics import fid_from_features
    from keras_gans.utils.images import make_grid, save_png

    models = args.models or default_models()
    for name in models:
        model_class(name)  # an unknown name fails here, not after hours of training
    info = harness.machine_info()
    command = " ".join(sys.argv[1:])
    os.makedirs(args.grid_dir, exist_ok=True)
    results, judges, plots = [], {}, {}

    def save() -> None:
        with open(os.path.join(args.grid_dir, "results.json"), "w") as f:
            json.dump({"machine": info, "command": command, "args": vars(args), "judges": judges, "runs": results},
                      f, indent=1)  # fmt: skip

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
                            eval_points=args.eval_points,
                            budget_seconds=args.budget_seconds,
                        )
                        row.update(result)
                        if seed == args.first_seed:
                            row["grid"] = os.path.join(args.grid_dir, grid_name(dataset, model_name, variant_text))
                            scale = max(1, 32 // grid.shape[1])
                            save_png(make_grid(grid, num_rows=GRID_ROWS), row["grid"], scale=scale)
                    except Exception as error:  # one failing model must not lose the others' rows
                        row["error"] = f"{type(error).__name__}: {error}"
                    results.append(row)
                    shown = {k: row.get(k) for k in ("fid", "kid", "precision", "recall", "label_accuracy", "train_s",
                                                     "steps")}  # fmt: skip
                    curve = [(p["step"], round(p["train_s"], 1), round(p["fid"], 2)) for p in row.get("curve", [])]
                    keys = {k: row[k] for k in ("dataset", "model", "variant", "seed")}
                    print(json.dumps({**keys, **shown, "curve (step, s, fid)": curve, "error": row.get("error")}),
                          flush=True)  # fmt: skip
                    save()
                    write_markdown(args.output, args.grid_dir, results, args, info, judges, plots, command)
        plots = write_plots(args.grid_dir, results, judges, args)
        save()
    write_markdown(args.output, args.grid_dir, results, args, info, judges, plots, command)
    when = datetime.datetime.now().isoformat(timespec="seconds")
    print(f"wrote {args.output} and {sorted(plots.values())} at {when}")


if __name__ == "__main__":
    main()
