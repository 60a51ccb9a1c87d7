"""The GPU measurements of issue 13 in a few minutes: keras_gans and PyTorch on the same GPU, every precision.

Run by ``benchmarks/gpu.sh`` on a machine lent with a GPU (or by hand)::

    python benchmarks/bench_gpu.py --out DIR            # the full run on the GPU(s)
    python benchmarks/bench_gpu.py --out DIR --dry-run  # the same code on the CPU, tiny (checks the script)

Parts, each in its own process (TensorFlow and PyTorch never share one; a part that fails is recorded and the run
goes on):

* ``keras``: the MNIST DCGAN of ``bench_train_step.py`` (28x28x1, batch 64 and 256, ``ema_decay=None``) through
  ``fit``, for ``precision`` float32 / mixed_bfloat16 / mixed_float16 x ``jit_compile`` False / True;
* ``mirrored``: the same under ``tf.distribute.MirroredStrategy`` over every GPU there (global batch 64 and 256;
  with one GPU it measures the strategy's overhead), float32 and mixed_bfloat16, XLA off;
* ``torch``: ``bench_torch_dcgan.py``'s loop on ``cuda``, eager and ``torch.compile`` (G and D), float32 and under
  ``torch.autocast("cuda", bfloat16 / float16)``.

Every configuration: ``--warmup`` untimed iterations, then ``--steps`` timed ones (keras: from the first to the last
batch end of one ``fit``; PyTorch: synchronised with the device), it/s. The real batch is MNIST when its files are
there, else uniform noise (the speed does not depend on it). Writes ``gpu_results.json`` and ``GPU.md`` in
``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import harness  # noqa: E402

PRECISIONS = ("float32", "mixed_bfloat16", "mixed_float16")
BATCHES = (64, 256)


def real_images(batch: int, with_tensorflow: bool):
    """``batch`` MNIST test digits (NHWC, [-1, 1]) when the files are there, else uniform noise of that shape."""
    import numpy as np

    try:
        images, _ = harness.mnist_images(batch, with_tensorflow=with_tensorflow)
        if len(images) == batch:
            return images, "MNIST"
    except (OSError, ValueError):
        pass
    return np.random.default_rng(0).uniform(-1, 1, (batch, 28, 28, 1)).astype("float32"), "noise"


def _keras_rate(model, data, steps: int, warmup: int) -> float:
    timer = harness.step_timer(skip=warmup)
    model.fit(data, epochs=1, steps_per_epoch=warmup + steps + 1, verbose=0, callbacks=[timer])
    return len(timer.times) / sum(timer.times)


def part_keras(args, mirrored: bool) -> list[dict]:
    import tensorflow as tf

    for gpu in tf.config.list_physical_devices("GPU"):
        tf.config.experimental.set_memory_growth(gpu, True)
    import bench_train_step

    strategy = tf.distribute.MirroredStrategy() if mirrored else None
    precisions = PRECISIONS[:2] if mirrored else PRECISIONS
    jits = (False,) if mirrored else (False, True)
    rows = []
    for batch in args.batches:
        images, source = real_images(batch, with_tensorflow=True)
        data = tf.data.Dataset.from_tensors(images).repeat()
        for precision in precisions:
            for jit in jits:
                row = {"framework": "keras_gans", "batch": batch, "precision": precision, "xla": jit, "data": source}
                if mirrored:
                    row["strategy"] = f"MirroredStrategy({strategy.num_replicas_in_sync} replicas)"
                try:
                    scope = strategy.scope() if strategy else _null()
                    with scope:
                        model = bench_train_step.build_model("DCGAN", precision=precision, ema_decay=None)
                        model.compile(jit_compile=jit)
                    start = time.perf_counter()
                    model.fit(data, epochs=1, steps_per_epoch=1, verbose=0)
                    row["first_step_s"] = time.perf_counter() - start
                    row["it_per_s"] = _keras_rate(model, data, args.steps, args.warmup)
                    row["images_per_s"] = row["it_per_s"] * batch
                except Exception as error:  # noqa: BLE001  (recorded; the other configurations still run)
                    row["error"] = f"{type(error).__name__}: {error}"[:1000]
                print(json.dumps(row), flush=True)
                rows.append(row)
    return rows


def _null():
    import contextlib

    return contextlib.nullcontext()


def part_torch(args) -> list[dict]:
    import contextlib

    import bench_torch_dcgan
    import torch

    device = "cuda" if torch.cuda.is_available() and not args.dry_run else "cpu"
    dtypes = {"float32": None, "bfloat16 autocast": torch.bfloat16, "float16 autocast": torch.float16}
    rows = []
    for batch in args.batches:
        images, source = real_images(batch, with_tensorflow=False)
        for compiled in (False, True):
            for label, dtype in dtypes.items():
                row = {"framework": f"torch {torch.__version__}", "device": device, "batch": batch}
                row.update(precision=label, compiled=compiled, data=source)
                if compiled and args.dry_run:
                    row["skipped"] = "torch.compile is not tried in a dry run"
                    rows.append(row)
                    continue
                if dtype is torch.float16 and device == "cpu":
                    row["skipped"] = "float16 autocast is for the GPU"
                    rows.append(row)
                    continue
                try:
                    step = bench_torch_dcgan.make_iteration(
                        torch, batch, g_forwards=2, device=device, compile=compiled, images=images
                    )

                    def run(step=step, dtype=dtype):
                        context = torch.autocast(device, dtype=dtype) if dtype else contextlib.nullcontext()
                        with context:
                            step()

                    start = time.perf_counter()
                    run()
                    _sync(torch, device)
                    row["first_step_s"] = time.perf_counter() - start
                    for _ in range(args.warmup):
                        run()
                    _sync(torch, device)
                    start = time.perf_counter()
                    for _ in range(args.steps):
                        run()
                    _sync(torch, device)
                    row["it_per_s"] = args.steps / (time.perf_counter() - start)
                    row["images_per_s"] = row["it_per_s"] * batch
                except Exception as error:  # noqa: BLE001
                    row["error"] = f"{type(error).__name__}: {error}"[:1000]
                print(json.dumps(row), flush=True)
                rows.append(row)
    return rows


def _sync(torch, device: str) -> None:
    if device == "cuda":
        torch.cuda.synchronize()


def child(args) -> None:
    if args.dry_run:
        os.environ["CUDA_VISIBLE_DEVICES"] = ""
    rows = part_torch(args) if args.part == "torch" else part_keras(args, mirrored=args.part == "mirrored")
    harness.emit({"rows": rows})


def markdown(results: dict) -> str:
    """The tables of ``GPU.md``."""
    env = results["environment"]
    lines = [
        "# GPU: keras_gans and PyTorch, every precision",
        "",
        f"Generated by `benchmarks/gpu.sh` ({results['date']}{', DRY RUN on the CPU' if results['dry_run'] else ''}"
        f"). GPUs: {env.get('nvidia_smi') or 'none found'}. {results['steps']} timed iterations after "
        f"{results['warmup']} untimed ones; MNIST DCGAN 28x28x1 (`ema_decay=None`, two G forwards per iteration).",
        "",
        "| part | batch | precision | XLA / compiled | it/s | images/s | first step s | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for part, rows in results["parts"].items():
        if isinstance(rows, dict):
            lines.append(f"| {part} | | | | | | | {rows.get('error', '')[:200]} |")
            continue
        for row in rows:
            flag = row.get("xla", row.get("compiled"))
            note = row.get("error") or row.get("skipped") or row.get("strategy") or row.get("device") or ""
            rate = f"{row['it_per_s']:.2f}" if "it_per_s" in row else "—"
            images = f"{row['images_per_s']:.0f}" if "images_per_s" in row else "—"
            first = f"{row['first_step_s']:.1f}" if "first_step_s" in row else "—"
            lines.append(
                f"| {part} | {row['batch']} | {row['precision']} | {'on' if flag else 'off'} | {rate} | {images} | "
                f"{first} | {str(note)[:160]} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=os.environ.get("OUT") or os.path.join(HERE, "gpu_results"))
    parser.add_argument("--dry-run", action="store_true", help="on the CPU, batch 8, 2 steps: checks the script")
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--batches", type=int, nargs="+", default=list(BATCHES))
    parser.add_argument("--parts", nargs="+", default=["keras", "mirrored", "torch"])
    parser.add_argument("--part", help=argparse.SUPPRESS)  # a child process runs one part
    parser.add_argument("--timeout", type=float, default=240, help="seconds per part")
    args = parser.parse_args()
    if args.dry_run:
        args.steps, args.warmup, args.batches = 2, 1, [8]
    if args.part:
        return child(args)
    os.makedirs(args.out, exist_ok=True)
    results = {
        "date": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "dry_run": args.dry_run,
        "steps": args.steps,
        "warmup": args.warmup,
        "environment": environment(),
        "parts": {},
    }
    common = ["--steps", args.steps, "--warmup", args.warmup, "--batches", *args.batches]
    common += ["--dry-run"] if args.dry_run else []
    for part in args.parts:
        print(f"[{time.strftime('%H:%M:%S')}] part {part}", flush=True)
        answer = harness.run_config(os.path.basename(__file__), ["--part", part, *common], timeout=args.timeout)
        results["parts"][part] = answer.get("rows", answer)
        with open(os.path.join(args.out, "gpu_results.json"), "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)
        with open(os.path.join(args.out, "GPU.md"), "w", encoding="utf-8") as f:
            f.write(markdown(results))
    print(markdown(results))


def environment() -> dict:
    """``nvidia-smi``'s GPUs and the versions, read without importing either framework here."""
    info = {}
    try:
        smi = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        info["nvidia_smi"] = "; ".join(smi.stdout.strip().splitlines()) or None
    except (OSError, subprocess.TimeoutExpired):
        info["nvidia_smi"] = None
    return info


if __name__ == "__main__":
    main()
