"""``keras-gans``: argument parsing only; every command calls the library.

keras-gans train --config dcgan_digits --output runs/dcgan_digits
keras-gans sample --model runs/dcgan_digits/model.keras --output grid.png
keras-gans evaluate --model runs/dcgan_digits/model.keras --dataset digits --dataset-arg image_size=[16,16]
keras-gans info
keras-gans export --preset dcgan_digits --output serving --outputs images,png_bytes
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import yaml

__all__ = ["main"]


def _parse_assignments(items: list[str] | None, flag: str) -> dict:
    """``key=value`` pairs with YAML values (``epochs=5``, ``image_size=[16,16]``, ``model_args.filters=32``)."""
    result: dict = {}
    for item in items or []:
        if "=" not in item:
            raise SystemExit(f"{flag} takes key=value, got {item!r}")
        key, value = item.split("=", 1)
        target = result
        *parents, leaf = key.split(".")
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = yaml.safe_load(value)
    return result


def _merge(base: dict, overrides: dict) -> dict:
    merged = dict(base)
    for key, value in overrides.items():
        merged[key] = _merge(merged.get(key) or {}, value) if isinstance(value, dict) else value
    return merged


def _cmd_train(args: argparse.Namespace) -> int:
    from keras_gans.config import RunConfig, load_config
    from keras_gans.training import train

    config = load_config(args.config) if args.config else RunConfig()
    overrides = _parse_assignments(args.set, "--set")
    for key in ("model", "dataset", "epochs", "batch_size", "seed", "steps_per_epoch"):
        value = getattr(args, key)
        if value is not None:
            overrides[key] = value
    config = RunConfig.from_dict(_merge(config.to_dict(), overrides), source="command line")
    output = args.output or os.path.join("runs", f"{config.model.lower()}_{config.dataset.split(':')[0]}")
    train(config, output, verbose=args.verbose)
    print(f"Model: {os.path.join(output, 'model.keras')}\nSamples: {os.path.join(output, 'samples.png')}")
    return 0


def _load_model(args: argparse.Namespace):
    if bool(args.model) == bool(getattr(args, "preset", None)):
        raise SystemExit("Pass exactly one of --model PATH.keras or --preset NAME.")
    if args.model:
        import keras

        import keras_gans  # noqa: F401  (registers the model classes for deserialisation)

        return keras.saving.load_model(args.model)
    from keras_gans import hub

    return hub.load_gan(args.preset)


def _cmd_sample(args: argparse.Namespace) -> int:
    import numpy as np

    from keras_gans.utils.images import make_grid, save_png

    model = _load_model(args)
    if model.num_classes is not None:
        labels = args.labels if args.labels else [i % model.num_classes for i in range(args.num)]
        images = model.generate(labels=np.asarray(labels), seed=args.seed)
    else:
        images = model.generate(args.num, seed=args.seed)
    scale = args.scale or max(1, 32 // images.shape[1])
    path = save_png(make_grid(images, num_rows=args.rows), args.output, scale=scale)
    print(f"Wrote {len(images)} samples to {path}")
    return 0


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from keras_gans import data as data_lib
    from keras_gans.evaluation import evaluate_generator

    model = _load_model(args)
    dataset_args = _parse_assignments(args.dataset_arg, "--dataset-arg")
    real = data_lib.load(args.dataset, batch_size=256, shuffle=False, drop_remainder=False, **dataset_args)
    extractor = None
    if args.classifier:
        from keras_gans.metrics.extractors import ClassifierFeatureExtractor

        extractor = ClassifierFeatureExtractor(args.classifier)
    results = evaluate_generator(
        model, real, metrics=tuple(args.metrics.split(",")), extractor=extractor, num_samples=args.num_samples
    )
    print(f"{'metric':<12} value")
    for key, value in results.items():
        if key != "settings":
            print(f"{key:<12} {value:.6g}")
    if args.output:
        with open(args.output, "w") as f:
            json.dump(results, f, indent=2, default=str)
        print(f"Wrote {args.output}")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    import keras
    import tensorflow as tf

    import keras_gans
    from keras_gans import losses
    from keras_gans.config import list_configs
    from keras_gans.models.distribution import xla_is_faster
    from keras_gans.utils import runtime

    if args.model:
        model = keras.saving.load_model(args.model)
        config = {k: v for k, v in model.get_config().items() if k not in ("generator", "discriminator")}
        print(f"{type(model).__name__}: image_shape={model.image_shape}")
        print(json.dumps(config, indent=2, default=str))
        model.generator.summary()
        model.discriminator.summary()
        return 0
    print(f"keras_gans {keras_gans.__version__}, Keras {keras.__version__}, TensorFlow {tf.__version__}")
    print(f"devices: {[d.name for d in tf.config.list_physical_devices()]}")
    print(f"jit_compile='auto' resolves to: {xla_is_faster()}")
    print(f"oneDNN CPU kernels: {'on' if runtime.onednn_enabled() else 'off'} (TF_ENABLE_ONEDNN_OPTS before import)")
    print(f"models: {', '.join(keras_gans.__all__[:5])}")
    print(f"losses: {', '.join(losses.names())}")
    print(f"zoo configs: {', '.join(list_configs())}")
    try:
        from keras_gans import hub

        print(f"presets: {', '.join(hub.list_presets())}")
    except ImportError:
        pass
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from keras_gans.export import export_saved_model

    path = export_saved_model(
        _load_model(args),
        args.output,
        model_name=args.name,
        version=args.version,
        outputs=tuple(args.outputs.split(",")),
        overwrite=args.overwrite,
    )
    print(f"SavedModel for TF Serving (signatures serving_default, generate): {path}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="keras-gans", description="Train, sample and inspect Keras GANs.")
    sub = parser.add_subparsers(dest="command", required=True)

    train = sub.add_parser("train", help="train a model from a zoo config and/or flags")
    train.add_argument("--config", help="a zoo config name (keras-gans info lists them) or a YAML file")
    train.add_argument("--output", help="output folder (rerun on it to resume); default runs/<model>_<dataset>")
    train.add_argument("--model", help="GAN, DCGAN, CGAN, WGANGP or LSGAN")
    train.add_argument("--dataset", help="digits, mnist_idx[:DIR], an image folder, or a TFDS name")
    train.add_argument("--epochs", type=int)
    train.add_argument("--batch-size", type=int)
    train.add_argument("--steps-per-epoch", type=int)
    train.add_argument("--seed", type=int)
    train.add_argument("--set", action="append", metavar="KEY=VALUE", help="any config key, e.g. model_args.filters=32")
    train.add_argument("--verbose", default="auto", type=lambda v: v if v == "auto" else int(v))
    train.set_defaults(func=_cmd_train)

    def add_model_source(p: argparse.ArgumentParser) -> None:
        p.add_argument("--model", help="a saved .keras model")
        p.add_argument("--preset", help="a preset name, path or URL (keras-gans info lists presets)")

    sample = sub.add_parser("sample", help="write a PNG grid of samples from a saved model or preset")
    add_model_source(sample)
    sample.add_argument("--output", default="samples.png")
    sample.add_argument("--num", type=int, default=64)
    sample.add_argument("--rows", type=int, default=None)
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--labels", type=int, nargs="+", help="class labels (conditional models)")
    sample.add_argument("--scale", type=int, default=None, help="pixel upscaling of the PNG")
    sample.set_defaults(func=_cmd_sample)

    evaluate = sub.add_parser("evaluate", help="sample-quality metrics of a saved model against a dataset")
    add_model_source(evaluate)
    evaluate.add_argument("--dataset", default="digits")
    evaluate.add_argument("--dataset-arg", action="append", metavar="KEY=VALUE", help="e.g. image_size=[16,16]")
    evaluate.add_argument("--metrics", default="fid,kid,precision_recall")
    evaluate.add_argument("--classifier", help="a .keras classifier as feature extractor (default: InceptionV3)")
    evaluate.add_argument("--num-samples", type=int, default=10_000)
    evaluate.add_argument("--output", help="write the results as JSON here")
    evaluate.set_defaults(func=_cmd_evaluate)

    info = sub.add_parser("info", help="versions, devices, models, configs and presets; or a saved model's config")
    info.add_argument("--model", help="describe this saved .keras model")
    info.set_defaults(func=_cmd_info)

    export = sub.add_parser("export", help="write a SavedModel for TF Serving as OUTPUT/<name>/<version>/")
    add_model_source(export)
    export.add_argument("--output", default="serving", help="TF Serving's model base path")
    export.add_argument("--name", help="model name (default: the model's own name)")
    export.add_argument("--version", type=int, help="version number (default: the next free one)")
    export.add_argument("--outputs", default="images", help="comma-separated: images, images_uint8, png_bytes")
    export.add_argument("--overwrite", action="store_true", help="replace an existing version")
    export.set_defaults(func=_cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (ValueError, FileNotFoundError) as error:
        print(f"keras-gans {args.command}: error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
