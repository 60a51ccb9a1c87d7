"""Builds the bundled presets ``keras_gans/presets/<name>/`` from ``keras-gans train`` runs, any of them by name.

    python scripts/build_presets.py pix2pix_edges2digits --train     # train (or resume) the run, then build
    keras-gans train --config zoo_configs/srgan_digits.yaml --output runs/srgan_digits
    python scripts/build_presets.py srgan_digits                     # build from runs/srgan_digits
    python scripts/build_presets.py --all

A preset is the run's ``model.keras`` saved without optimizer state, with the metrics of the family's own evaluation
(:func:`keras_gans.model_evaluation.evaluate_model`: the code behind ``keras-gans evaluate``, chosen by the
model's declared ``family``) in ``metadata.json`` and the model card ``README.md`` made from it.

Metrics are computed in the feature space of a small classifier trained on the target domain itself (the
"classifier FID" practice for digit data; ImageNet Inception features say little about 16x16 or 28x28 digits): the
*judges* below, each trained once on a training split, measured on the held-out one and shipped in
``keras_gans/presets/`` so that every number can be reproduced (it is comparable only with the same classifier: its
weights fingerprint is in ``metrics.settings``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keras
import numpy as np
import yaml

from keras_gans import hub
from keras_gans.callbacks.checkpoint import read_history_csv
from keras_gans.hub.registry import bundled_presets_dir
from keras_gans.metrics import ClassifierFeatureExtractor, build_mnist_classifier, fid_from_features
from keras_gans.metrics.classifier import train_mnist_classifier
from keras_gans.model_evaluation import evaluate_model
from keras_gans.utils import runtime

ROOT = Path(__file__).resolve().parent.parent
PRESETS_DIR = bundled_presets_dir()
TIMING_FILE = "build_timing.json"
#: Generated images per latent-GAN evaluation (the translators and upscalers use every held-out image).
NUM_SAMPLES = 2000
ALL_HELD_OUT = 10_000

DIGITS = (
    "digits: scikit-learn load_digits (the 1,797 8x8 images of the UCI optical handwritten digits test set, "
    "E. Alpaydin and C. Kaynak), resized bilinearly to 16x16, values in [-1, 1]"
)
EDGES2DIGITS = (
    "edges2digits (keras_gans.data.edges2digits_arrays): the MNIST test set's first 9,000 digits as training pairs "
    "(Sobel edge map -> digit), resized bilinearly to 32x32, values in [-1, 1]; the last 1,000 held out"
)
DIGITS2MNIST = (
    "digits2mnist (keras_gans.data.digits2mnist_arrays), unpaired: A = the first 1,500 sklearn 8x8 digits framed "
    "like MNIST (a 20x20 box, 4 px padding, 28x28), B = the MNIST test set's first 9,000 digits; the last 297 / "
    "1,000 held out"
)
LICENSE_DIGITS = "Apache-2.0 (weights); the sklearn digits data is the UCI optdigits set (CC BY 4.0)"
LICENSE_MNIST = "Apache-2.0 (weights); MNIST (Y. LeCun, C. Cortes, C. Burges) is CC BY-SA 3.0"
LICENSE_BOTH = "Apache-2.0 (weights); data: UCI optdigits (CC BY 4.0) and MNIST (CC BY-SA 3.0)"


# ----------------------------------------------------------------------------------------------------------------
# Judges: the classifiers whose features and predictions the metrics use


@dataclasses.dataclass(frozen=True)
class Judge:
    """A classifier of one domain: trained on ``split()``'s training part, measured on its held-out part."""

    split: Callable[[], tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]  # train x, y, held-out x, y
    epochs: int
    batch_size: int
    description: str


def _digits16_split():
    from keras_gans.data import load_digits

    batches = load_digits((16, 16), with_labels=True, shuffle=False, drop_remainder=False)
    images, labels = (np.concatenate(part) for part in zip(*[(x.numpy(), y.numpy()) for x, y in batches]))
    order = np.random.default_rng(0).permutation(len(images))
    train, test = order[: int(0.8 * len(order))], order[int(0.8 * len(order)) :]
    return images[train], labels[train], images[test], labels[test]


def _task_split(make: Callable[[str], tuple[np.ndarray, np.ndarray]]):
    return lambda: (*make("train"), *make("test"))


def _mnist32(split: str):
    from keras_gans.data import edges2digits_arrays

    task = edges2digits_arrays(split, image_size=32)
    return task.targets, task.labels


