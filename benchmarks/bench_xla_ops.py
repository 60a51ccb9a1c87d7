"""Where XLA wins or loses: the pieces of a DCGAN step timed with and without ``jit_compile``.

Run from the repository root (``run_all.py`` runs it)::

    python benchmarks/bench_xla_ops.py [--batch 64 --rounds 5]

Each piece is a ``tf.function`` traced twice (``jit_compile=False`` and ``True``) and timed alternately, ``--rounds``
rounds of 3 calls each, so that load from other processes falls on both alike; the median call is reported.

Pieces: every convolution of ``kg.DCGAN(image_shape=(28, 28, 1), latent_dim=100, filters=64)`` on its own (forward,
forward + input gradient, forward + kernel gradient); the generator's and discriminator's forward and backward
passes; Adam on G's variables; and the whole train step (``fit``'s compiled function, as ``jit_compile`` makes it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402


def conv_pieces(tf, batch: int) -> dict[str, Callable]:
    """Forward / input-gradient / kernel-gradient of each DCGAN convolution (28x28x1, filters=64, k5)."""
    cases = {
        "G convT 256->128 s1 7x7": ([batch, 7, 7, 256], [5, 5, 128, 256], 1, [batch, 7, 7, 128]),
        "G convT 128->64 s2 ->14x14": ([batch, 7, 7, 128], [5, 5, 64, 128], 2, [batch, 14, 14, 64]),
        "G convT 64->1 s2 ->28x28": ([batch, 14, 14, 64], [5, 5, 1, 64], 2, [batch, 28, 28, 1]),
        "D conv 1->64 s2 ->14x14": ([batch, 28, 28, 1], [5, 5, 1, 64], 2, None),
        "D conv 64->128 s2 ->7x7": ([batch, 14, 14, 64], [5, 5, 64, 128], 2, None),
    }
    pieces = {}
    for name, (x_shape, k_shape, stride, out_shape) in cases.items():
        x = tf.random.normal(x_shape)
        kernel = tf.Variable(tf.random.normal(k_shape) * 0.02)

        def op(x, kernel=kernel, stride=stride, out_shape=out_shape):
            if out_shape is not None:
                return tf.nn.conv2d_transpose(x, kernel, out_shape, stride, padding="SAME")
            return tf.nn.conv2d(x, kernel, stride, padding="SAME")

        def forward(x=x, op=op):
            return op(x)

        def input_grad(x=x, op=op):
            with tf.GradientTape(watch_accessed_variables=False) as tape:
                tape.watch(x)
                loss = tf.reduce_sum(tf.square(op(x)))
            return tape.gradient(loss, x)

        def kernel_grad(x=x, op=op, kernel=kernel):
            with tf.GradientTape() as tape:
                loss = tf.reduce_sum(tf.square(op(x)))
            return tape.gradient(loss, kernel)

        pieces[f"{name}: forward"] = forward
        pieces[f"{name}: forward + d/dinput"] = input_grad
        pieces[f"{name}: forward + d/dkernel"] = kernel_grad
    return pieces


def network_pieces(tf, keras, batch: int) -> dict[str, Callable]:
    import keras_gans as kg

    model = kg.DCGAN(image_shape=(28, 28, 1), latent_dim=100, filters=64, seed=0)
    generator, discriminator = model.generator, model.discriminator
    z = tf.random.normal([batch, 100])
    images = tf.random.uniform([batch, 28, 28, 1], -1.0, 1.0)
    optimizer = keras.optimizers.Adam(2e-4, beta_1=0.5)
    optimizer.build(generator.trainable_variables)
    zeros = [tf.zeros_like(v) for v in generator.trainable_variables]

    def g_forward():
        return generator(z, training=True)

    def g_backward():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(generator(z, training=True))
        return tape.gradient(loss, generator.trainable_variables)

    def d_backward_weights():
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(discriminator(images, training=True))
        return tape.gradient(loss, discriminator.trainable_variables)

    def d_backward_input():
        with tf.GradientTape(watch_accessed_variables=False) as tape:
            tape.watch(images)
            loss = tf.reduce_mean(discriminator(images, training=True))
        return tape.gradient(loss, images)

    def adam():
        optimizer.apply_gradients(zip(zeros, generator.trainable_variables))
        return optimizer.iterations

    return {
        "G forward (training)": g_forward,
        "G forward + backward": g_backward,
        "D forward + backward (weights)": d_backward_weights,
        "D forward + backward (input)": d_backward_input,
        "Adam update of G (1.9M weights)": adam,
    }


def median_call_ms(function: Callable, calls: int = 3) -> float:
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return 1e3 * statistics.median(times)


def time_pair(tf, function: Callable, rounds: int) -> tuple[float, float]:
    graph, xla = tf.function(function), tf.function(function, jit_compile=True)
    for compiled in (graph, xla):
        compiled()
        compiled()
    graph_ms, xla_ms = [], []
    for _ in range(rounds):
        graph_ms.append(median_call_ms(graph))
        xla_ms.append(median_call_ms(xla))
    return statistics.median(graph_ms), statistics.median(xla_ms)


def train_step_pair(batch: int, rounds: int) -> tuple[float, float]:
    """The whole train step through ``fit``'s compiled function, graph vs XLA, alternated."""
    import tensorflow as tf

    import keras_gans as kg

    images, _ = harness.mnist_images(batch)
    functions = []
    for jit in (False, True):
        model = kg.DCGAN(image_shape=(28, 28, 1), latent_dim=100, filters=64, seed=0)
        model.compile(jit_compile=jit)
        iterator = iter(tf.data.Dataset.from_tensors(images).repeat())
        train_function = model.make_train_function()
        functions.append(lambda f=train_function, it=iterator: f(it))
        functions[-1]()
        functions[-1]()
    graph_ms, xla_ms = [], []
    for _ in range(rounds):
        graph_ms.append(median_call_ms(functions[0]))
        xla_ms.append(median_call_ms(functions[1]))
    return statistics.median(graph_ms), statistics.median(xla_ms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-convolutions", action="store_true")
    args = parser.parse_args()

    import keras
    import tensorflow as tf

    rows = []
    pieces = {} if args.skip_convolutions else conv_pieces(tf, args.batch)
    pieces.update(network_pieces(tf, keras, args.batch))
    for name, function in pieces.items():
        graph_ms, xla_ms = time_pair(tf, function, args.rounds)
        rows.append({"piece": name, "graph_ms": graph_ms, "xla_ms": xla_ms, "xla_over_graph": xla_ms / graph_ms})
        print(f"{name:48s} {graph_ms:8.1f} {xla_ms:8.1f} ms", file=sys.stderr, flush=True)
    graph_ms, xla_ms = train_step_pair(args.batch, args.rounds)
    rows.append(
        {"piece": "whole DCGAN train step", "graph_ms": graph_ms, "xla_ms": xla_ms, "xla_over_graph": xla_ms / graph_ms}
    )
    harness.emit(
        {
            "batch": args.batch,
            "rounds": args.rounds,
            "rows": rows,
            "threading": harness.tf_threading(),
            "load_average_1min": harness.load_average(),
        }
    )


if __name__ == "__main__":
    main()
