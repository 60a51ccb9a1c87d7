"""Runs every benchmark and writes ``benchmarks/RESULTS.md`` (and the raw figures as JSON next to it).

Run from the repository root::

    python benchmarks/run_all.py            # the full run (about an hour on 2 CPU cores; less on a GPU)
    python benchmarks/run_all.py --quick    # every benchmark, fewer steps and configurations (about 10 minutes)
    python benchmarks/run_all.py --only throughput,torch
    python benchmarks/run_all.py --only quality --keep   # rerun one section, keep the others' figures

Every configuration runs in its own process (see ``harness.run_config``), so peak RSS is per configuration. Nothing
names a device: on a GPU host ``jit_compile`` and the models place themselves as usual, and the same command
measures the GPU (the PyTorch loop stays on the CPU: it is the CPU reference).

Sections: machine; threading; oneDNN kernels on and off for every model; train-step throughput of every model
with XLA off and on at batch 64 and 256; one vs two generator forward passes per step (``reuse_fake_batch``);
keras_gans vs a PyTorch eager loop; input pipeline vs a constant batch; the pieces of a step with and without XLA;
float32 vs mixed precision; float32 vs mixed_bfloat16 and PyTorch for one model of every family
(``bench_precision.py``, which writes ``PRECISION.md``); memory across 20 epochs; MultiWorkerMirrored with 1 and 2
local workers; time to a target FID.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402

MODELS = ("GAN", "DCGAN", "CGAN", "WGANGP", "LSGAN")
SECTIONS = (
    "threads",
    "onednn",
    "throughput",
    "xla",
    "reuse",
    "torch",
    "pipeline",
    "xla_ops",
    "precision",
    "precision_families",
    "memory",
    "multiworker",
    "quality",
)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def step_args(quick: bool, batch: int, model: str) -> list[str]:
    """Timed and warm-up steps: fewer at batch 256 and for WGAN-GP (5 critic steps per iteration)."""
    heavy = batch >= 256 or model == "WGANGP"
    if quick:
        return ["--steps", 3, "--warmup", 1]
    return ["--steps", 6 if heavy else 12, "--warmup", 2]


# --------------------------------------------------------------------------------------------------------------
# Sections: each returns its raw results


def run_threads(quick: bool) -> list[dict]:
    """DCGAN at batch 64 with keras_gans' defaults, smaller TensorFlow thread pools, and oneDNN switched off."""
    settings = [(None, None, None), (None, 1, None), (1, 1, None), (None, None, "0")]
    if quick:
        settings = settings[:1]
    results = []
    for intra, inter, onednn in settings:
        args = ["--model", "DCGAN", "--batch", 64, *step_args(quick, 64, "DCGAN")]
        args += ["--intra", intra] if intra else []
        args += ["--inter", inter] if inter else []
        env = {"TF_ENABLE_ONEDNN_OPTS": onednn} if onednn else None
        log(f"threads intra={intra or 'default'} inter={inter or 'default'} oneDNN={onednn or 'default'}")
        result = harness.run_config("bench_train_step.py", args, env=env)
        results.append({"intra": intra or "default (0)", "inter": inter or "default (0)", **result})
    return results


def run_onednn(quick: bool) -> list[dict]:
    """Every model with TensorFlow's oneDNN kernels on (keras_gans' default) and off, one process each, alternated."""
    configs = [(m, 64) for m in MODELS] + [("DCGAN", 256)]
    if quick:
        configs = [("DCGAN", 64)]
    results = []
    for model, batch in configs:
        runs: dict[str, list[dict]] = {"on": [], "off": []}
        for round_index in range(1 if quick else 2):
            log(f"oneDNN {model} batch {batch} round {round_index + 1}")
            for label, value in (("off", "0"), ("on", "1")):
                args = ["--model", model, "--batch", batch, *step_args(quick, batch, model)]
                runs[label].append(
                    harness.run_config("bench_train_step.py", args, env={"TF_ENABLE_ONEDNN_OPTS": value})
                )
        results.append({"model": model, "batch": batch, **runs})
    return results


