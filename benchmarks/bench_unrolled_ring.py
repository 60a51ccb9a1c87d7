"""Unrolled GAN on the 2-D ring of 8 Gaussians: modes covered against training steps, with and without unrolling.

Run from the repository root::

    python benchmarks/bench_unrolled_ring.py [--preset fast] [--seeds 0 1 2] [--unroll 0 5] [--steps 1000]

Plain TensorFlow / Keras (no keras_gans model class) around ``keras_gans.engine.unrolling.unrolled_variables``
(Metz, Poole, Pfau and Sohl-Dickstein, "Unrolled Generative Adversarial Networks", ICLR 2017). The loss is the
saddle objective ``L = -log D(x) - log(1 - D(G(z)))``: D minimises it, G maximises it at D's weights after
``--unroll`` differentiable Adam steps continued from D's optimizer state (same batch for every unrolled step,
second-order terms included unless ``--first-order``); ``--unroll 0`` is the plain GAN. Presets (every flag
overrides its preset value):

* ``paper`` (the paper's appendix): G z ~ N(0, I_256) -> 2 x 128 ReLU -> 2, D x / 4 -> 1 x 128 ReLU -> logit,
  orthogonal initialisation with gain 0.8, Adam(1e-4, beta_1 = 0.5) for both, batch 512, alternating updates (D,
  then G). Slow: the plain GAN collapses within 1,000 steps, but tens of thousands are needed to converge.
* ``notebook`` (github.com/poolio/unrolled_gan): 2 x 128 tanh for both, gain 1.4, G lr 1e-3, D lr 1e-4, batch
  512, simultaneous updates (both gradients at the same weights). With the paper's ring (radius 2, std 0.02) the
  plain GAN does not collapse here: nothing for unrolling to fix.
* ``fast`` (default): the paper's networks with both learning rates 1e-3, batch 256 and z of dimension 64; the plain
  GAN collapses within a few hundred steps, unrolled GANs cover all 8 modes by about 1,000.

The data is the paper's ring (radius 2, std 0.02, ``keras_gans.data.toy``); every ``--eval-every`` steps,
``--eval-samples`` samples of G (a fixed z) are scored with ``keras_gans.metrics.modes.mode_coverage`` (a mode is
covered by ``--min-count`` samples within ``--threshold-stds`` std; VEEGAN's 1 and 3). One step is one update of
each network. Seconds are wall-clock from the first step, tracing included (also printed on its own, "trace_s").
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")


def _mlp(
    inputs: int, hidden: int, layers: int, outputs: int, activation: str, gain: float, seed: int, name: str, scale=1.0
):
    import keras

    stack = [keras.Input((inputs,))]
    if scale != 1.0:
        stack.append(keras.layers.Rescaling(scale))
    for i in range(layers):
        init = keras.initializers.Orthogonal(gain=gain, seed=seed + i)
        stack.append(keras.layers.Dense(hidden, activation=activation, kernel_initializer=init))
    stack.append(keras.layers.Dense(outputs, kernel_initializer=keras.initializers.Orthogonal(gain, seed + layers)))
    return keras.Sequential(stack, name=name)


def run(args: argparse.Namespace, seed: int, unroll: int) -> list[dict]:
    import keras
    import numpy as np
    import tensorflow as tf

    from keras_gans.data.toy import ring_centers, ring_of_gaussians
    from keras_gans.engine.unrolling import unrolled_variables
    from keras_gans.metrics.modes import mode_coverage

    keras.utils.set_random_seed(seed)
    generator = _mlp(args.z_dim, args.hidden, args.g_layers, 2, args.activation, args.gain, 100 * seed, "generator")
    discriminator = _mlp(
        2, args.hidden, args.d_layers, 1, args.activation, args.gain, 100 * seed + 50, "discriminator", args.d_scale
    )
    g_opt = keras.optimizers.Adam(args.g_lr, beta_1=args.beta1, epsilon=args.epsilon)
    d_opt = keras.optimizers.Adam(args.d_lr, beta_1=args.beta1, epsilon=args.epsilon)
    g_opt.build(generator.trainable_variables)
    d_opt.build(discriminator.trainable_variables)
    pool = tf.constant(ring_of_gaussians(args.pool, radius=args.radius, std=args.std, seed=seed))
    rng = tf.random.Generator.from_seed(seed)
    z_eval = np.random.default_rng(seed + 1000).standard_normal((args.eval_samples, args.z_dim)).astype("float32")
    centers = ring_centers(8, args.radius)

    def saddle(logits_real, logits_fake):
        return tf.reduce_mean(tf.nn.softplus(-logits_real)) + tf.reduce_mean(tf.nn.softplus(logits_fake))

    def g_loss_of(logits_real, logits_fake):
        if args.loss == "minimax":
            return -saddle(logits_real, logits_fake)
        return tf.reduce_mean(tf.nn.softplus(-logits_fake))  # non-saturating: -log D(G(z))

    def d_step():
        real = tf.gather(pool, rng.uniform((args.batch,), 0, args.pool, dtype=tf.int64))
        fake = generator(rng.normal((args.batch, args.z_dim)), training=True)
        with tf.GradientTape() as d_tape:
            d_loss = saddle(discriminator(real, training=True), discriminator(fake, training=True))
        d_opt.apply(d_tape.gradient(d_loss, discriminator.trainable_variables), discriminator.trainable_variables)
        return d_loss

    def generator_loss(real, fake):
        """G's loss at D's weights, or at D's weights after ``unroll`` Adam steps on this batch."""
        weights = discriminator.trainable_variables
        if unroll:
            weights = unrolled_variables(
                discriminator,
                None,
                None,
                lambda forward: saddle(forward(real), forward(fake)),
                unroll,
                adam_state=d_opt,
                second_order=not args.first_order,
            )
        state = discriminator.non_trainable_variables
        logits_real, _ = discriminator.stateless_call(weights, state, real, training=True)
        logits_fake, _ = discriminator.stateless_call(weights, state, fake, training=True)
        return g_loss_of(logits_real, logits_fake)

    def g_step():
        real = tf.gather(pool, rng.uniform((args.batch,), 0, args.pool, dtype=tf.int64))
        with tf.GradientTape() as g_tape:
            g_loss = generator_loss(real, generator(rng.normal((args.batch, args.z_dim)), training=True))
        g_opt.apply(g_tape.gradient(g_loss, generator.trainable_variables), generator.trainable_variables)
        return g_loss

    def train_step():
        if args.update == "alternating":  # one step: a D update, then a G update
            d_step()
            return g_step()
        real = tf.gather(pool, rng.uniform((args.batch,), 0, args.pool, dtype=tf.int64))
        z = rng.normal((args.batch, args.z_dim))
        with tf.GradientTape() as g_tape:  # simultaneous: both gradients at the same weights
            fake = generator(z, training=True)
            with tf.GradientTape() as d_tape:
                d_loss = saddle(discriminator(real, training=True), discriminator(fake, training=True))
            g_loss = generator_loss(real, fake)
        d_grads = d_tape.gradient(d_loss, discriminator.trainable_variables)
        g_grads = g_tape.gradient(g_loss, generator.trainable_variables)
        d_opt.apply(d_grads, discriminator.trainable_variables)
        g_opt.apply(g_grads, generator.trainable_variables)
        return d_loss

    def train_steps(n):
        for _ in tf.range(n):
            loss = train_step()
        return loss

    step_fn = tf.function(train_steps, jit_compile=bool(args.xla))
    rows, done = [], 0
    start = time.perf_counter()
    first = None
    while done < args.steps:
        n = min(args.eval_every, args.steps - done)
        if first is None:
            step_fn(tf.constant(1)).numpy()  # trace (and compile) on one step, timed apart
            first = time.perf_counter() - start
            n -= 1
            done += 1
        if n > 0:
            step_fn(tf.constant(n)).numpy()
        done += n
        elapsed = time.perf_counter() - start
        result = mode_coverage(
            generator(z_eval, training=False).numpy(), centers, args.std, args.threshold_stds, args.min_count
        )
        rows.append(
            {
                "seed": seed,
                "unroll": unroll,
                "step": done,
                "modes": result["modes_covered"],
                "hq": result["high_quality_fraction"],
                "kl": result["kl_mode_distribution"],
                "seconds": elapsed,
                "compile": first,
            }
        )
        print(
            f"  seed {seed} unroll {unroll:2d} step {done:6d}: modes {rows[-1]['modes']} hq {rows[-1]['hq']:.3f} "
            f"kl {rows[-1]['kl']:.3f} {elapsed:7.1f} s  counts {result['counts'].tolist()}",
            flush=True,
        )
    return rows


