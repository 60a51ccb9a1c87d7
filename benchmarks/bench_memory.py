"""Resident memory of one model across many short epochs: it must not grow once training is warmed up.

Run from the repository root (``run_all.py`` runs it once per model)::

    python benchmarks/bench_memory.py --model DCGAN [--epochs 20 --images 512 --batch 64]

A small run: ``--images`` real MNIST test digits through the ``keras_gans.data`` pipeline (``from_arrays``:
shuffle, batch, normalise, prefetch), ``filters=16``, one ``fit`` of ``--epochs`` epochs with a callback that reads
the process's RSS after every epoch. Reported: RSS after epoch 1, 2 and the last, the growth from epoch 2 to the
last (epoch 1 includes tracing and the allocator's warm-up), and the least-squares slope in MiB per epoch over
epochs 2..last. A leak shows as a steady positive slope; allocator noise as a few MiB either way.
"""

from __future__ import annotations

import argparse
import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402

MODELS = ("GAN", "DCGAN", "CGAN", "WGANGP", "LSGAN")
# Growth judged a leak: a slope above this many MiB per epoch (allocator noise is well below it).
LEAK_SLOPE_MIB_PER_EPOCH = 1.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=MODELS, default="DCGAN")
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--images", type=int, default=512)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--xla", type=int, choices=(0, 1), default=0)
    args = parser.parse_args()

    import keras
    import numpy as np

    import keras_gans as kg

    images, labels = harness.mnist_images(args.images)
    kwargs = {"image_shape": (28, 28, 1), "latent_dim": 100, "seed": 0}
    if args.model == "GAN":
        model = kg.GAN(hidden_units=((128, 256), (256, 128)), **kwargs)
    elif args.model == "CGAN":
        model = kg.CGAN(num_classes=10, filters=16, **kwargs)
    else:
        model = getattr(kg, args.model)(filters=16, **kwargs)
    model.compile(jit_compile=bool(args.xla))
    conditional = model.num_classes is not None
    dataset = kg.data.from_arrays(images, labels if conditional else None, batch_size=args.batch, seed=0)

    rss: list[float] = []

    class RecordRss(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None) -> None:
            rss.append(harness.rss_mb())

    model.fit(dataset, epochs=args.epochs, verbose=0, callbacks=[RecordRss()])
    later = np.asarray(rss[1:])
    slope = float(np.polyfit(np.arange(len(later)), later, 1)[0]) if len(later) > 1 else 0.0
    harness.emit(
        {
            "model": args.model,
            "epochs": args.epochs,
            "steps_per_epoch": args.images // args.batch,
            "rss_epoch1_mb": rss[0],
            "rss_epoch2_mb": rss[1] if len(rss) > 1 else None,
            "rss_last_mb": rss[-1],
            "growth_from_epoch2_mb": rss[-1] - rss[1] if len(rss) > 1 else 0.0,
            "slope_mb_per_epoch": slope,
            "leak": slope > LEAK_SLOPE_MIB_PER_EPOCH,
            "peak_rss_mb": harness.peak_rss_mb(),
            "rss_per_epoch_mb": rss,
        }
    )


if __name__ == "__main__":
    main()