def _mnist28(split: str):
    from keras_gans.data import digits2mnist_arrays

    task = digits2mnist_arrays(split)
    return task.images_b, task.labels_b


def _framed_digits(split: str):
    from keras_gans.data import digits2mnist_arrays

    task = digits2mnist_arrays(split)
    return task.images_a, task.labels_a


JUDGES = {
    "digits_classifier.keras": Judge(
        _digits16_split, 40, 64, "the sklearn digits at 16x16, trained on 80% of them (seed-0 permutation)"
    ),
    "mnist32_classifier.keras": Judge(
        _task_split(_mnist32), 8, 64, "MNIST digits at 32x32, trained on the edges2digits training targets"
    ),
    "mnist_classifier.keras": Judge(
        _task_split(_mnist28), 8, 64, "MNIST digits at 28x28, trained on digits2mnist's training B"
    ),
    "framed_digits_classifier.keras": Judge(
        _task_split(_framed_digits), 40, 64, "framed sklearn digits at 28x28, trained on digits2mnist's training A"
    ),
}


def judge(name: str) -> tuple[Path, float]:
    """The judge's file (trained and saved, uncompiled, when missing) and its accuracy on its held-out split."""
    path = PRESETS_DIR / name
    recipe = JUDGES[name]
    train_x, train_y, test_x, test_y = recipe.split()
    if not path.exists():
        keras.utils.set_random_seed(0)
        trained = train_mnist_classifier(train_x, train_y, recipe.epochs, recipe.batch_size, num_classes=10)
        model = build_mnist_classifier(train_x.shape[1:], 10)  # saved uncompiled: weights only, no optimizer
        model.set_weights(trained.get_weights())
        model.save(path)
    model = keras.saving.load_model(path, safe_mode=True)
    accuracy = float(np.mean(np.argmax(model.predict(test_x, verbose=0), -1) == test_y))
    return path, accuracy


def _relative(path: Path) -> str:
    return path.resolve().relative_to(ROOT).as_posix()


# ----------------------------------------------------------------------------------------------------------------
# The presets


@dataclasses.dataclass(frozen=True)
class Preset:
    """A bundled preset: its zoo config, what its data is, its judge(s) (one, or one per translation direction)."""

    config: str
    dataset: str
    judges: str | dict[str, str]
    license: str
    num_samples: int = ALL_HELD_OUT


PRESETS = {
    "dcgan_digits": Preset("zoo_configs/dcgan_digits.yaml", DIGITS, "digits_classifier.keras", LICENSE_DIGITS, 2000),
    "cgan_digits": Preset("zoo_configs/cgan_digits.yaml", DIGITS, "digits_classifier.keras", LICENSE_DIGITS, 2000),
    "stylegan2_digits": Preset(
        "zoo_configs/stylegan2_digits.yaml", DIGITS, "digits_classifier.keras", LICENSE_DIGITS, NUM_SAMPLES
    ),
    "progan_digits": Preset(
        "zoo_configs/progan_digits.yaml", DIGITS, "digits_classifier.keras", LICENSE_DIGITS, NUM_SAMPLES
    ),
    "pix2pix_edges2digits": Preset(
        "zoo_configs/pix2pix_edges2digits.yaml", EDGES2DIGITS, {"a_to_b": "mnist32_classifier.keras"}, LICENSE_MNIST
    ),
    "cyclegan_digits2mnist": Preset(
        "zoo_configs/cyclegan_digits2mnist.yaml",
        DIGITS2MNIST,
        {"a_to_b": "mnist_classifier.keras", "b_to_a": "framed_digits_classifier.keras"},
        LICENSE_BOTH,
    ),
    "srgan_digits": Preset("zoo_configs/srgan_digits.yaml", DIGITS, "digits_classifier.keras", LICENSE_DIGITS),
}


# ----------------------------------------------------------------------------------------------------------------
# Per family: the reference numbers beside the metrics, the held-out examples of the sample grid, the sentence
# saying how the numbers were measured. Chosen by the model's declared ``family``.


