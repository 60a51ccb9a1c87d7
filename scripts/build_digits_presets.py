"""Builds the bundled presets ``keras_gans/presets/{dcgan,cgan}_digits`` from ``keras-gans train`` runs.

    keras-gans train --config zoo_configs/dcgan_digits.yaml --output runs/dcgan_digits
    keras-gans train --config zoo_configs/cgan_digits.yaml --output runs/cgan_digits
    python scripts/build_digits_presets.py --runs runs

Metrics are computed in the feature space of a small classifier trained on the digits themselves (the "classifier
FID" practice for digit data; ImageNet Inception features say little about 16x16 digits). The classifier is
trained once, on 80% of the digits, and shipped as ``keras_gans/presets/digits_classifier.keras`` so that the
numbers can be reproduced and compared: they are meaningful only with this classifier (its weights fingerprint is
in every preset's ``metrics.settings``).
"""

from __future__ import annotations

import argparse
import csv
import os
from pathlib import Path

import keras
import numpy as np
import yaml

from keras_gans import hub
from keras_gans.data import load_digits
from keras_gans.evaluation import evaluate_generator
from keras_gans.metrics import ClassifierFeatureExtractor, build_mnist_classifier, fid_from_features
from keras_gans.metrics.classifier import train_mnist_classifier

PRESETS = {"dcgan_digits": "zoo_configs/dcgan_digits.yaml", "cgan_digits": "zoo_configs/cgan_digits.yaml"}
DATASET = (
    "digits: scikit-learn load_digits (the 1,797 8x8 images of the UCI optical handwritten digits test set, "
    "E. Alpaydin and C. Kaynak), resized bilinearly to 16x16, values in [-1, 1]"
)
NUM_SAMPLES = 2000


def digits(image_size: int = 16) -> tuple[np.ndarray, np.ndarray]:
    """All 1,797 digits at ``image_size``, exactly as the training pipeline prepares them, and their labels."""
    dataset = load_digits((image_size, image_size), with_labels=True, shuffle=False, drop_remainder=False)
    images, labels = zip(*[(x.numpy(), y.numpy()) for x, y in dataset])
    return np.concatenate(images), np.concatenate(labels)


def digits_classifier(path: Path, images: np.ndarray, labels: np.ndarray) -> tuple[keras.Model, float]:
    """The feature classifier (trained and saved at ``path`` when missing) and its held-out accuracy."""
    order = np.random.default_rng(0).permutation(len(images))
    train, test = order[: int(0.8 * len(order))], order[int(0.8 * len(order)) :]
    if not path.exists():
        keras.utils.set_random_seed(0)
        trained = train_mnist_classifier(images[train], labels[train], epochs=40, batch_size=64, num_classes=10)
        model = build_mnist_classifier(images.shape[1:], 10)  # saved uncompiled: weights only, no optimizer
        model.set_weights(trained.get_weights())
        model.save(path)
    model = keras.saving.load_model(path, safe_mode=True)
    accuracy = float(np.mean(np.argmax(model.predict(images[test], verbose=0), -1) == labels[test]))
    return model, accuracy


def last_history_row(run: Path) -> dict[str, float]:
    with open(run / "history.csv") as f:
        rows = list(csv.DictReader(f))
    return {k: float(v) for k, v in rows[-1].items() if v not in ("", "NA")}


def build(name: str, run: Path, classifier_path: Path, images, labels, classifier_accuracy: float, fid_split: float):
    model = hub.load_gan(run / "model.keras")
    extractor = ClassifierFeatureExtractor(str(classifier_path))
    results = evaluate_generator(
        model, images, metrics=("fid", "kid", "precision_recall"), extractor=extractor, num_samples=NUM_SAMPLES
    )
    metrics = {k: float(v) for k, v in results.items() if k != "settings"}
    settings = {**results["settings"], "classifier": "keras_gans/presets/digits_classifier.keras"}
    if model.num_classes:
        wanted = np.arange(NUM_SAMPLES) % model.num_classes
        predicted = np.argmax(extractor.probabilities(model.generate(labels=wanted, seed=1)), -1)
        metrics["label_accuracy"] = float(np.mean(predicted == wanted))
    with open(run / "config.yaml") as f:
        config = yaml.safe_load(f)
    metadata = {
        "description": f"{config.get('description', name)} Trained with `keras-gans train --config "
        f"{PRESETS[name]}` ({config['epochs']} epochs, seed {config['seed']}).",
        "dataset": DATASET,
        "training_steps": int(model.g_optimizer.iterations.numpy()),
        "training": {
            "command": f"keras-gans train --config {PRESETS[name]}",
            "config": config,
            "final_logs": last_history_row(run),
        },
        "metrics": {**metrics, "settings": settings},
        "reference_metrics": {
            "fid_real_halves": fid_split,
            "classifier_test_accuracy": classifier_accuracy,
            "note": "FID between two random halves (898 / 899) of the real digits, and the feature classifier's "
            "accuracy on the 20% of the digits it did not train on.",
        },
        "license": "Apache-2.0 (weights); the sklearn digits data is the UCI optdigits set (CC BY 4.0)",
    }
    target = Path(hub.__file__).resolve().parent.parent / "presets" / name
    hub.save_preset(model, target, metadata, include_optimizer=False, overwrite=True)
    size = sum(p.stat().st_size for p in target.iterdir() if p.is_file())
    print(f"{name}: {metrics} ({size / 2**20:.2f} MiB) -> {target}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", default="runs", help="folder holding the dcgan_digits/ and cgan_digits/ runs")
    parser.add_argument("--only", nargs="*", default=list(PRESETS), help="presets to build")
    args = parser.parse_args()
    presets_dir = Path(hub.__file__).resolve().parent.parent / "presets"
    presets_dir.mkdir(exist_ok=True)
    images, labels = digits()
    classifier_path = presets_dir / "digits_classifier.keras"
    classifier, accuracy = digits_classifier(classifier_path, images, labels)
    features = ClassifierFeatureExtractor(classifier).features(images)
    halves = np.random.default_rng(0).permutation(len(images))
    fid_split = float(fid_from_features(features[halves[: len(images) // 2]], features[halves[len(images) // 2 :]]))
    print(f"classifier held-out accuracy {accuracy:.4f}; FID between real halves {fid_split:.4f}")
    for name in args.only:
        build(name, Path(args.runs) / name, classifier_path, images, labels, accuracy, fid_split)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    main()