def run_throughput(quick: bool) -> list[dict]:
    configs = [(m, 64, xla) for m in MODELS for xla in (0, 1)]
    if not quick:
        configs += [(m, 256, xla) for m in MODELS for xla in (0, 1)]
    results = []
    for model, batch, xla in configs:
        log(f"throughput {model} batch {batch} xla {xla}")
        args = ["--model", model, "--batch", batch, "--xla", xla, *step_args(quick, batch, model)]
        results.append(
            {"model": model, "batch": batch, "xla": bool(xla), **harness.run_config("bench_train_step.py", args)}
        )
    return results


def run_compare(kind: str, configs: list[tuple[str, int]], quick: bool) -> list[dict]:
    results = []
    for model, batch in configs:
        log(f"{kind} comparison {model} batch {batch}")
        steps = 6 if quick else (12 if batch >= 256 else 24)
        args = ["--model", model, "--batch", batch, "--compare", kind, "--steps", steps, "--chunk", 3]
        results.append({"model": model, "batch": batch, **harness.run_config("bench_train_step.py", args)})
    return results


def run_torch(quick: bool) -> list[dict]:
    """Ours (graph and XLA) and PyTorch (default OpenMP waiting and passive), one process each, alternated over
    rounds; medians over rounds are reported."""
    rounds = 1 if quick else 2
    results = []
    for batch in (64, 256):
        for g_forwards, reuse in ((2, 0), (1, 1)):
            if quick and g_forwards == 2:
                continue
            runs: dict[str, list[dict]] = {"graph": [], "xla": [], "torch": [], "torch_passive": []}
            steps = step_args(quick, batch, "DCGAN")
            ours = ["--model", "DCGAN", "--batch", batch, "--reuse", reuse, *steps]
            torch = ["--batch", batch, "--g-forwards", g_forwards, *steps]
            for round_index in range(rounds):
                log(f"torch comparison batch {batch}, {g_forwards} G forward(s), round {round_index + 1}/{rounds}")
                runs["graph"].append(harness.run_config("bench_train_step.py", [*ours, "--xla", 0]))
                runs["torch"].append(harness.run_config("bench_torch_dcgan.py", torch))
                runs["xla"].append(harness.run_config("bench_train_step.py", [*ours, "--xla", 1]))
                passive = harness.run_config("bench_torch_dcgan.py", torch, env={"OMP_WAIT_POLICY": "PASSIVE"})
                runs["torch_passive"].append(passive)
            results.append({"batch": batch, "g_forwards": g_forwards, **runs})
    return results


def run_xla_ops(quick: bool) -> dict:
    log("XLA pieces")
    args = ["--batch", 64, "--rounds", 2 if quick else 5] + (["--skip-convolutions"] if quick else [])
    return harness.run_config("bench_xla_ops.py", args)


def run_precision_families(quick: bool) -> dict:
    """``bench_precision.py``: float32 vs mixed_bfloat16, keras_gans vs PyTorch, one model of every family."""
    return harness.run_config("bench_precision.py", ["--quick"] if quick else [], timeout=3600)


def report_precision_families(result: dict) -> str:
    if "error" in result:
        return "## Precision, every family (bench_precision.py)\n\n" + result["error"][:500]

    def rate(row: dict, key: str) -> str:
        return _fmt(row.get(key)) if row.get(key) else row.get(key + "_note") or "—"

    keys = ("keras_f32", "keras_bf16", "torch_f32", "torch_bf16")
    rows = [[r["model"], *(rate(r, k) for k in keys)] for r in result["rows"]]
    return (
        "## Precision, every family (bench_precision.py)\n\n"
        f"it/s, median of interleaved rounds; the ratios, the float32 ceiling, the profile and the quality check are "
        f"in `{result['markdown']}`.\n\n"
        + _table(["model", "keras float32", "keras mixed_bfloat16", "torch float32", "torch bf16 autocast"], rows)
    )


def run_memory(quick: bool) -> list[dict]:
    results = []
    for model in ("DCGAN",) if quick else MODELS:
        log(f"memory {model}")
        args = ["--model", model, "--epochs", 20, "--images", 256 if quick else 512]
        results.append({"model": model, **harness.run_config("bench_memory.py", args)})
    return results


