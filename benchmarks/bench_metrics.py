"""Benchmark of the sample-quality metrics: extractor throughput and the cost of a 10k-sample evaluation.

Run from the repository root::

    python benchmarks/bench_metrics.py [--num-samples 10000] [--inception-images 64] [--json out.json]

Measures wall-clock time on this machine; the load average is printed too, since other jobs on a shared machine
slow every figure:

* features/s of each extractor: InceptionV3 (``weights=None``: same cost as ImageNet weights; 28x28 digits resized
  to 299x299), a ``ModelFeatureExtractor`` and the ``ClassifierFeatureExtractor`` on MNIST digits;
* an FID evaluation of ``--num-samples`` generated images against as many real ones with the MNIST classifier
  extractor: feature extraction, statistics and the matrix square root, one-shot and streaming;
* KID, precision/recall and density/coverage on the same features;
* the Fréchet distance itself for 2048-d (Inception-sized) features.

The real images are the MNIST test digits read with ``keras_gans.data.idx.load_mnist_idx(default_mnist_dir())``;
the "generated" ones are the same digits with Gaussian noise (only the cost is measured here).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import numpy as np  # noqa: E402

from keras_gans.data.idx import default_mnist_dir, load_mnist_idx  # noqa: E402
from keras_gans.metrics import (  # noqa: E402
    FID,
    ClassifierFeatureExtractor,
    InceptionFeatureExtractor,
    ModelFeatureExtractor,
    density_coverage,
    feature_statistics,
    fid_from_features,
    fid_from_statistics,
    kid_from_features,
    precision_recall,
    train_mnist_classifier,
)

__all__ = ["main"]


def timed(function: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = function()
    return result, time.perf_counter() - start


def extractor_throughput(extractor: Any, images: np.ndarray) -> float:
    """Images per second, after one warm-up batch (which traces the predict function)."""
    extractor.features(images[: extractor.batch_size])
    _, seconds = timed(lambda: extractor.features(images))
    return len(images) / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--num-samples", type=int, default=10_000, help="real and generated images for the FID")
    parser.add_argument("--inception-images", type=int, default=64, help="images timed through InceptionV3")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args()

    images, labels = load_mnist_idx(default_mnist_dir())
    real = images.astype(np.float32)[..., None] / 127.5 - 1.0
    n = min(args.num_samples, len(real))
    rng = np.random.default_rng(0)
    fake = np.clip(real[:n] + rng.normal(0, 0.3, size=real[:n].shape).astype(np.float32), -1, 1)
    keras.utils.set_random_seed(0)  # the classifier, hence the feature space and the FID value, is reproducible
    figures: dict[str, Any] = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs",
        "load_average_at_start (1 min)": os.getloadavg()[0],
    }

    classifier, seconds = timed(lambda: train_mnist_classifier(real, labels, epochs=3))
    figures["classifier_train_s (3 epochs, 10k digits)"] = seconds
    accuracy = float(np.mean(np.argmax(classifier.predict(real, verbose=0), axis=1) == labels))
    figures["classifier_accuracy (train set)"] = accuracy

    inception = InceptionFeatureExtractor(weights=None, include_top=False, batch_size=32)
    figures["inception_v3_images_per_s (28x28 -> 299x299, batch 32)"] = extractor_throughput(
        inception, real[: args.inception_images]
    )
    model_extractor = ModelFeatureExtractor(classifier, layer="features", batch_size=256)
    figures["model_extractor_images_per_s (batch 256)"] = extractor_throughput(model_extractor, real[:n])
    extractor = ClassifierFeatureExtractor(classifier, batch_size=256)
    figures["classifier_extractor_images_per_s (batch 256)"] = extractor_throughput(extractor, real[:n])

    real_features, extract_real_s = timed(lambda: extractor.features(real[:n]))
    fake_features, extract_fake_s = timed(lambda: extractor.features(fake))
    fid, fid_s = timed(lambda: fid_from_features(real_features, fake_features))
    figures[f"fid_{n}_extract_real_s"] = extract_real_s
    figures[f"fid_{n}_extract_fake_s"] = extract_fake_s
    figures[f"fid_{n}_from_features_s (d={real_features.shape[1]})"] = fid_s
    figures[f"fid_{n}_total_s"] = extract_real_s + extract_fake_s + fid_s
    figures[f"fid_{n}_value"] = fid

    def streaming_fid() -> float:
        metric = FID(num_features=extractor.feature_dim)
        for start in range(0, n, 500):
            metric.update_state(real_features=real_features[start : start + 500])
            metric.update_state(fake_features=fake_features[start : start + 500])
        return metric.result()

    streamed, seconds = timed(streaming_fid)
    figures[f"streaming_fid_{n}_s (batches of 500)"] = seconds
    figures["streaming_minus_one_shot"] = streamed - fid

    (kid, _), seconds = timed(lambda: kid_from_features(real_features, fake_features))
    figures[f"kid_{n}_s (100 subsets of 1000)"] = seconds
    figures[f"kid_{n}_value"] = kid
    pr, seconds = timed(lambda: precision_recall(real_features, fake_features))
    figures[f"precision_recall_{n}_s (k=3)"] = seconds
    dc, seconds = timed(lambda: density_coverage(real_features, fake_features))
    figures[f"density_coverage_{n}_s (k=5)"] = seconds
    figures["precision_recall_density_coverage"] = {**pr, **dc}

    wide = rng.normal(size=(4096, 2048))
    stats = feature_statistics(wide[:2048]) + feature_statistics(wide[2048:])
    _, seconds = timed(lambda: fid_from_statistics(*stats))
    figures["frechet_distance_s (d=2048, from statistics)"] = seconds

    figures["load_average_at_end (1 min)"] = os.getloadavg()[0]
    keras.backend.clear_session()
    width = max(len(key) for key in figures)
    for key, value in figures.items():
        shown = f"{value:.4g}" if isinstance(value, float) else value
        print(f"{key:<{width}}  {shown}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as file:
            json.dump(figures, file, indent=2)


if __name__ == "__main__":
    main()
