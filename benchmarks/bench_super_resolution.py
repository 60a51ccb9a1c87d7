"""Super-resolution benchmark: quality vs bicubic (MNIST x4 / x2, skimage photographs), tiled-upscale throughput
and memory, train-step speed beside the same networks in PyTorch eager. A few minutes on 2 CPU cores.

    python benchmarks/bench_super_resolution.py [--steps 300] [--out results.json]

PSNR/SSIM as BasicSR reports them: Y channel (BT.601) for colour, grey values for digits, ``scale`` pixels cropped
at every border; the bicubic baseline upscales the same low-res inputs. Low-res inputs: antialiased bicubic.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time

import keras
import numpy as np

import keras_gans as kg
from keras_gans.metrics.super_resolution import super_resolution_scores

SMALL = {"filters": 32, "num_blocks": 4, "d_filters": 16, "content": None}


def _mnist():
    directory = os.environ.get(
        "KERAS_GANS_MNIST_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "mnist")
    )
    images, labels = kg.data.load_mnist_idx(directory)
    return (images[..., None].astype(np.float32) / 127.5 - 1.0), labels.astype(np.int32)


def mnist_quality(scale: int, steps: int, classifier) -> dict:
    images, labels = _mnist()
    train, held, held_labels = images[:8000], images[8000:], labels[8000:]
    model = kg.SRGAN(scale=scale, channels=1, pretrain_steps=steps, seed=0, **SMALL)
    model.compile(g_optimizer=keras.optimizers.Adam(1e-3))
    start = time.perf_counter()
    model.fit(train, batch_size=32, epochs=1, steps_per_epoch=steps, verbose=0)
    seconds = time.perf_counter() - start
    scores = super_resolution_scores(model, held, num_samples=2000, classifier=classifier, labels=held_labels)
    return {
        "scale": scale,
        "steps": steps,
        "train_seconds": round(seconds, 1),
        **{k: round(v, 4) for k, v in scores.items()},
    }


def photo_quality(steps: int) -> dict | None:
    try:
        from skimage import data as skdata
    except ImportError:
        return None
    train_photos = [skdata.astronaut(), skdata.coffee(), skdata.chelsea()]
    test_photos = [skdata.rocket()]
    rng = np.random.default_rng(0)
    crops = []
    for photo in train_photos:
        photo = photo.astype(np.float32) / 127.5 - 1.0
        for _ in range(400):
            y, x = rng.integers(0, photo.shape[0] - 48), rng.integers(0, photo.shape[1] - 48)
            crops.append(photo[y : y + 48, x : x + 48])
    crops = np.stack(crops)
    model = kg.SRGAN(scale=2, channels=3, pretrain_steps=steps, seed=0, **SMALL)
    model.compile(g_optimizer=keras.optimizers.Adam(1e-3))
    model.fit(crops, batch_size=16, epochs=1, steps_per_epoch=steps, verbose=0)
    test = test_photos[0].astype(np.float32) / 127.5 - 1.0
    test = test[: test.shape[0] // 2 * 2, : test.shape[1] // 2 * 2][None]
    scores = super_resolution_scores(model, test, num_samples=1)
    return {
        "train": "astronaut, coffee, chelsea (48x48 crops)",
        "test": "rocket (whole photo, tiled)",
        "steps": steps,
        **{k: round(v, 4) for k, v in scores.items()},
    }


def tiled_throughput() -> dict:
    model = kg.SRGAN(scale=4, channels=3, filters=16, num_blocks=4, d_filters=8, content=None, seed=0)
    image = np.random.default_rng(0).uniform(-1, 1, (1024, 1024, 3)).astype(np.float32)
    model.upscale_image(image[:64, :64], tile_size=64)  # trace
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    out = model.upscale_image(image, tile_size=128)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "input": "1024x1024x3",
        "output": list(out.shape),
        "network": "SRResNet 16 filters, 4 blocks, x4",
        "tile_size": 128,
        "overlap": model.receptive_radius,
        "seconds": round(seconds, 2),
        "input_megapixels_per_s": round(1.048576 / seconds, 3),
        "peak_rss_mb": round(peak / 1024, 1),
        "peak_rss_growth_mb": round((peak - before) / 1024, 1),
    }


def train_speed(steps: int = 20) -> dict:
    x = np.random.default_rng(0).uniform(-1, 1, (32 * steps, 32, 32, 1)).astype(np.float32)
    model = kg.SRGAN(scale=2, channels=1, pretrain_steps=0, seed=0, **SMALL)
    model.compile()
    model.fit(x[:64], batch_size=32, epochs=1, verbose=0)
    start = time.perf_counter()
    model.fit(x, batch_size=32, epochs=1, verbose=0)
    keras_its = steps / (time.perf_counter() - start)
    result = {"batch": "32 x 32x32x1 high-res, x2", "keras_it_per_s": round(keras_its, 2)}
    torch_its = _torch_speed(steps)
    if torch_its is not None:
        result.update(torch_eager_it_per_s=round(torch_its, 2), keras_over_torch=round(keras_its / torch_its, 2))
    return result


def _torch_speed(steps: int) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    import torch_super_resolution

    step = torch_super_resolution.srgan_step(torch, SMALL["filters"], SMALL["num_blocks"], SMALL["d_filters"])
    step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return steps / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=300, help="pretraining steps per quality run")
    parser.add_argument("--out", default=None)
    args = parser.parse_args()
    images, labels = _mnist()
    classifier = kg.metrics.classifier.train_mnist_classifier(images[:8000], labels[:8000], epochs=2)
    results = {
        "cpu_cores": os.cpu_count(),
        "mnist_x4": mnist_quality(4, args.steps, classifier),
        "mnist_x2": mnist_quality(2, args.steps, classifier),
        "photos_x2": photo_quality(args.steps),
        "upscale_image_1024": tiled_throughput(),
        "train_step": train_speed(),
    }
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