def _latent_reference(model, config, judges) -> dict[str, Any]:
    from keras_gans import data as data_lib

    (path, accuracy), *_ = judges.values()
    batches = data_lib.load(config["dataset"], batch_size=256, shuffle=False, drop_remainder=False, **_args(config))
    images = np.concatenate([np.asarray(b[0] if isinstance(b, tuple) else b) for b in batches])
    features = ClassifierFeatureExtractor(str(path)).features(images)
    halves = np.random.default_rng(0).permutation(len(images))
    half = len(images) // 2
    return {
        "fid_real_halves": float(fid_from_features(features[halves[:half]], features[halves[half:]])),
        "classifier_test_accuracy": accuracy,
        "note": f"FID between two random halves ({half} / {len(images) - half}) of the real images, and the feature "
        "classifier's accuracy on the images it did not train on.",
    }


def _translation_reference(model, config, judges) -> dict[str, Any]:
    from keras_gans.metrics import evaluate_translation
    from keras_gans.translation_io import held_out_translation_data

    reference: dict[str, Any] = {}
    several = len(model.generators) > 1
    for direction in model.generators:
        suffix = f"_{direction}" if several else ""
        path, accuracy = judges[direction]
        data = held_out_translation_data(model, config["dataset"], _args(config), direction, ALL_HELD_OUT)
        untranslated = evaluate_translation(lambda x: x, classifier=str(path), direction=direction, **data)
        reference[f"classifier_test_accuracy{suffix}"] = accuracy
        for key in ("accuracy", "fid", "psnr"):
            if key in untranslated:
                reference[f"untranslated_{key}{suffix}"] = float(untranslated[key])
    reference["note"] = (
        "classifier_test_accuracy: each judge's accuracy on its held-out target-domain images; untranslated_*: the "
        "same metrics of the inputs themselves (what translation adds is the difference)."
    )
    return reference


def _super_resolution_reference(model, config, judges) -> dict[str, Any]:
    (_, accuracy), *_ = judges.values()
    return {
        "classifier_test_accuracy": accuracy,
        "note": "the judge's accuracy on the held-out 20% of the digits; the bicubic baseline is in the metrics.",
    }


REFERENCES = {
    "latent": _latent_reference,
    "translation": _translation_reference,
    "super_resolution": _super_resolution_reference,
}


def _show_held_out_examples(model, config) -> None:
    """Sets the examples of the translators' sample grid (held out) and of the upscalers' (the first 8 images: the
    digits have no held-out split); samplers draw theirs."""
    if model.family == "translation":
        from keras_gans.translation_io import held_out_translation_data

        first = held_out_translation_data(model, config["dataset"], _args(config), "a_to_b", 8)
        if "b_to_a" in model.generators:
            second = held_out_translation_data(model, config["dataset"], _args(config), "b_to_a", 8)["inputs"]
            model.sample_inputs = {"a": first["inputs"], "b": second}
        else:
            model.sample_inputs = {"a": first["inputs"], "target": first["targets"]}
    elif model.family == "super_resolution":
        from keras_gans import data as data_lib

        batch = next(iter(data_lib.load(config["dataset"], batch_size=8, shuffle=False, **_args(config))))
        model.sample_inputs = np.asarray(batch)


def _evaluation_sentence(model, metrics) -> str:
    settings = metrics["settings"]
    if model.family == "latent":
        return (
            f"FID, KID and precision/recall (k={settings['precision_recall_k']}) between {settings['num_samples']:,} "
            f"samples (seed {settings['seed']}) and the {settings['num_real_samples']:,} real images, in the "
            f"{settings['feature_dim']}-d penultimate features of `{settings['classifier']}`"
            + (
                "; label_accuracy: how often it recognises the class each image was generated for."
                if model.num_classes
                else "."
            )
        )
    if model.family == "translation":
        parts = [
            f"{direction}: the {d['num_inputs']:,} held-out inputs translated and scored against "
            f"{d['num_reference']:,} held-out target-domain images with `{d['classifier']}` (KID subsets of "
            f"{d['kid_subset_size']})"
            for direction, d in settings.items()
        ]
        paired = (
            " PSNR/SSIM/L1 against the paired targets (images in [-1, 1], PSNR peak 2)." if "psnr" in metrics else ""
        )
        return (
            "; ".join(parts) + ". FID/KID in the judge's penultimate features; accuracy: its prediction on the outputs "
            "against the inputs' labels." + paired
        )
    return (
        f"The {settings['num_samples']:,} digits at 16x16 {settings['downsampling']}-downsampled x{model.scale} and "
        f"upscaled (they are the training images: the config trains on all of them); PSNR/SSIM with a "
        f"{settings['crop']}-pixel border cropped, beside bicubic on the same inputs; FID/KID against the high-res "
        f"originals (KID subsets of {settings['kid_subset_size']}) and accuracy with `{settings['classifier']}`."
    )


