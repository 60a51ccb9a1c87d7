"""Time to quality: wall time for the default DCGAN to reach a stated MNIST-classifier FID.

Run from the repository root (``run_all.py`` runs it)::

    python benchmarks/bench_time_to_quality.py [--target-fid 15 --max-epochs 12 --samples 10000]

The only MNIST split on this project's machines is the 10,000-digit test set (``../shared/data/mnist``), so it is
both the training data and the FID reference; the number measures how fast the generator approaches the data it
trains on, not generalisation.

* Feature space: ``keras_gans.metrics.classifier.train_mnist_classifier`` trained for 3 epochs on the 10k digits
  (seeded), read through ``ClassifierFeatureExtractor`` (128-d penultimate ReLU features).
* Model: ``kg.DCGAN(image_shape=(28, 28, 1), latent_dim=100, filters=64)`` with its defaults (Adam(2e-4, 0.5)),
  batch 64 from ``keras_gans.data.from_mnist_idx`` (156 steps per epoch).
* After every epoch: ``--samples`` generated digits (fixed seed) -> features -> ``fid_from_features`` against the
  features of ``--samples`` real digits. Training stops at the first epoch whose FID is at most ``--target-fid``.

Reported: the FID after each epoch, the cumulative training wall time (evaluation excluded) and the total.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402

DEFAULT_TARGET_FID = 15.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target-fid", type=float, default=DEFAULT_TARGET_FID)
    parser.add_argument("--max-epochs", type=int, default=12)
    parser.add_argument("--samples", type=int, default=10_000, help="real and generated digits per FID")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--reuse", type=int, choices=(0, 1), default=None, help="reuse_fake_batch (default: model's)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--learning-rate", type=float, default=None, help="Adam learning rate of both networks (default: the model's)"
    )
    parser.add_argument("--beta-1", type=float, default=0.5, help="Adam beta_1 with --learning-rate")
    parser.add_argument("--xla", choices=("auto", "0", "1"), default="auto", help="compile(jit_compile=...)")
    args = parser.parse_args()

    import keras
    import numpy as np

    import keras_gans as kg
    from keras_gans.data.idx import default_mnist_dir, load_mnist_idx
    from keras_gans.metrics import fid_from_features
    from keras_gans.metrics.classifier import train_mnist_classifier
    from keras_gans.metrics.extractors import ClassifierFeatureExtractor

    start = time.perf_counter()
    images, labels = load_mnist_idx(default_mnist_dir(), split="test")
    real = images[..., None].astype("float32") / 127.5 - 1.0
    keras.utils.set_random_seed(args.seed)
    classifier = train_mnist_classifier(real, labels, epochs=3)
    accuracy = float(np.mean(np.argmax(classifier.predict(real, verbose=0), axis=1) == labels))
    extractor = ClassifierFeatureExtractor(classifier, batch_size=500)
    real_features = extractor.features(real[: args.samples])
    setup_s = time.perf_counter() - start

    options = {} if args.reuse is None else {"reuse_fake_batch": bool(args.reuse)}
    model = kg.DCGAN(image_shape=(28, 28, 1), latent_dim=100, filters=64, seed=args.seed, **options)
    optimizers = {}
    if args.learning_rate:
        optimizers = {
            f"{net}_optimizer": keras.optimizers.Adam(args.learning_rate, beta_1=args.beta_1) for net in ("d", "g")
        }
    model.compile(jit_compile="auto" if args.xla == "auto" else bool(int(args.xla)), **optimizers)
    dataset = kg.data.from_mnist_idx(default_mnist_dir(), batch_size=args.batch, seed=args.seed)
    steps_per_epoch = int(dataset.cardinality())

    def fid() -> float:
        fake = model.generate(args.samples, seed=12345, batch_size=500)
        return fid_from_features(real_features, extractor.features(fake))

    initial_fid = fid()
    history, train_s, eval_s, reached = [], 0.0, 0.0, None
    for epoch in range(1, args.max_epochs + 1):
        tick = time.perf_counter()
        model.fit(dataset, epochs=1, verbose=0)
        train_s += time.perf_counter() - tick
        tick = time.perf_counter()
        value = fid()
        eval_s += time.perf_counter() - tick
        history.append({"epoch": epoch, "steps": epoch * steps_per_epoch, "train_s": train_s, "fid": value})
        print(f"epoch {epoch}: FID {value:.2f} after {train_s:.0f} s of training", file=sys.stderr, flush=True)
        if value <= args.target_fid:
            reached = history[-1]
            break
    harness.emit(
        {
            "target_fid": args.target_fid,
            "samples": args.samples,
            "batch": args.batch,
            "steps_per_epoch": steps_per_epoch,
            "reuse_fake_batch": model.options.reuse_fake_batch,
            "jit_compile": bool(model.jit_compile),
            "optimizer": {
                "learning_rate": float(model.g_optimizer.learning_rate),
                "beta_1": float(model.g_optimizer.beta_1),
            },
            "classifier_accuracy": accuracy,
            "initial_fid": initial_fid,
            "reached": reached is not None,
            "epochs_to_target": reached["epoch"] if reached else None,
            "train_s_to_target": reached["train_s"] if reached else None,
            "history": history,
            "setup_s (classifier + real features)": setup_s,
            "eval_s": eval_s,
            "total_s": time.perf_counter() - start,
            "peak_rss_mb": harness.peak_rss_mb(),
            "load_average_1min": harness.load_average(),
        }
    )


if __name__ == "__main__":
    main()
