"""Helpers shared by the benchmarks: the machine's description, step timing inside ``fit``, memory, subprocesses.

Every benchmark configuration runs in its own process (peak RSS is per process, and TensorFlow's threading must be
set before it starts); the process prints one line ``BENCH_RESULT {json}`` that :func:`run_config` parses. Nothing
here names a device: on a GPU host the same scripts measure the GPU.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from typing import Any

# What `import keras_gans` chooses when it loads before TensorFlow (keras_gans.utils.runtime); the benchmark
# scripts import keras first, so they make the same choice here. TF_ENABLE_ONEDNN_OPTS=0 measures without it.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

__all__ = [
    "RESULT_PREFIX",
    "emit",
    "load_average",
    "machine_info",
    "mnist_images",
    "peak_rss_mb",
    "rss_mb",
    "run_config",
    "step_timer",
    "summarize",
    "tf_threading",
]

RESULT_PREFIX = "BENCH_RESULT "
#: The CPU flags the results show: the vector extensions that decide float32 and bfloat16 speed (AMX included).
SHOWN_CPU_FLAGS = ("avx2", "fma", "avx512f", "avx512_bf16", "avx512_fp16", "avx512_vnni", "amx_tile", "amx_bf16")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def emit(result: dict) -> None:
    """Prints the result line a parent :func:`run_config` reads."""
    print(RESULT_PREFIX + json.dumps(result), flush=True)


def run_config(script: str, args: Sequence[str], timeout: float = 3600, env: dict | None = None) -> dict:
    """Runs ``benchmarks/<script> args`` in a fresh Python process and returns its result (or ``{"error": ...}``)."""
    full_env = dict(os.environ)
    full_env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    full_env["PYTHONPATH"] = ROOT + os.pathsep + full_env.get("PYTHONPATH", "")
    full_env.pop("TF_CONFIG", None)
    full_env.update(env or {})
    command = [sys.executable, os.path.join(HERE, script), *map(str, args)]
    try:
        proc = subprocess.run(command, env=full_env, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout:.0f} s: {' '.join(command[1:])}"}
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :])
    tail = (proc.stderr or proc.stdout)[-2000:]
    return {"error": f"exit {proc.returncode}: {' '.join(command[1:])}\n{tail}"}


def summarize(seconds: Sequence[float], cpu_seconds: Sequence[float] = ()) -> dict:
    """Median and quartiles of per-step wall times, the median rate (steps per second) and the median CPU time."""
    values = sorted(seconds)
    if not values:
        return {"steps": 0}
    quartiles = statistics.quantiles(values, n=4) if len(values) > 1 else [values[0]] * 3
    median = statistics.median(values)
    summary = {
        "steps": len(values),
        "median_s": median,
        "q1_s": quartiles[0],
        "q3_s": quartiles[2],
        "it_per_s": 1.0 / median,
    }
    if cpu_seconds:
        summary["cpu_median_s"] = statistics.median(cpu_seconds)
    return summary


def peak_rss_mb() -> float:
    """This process's peak resident set size in MiB (``ru_maxrss`` is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def rss_mb() -> float:
    """This process's current resident set size in MiB (from ``/proc``; psutil when available elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as file:
            return int(file.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        import psutil

        return psutil.Process().memory_info().rss / 2**20


def load_average() -> float | None:
    """1-minute load average (other processes competing for the cores), or None where unknown."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def tf_threading() -> dict:
    """TensorFlow's thread-pool settings (0 means TensorFlow's default: one thread per core) and oneDNN's switch."""
    import tensorflow as tf

    from keras_gans.utils.runtime import onednn_enabled

    return {
        "intra_op": tf.config.threading.get_intra_op_parallelism_threads(),
        "inter_op": tf.config.threading.get_inter_op_parallelism_threads(),
        "cores": os.cpu_count(),
        "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "unset"),
        "onednn": onednn_enabled(),
    }


def _total_memory_gib() -> float | None:
    try:
        return round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        return None


