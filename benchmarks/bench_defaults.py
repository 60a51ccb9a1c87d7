"""Defaults that win at a fixed budget: named settings of DCGAN or CGAN trained side by side, scored as they train.

Run from the repository root::

    python benchmarks/bench_defaults.py --model DCGAN --variants issue16 ema ttur --seeds 2
    python benchmarks/bench_defaults.py --model CGAN --variants issue16 package --seeds 3 --first-seed 0
    python benchmarks/bench_defaults.py --model DCGAN --variants "ema_decay=0.999,d_lr=4e-4,g_lr=1e-4"

The split and the judge are ``zoo_table.py``'s: the GANs train on 7,000 of the 10,000 MNIST test digits of
``../shared/data/mnist`` (28x28); a classifier trained on the other 3,000, which the GANs never see, is the judge, and
those 3,000 are the real side of every metric, against 3,000 samples of a fixed latent seed (labels ``i % 10`` for
CGAN). At every ``--eval-at`` step the run scores the live generator and, when ``ema_decay`` is set, its moving
average (what ``generate`` samples from), so each EMA run also measures "the same training without EMA": FID, KID
× 10³, precision, recall (k = 3), label accuracy (CGAN) and classes present, with ``zoo_table.score_samples``.

A variant is a name of :data:`VARIANTS` (changes to the settings of issue 16's filing, :data:`ISSUE16`),
``key=value,...`` or a name then settings (``ema,filters=32``): ``lr``, ``d_lr``, ``g_lr``, ``beta_1``, ``beta_2``
change the two Adam optimizers (the rest of each stays the model's ``default_optimizers()``), every other key is a
constructor argument (JSON values: ``ema_decay=null`` turns EMA off). Every run (model, variant, seed) is merged
into ``--output`` (JSON; a rerun replaces its rows) and the tables of ``docs/zoo/defaults.md`` are rewritten from all
of them, between the ``<!-- bench_defaults -->`` markers (the text around them is kept). Train time is ``fit``'s
wall time without the evaluations, it/s the median of the steady steps; both are on a shared machine, so the
steps, not the seconds, are the budget.
"""

from __future__ import annotations

import argparse
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
import zoo_table  # noqa: E402

OPTIMIZER_KEYS = ("lr", "d_lr", "g_lr", "beta_1", "beta_2")
#: The settings of DCGAN and CGAN when issue 16 was filed (commit 3ca5846), spelled out so that the baseline stays
#: the same after the package's defaults change.
ISSUE16 = {
    "DCGAN": "ema_decay=null,lr=2e-4,beta_1=0.5,beta_2=0.999,label_smoothing=0.0,augment=null",
    "CGAN": "ema_decay=null,lr=2e-4,beta_1=0.5,beta_2=0.999,label_smoothing=0.0,augment=null,conditioning=concat",
}
#: Named variants: changes to the issue-16 settings (``package``: the package's defaults as they are now).
VARIANTS = {
    "issue16": "",
    "package": None,
    "ema": "ema_decay=0.999",
    "lr4": "ema_decay=0.999,lr=4e-4",
    "lr4_beta0": "ema_decay=0.999,lr=4e-4,beta_1=0.0,beta_2=0.99",
    "ttur": "ema_decay=0.999,d_lr=4e-4,g_lr=1e-4",
    "ttur2": "ema_decay=0.999,d_lr=4e-4,g_lr=2e-4",
    "beta0": "ema_decay=0.999,beta_1=0.0,beta_2=0.99",
    "smooth": "ema_decay=0.999,label_smoothing=0.1",
    "diffaug": "ema_decay=0.999,augment=translation,cutout",
}
#: What is scored at each evaluation: the average ``generate`` samples from (EMA runs), the live generator in
#: inference mode, and (``--batch-stats``) the live generator normalised with the samples' own batch statistics.
SAMPLERS = {"ema": "EMA", "live": "live G", "batch_stats": "live G, batch statistics"}
MARK_BEGIN, MARK_END = "<!-- bench_defaults: begin -->", "<!-- bench_defaults: end -->"


def parse(text: str, model_name: str) -> tuple[dict, dict]:
    """``(constructor arguments, optimizer settings)`` of a variant of ``model_name``: ``key=value,...``, optionally
    after the name of one of :data:`VARIANTS` (``ema,filters=32`` is ``ema`` with ``filters=32``)."""
    name, _, rest = text.partition(",")
    if name in VARIANTS:
        changes = VARIANTS[name]
        base = [] if changes is None else [ISSUE16[model_name], changes]
        text = ",".join(part for part in (*base, rest) if part)
    arguments = zoo_table.parse_variant(text)
    optimizer = {k: float(arguments.pop(k)) for k in OPTIMIZER_KEYS if k in arguments}
    return arguments, optimizer