_PAPER = {
    "batch": 512,
    "z_dim": 256,
    "activation": "relu",
    "gain": 0.8,
    "g_layers": 2,
    "d_layers": 1,
    "d_scale": 0.25,
    "g_lr": 1e-4,
    "d_lr": 1e-4,
    "update": "alternating",
}
PRESETS = {
    "paper": _PAPER,
    "notebook": {
        **_PAPER,
        "activation": "tanh",
        "gain": 1.4,
        "d_layers": 2,
        "d_scale": 1.0,
        "g_lr": 1e-3,
        "update": "simultaneous",
    },
    "fast": {**_PAPER, "batch": 256, "z_dim": 64, "g_lr": 1e-3, "d_lr": 1e-3},
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=sorted(PRESETS), default="fast")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--unroll", type=int, nargs="+", default=[0, 5])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--eval-every", type=int, default=250)
    parser.add_argument("--batch", type=int, default=None)
    parser.add_argument("--z-dim", type=int, default=None)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--g-layers", type=int, default=None)
    parser.add_argument("--d-layers", type=int, default=None)
    parser.add_argument("--d-scale", type=float, default=None, help="D multiplies its input by this first")
    parser.add_argument("--update", choices=("simultaneous", "alternating"), default=None)
    parser.add_argument("--loss", choices=("minimax", "nonsaturating"), default="minimax", help="G's loss")
    parser.add_argument("--min-count", type=int, default=1, help="samples a mode needs to count as covered")
    parser.add_argument("--threshold-stds", type=float, default=3.0, help="high quality: within this many std")
    parser.add_argument("--activation", default=None)
    parser.add_argument("--gain", type=float, default=None, help="orthogonal initialisation gain")
    parser.add_argument("--g-lr", type=float, default=None)
    parser.add_argument("--d-lr", type=float, default=None)
    parser.add_argument("--beta1", type=float, default=0.5)
    parser.add_argument("--epsilon", type=float, default=1e-8)
    parser.add_argument("--radius", type=float, default=2.0)
    parser.add_argument("--std", type=float, default=0.02)
    parser.add_argument("--first-order", action="store_true", help="stop gradients through the unrolled updates")
    parser.add_argument("--xla", type=int, choices=(0, 1), default=0, help="XLA: slower on CPU for these MLPs")
    parser.add_argument("--pool", type=int, default=1 << 18, help="real samples drawn once, batches resampled")
    parser.add_argument("--eval-samples", type=int, default=2500)
    args = parser.parse_args()
    for key, value in PRESETS[args.preset].items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    print(" ".join(f"{k}={v}" for k, v in sorted(vars(args).items())), flush=True)

    import keras_gans.utils.runtime  # noqa: F401  (oneDNN choice before TensorFlow loads, as keras_gans does)

    rows = []
    for unroll in args.unroll:
        for seed in args.seeds:
            rows += run(args, seed, unroll)

    print(
        f"\nmodes covered of 8 ({args.eval_samples} samples, >= {args.min_count} within {args.threshold_stds:g} std) "
        f"(seconds, tracing included) by step; load average {os.getloadavg()[0]:.1f}"
    )
    steps = sorted({r["step"] for r in rows})
    print("seed unroll trace_s | " + " | ".join(f"{s:>11d}" for s in steps))
    for unroll in args.unroll:
        for seed in args.seeds:
            mine = {r["step"]: r for r in rows if r["seed"] == seed and r["unroll"] == unroll}
            cells = [f"{mine[s]['modes']:d} ({mine[s]['seconds']:5.1f}s)" if s in mine else " " * 11 for s in steps]
            print(f"{seed:4d} {unroll:6d} {mine[steps[0]]['compile']:7.1f} | " + " | ".join(cells))


if __name__ == "__main__":
    main()