def run_multiworker(quick: bool) -> list[dict]:
    steps = ["--steps", 3 if quick else 10, "--warmup", 1 if quick else 2]
    configs = [(0, 0), (1, 0), (2, 0)] + ([] if quick else [(2, 1)])
    results = []
    for workers, intra in configs:
        log(f"multi-worker: {workers} worker(s), intra-op threads {intra or 'default'}")
        args = ["--workers", workers, "--batch", 64, "--intra", intra, *steps]
        results.append(harness.run_config("bench_multiworker.py", args))
    return results


def run_quality(quick: bool, variants_wanted: tuple[str, ...] = ()) -> list[dict]:
    """The default DCGAN to the target FID; ``--quality-variants reuse`` adds ``reuse_fake_batch=True``."""
    variants = [("default", [])] + ([("reuse_fake_batch=True", ["--reuse", 1])] if "reuse" in variants_wanted else [])
    results = []
    for label, extra in variants:
        log(f"time to quality, {label} (the longest section)")
        args = ["--max-epochs", 1, "--samples", 2000] if quick else ["--max-epochs", 12, "--samples", 10000]
        result = harness.run_config("bench_time_to_quality.py", [*args, *extra], timeout=4 * 3600)
        results.append({"variant": label, **result})
    return results


# --------------------------------------------------------------------------------------------------------------
# Report


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.{digits}g}" if abs(value) < 1000 else f"{value:.0f}"
    return str(value)


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(_fmt(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _error_rows(results: list[dict]) -> str:
    errors = [r["error"].splitlines()[0] for r in results if isinstance(r, dict) and "error" in r]
    return "".join(f"\n- error: `{e}`" for e in errors)


def report_machine(info: dict) -> str:
    rows = [[key, value] for key, value in info.items() if key != "tf_threading"]
    rows += [[f"tf.config.threading {key}", value] for key, value in info.get("tf_threading", {}).items()]
    return "## Machine\n\n" + _table(["", ""], rows)


def report_threads(results: list[dict]) -> str:
    rows = [
        [
            r["intra"],
            r["inter"],
            r.get("threading", {}).get("onednn"),
            r.get("it_per_s"),
            r.get("cpu_median_s"),
            r.get("load_average_1min"),
        ]
        for r in results
        if "error" not in r
    ]
    text = (
        "## Threading\n\nkeras_gans leaves TensorFlow's thread pools at 0 (`tf.config.threading` reports 0: "
        "TensorFlow's default of one intra-op thread per core and an inter-op pool of the same size) and turns "
        "oneDNN on when it is imported before TensorFlow (`keras_gans.utils.runtime`). DCGAN, batch 64, XLA off, "
        "one process per setting; the last row sets `TF_ENABLE_ONEDNN_OPTS=0`.\n\n"
    )
    header = ["intra-op", "inter-op", "oneDNN", "it/s", "CPU s/it", "load avg"]
    return text + _table(header, rows) + _error_rows(results)


def report_onednn(results: list[dict]) -> str:
    rows = []
    for r in results:
        on = _median([x["it_per_s"] for x in r["on"] if "it_per_s" in x])
        off = _median([x["it_per_s"] for x in r["off"] if "it_per_s" in x])
        on_cpu = _median([x["cpu_median_s"] for x in r["on"] if "cpu_median_s" in x])
        off_cpu = _median([x["cpu_median_s"] for x in r["off"] if "cpu_median_s" in x])
        checked = all(x.get("threading", {}).get("onednn") is True for x in r["on"] if "threading" in x) and all(
            x.get("threading", {}).get("onednn") is False for x in r["off"] if "threading" in x
        )
        loads = [x.get("load_average_1min") for x in r["on"] + r["off"] if x.get("load_average_1min") is not None]
        rows.append(
            [
                r["model"],
                r["batch"],
                off,
                off_cpu,
                on,
                on_cpu,
                on / off if on and off else None,
                checked,
                max(loads) if loads else None,
            ]
        )
    text = (
        "## oneDNN kernels\n\nTensorFlow's CPU kernels with `TF_ENABLE_ONEDNN_OPTS=0` and `=1` (what "
        "`import keras_gans` sets when it loads before TensorFlow), XLA off, one process per run, alternated over "
        "rounds; medians. *checked*: each process reported the state it was asked for.\n\n"
    )
    header = ["model", "batch", "off it/s", "off CPU s/it", "on it/s", "on CPU s/it", "on / off", "checked", "load"]
    return text + _table(header, rows) + _error_rows([x for r in results for x in r["on"] + r["off"]])


def report_throughput(results: list[dict]) -> str:
    by_key = {(r["model"], r["batch"], r["xla"]): r for r in results}
    rows = []
    for (model, batch, xla), r in by_key.items():
        if xla:
            continue
        x = by_key.get((model, batch, True), {})
        ratio = x["it_per_s"] / r["it_per_s"] if "it_per_s" in x and "it_per_s" in r else None
        rows.append(
            [
                model,
                batch,
                r.get("discriminator_steps"),
                r.get("it_per_s"),
                r.get("images_per_s"),
                r.get("cpu_median_s"),
                r.get("peak_rss_mb"),
                r.get("first_step_s"),
                x.get("it_per_s"),
                x.get("images_per_s"),
                x.get("cpu_median_s"),
                x.get("peak_rss_mb"),
                x.get("first_step_s"),
                ratio,
                r.get("load_average_1min"),
            ]
        )
    text = (
        "## Train-step throughput\n\nOne iteration = one call of the train step (`discriminator_steps` D updates "
        "and one G update) on a constant batch of real MNIST digits held in memory, through `fit`. Median over "
        "the timed steps; CPU s/it is the process's CPU time per iteration (all threads); peak RSS is the "
        "configuration's own process; *1st step* is the first call (tracing, and XLA's compilation). Default "
        "networks for 28x28x1 (DCGAN family: `latent_dim=100, filters=64`; GAN: MLPs 256-512-1024 / 512-256), "
        "paper optimizers, `reuse_fake_batch=False` (the default).\n\n"
    )
    header = [
        "model",
        "batch",
        "D steps",
        "it/s",
        "img/s",
        "CPU s/it",
        "peak RSS MiB",
        "1st step s",
        "XLA it/s",
        "XLA img/s",
        "XLA CPU s/it",
        "XLA peak RSS MiB",
        "XLA 1st step s",
        "XLA / graph",
        "load avg",
    ]
    return text + _table(header, rows) + _error_rows(results)


def report_compare(title: str, intro: str, results: list[dict]) -> str:
    rows = []
    for r in results:
        if "error" in r:
            continue
        (name_a, a), (name_b, b) = r["variants"].items()
        rows.append(
            [
                r["model"],
                r["batch"],
                name_a,
                a["it_per_s"],
                a.get("cpu_median_s"),
                name_b,
                b["it_per_s"],
                b.get("cpu_median_s"),
                r["speedup"],
                r.get("cpu_speedup"),
                r.get("load_average_1min"),
            ]
        )
    header = [
        "model",
        "batch",
        "A",
        "A it/s",
        "A CPU s/it",
        "B",
        "B it/s",
        "B CPU s/it",
        "B / A (wall)",
        "B / A (CPU)",
        "load avg",
    ]
    return f"## {title}\n\n{intro}\n\n" + _table(header, rows) + _error_rows(results)


def report_torch(results: list[dict]) -> str:
    def rate(runs: list[dict], key: str = "it_per_s") -> float | None:
        return _median([x[key] for x in runs if key in x])

    rows = []
    for r in results:
        if any("skipped" in x for x in r["torch"]):
            rows.append([r["batch"], r["g_forwards"], rate(r["graph"]), rate(r["xla"]), "not installed: skipped"])
            continue
        graph, xla = rate(r["graph"]), rate(r["xla"])
        torch_rates = [x for x in (rate(r["torch"]), rate(r["torch_passive"])) if x]
        best = max(torch_rates) if torch_rates else None
        cpu = rate(r["graph"], "cpu_median_s"), rate(r["torch_passive"], "cpu_median_s")
        rows.append(
            [
                r["batch"],
                r["g_forwards"],
                graph,
                xla,
                rate(r["torch"]),
                rate(r["torch_passive"]),
                graph / best if graph and best else None,
                xla / best if xla and best else None,
                cpu[1] / cpu[0] if all(cpu) else None,
                len(r["graph"]),
            ]
        )
    text = (
        "## keras_gans vs PyTorch (DCGAN)\n\nThe same networks, batch, optimizer (Adam(2e-4, 0.5)), batch norm and "
        "loss (`benchmarks/bench_torch_dcgan.py`); PyTorch eager on the CPU with its default 2 threads, once as is "
        "and once with `OMP_WAIT_POLICY=PASSIVE` (PyTorch's OpenMP threads spin while they wait; on a machine "
        "shared with other jobs that spinning takes the cores from the threads doing the work). The ratios are "
        "against the faster of the two PyTorch runs. *G forwards* is the number of generator forward passes per "
        "iteration on both sides: 2 is keras_gans' default (fresh latents for the G step; PyTorch runs G again), "
        "1 is `reuse_fake_batch=True` and the PyTorch DCGAN example. Ratio > 1: keras_gans is faster. Each run is "
        "its own process, alternated over the rounds; medians over rounds.\n\n"
    )
    header = [
        "batch",
        "G forwards",
        "keras_gans it/s",
        "keras_gans XLA it/s",
        "PyTorch it/s",
        "PyTorch passive it/s",
        "keras_gans / PyTorch",
        "keras_gans XLA / PyTorch",
        "CPU time PyTorch passive / keras_gans",
        "rounds",
    ]
    errors = _error_rows([x for r in results for key in ("graph", "xla", "torch", "torch_passive") for x in r[key]])
    return text + _table(header, rows) + errors


def report_xla_ops(result: dict) -> str:
    if "error" in result:
        return "## XLA, piece by piece\n\n" + _error_rows([result])
    rows = [[r["piece"], r["graph_ms"], r["xla_ms"], r["xla_over_graph"]] for r in result["rows"]]
    text = (
        f"## XLA, piece by piece\n\nBatch {result['batch']}, median ms per call, graph and XLA alternated "
        f"({result['rounds']} rounds). XLA / graph > 1: XLA is slower. See docs/performance.md.\n\n"
    )
    return text + _table(["piece", "graph ms", "XLA ms", "XLA / graph"], rows)


def report_memory(results: list[dict]) -> str:
    rows = [
        [
            r["model"],
            r.get("epochs"),
            r.get("steps_per_epoch"),
            r.get("rss_epoch1_mb"),
            r.get("rss_epoch2_mb"),
            r.get("rss_last_mb"),
            r.get("growth_from_epoch2_mb"),
            r.get("slope_mb_per_epoch"),
            r.get("leak"),
        ]
        for r in results
        if "error" not in r
    ]
    text = (
        "## Memory across 20 epochs\n\nA small run per model (`filters=16`, real digits through "
        "`keras_gans.data.from_arrays`, batch 64), RSS read after every epoch. Growth is from epoch 2 (epoch 1 "
        "includes tracing); the slope is a least-squares fit over epochs 2..20; a slope above 1 MiB/epoch would "
        "be flagged as a leak.\n\n"
    )
    header = [
        "model",
        "epochs",
        "steps/epoch",
        "RSS ep. 1 MiB",
        "RSS ep. 2 MiB",
        "RSS last MiB",
        "growth MiB",
        "slope MiB/epoch",
        "leak",
    ]
    return text + _table(header, rows) + _error_rows(results)


def report_multiworker(results: list[dict]) -> str:
    rows = []
    base = next((r for r in results if r.get("workers") == 0 and "it_per_s" in r), None)
    for r in results:
        if "error" in r:
            continue
        overhead = base["it_per_s"] / r["it_per_s"] if base and r.get("workers") else None
        rows.append(
            [
                r["workers"] or "none (no strategy)",
                r.get("per_worker_batch", r["batch"]),
                r.get("intra_op_threads"),
                r["it_per_s"],
                r["images_per_s"],
                overhead,
                " / ".join(f"{v:.0f}" for v in r["peak_rss_mb_per_worker"])
                if "peak_rss_mb_per_worker" in r
                else r.get("peak_rss_mb"),
                r.get("load_average_1min"),
            ]
        )
    text = (
        "## MultiWorkerMirroredStrategy on one machine\n\nDCGAN, global batch 64, workers on 127.0.0.1 sharing this "
        "machine's cores (synchronized batch norm, gradients all-reduced over gRPC). This measures the strategy's "
        "overhead, not a speed-up: two workers on 2 shared cores do the same work plus the communication. "
        "*Time vs none* is the step time relative to the same model without a strategy.\n\n"
    )
    header = [
        "workers",
        "batch per worker",
        "intra-op threads",
        "it/s",
        "img/s",
        "time vs none",
        "peak RSS MiB",
        "load avg",
    ]
    return text + _table(header, rows) + _error_rows(results)


def report_quality(results: list[dict] | dict) -> str:
    title = "## Time to quality (DCGAN, MNIST-classifier FID)\n\n"
    results = [results] if isinstance(results, dict) else results
    ok = [r for r in results if "error" not in r]
    if not ok:
        return title + _error_rows(results)
    first = ok[0]
    text = (
        f"`kg.DCGAN(image_shape=(28, 28, 1))` with its defaults (batch {first['batch']}, "
        f"{first['steps_per_epoch']} steps per epoch, `jit_compile={first['jit_compile']}`) trained on the 10k MNIST "
        f"test digits; FID of {first['samples']} generated digits against {first['samples']} real ones in the feature "
        f"space of the small MNIST classifier (accuracy {first['classifier_accuracy']:.3f}); target FID "
        f"{first['target_fid']:g}; FID before training {first['initial_fid']:.1f}. Training time excludes the "
        "evaluations.\n\n"
    )
    summary = [
        [
            r["variant"],
            r["reached"],
            r["epochs_to_target"],
            r["train_s_to_target"],
            r["history"][-1]["fid"] if r["history"] else None,
            r["total_s"],
        ]
        for r in ok
    ]
    text += _table(["variant", "reached", "epochs", "training s to target", "last FID", "total s"], summary)
    epochs = max(len(r["history"]) for r in ok)
    rows = []
    for index in range(epochs):
        row = [index + 1]
        for r in ok:
            h = r["history"][index] if index < len(r["history"]) else {}
            row += [h.get("train_s"), h.get("fid")]
        rows.append(row)
    header = ["epoch"] + [f"{r['variant']} {what}" for r in ok for what in ("training s", "FID")]
    return title + text + "\n\n" + _table(header, rows) + _error_rows(results)


def _median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


REPORTS: dict[str, Callable[[Any], str]] = {
    "threads": report_threads,
    "throughput": report_throughput,
    "xla": lambda r: report_compare(
        "XLA on vs off, alternated",
        "A: `jit_compile=False` (TensorFlow graph); B: `jit_compile=True` (the whole train step one XLA cluster). "
        "Both models in one process, alternated in rounds of 3 steps, so that other jobs' load falls on both alike "
        "(steadier than the separate processes of the throughput table). B / A > 1: XLA is faster.",
        r,
    ),
    "reuse": lambda r: report_compare(
        "One vs two generator forward passes per step (`reuse_fake_batch`)",
        "The change to the shared train step: A draws fresh latents for the G step and runs G again "
        "(`reuse_fake_batch=False`, the default); B back-propagates the G loss through the batch made for the D step "
        "(`reuse_fake_batch=True`). Both models in one process, alternated (A B, B A, ...) in rounds of 3 steps.",
        r,
    ),
    "pipeline": lambda r: report_compare(
        "Input pipeline vs constant batch",
        "A: one constant batch in memory; B: `keras_gans.data.from_mnist_idx` over the 10k digits (shuffle, batch, "
        "normalise, prefetch). Both models in one process, alternated. B / A close to 1 means the input costs "
        "nothing (target: within 5%).",
        r,
    ),
    "torch": report_torch,
    "onednn": report_onednn,
    "precision": lambda r: report_compare(
        "Mixed precision (mixed_bfloat16) vs float32",
        'A: float32; B: `keras.mixed_precision.set_dtype_policy("mixed_bfloat16")` before building the model. '
        "Both in one process, alternated, XLA off. B / A > 1: mixed precision is faster on this device.",
        r,
    ),
    "precision_families": report_precision_families,
    "xla_ops": report_xla_ops,
    "memory": report_memory,
    "multiworker": report_multiworker,
    "quality": report_quality,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and configurations (about 10 minutes)")
    parser.add_argument("--only", default=",".join(SECTIONS), help=f"comma-separated sections of {SECTIONS}")
    parser.add_argument("--output", default=os.path.join(harness.HERE, "RESULTS.md"))
    parser.add_argument("--quality-variants", default="", help="'reuse': also time reuse_fake_batch=True to quality")
    parser.add_argument(
        "--keep", action="store_true", help="keep the other sections' figures from the JSON next to --output"
    )
    args = parser.parse_args()
    sections = [s for s in args.only.split(",") if s]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise SystemExit(f"unknown sections {sorted(unknown)}; choose from {SECTIONS}")

    start = time.time()
    log("machine")
    machine = harness.run_config("harness.py", [])
    runners: dict[str, Callable[[], Any]] = {
        "threads": lambda: run_threads(args.quick),
        "onednn": lambda: run_onednn(args.quick),
        "throughput": lambda: run_throughput(args.quick),
        "xla": lambda: run_compare(
            "xla",
            [("DCGAN", 64)] if args.quick else [("DCGAN", 64), ("DCGAN", 256), ("WGANGP", 64), ("GAN", 64)],
            args.quick,
        ),
        "reuse": lambda: run_compare(
            "reuse",
            [("DCGAN", 64)] if args.quick else [("DCGAN", 64), ("DCGAN", 256), ("LSGAN", 64), ("GAN", 64)],
            args.quick,
        ),
        "pipeline": lambda: run_compare("feed", [("DCGAN", 64)] + ([] if args.quick else [("DCGAN", 256)]), args.quick),
        "torch": lambda: run_torch(args.quick),
        "xla_ops": lambda: run_xla_ops(args.quick),
        "precision": lambda: run_compare("precision", [("DCGAN", 64)], args.quick),
        "precision_families": lambda: run_precision_families(args.quick),
        "memory": lambda: run_memory(args.quick),
        "multiworker": lambda: run_multiworker(args.quick),
        "quality": lambda: run_quality(args.quick, tuple(v for v in args.quality_variants.split(",") if v)),
    }
    json_path = os.path.splitext(args.output)[0] + ".json"
    results: dict[str, Any] = {}
    kept: list[str] = []
    if args.keep and os.path.exists(json_path):
        with open(json_path, encoding="utf-8") as file:
            results = {k: v for k, v in json.load(file).items() if k in SECTIONS and k not in sections}
        kept = sorted(results)
        log(f"keeping sections {kept} from {json_path}")
    results.update({"machine": machine, "quick": args.quick})
    for section in SECTIONS:
        if section in sections:
            results[section] = runners[section]()
            with open(json_path, "w", encoding="utf-8") as file:  # partial results survive an interrupted run
                json.dump(results, file, indent=1)
    results["wall_s"] = time.time() - start
    results["load_average_end"] = harness.load_average()

    parts = [
        "# Benchmark results\n",
        f"Written by `python benchmarks/run_all.py{' --quick' if args.quick else ''}` on {machine.get('date', '?')} "
        f"in {results['wall_s'] / 60:.0f} min. Wall-clock figures on a machine shared with other jobs: the 1-minute "
        f"load average (2 cores) is given per row; CPU time per iteration is the steadier measure of the work. "
        + (f"Sections {', '.join(kept)} are kept from an earlier run (`--keep`). " if kept else "")
        + "Read docs/performance.md for what the numbers mean.\n",
        report_machine(machine),
    ]
    parts += [REPORTS[s](results[s]) for s in SECTIONS if s in results]
    with open(args.output, "w", encoding="utf-8") as file:
        file.write("\n\n".join(parts) + "\n")
    with open(json_path, "w", encoding="utf-8") as file:
        json.dump(results, file, indent=1)
    log(f"wrote {args.output} in {results['wall_s'] / 60:.1f} min")


if __name__ == "__main__":
    main()