def optimizers(model, settings: dict) -> dict:
    """The model's default optimizers with ``settings`` (learning rates, betas) applied; ``{}`` if none."""
    import keras

    if not settings:
        return {}
    out = {}
    for name, optimizer in model.default_optimizers().items():
        config = optimizer.get_config()
        prefix = name.split("_")[0]  # "d" or "g"
        config["learning_rate"] = settings.get(f"{prefix}_lr", settings.get("lr", config["learning_rate"]))
        for beta in ("beta_1", "beta_2"):
            config[beta] = settings.get(beta, config[beta])
        out[name] = keras.optimizers.Adam.from_config(config)
    return out


def live_samples(model, z: np.ndarray, labels: np.ndarray | None, batch_stats: bool = False, batch: int = 500):
    """The live (not averaged) generator's images for latents ``z``: in inference mode, or normalised with each
    500-sample batch's own statistics (``batch_stats``; the moving statistics are restored afterwards)."""
    from keras_gans.engine.ema import batch_norm_statistics

    saved = [v.numpy() for v in batch_norm_statistics(model.generator)]
    parts = []
    for start in range(0, len(z), batch):
        inputs = z[start : start + batch]
        if labels is not None:
            inputs = [inputs, labels[start : start + batch]]
        parts.append(np.asarray(model.generator(inputs, training=batch_stats), "float32"))
    for variable, value in zip(batch_norm_statistics(model.generator), saved):
        variable.assign(value)
    return np.concatenate(parts)