# ----------------------------------------------------------------------------------------------------------------
# Building


def _args(config: dict) -> dict:
    return dict(config.get("dataset_args") or {})


def train(name: str, runs: Path) -> None:
    """``keras-gans train --config <the preset's config> --output runs/<name>`` (resumes), timed."""
    run = runs / name
    command = ["keras-gans", "train", "--config", PRESETS[name].config, "--output", str(run)]
    print("$", " ".join(command), flush=True)
    start, load = time.perf_counter(), os.getloadavg()
    subprocess.run(command, check=True, cwd=ROOT)
    timing = {
        "wall_seconds": round(time.perf_counter() - start, 1),
        "load_average_before": [round(x, 2) for x in load],
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "cpu": runtime.cpu_model(),
        "cores": os.cpu_count(),
    }
    (run / TIMING_FILE).write_text(json.dumps(timing, indent=2) + "\n")


def build(name: str, runs: Path) -> Path:
    """Evaluates ``runs/<name>/model.keras`` with its family's evaluation and writes ``keras_gans/presets/<name>``."""
    preset, run = PRESETS[name], runs / name
    if not (run / "model.keras").is_file():
        raise SystemExit(f"{run}/model.keras is missing: train it (add --train, or run {preset.config} yourself)")
    with open(run / "config.yaml") as f:
        config = yaml.safe_load(f)
    model = hub.load_gan(run / "model.keras")
    wanted = preset.judges if isinstance(preset.judges, dict) else {"all": preset.judges}
    judges = {key: judge(file) for key, file in wanted.items()}
    classifier = (
        {key: _relative(path) for key, (path, _) in judges.items()}
        if isinstance(preset.judges, dict)
        else _relative(judges["all"][0])
    )
    os.chdir(ROOT)  # the classifier paths are relative to the repository
    metrics = evaluate_model(model, config["dataset"], _args(config), classifier, preset.num_samples)
    reference = REFERENCES[model.family](model, config, judges)
    history = read_history_csv(run / "history.csv")
    timing_file = run / TIMING_FILE
    training = {
        "command": f"keras-gans train --config {preset.config}",
        "config": config,
        "final_logs": {k: v for k, v in history[-1].items() if isinstance(v, float) and np.isfinite(v)},
        **({"timing": json.loads(timing_file.read_text())} if timing_file.is_file() else {}),
    }
    metadata = {
        "description": f"{config.get('description', name)} Trained with `keras-gans train --config {preset.config}` "
        f"({config['epochs']} epochs, seed {config['seed']}).",
        "dataset": preset.dataset,
        "training_steps": int(model.step_counter.numpy()),
        "training": training,
        "metrics": metrics,
        "evaluation": _evaluation_sentence(model, metrics),
        "reference_metrics": reference,
        "judges": {
            _relative(path): {"test_accuracy": acc, "trained_on": JUDGES[path.name].description}
            for path, acc in judges.values()
        },
        "license": preset.license,
    }
    _show_held_out_examples(model, config)
    target = PRESETS_DIR / name
    hub.save_preset(model, target, metadata, include_optimizer=False, overwrite=True)
    size = sum(p.stat().st_size for p in target.iterdir() if p.is_file())
    shown = {k: round(v, 4) for k, v in metrics.items() if isinstance(v, float)}
    print(f"{name}: {shown} ({size / 2**20:.2f} MiB) -> {target}", flush=True)
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", help=f"presets to build: {', '.join(PRESETS)}")
    parser.add_argument("--all", action="store_true", help="build every preset")
    parser.add_argument("--runs", default="runs", help="folder of the runs (runs/<name>/, as keras-gans train wrote)")
    parser.add_argument("--train", action="store_true", help="run (or resume) keras-gans train first")
    args = parser.parse_args(argv)
    names = list(PRESETS) if args.all else args.names
    unknown = sorted(set(names) - set(PRESETS))
    if unknown or not names:
        parser.error(
            f"name presets to build ({'unknown: ' + ', '.join(unknown) if unknown else 'none given'}); "
            f"choose from {', '.join(PRESETS)} or pass --all"
        )
    runs = Path(args.runs).resolve()
    for name in names:
        if args.train:
            train(name, runs)
        build(name, runs)


if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.exit(main())
