"""What each training trick and the TrainingMonitor cost on the train step of a small DCGAN on MNIST-sized data.

Run from the repository root::

    python benchmarks/bench_tricks.py [--steps 20] [--rounds 3] [--filters 32] [--batch-size 64] [--modes graph,xla]
                                      [--json out.json]

For XLA off and on, every configuration is built and compiled once (its first epoch, which traces and compiles, is
not timed), then timed in ``--rounds`` interleaved rounds of ``--steps`` steps, so a slow minute on a shared machine
hits every configuration alike. A step's time runs from ``on_train_batch_begin`` to ``on_train_batch_end`` of a
timing callback placed after the monitor, so it includes the monitor's per-step work. Two figures per step, each
the median over all timed steps and shown as a ratio to the plain step's in the same mode: the CPU time of the
process (all its threads; other jobs on a shared machine barely change it, so it is the figure to compare) and the
wall-clock time. The monitor's epoch-end work (one
64-sample generator pass, the checks, the weight snapshot) is timed apart and shown per epoch end and amortised over
an MNIST epoch (60,000 / batch size steps). The load average is printed: other jobs on a shared machine slow every
figure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import time
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import keras_gans as kg  # noqa: E402
from keras_gans.callbacks import TrainingMonitor  # noqa: E402
from keras_gans.data.idx import default_mnist_dir, load_mnist_idx  # noqa: E402

__all__ = ["CONFIGS", "main"]

# name -> (model options, network options, with the monitor)
CONFIGS: dict[str, tuple[dict, dict, bool]] = {
    "plain": ({}, {}, False),
    "monitor": ({}, {}, True),
    "label_smoothing=0.1": ({"label_smoothing": 0.1}, {}, False),
    "instance_noise=0.1": ({"instance_noise": 0.1, "instance_noise_decay_steps": 1000}, {}, False),
    "discriminator_steps=2": ({"discriminator_steps": 2}, {}, False),
    "ema_decay=0.999": ({"ema_decay": 0.999}, {}, False),
    "r1_weight=1": ({"r1_weight": 1.0}, {}, False),
    "gradient_penalty_weight=10": ({"gradient_penalty_weight": 10.0}, {}, False),
    "augment=translation,cutout,color": ({"augment": "translation,cutout,color"}, {}, False),
    "skip_non_finite_gradients": ({"skip_non_finite_gradients": True}, {}, False),
    "spectral_normalization": ({}, {"spectral_normalization": True}, False),
    "minibatch_std": ({}, {"minibatch_std": True}, False),
}


class StepTimer(keras.callbacks.Callback):
    """Records each step's wall-clock and CPU time (all of the process's threads) while ``recording`` is set."""

    def __init__(self) -> None:
        super().__init__()
        self.recording = False
        self.durations: list[float] = []
        self.cpu_durations: list[float] = []
        self._start = (0.0, 0.0)

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        self._start = (time.perf_counter(), time.process_time())

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self.recording:
            self.durations.append(time.perf_counter() - self._start[0])
            self.cpu_durations.append(time.process_time() - self._start[1])


class TimedMonitor(TrainingMonitor):
    """A TrainingMonitor that also times its epoch-end work."""

    def on_train_begin(self, logs: dict | None = None) -> None:
        super().on_train_begin(logs)
        self.epoch_end_seconds: list[float] = getattr(self, "epoch_end_seconds", [])
        self.batch_seconds: list[float] = getattr(self, "batch_seconds", [])

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        start = time.perf_counter()
        super().on_train_batch_end(batch, logs)
        self.batch_seconds.append(time.perf_counter() - start)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        start = time.perf_counter()
        super().on_epoch_end(epoch, logs)
        self.epoch_end_seconds.append(time.perf_counter() - start)


def build(name: str, filters: int, seed: int = 0) -> tuple[kg.DCGAN, bool]:
    options, network, monitored = CONFIGS[name]
    model = kg.DCGAN(image_shape=(28, 28, 1), latent_dim=64, filters=filters, seed=seed, **network, **options)
    return model, monitored


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "n/a"


def run(args: argparse.Namespace) -> dict[str, Any]:
    images, _ = load_mnist_idx(default_mnist_dir(), split="test")
    real = images[..., None].astype("float32") / 127.5 - 1.0
    dataset = (
        tf.data.Dataset.from_tensor_slices(real)
        .repeat()
        .batch(args.batch_size, drop_remainder=True)
        .prefetch(tf.data.AUTOTUNE)
    )
    results: dict[str, Any] = {
        "machine": {"platform": platform.platform(), "cpus": os.cpu_count(), "tensorflow": tf.__version__},
        "settings": vars(args),
        "load_average_start": load_average(),
        "modes": {},
    }
    for mode in args.modes.split(","):
        jit = mode == "xla"
        entries = {}
        for name in CONFIGS:
            model, monitored = build(name, args.filters)
            model.compile(jit_compile=jit)
            timer = StepTimer()
            monitor = TimedMonitor(real_images=real[:1000], verbose=0) if monitored else None
            callbacks = [c for c in (monitor, timer) if c is not None]
            start = time.perf_counter()
            model.fit(dataset, steps_per_epoch=2, epochs=1, verbose=0, shuffle=False, callbacks=callbacks)  # compile
            entries[name] = {
                "model": model,
                "timer": timer,
                "callbacks": callbacks,
                "monitor": monitor,
                "first_epoch_s": time.perf_counter() - start,
            }
            print(f"[{mode}] built {name} (first epoch {entries[name]['first_epoch_s']:.1f}s)", flush=True)
        for _ in range(args.rounds):
            for entry in entries.values():
                entry["timer"].recording = True
                entry["model"].fit(
                    dataset,
                    steps_per_epoch=args.steps,
                    epochs=1,
                    verbose=0,
                    shuffle=False,
                    callbacks=entry["callbacks"],
                )
                entry["timer"].recording = False
        plain = statistics.median(entries["plain"]["timer"].durations)
        plain_cpu = statistics.median(entries["plain"]["timer"].cpu_durations)
        table = {}
        for name, entry in entries.items():
            step, cpu = statistics.median(entry["timer"].durations), statistics.median(entry["timer"].cpu_durations)
            row = {
                "step_ms": 1000 * step,
                "ratio": step / plain,
                "cpu_ms": 1000 * cpu,
                "cpu_ratio": cpu / plain_cpu,
                "first_epoch_s": entry["first_epoch_s"],
            }
            monitor = entry["monitor"]
            if monitor is not None:
                per_step = statistics.median(monitor.batch_seconds)
                epoch_end = statistics.median(monitor.epoch_end_seconds)
                mnist_epoch_steps = 60000 // args.batch_size
                row.update(
                    {
                        "monitor_per_step_ms": 1000 * per_step,
                        "monitor_epoch_end_ms": 1000 * epoch_end,
                        "monitor_share_per_step": per_step / plain,
                        "monitor_share_mnist_epoch": (per_step + epoch_end / mnist_epoch_steps) / plain,
                        "monitor_share_bench_epoch": (per_step + epoch_end / args.steps) / plain,
                    }
                )
            table[name] = row
        results["modes"][mode] = table
        print_table(mode, table, args)
    results["load_average_end"] = load_average()
    return results


def print_table(mode: str, table: dict[str, dict], args: argparse.Namespace) -> None:
    print(
        f"\n{mode}: small DCGAN (filters={args.filters}), batch {args.batch_size}, median of "
        f"{args.rounds} x {args.steps} steps; load average {load_average()}"
    )
    print(f"{'configuration':36s} {'CPU ms':>9s} {'x plain':>8s} {'wall ms':>9s} {'x plain':>8s}")
    for name, row in table.items():
        print(f"{name:36s} {row['cpu_ms']:9.1f} {row['cpu_ratio']:8.3f} {row['step_ms']:9.1f} {row['ratio']:8.3f}")
    monitor = table["monitor"]
    print(
        f"monitor: {monitor['monitor_per_step_ms']:.3f} ms per step "
        f"({100 * monitor['monitor_share_per_step']:.2f}% of the plain step), "
        f"{monitor['monitor_epoch_end_ms']:.0f} ms per epoch end; total "
        f"{100 * monitor['monitor_share_mnist_epoch']:.2f}% over a 60k-image MNIST epoch, "
        f"{100 * monitor['monitor_share_bench_epoch']:.2f}% over this benchmark's {args.steps}-step epochs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=20, help="timed steps per round and configuration")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved timing rounds")
    parser.add_argument("--filters", type=int, default=32, help="DCGAN width")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--modes", default="graph,xla", help="graph (XLA off), xla (XLA on), or both")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    keras.utils.set_random_seed(0)
    np.random.seed(0)
    results = run(args)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