def run_one(model_name: str, variant: str, seed: int, args, data: dict, judge, judge_accuracy, real_features) -> dict:
    """One training run; the scores of the live and the averaged generator at every ``--eval-at`` step."""
    import keras

    from keras_gans.models import get_model_class

    cls = get_model_class(model_name)
    conditional = zoo_table.is_conditional(cls)
    arguments, optimizer_settings = parse(variant, model_name)
    keras.utils.set_random_seed(seed)
    if conditional:
        arguments["num_classes"] = zoo_table.NUM_CLASSES
    model = cls(image_shape=data["train"][0].shape[1:], seed=seed, **arguments)
    model.compile(**optimizers(model, optimizer_settings))
    n = len(real_features)
    labels = zoo_table.sample_labels(n, conditional)
    z = model.latents(n, seed=zoo_table.SAMPLE_SEED)
    run = {"model": model_name, "variant": variant, "seed": seed, "evals": [], "judge_accuracy": judge_accuracy}
    run["load_average_start"] = harness.load_average()
    adam = {net: getattr(model, f"{net}_optimizer") for net in ("d", "g")}
    run["settings"] = {
        "options": model.options.to_config(),
        "optimizers": {net: {p: float(getattr(o, p)) for p in ("learning_rate", "beta_1", "beta_2")}
                       for net, o in adam.items()},
    }  # fmt: skip
    eval_at = sorted(s for s in args.eval_at if s <= args.steps)

    class Evaluations(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.step_times: list[float] = []
            self.eval_s = 0.0
            self._last = None

        def on_train_batch_end(self, batch, logs=None):
            now = time.perf_counter()
            if self._last is not None and batch >= 2:
                self.step_times.append(now - self._last)
            step = batch + 1
            if step in eval_at:
                live = live_samples(model, z, labels)
                row = {"step": step, "live": zoo_table.score_samples(live, labels, judge, real_features)}
                if args.batch_stats:
                    live = live_samples(model, z, labels, batch_stats=True)
                    row["batch_stats"] = zoo_table.score_samples(live, labels, judge, real_features)
                if model.options.ema_decay:
                    samples = model.generate(z=z, labels=labels, batch_size=500)
                    row["ema"] = zoo_table.score_samples(samples, labels, judge, real_features)
                row["logs"] = {k: float(v) for k, v in (logs or {}).items()}
                run["evals"].append(row)
                shown = {s: round(row[s]["fid"], 2) for s in SAMPLERS if s in row}
                print(json.dumps({"model": model_name, "variant": variant, "seed": seed, "step": step,
                                  "fid": shown}), flush=True)  # fmt: skip
            self.eval_s += time.perf_counter() - now
            self._last = time.perf_counter()

    callback = Evaluations()
    dataset = zoo_table.training_dataset(data, conditional, args.batch, seed)
    start = time.perf_counter()
    model.fit(dataset, epochs=1, steps_per_epoch=args.steps, verbose=0, callbacks=[callback])
    run["train_s"] = time.perf_counter() - start - callback.eval_s
    run["it_per_s"] = 1.0 / statistics.median(callback.step_times) if callback.step_times else None
    run["load_average_end"] = harness.load_average()
    if args.grid_dir and seed == 0:
        run["grid"] = save_grid(model, model_name, variant, args.grid_dir)
    return run


def save_grid(model, model_name: str, variant: str, grid_dir: str) -> str:
    """A 10x10 sample grid of what ``generate`` gives (one class per column for CGAN); its path."""
    from keras_gans.utils.images import make_grid, save_png

    images, rows = model.grid_samples(num_rows=zoo_table.GRID_ROWS, seed=zoo_table.SAMPLE_SEED)
    if model.num_classes is None:  # grid_samples makes rows² images; keep 10 per row like the conditional grid
        images = model.generate(rows * zoo_table.NUM_CLASSES, seed=zoo_table.SAMPLE_SEED)
    tag = "".join(c if c.isalnum() else "_" for c in variant)[:60]
    path = os.path.join(grid_dir, f"defaults_{model_name}_{tag}.png")
    os.makedirs(grid_dir, exist_ok=True)
    save_png(make_grid(np.asarray(images), num_rows=rows), path, scale=1)
    return path


# ----------------------------------------------------------------------------------------------------------------
# Results file and tables


def merge(results: dict, run: dict) -> None:
    """Adds ``run`` to ``results["runs"]``, replacing an earlier run of the same model, variant and seed."""
    key = (run["model"], run["variant"], run["seed"])
    results["runs"] = [r for r in results["runs"] if (r["model"], r["variant"], r["seed"]) != key] + [run]


def cell(values: list, runs: int) -> str:
    """Mean ± standard deviation over seeds (``zoo_table.mean_spread``), and how many seeds when fewer than
    ``runs`` have the value (a step not evaluated in every run)."""
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    return zoo_table.mean_spread(values) + (f" (n={len(values)})" if len(values) < runs else "")


def scores(runs: list, sampler: str, step: int, metric: str) -> list:
    """``metric`` of ``sampler`` ("live" or "ema") at ``step``, one value per run that has it."""
    return [e[sampler][metric] for r in runs for e in r["evals"] if e["step"] == step and sampler in e]


def table(runs: list) -> list[str]:
    """The Markdown table of one model's runs: a row per variant and sampler, FID per step, then the last step's
    scores."""
    steps = sorted({e["step"] for r in runs for e in r["evals"]})
    conditional = any(e["live"]["label_accuracy"] is not None for r in runs for e in r["evals"])
    last = ["KID×10³", "precision", "recall", *(["label acc."] if conditional else []), "classes"]
    lines = [
        f"| variant | sampler | seeds | {' | '.join(f'FID @{s}' for s in steps)} | {' | '.join(last)} (@{steps[-1]}) "
        "| train s | it/s |",
        "|---|---|---|" + "---|" * (len(steps) + len(last) + 2),
    ]
    order = list(VARIANTS)

    def rank(variant: str) -> tuple:
        name = variant.partition(",")[0]
        return (order.index(name) if name in order else len(order), variant)

    for variant in sorted({r["variant"] for r in runs}, key=rank):
        group = [r for r in runs if r["variant"] == variant]
        for sampler in SAMPLERS:
            if not any(sampler in e for r in group for e in r["evals"]):
                continue

            cells = [cell(scores(group, sampler, s, "fid"), len(group)) for s in steps]
            keys = ["kid", "precision", "recall", *(["label_accuracy"] if conditional else []), "classes_present"]
            cells += [cell(scores(group, sampler, steps[-1], k), len(group)) for k in keys]
            cells += [cell([r[k] for r in group], len(group)) for k in ("train_s", "it_per_s")]
            label = SAMPLERS[sampler]
            lines.append(f"| `{variant}` | {label} | {len(group)} | " + " | ".join(cells) + " |")
    return lines


def write_markdown(results: dict, path: str) -> None:
    """Rewrites the generated part of ``path`` (between the markers) from ``results``; the rest is kept."""
    runs = results["runs"]
    used = {r["variant"] for r in runs}
    loads = [r[k] for r in runs for k in ("load_average_start", "load_average_end") if r.get(k) is not None]
    machine = results["machine"]
    judge = results["judge"]
    generated = [
        MARK_BEGIN,
        "",
        f"Generated by `python benchmarks/bench_defaults.py` (last run {machine['date']}). Machine: {machine['cpu']}, "
        f"{machine['cores']} cores shared with other jobs (1-minute load average "
        f"{min(loads, default=0):.1f}-{max(loads, default=0):.1f} during the runs), TensorFlow "
        f"{machine['tensorflow']}, Keras {machine['keras']}. Training: 7,000 MNIST test digits at 28x28, batch "
        f"{results['args']['batch']}; judge: a classifier trained on the other 3,000 (accuracy {judge['accuracy']:.3f} "
        f"on the GANs' 7,000), FID/KID/precision/recall on its 128-d features, 3,000 samples against those 3,000 "
        f"(FID of 3,000 real training digits against them, the floor: {judge['fid_floor']:.2f}). Mean ± standard "
        "deviation over seeds.",
        "",
        "Variants: the settings of issue 16's filing (`issue16`: "
        + "; ".join(f"{model} `{text}`" for model, text in ISSUE16.items())
        + ") changed by `key=value` (`lr`, `d_lr`, `g_lr`, `beta_1`, `beta_2`: both Adam optimizers; the rest: "
        "constructor arguments); a name followed by settings adds them:",
        "",
        *[
            f"* `{name}`: {f'`{text}`' if text else '—' if text == '' else 'the package defaults of the run'}"
            for name, text in VARIANTS.items()
            if any(u.partition(",")[0] == name for u in used)
        ],  # fmt: skip
        "",
    ]
    for model_name in dict.fromkeys(r["model"] for r in runs):
        groups: dict = {}
        for r in runs:
            if r["model"] == model_name:
                groups.setdefault(parse(r["variant"], model_name)[0].get("filters"), []).append(r)
        for filters, group in sorted(groups.items(), key=lambda item: item[0] is not None):
            title = "the package's networks" if filters is None else f"`filters={filters}` (screening)"
            generated += [f"### {model_name}, {title}", "", *table(group), ""]
            here = os.path.dirname(os.path.abspath(path))
            grids = [r for r in group if r.get("grid") and os.path.exists(r["grid"])]
            grids = [(r, os.path.relpath(os.path.abspath(r["grid"]), here)) for r in grids]
            grids = [(r, relative) for r, relative in grids if not relative.startswith("..")]  # kept beside the page
            for r, relative in grids:
                generated.append(f"`{r['variant']}`, seed {r['seed']}: ![]({relative})")
            generated += [""] if grids else []
    generated.append(MARK_END)
    text = f"# Defaults at a fixed budget\n\n{MARK_BEGIN}\n{MARK_END}\n"
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            text = f.read()
    if MARK_BEGIN not in text or MARK_END not in text:
        text = text.rstrip("\n") + f"\n\n{MARK_BEGIN}\n{MARK_END}\n"
    before, rest = text.split(MARK_BEGIN, 1)
    after = rest.split(MARK_END, 1)[1]
    with open(path, "w", encoding="utf-8") as f:
        f.write(before + "\n".join(generated) + after)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="DCGAN", choices=("DCGAN", "CGAN"))
    parser.add_argument("--variants", nargs="+", default=["issue16", "package"], help=f"names: {sorted(VARIANTS)}")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--steps", type=int, default=780, help="780: 5 epochs of 10,000 digits at batch 64")
    parser.add_argument("--eval-at", type=int, nargs="+", default=[200, 400, 780])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--batch-stats", action="store_true", help="also score the live G with batch statistics")
    parser.add_argument("--output", default="docs/zoo/defaults.json")
    parser.add_argument("--markdown", default="docs/zoo/defaults.md")
    parser.add_argument("--grid-dir", default="docs/zoo/defaults", help="sample grids of seed 0 ('' for none)")
    args = parser.parse_args()
    if args.steps not in args.eval_at:
        args.eval_at.append(args.steps)

    import keras_gans  # noqa: F401  (registers the models)
    from keras_gans.metrics import fid_from_features

    data = zoo_table.split(*zoo_table.load_dataset("mnist"), 0.3)
    judge, accuracy = zoo_table.train_judge(data["held_out"], data["train"], None)
    real_features = judge.features(data["held_out"][0])
    floor = fid_from_features(real_features, judge.features(data["train"][0][: len(real_features)]))
    print(f"judge accuracy {accuracy:.3f}, floor FID {floor:.2f}", flush=True)
    results = {"runs": []}
    if os.path.exists(args.output):
        with open(args.output, encoding="utf-8") as f:
            results = json.load(f)
    results.update(machine=harness.machine_info(), args=vars(args), judge={"accuracy": accuracy, "fid_floor": floor})
    for variant in args.variants:
        for seed in range(args.first_seed, args.first_seed + args.seeds):
            merge(results, run_one(args.model, variant, seed, args, data, judge, accuracy, real_features))
            os.makedirs(os.path.dirname(args.output) or ".", exist_ok=True)
            with open(args.output, "w", encoding="utf-8") as f:
                json.dump(results, f, indent=1)
            write_markdown(results, args.markdown)


if __name__ == "__main__":
    main()