def machine_info() -> dict:
    """The machine, library versions, devices and the date, for the results file."""
    import keras
    import tensorflow as tf

    from keras_gans.utils.runtime import cpu_model

    info: dict[str, Any] = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _total_memory_gib(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "devices": [f"{d.device_type}:{d.name.rsplit(':', 1)[-1]}" for d in tf.config.list_physical_devices()],
        "gpus": [
            tf.config.experimental.get_device_details(d).get("device_name", d.name)
            for d in tf.config.list_physical_devices("GPU")
        ],
        "tf_threading": tf_threading(),
        "load_average_1min": load_average(),
    }
    from keras_gans.engine.precision import detect_hardware, native_bfloat16

    hardware = detect_hardware()
    flags = hardware.cpu_flags
    info["cpu_flags"] = "unknown" if flags is None else " ".join(f for f in SHOWN_CPU_FLAGS if f in flags) or "none"
    native, why = native_bfloat16(hardware)
    info["bfloat16"] = f"{'native' if native else 'not native'}: {why}"
    try:
        import torch

        info["torch"] = torch.__version__
        info["torch_threads"] = torch.get_num_threads()
    except ImportError:
        info["torch"] = None
    return info


def mnist_images(count: int | None = None, with_tensorflow: bool = True) -> tuple[Any, Any]:
    """The real MNIST test digits as float32 (N, 28, 28, 1) in [-1, 1] and int32 labels (read, never copied).

    ``with_tensorflow=False`` reads the same files (``$KERAS_GANS_MNIST_DIR`` or ``../shared/data/mnist``, as
    ``keras_gans.data.idx.default_mnist_dir``) with numpy alone, so that the PyTorch benchmark never loads TensorFlow.
    """
    if with_tensorflow:
        from keras_gans.data.idx import default_mnist_dir, load_mnist_idx

        images, labels = load_mnist_idx(default_mnist_dir(), split="test")
    else:
        import gzip

        import numpy as np

        directory = os.environ.get("KERAS_GANS_MNIST_DIR") or os.path.join(
            os.path.dirname(ROOT), "shared", "data", "mnist"
        )

        def read(stem: str, offset: int) -> Any:
            path = os.path.join(directory, stem)
            opener = gzip.open if os.path.exists(path + ".gz") else open
            with opener(path + ".gz" if os.path.exists(path + ".gz") else path, "rb") as file:
                return np.frombuffer(file.read(), dtype=np.uint8, offset=offset)

        images = read("t10k-images-idx3-ubyte", 16).reshape(-1, 28, 28)
        labels = read("t10k-labels-idx1-ubyte", 8)
    images = images[:count, :, :, None].astype("float32") / 127.5 - 1.0
    return images, labels[:count].astype("int32")


def step_timer(skip: int = 1) -> Any:
    """A ``keras.callbacks.Callback`` recording wall and process CPU time per ``fit`` step after ``skip`` steps.

    The interval from one batch's end to the next covers everything ``fit`` does for a step: fetching the batch
    from the input pipeline, the compiled train function and the callbacks. The CPU time (all threads of this
    process) is the work itself: on a machine shared with other jobs it varies less than the wall time. Its
    ``times`` and ``cpu_times`` lists hold the measurements. (Built on call: this module must not import Keras.)
    """
    import keras

    class StepTimer(keras.callbacks.Callback):
        def __init__(self) -> None:
            super().__init__()
            self.times: list[float] = []
            self.cpu_times: list[float] = []
            self._last: tuple[float, float] | None = None
            self._seen = 0

        def on_train_begin(self, logs=None) -> None:
            self._last, self._seen = None, 0

        def on_train_batch_end(self, batch, logs=None) -> None:
            now = (time.perf_counter(), time.process_time())
            if self._last is not None and self._seen >= skip:
                self.times.append(now[0] - self._last[0])
                self.cpu_times.append(now[1] - self._last[1])
            self._last = now
            self._seen += 1

    return StepTimer()


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    emit(machine_info())
