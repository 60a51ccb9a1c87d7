"""DCGAN throughput under MultiWorkerMirroredStrategy with 1 and 2 local worker processes on 127.0.0.1.

Run from the repository root (``run_all.py`` runs it)::

    python benchmarks/bench_multiworker.py --workers 2 [--batch 64 --steps 10 --intra 1]
    python benchmarks/bench_multiworker.py --workers 0      # the same model and batch without any strategy

``--batch`` is the *global* batch: with 2 workers each computes half of it, then the gradients are all-reduced
over gRPC on localhost (batch-norm statistics too: the default networks use synchronized batch norm). Both
workers share this machine's cores, so the run measures the strategy's overhead, not a speed-up: on a real
cluster each worker has its own machine (see docs/distributed.md). The chief (worker 0) reports its steps/s;
every worker's peak RSS is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for sock in sockets:
        sock.bind(("127.0.0.1", 0))
    ports = [sock.getsockname()[1] for sock in sockets]
    for sock in sockets:
        sock.close()
    return ports


def train(args, strategy=None) -> dict:
    """Builds DCGAN (inside the strategy's scope when given), fits, and returns this process's timings."""
    import contextlib

    import tensorflow as tf

    import keras_gans as kg

    if args.intra and strategy is None:
        tf.config.threading.set_intra_op_parallelism_threads(args.intra)
    images, _ = harness.mnist_images(args.batch * 4)
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    dataset = (
        tf.data.Dataset.from_tensor_slices(images).repeat().batch(args.batch, drop_remainder=True).with_options(options)
    )
    with strategy.scope() if strategy is not None else contextlib.nullcontext():
        model = kg.DCGAN(image_shape=(28, 28, 1), latent_dim=100, filters=64, seed=0)
        model.compile(jit_compile=bool(args.xla))
    timer = harness.step_timer(skip=args.warmup)
    model.fit(dataset, epochs=1, steps_per_epoch=1 + args.warmup + args.steps, verbose=0, callbacks=[timer])
    summary = harness.summarize(timer.times, timer.cpu_times)
    return {
        **summary,
        "images_per_s": summary["it_per_s"] * args.batch,
        "replicas": strategy.num_replicas_in_sync if strategy is not None else 1,
        "peak_rss_mb": harness.peak_rss_mb(),
    }


def run_worker(args) -> None:
    import tensorflow as tf

    workers = [f"127.0.0.1:{port}" for port in args.ports.split(",")]
    os.environ["TF_CONFIG"] = json.dumps(
        {"cluster": {"worker": workers}, "task": {"type": "worker", "index": args.worker_index}}
    )
    if args.intra:  # before the strategy initialises the runtime
        tf.config.threading.set_intra_op_parallelism_threads(args.intra)
    strategy = tf.distribute.MultiWorkerMirroredStrategy()
    harness.emit({"worker": args.worker_index, **train(args, strategy)})


def launch(args) -> dict:
    """Starts ``--workers`` processes with their TF_CONFIG and collects their results."""
    ports = ",".join(str(port) for port in free_ports(args.workers))
    common = ["--batch", args.batch, "--steps", args.steps, "--warmup", args.warmup, "--xla", args.xla]
    if args.intra:
        common += ["--intra", args.intra]
    env = dict(os.environ)
    env["PYTHONPATH"] = harness.ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("TF_CONFIG", None)
    procs = [
        subprocess.Popen(
            [sys.executable, __file__, "--worker-index", str(i), "--ports", ports, *map(str, common)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(args.workers)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=args.timeout)
        lines = [line for line in out.splitlines() if line.startswith(harness.RESULT_PREFIX)]
        if proc.returncode != 0 or not lines:
            return {"error": f"worker exit {proc.returncode}: {err[-2000:]}"}
        results.append(json.loads(lines[-1][len(harness.RESULT_PREFIX) :]))
    chief = results[0]
    return {
        "workers": args.workers,
        "batch": args.batch,
        "per_worker_batch": args.batch // args.workers,
        "xla": bool(args.xla),
        "intra_op_threads": args.intra or "default",
        **{k: chief[k] for k in ("steps", "median_s", "q1_s", "q3_s", "it_per_s", "images_per_s", "replicas")},
        "cpu_median_s_per_worker": [r.get("cpu_median_s") for r in results],
        "peak_rss_mb_per_worker": [r["peak_rss_mb"] for r in results],
        "load_average_1min": harness.load_average(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2, help="worker processes; 0: no strategy at all")
    parser.add_argument("--batch", type=int, default=64, help="global batch")
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--xla", type=int, choices=(0, 1), default=0)
    parser.add_argument("--intra", type=int, default=0, help="intra-op threads per process (0: TensorFlow's)")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--worker-index", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--ports", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_index is not None:
        run_worker(args)
    elif args.workers == 0:
        harness.emit({"workers": 0, "batch": args.batch, "intra_op_threads": args.intra or "default", **train(args)})
    else:
        harness.emit(launch(args))


if __name__ == "__main__":
    main()
