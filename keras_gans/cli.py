"""``keras-gans``: argument parsing only; every command calls the library.

keras-gans train --config dcgan_digits --output runs/dcgan_digits
keras-gans sample --model runs/dcgan_digits/model.keras --output grid.png
keras-gans evaluate --model runs/dcgan_digits/model.keras --dataset digits --dataset-arg image_size=[16,16]
keras-gans translate --model runs/pix2pix/model.keras --input edges/ --output digits/ [--direction a_to_b]
keras-gans upscale --model runs/srgan/model.keras --input photo.png --output photo_x4.png [--tile-size 128]
keras-gans info
keras-gans export --preset dcgan_digits --output serving --outputs images,png_bytes

Every user error (a bad flag, value, file or preset) is one line on stderr, ``keras-gans <command>: error: ...``,
and exit code 2; only bugs show a traceback (``KERAS_GANS_TRACEBACK=1`` shows one for user errors too). Values are
checked before any work starts: flags by their argparse types, the merged run config by its field types and
ranges, ``model_args`` keys against the model's constructor, output paths for writability. See ``docs/errors.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import inspect
import json
import os
import re
import sys
import types
import typing
from pathlib import Path
from typing import Any

import yaml

from keras_gans.hub.download import PresetError

__all__ = ["IMAGE_FORMATS", "UserError", "main"]

#: Output image formats of ``keras-gans sample``, by file extension (written by PIL in that format).
IMAGE_FORMATS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".webp": "WEBP",
    ".bmp": "BMP",
    ".gif": "GIF",
    ".tif": "TIFF",
    ".tiff": "TIFF",
}


class UserError(Exception):
    """A mistake in the command line or in the files it names: printed as one line, exit code 2."""


# Errors that are the user's to fix (printed as one line, exit 2); anything else is a bug and keeps its traceback.
_USER_ERRORS = (UserError, ValueError, OSError, PresetError, yaml.YAMLError)


# ----------------------------------------------------------------------------------------------------------------
# Argument types: argparse turns their ArgumentTypeError into its own one-line error with exit code 2.


def _int_at_least(low: int, why: str = ""):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be >= {low}, got {value}{why}")
        return value

    parse.__name__ = "positive_int" if low == 1 else "non_negative_int"
    return parse


_positive_int = _int_at_least(1)
_non_negative_int = _int_at_least(0)


def _verbose(text: str) -> str | int:
    if text == "auto":
        return text
    if text in ("0", "1", "2"):
        return int(text)
    raise argparse.ArgumentTypeError(f"must be auto, 0, 1 or 2, got {text!r}")


class _Parser(argparse.ArgumentParser):
    """Errors as one line (``keras-gans <command>: error: ...``) without the usage block; exit code 2."""

    def error(self, message: str) -> typing.NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see '{self.prog} --help')\n")


# ----------------------------------------------------------------------------------------------------------------
# Helpers


def _one_line(error: BaseException) -> str:
    if isinstance(error, yaml.YAMLError):
        text = _yaml_problem(error)
    elif isinstance(error, OSError) and error.strerror and error.filename:
        text = f"{error.filename}: {error.strerror}"
    else:
        text = str(error) or type(error).__name__
    return " ".join(text.split())


def _yaml_problem(error: yaml.YAMLError, with_source: bool = True) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    if mark is None:
        return f"invalid YAML: {problem}"
    source = "" if str(mark.name).startswith("<") or not with_source else f"{mark.name}: "
    context, context_mark = getattr(error, "context", None), getattr(error, "context_mark", None)
    if context and context_mark is not None and context_mark.line != mark.line:
        problem = f"{problem} ({context} that starts at line {context_mark.line + 1})"
    return f"{source}invalid YAML at line {mark.line + 1}, column {mark.column + 1}: {problem}"


def _parse_assignments(items: list[str] | None, flag: str) -> dict:
    """``key=value`` pairs with YAML values (``epochs=5``, ``image_size=[16,16]``, ``model_args.filters=32``)."""
    result: dict = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UserError(f"{flag} takes KEY=VALUE, got {item!r}")
        *parents, leaf = key.split(".")
        if not leaf or any(not p for p in parents):
            raise UserError(f"{flag} {item!r}: the key {key!r} has an empty part")
        try:
            parsed = yaml.safe_load(value)
        except yaml.YAMLError as error:
            raise UserError(
                f"{flag} {item!r}: the value is not valid YAML ({_yaml_problem(error)}); quote text that holds "
                "YAML characters ([ ] { } : #)"
            ) from error
        target = result
        for depth, parent in enumerate(parents):
            target = target.setdefault(parent, {})
            if not isinstance(target, dict):
                raise UserError(f"{flag} {item!r}: {'.'.join(parents[: depth + 1])} was given a value, not keys")
        target[leaf] = parsed
    return result


def _merge(base: dict, overrides: dict, prefix: str = "") -> dict:
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict):
            current = merged.get(key)
            if current is not None and not isinstance(current, dict):
                raise UserError(f"{prefix}{key} is {current!r}, not a mapping: it has no key {next(iter(value))!r}")
            merged[key] = _merge(current or {}, value, f"{prefix}{key}.")
        else:
            merged[key] = value
    return merged


def _type_matches(value: Any, hint: Any) -> bool:
    """Whether ``value`` fits a simple type hint (unknown hints accept anything)."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return True
    if origin is typing.Union or origin is types.UnionType:
        return any(_type_matches(value, arg) for arg in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is bool:
        return isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if hint is dict or origin is dict:
        return isinstance(value, dict)
    if hint in (list, tuple) or origin in (list, tuple):
        return isinstance(value, (list, tuple))
    return True


def _describe_hint(hint: Any) -> str:
    names = {int: "an integer", float: "a number", str: "text", bool: "true or false", dict: "a mapping"}
    args = typing.get_args(hint) if typing.get_origin(hint) is not None else ()
    if args and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return " or ".join(names.get(a, getattr(a, "__name__", str(a))) for a in rest) + " or null"
    origin = typing.get_origin(hint) or hint
    return names.get(origin, getattr(origin, "__name__", str(hint)))


# The smallest value that makes sense for a run-config field, and why.
_RUN_MINIMUMS = {
    "epochs": (1, ": 0 epochs would write an untrained model (nothing to train)"),
    "batch_size": (1, ""),
    "steps_per_epoch": (1, " (or null for the whole dataset)"),
    "sample_every": (1, ""),
    "grid_rows": (1, ""),
    "metrics_every": (0, " (0: no metrics)"),
    "metrics_samples": (2, ""),
    "seed": (0, ""),
}
# model_args keys that the run sets itself.
_RESERVED_MODEL_ARGS = {
    "image_shape": "it comes from the dataset (set dataset_args.image_size to resize)",
    "seed": "the run's seed is the top-level seed (--seed)",
    "generator": "networks cannot be given in a config; build the model in Python for custom networks",
    "discriminator": "networks cannot be given in a config; build the model in Python for custom networks",
}


def _check_run_values(values: dict) -> None:
    """Types and ranges of the merged run config, before RunConfig sees them (it compares them with ints)."""
    from keras_gans.config import RunConfig

    try:
        hints = typing.get_type_hints(RunConfig)
    except Exception:  # an annotation that cannot be resolved: leave the checks to RunConfig
        hints = {}
    for field in dataclasses.fields(RunConfig):
        if field.name in values and field.name in hints and not _type_matches(values[field.name], hints[field.name]):
            raise UserError(
                f"config key {field.name!r} must be {_describe_hint(hints[field.name])}, got "
                f"{values[field.name]!r} ({type(values[field.name]).__name__})"
            )
    for name, (low, why) in _RUN_MINIMUMS.items():
        value = values.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value < low:
            raise UserError(f"{name} must be >= {low}, got {value}{why}")


def _model_keywords(cls: type) -> set[str] | None:
    """The keyword arguments ``cls(...)`` accepts (its ``__init__`` chain and training options); None if unknown."""
    names: set[str] = set()
    open_ended = True
    for klass in cls.__mro__:
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        if klass.__module__.split(".")[0] != "keras_gans" or klass.__module__.startswith("keras_gans.engine"):
            break  # the engine's and keras.Model's arguments are set by the family's constructor, not by users
        try:
            parameters = inspect.signature(init).parameters.values()
        except (TypeError, ValueError):
            return None
        names |= {p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)} - {"self"}
        if not any(p.kind is p.VAR_KEYWORD for p in parameters):
            open_ended = False
            break
    if open_ended:
        from keras_gans import models

        options = getattr(cls, "options_class", None) or getattr(models, "TrainingOptions", None)
        field_names = getattr(options, "field_names", None)
        if field_names is None:
            return None
        names |= set(field_names()) | {"trainable", "dtype"}
    return names


def _check_model_args(model: str, model_args: dict) -> None:
    from keras_gans import models

    try:
        cls = models.get_model_class(model) if hasattr(models, "get_model_class") else getattr(models, model, None)
    except ValueError:
        cls = None  # RunConfig names the unknown model
    for key in model_args:
        if key in _RESERVED_MODEL_ARGS:
            raise UserError(f"model_args.{key} cannot be set: {_RESERVED_MODEL_ARGS[key]}")
    if "precision" in model_args:
        from keras_gans.engine.precision import check_precision

        try:
            check_precision(model_args["precision"])
        except ValueError as error:
            raise UserError(f"model_args.precision: {error}") from error
    accepted = _model_keywords(cls) if isinstance(cls, type) else None
    if accepted is None:
        return
    unknown = sorted(set(model_args) - accepted)
    if unknown:
        shown = sorted(accepted - set(_RESERVED_MODEL_ARGS) - {"name", "trainable", "dtype"})
        close = [m for key in unknown for m in difflib.get_close_matches(key, shown, n=1)]
        hint = f" (did you mean {', '.join(close)}?)" if close else ""
        raise UserError(
            f"model_args: {model} has no argument {', '.join(repr(k) for k in unknown)}{hint}; it accepts "
            f"{', '.join(shown)}"
        )


_UNEXPECTED_KEYWORD = re.compile(
    r"(?:(\w+)(?:\.__init__)?\(\) )?got (?:an )?unexpected keyword argument(?:\(s\))? (\[[^\]]*\]|'[^']+')"
)


def _unexpected_keyword(error: TypeError, sources: dict[str, dict]) -> UserError | None:
    """A TypeError for a keyword of ``model_args``/``dataset_args`` as a UserError naming the key; else None."""
    match = _UNEXPECTED_KEYWORD.search(str(error))
    if not match:
        return None
    keys = re.findall(r"'([^']+)'", match.group(2))
    for flag, given in sources.items():
        if keys and all(k in (given or {}) for k in keys):
            from keras_gans import data as data_lib

            names = ", ".join(repr(k) for k in keys)
            function = match.group(1)
            target = getattr(data_lib, function, None) if function else None
            if not callable(target):
                return UserError(f"{flag}: {names} is not accepted: {error}")
            params = inspect.signature(target).parameters.values()
            optional = [p.name for p in params if p.kind is p.KEYWORD_ONLY or p.default is not p.empty]
            return UserError(
                f"{flag}: {names} is not an argument of {function} ({error}); {function} accepts {', '.join(optional)}"
            )
    return None


def _nearest_existing(path: Path) -> Path:
    current = path
    while not current.exists() and current != current.parent:
        current = current.parent
    return current


def _check_output_dir(path: str, flag: str = "--output") -> None:
    """The folder can be created or written: not a file, not under a file, writable."""
    target = Path(path).expanduser()
    if target.exists() and not target.is_dir():
        raise UserError(f"{flag} {path} is a file, not a folder; pass a folder (it is created if missing)")
    existing = _nearest_existing(target.absolute())
    if not existing.is_dir():
        raise UserError(f"{flag} {path}: {existing} is a file, so no folder can be made under it")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise UserError(f"{flag} {path}: {existing} is not writable (permission denied); pick another folder")


def _check_output_file(path: str, flag: str = "--output") -> None:
    """The file can be written: not a folder, its folder can be made, writable."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise UserError(f"{flag} {path} is a folder; pass a file name")
    existing = _nearest_existing(target.absolute().parent)
    if not existing.is_dir():
        raise UserError(f"{flag} {path}: {existing} is a file, not a folder")
    writable = os.access(target, os.W_OK) if target.exists() else os.access(existing, os.W_OK | os.X_OK)
    if not writable:
        raise UserError(f"{flag} {path}: permission denied (cannot write {target if target.exists() else existing})")


def _image_format(path: str) -> str:
    """The PIL format for an output image name; UserError for an extension that is not an image format."""
    from PIL import Image

    Image.init()
    suffix = Path(path).suffix.lower()
    fmt = IMAGE_FORMATS.get(suffix)
    if fmt is None or fmt not in Image.SAVE:
        available = ", ".join(s for s, f in IMAGE_FORMATS.items() if f in Image.SAVE)
        shown = f"{suffix!r} is not an image format" if suffix else "has no extension"
        raise UserError(f"--output {path}: {shown}; end the name in one of {available} (the format follows it)")
    return fmt


def _save_image(grid: Any, path: str, scale: int, fmt: str) -> str:
    import numpy as np
    from PIL import Image

    from keras_gans.utils.images import save_png, to_uint8

    if fmt == "PNG":
        return save_png(grid, path, scale=scale)
    array = np.asarray(grid)
    if array.dtype != np.uint8:
        array = to_uint8(array)
    if array.ndim == 3 and array.shape[-1] == 1:
        array = array[..., 0]
    if scale > 1:
        array = np.repeat(np.repeat(array, scale, axis=0), scale, axis=1)
    image = Image.fromarray(array)
    if fmt in ("JPEG", "BMP") and image.mode == "RGBA":
        image = image.convert("RGB")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    image.save(path, format=fmt, **({"quality": 95} if fmt in ("JPEG", "WEBP") else {}))
    return path


def _require_gan(model: Any, source: str) -> Any:
    if not hasattr(model, "generate"):
        raise UserError(f"{source} holds a {type(model).__name__}, not a keras_gans GAN (it has no generate())")
    return model


def _load_model(args: argparse.Namespace):
    return _require_gan(_load_any_model(args), _model_source(args))


def _model_source(args: argparse.Namespace) -> str:
    return f"--model {args.model}" if args.model else f"--preset {args.preset}"


def _load_any_model(args: argparse.Namespace):
    """The model of ``--model`` or ``--preset``, of any family."""
    if bool(args.model) == bool(getattr(args, "preset", None)):
        raise UserError("pass exactly one of --model PATH.keras or --preset NAME")
    if args.model:
        from keras_gans import saving

        return saving.load_model(args.model)
    from keras_gans import hub
    from keras_gans.engine import AdversarialModel

    # Any family's preset (a translator is no GANModel); the command then checks what it needs (generate, translate).
    return hub.load_gan(args.preset, expected_class=AdversarialModel)


def _load_translator(args: argparse.Namespace):
    model = _load_any_model(args)
    if not hasattr(model, "translate"):
        raise UserError(
            f"{_model_source(args)} holds a {type(model).__name__}, not a translation model (it has no translate())"
        )
    return model


# ----------------------------------------------------------------------------------------------------------------
# Commands


def _default_output(config) -> str:
    dataset = config.dataset.split(":")[0]
    if os.path.isdir(os.path.expanduser(dataset)):
        dataset = os.path.basename(os.path.normpath(os.path.expanduser(dataset)))
    dataset = re.sub(r"[^A-Za-z0-9_.-]+", "_", dataset).strip("_.") or "data"
    return os.path.join("runs", f"{config.model.lower()}_{dataset}")


def _check_optimizers(config) -> None:
    """The optimizer specs build Keras optimizers (a typo in a name or an argument is refused here, not mid-run)."""
    import keras

    if not hasattr(config, "build_optimizers"):
        return
    try:
        built = config.build_optimizers()
    except (TypeError, ValueError, KeyError) as error:
        raise UserError(f"d_optimizer / g_optimizer: {type(error).__name__}: {_one_line(error)}") from error
    for name, optimizer in zip(("d_optimizer", "g_optimizer"), built):
        if optimizer is not None and not isinstance(optimizer, keras.optimizers.Optimizer):
            spec = getattr(config, name, None) or {}
            raise UserError(
                f"{name}: {spec.get('class_name', optimizer)!r} is not a Keras optimizer; use a class of "
                "keras.optimizers such as Adam, AdamW, RMSprop or SGD (or a short form {learning_rate: ..., beta_1: "
                "...} for Adam)"
            )


def _check_dataset(name: str, flag: str = "--dataset") -> None:
    """A dataset given as a path (``/``, ``./``, ``../`` or ``~``) must exist (TFDS would misread it as a name)."""
    path = name.split(":", 1)[1] if name.startswith("mnist_idx:") else name
    if path.startswith(("/", "./", "../", "~")) and not os.path.isdir(os.path.expanduser(path)):
        what = "is a file, not a folder of images" if os.path.exists(os.path.expanduser(path)) else "no such folder"
        raise UserError(f"{flag} {name}: {what}")


def _cmd_train(args: argparse.Namespace) -> int:
    from keras_gans.config import RunConfig, load_config
    from keras_gans.training import TrainingDiverged, train

    try:
        config = load_config(args.config) if args.config else RunConfig()
    except yaml.YAMLError as error:
        raise UserError(f"--config {args.config}: {_yaml_problem(error, with_source=False)}") from error
    overrides = _parse_assignments(args.set, "--set")
    for key in (
        "model",
        "dataset",
        "epochs",
        "batch_size",
        "seed",
        "steps_per_epoch",
        "metrics_every",
        "metrics_samples",
        "metrics_extractor",
    ):
        value = getattr(args, key)
        if value is not None:
            overrides[key] = value
    if args.no_monitor:
        overrides["monitor"] = False
    values = _merge(config.to_dict(), overrides)
    _check_run_values(values)
    config = RunConfig.from_dict(values, source="command line")
    _check_model_args(config.model, config.model_args)
    _check_dataset(config.dataset)
    _check_optimizers(config)
    output = args.output or _default_output(config)
    _check_output_dir(output)
    try:
        train(config, output, verbose=args.verbose, restart=args.restart)
    except TrainingDiverged as error:
        print(f"keras-gans train: {error}", file=sys.stderr)
        return 1
    except TypeError as error:
        translated = _unexpected_keyword(error, {"model_args": config.model_args, "dataset_args": config.dataset_args})
        if translated is None:
            raise
        raise translated from error
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    import numpy as np

    from keras_gans.utils.images import make_grid

    _check_output_file(args.output)
    fmt = _image_format(args.output)
    model = _load_model(args)
    num_classes = getattr(model, "num_classes", None)
    kind = type(model).__name__
    if args.labels is not None:
        if num_classes is None:
            raise UserError(f"--labels: this {kind} is unconditional (it has no classes); drop --labels")
        bad = sorted({label for label in args.labels if not 0 <= label < num_classes})
        if bad:
            raise UserError(
                f"--labels must be in [0, {num_classes}) for this {kind} ({num_classes} classes); got {bad}"
            )
        if args.num is not None and args.num != len(args.labels):
            raise UserError(
                f"--num {args.num} but {len(args.labels)} --labels: pass one of them (--labels sets the count)"
            )
    count = len(args.labels) if args.labels is not None else args.num or 64
    if args.rows is not None and args.rows > count:
        raise UserError(f"--rows {args.rows} is more than the {count} images")
    from keras_gans.evaluation import generate_samples  # class-balanced labels for conditional models

    labels = None if args.labels is None else np.asarray(args.labels)
    images = generate_samples(model, count, seed=args.seed, labels=labels)
    scale = args.scale or max(1, 32 // images.shape[1])
    path = _save_image(make_grid(images, num_rows=args.rows), args.output, scale, fmt)
    print(f"Wrote {len(images)} samples to {path}")
    return 0


def _is_download_failure(error: BaseException) -> bool:
    import socket
    import urllib.error

    if isinstance(error, (urllib.error.URLError, ConnectionError, TimeoutError, socket.gaierror)):
        return True
    return "URL fetch failure" in str(error)


def _default_extractor(metrics: tuple[str, ...]):
    from keras_gans.evaluation import default_extractor

    try:
        return default_extractor(metrics)
    except Exception as error:
        if not _is_download_failure(error):
            raise
        top = "" if "is" in metrics else "_notop"
        raise UserError(
            f"could not download the InceptionV3 ImageNet weights ({_one_line(error)}): offline or the host is "
            "unreachable. Pass --classifier PATH.keras (for the digits: keras_gans/presets/digits_classifier.keras), "
            f"or put inception_v3_weights_tf_dim_ordering_tf_kernels{top}.h5 in ~/.keras/models/ ($KERAS_HOME/models/)"
        ) from error


def _cmd_evaluate(args: argparse.Namespace) -> int:
    from keras_gans import data as data_lib
    from keras_gans.evaluation import METRIC_NAMES, evaluate_generator

    if args.output:
        _check_output_file(args.output)
    model = _load_any_model(args)
    if hasattr(model, "translate"):
        from keras_gans.translation_io import evaluate_translation_command

        return evaluate_translation_command(model, args, _parse_assignments(args.dataset_arg, "--dataset-arg"))
    if hasattr(model, "upscale"):
        from keras_gans.upscale_io import evaluate_upscale_command

        return evaluate_upscale_command(model, args, _parse_assignments(args.dataset_arg, "--dataset-arg"))
    model = _require_gan(model, _model_source(args))
    metrics = tuple(m.strip() for m in (args.metrics or "fid,kid,precision_recall").split(",") if m.strip())
    unknown = sorted(set(metrics) - set(METRIC_NAMES))
    if unknown or not metrics:
        raise UserError(f"--metrics: unknown {unknown or 'none given'}; choose from {', '.join(METRIC_NAMES)}")
    dataset_args = _parse_assignments(args.dataset_arg, "--dataset-arg")
    _check_dataset(args.dataset)
    if args.classifier:
        from keras_gans import saving
        from keras_gans.metrics.extractors import ClassifierFeatureExtractor

        extractor = ClassifierFeatureExtractor(saving.load_model(args.classifier, compile=False))
    else:
        extractor = _default_extractor(metrics)
    try:
        real = data_lib.load(args.dataset, batch_size=256, shuffle=False, drop_remainder=False, **dataset_args)
    except TypeError as error:
        translated = _unexpected_keyword(error, {"--dataset-arg": dataset_args})
        if translated is None:
            raise
        raise translated from error
    results = evaluate_generator(model, real, metrics=metrics, extractor=extractor, num_samples=args.num_samples)
    print(f"{'metric':<12} value")
    for key, value in results.items():
        if key != "settings":
            print(f"{key:<12} {value:.6g}")
    if args.output:
        with open(args.output, "w") as f:
            json.dump(results, f, indent=2, default=str)
        print(f"Wrote {args.output}")
    return 0


def _cmd_translate(args: argparse.Namespace) -> int:
    from keras_gans.translation_io import translate_folder

    if not os.path.isdir(args.input):
        raise UserError(f"--input {args.input}: not a folder of images")
    _check_output_dir(args.output)
    model = _load_translator(args)
    written = translate_folder(model, args.input, args.output, direction=args.direction, batch_size=args.batch_size)
    print(f"Wrote {len(written)} translated image(s) to {args.output}")
    return 0


def _cmd_upscale(args: argparse.Namespace) -> int:
    from keras_gans.upscale_io import upscale_file

    if not os.path.isfile(args.input):
        raise UserError(f"--input {args.input}: no such image file")
    _check_output_file(args.output)
    _image_format(args.output)
    model = _load_any_model(args)
    if not hasattr(model, "upscale_image"):
        raise UserError(
            f"{_model_source(args)} holds a {type(model).__name__}, not a super-resolution model (no upscale_image())"
        )
    (h, w), (out_h, out_w) = upscale_file(model, args.input, args.output, args.tile_size, args.overlap)
    print(f"Wrote {args.output}: {w}x{h} -> {out_w}x{out_h} (x{model.scale}, tiles of {args.tile_size})")
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    import keras
    import tensorflow as tf

    import keras_gans
    from keras_gans import losses
    from keras_gans.config import list_configs
    from keras_gans.engine import precision
    from keras_gans.engine.distribution import xla_is_faster
    from keras_gans.models import get_model_class, model_names, models_by_family
    from keras_gans.utils import runtime

    if args.model:
        from keras_gans import saving

        model = saving.load_model(args.model)
        networks = getattr(model, "networks", None)
        if not isinstance(networks, dict):
            print(f"{type(model).__name__} (not a keras_gans model)")
            model.summary()
            return 0
        config = {k: v for k, v in model.get_config().items() if k not in networks}
        steps = int(model.step_counter.numpy())
        print(f"{type(model).__name__} ({getattr(model, 'family', '')} family), {steps} steps")
        print(json.dumps(config, indent=2, default=str))
        for network in networks.values():
            network.summary()
        return 0
    print(f"keras_gans {keras_gans.__version__}, Keras {keras.__version__}, TensorFlow {tf.__version__}")
    print(f"devices: {[d.name for d in tf.config.list_physical_devices()]}")
    print(f"jit_compile='auto' resolves to: {xla_is_faster()}")
    for line in precision.describe_auto(
        {name: get_model_class(name) for name in model_names()},
        precision.detect_hardware(),
        keras.config.dtype_policy().name,
        precision.pinned_auto(),
    ):
        print(line)
    print(f"oneDNN CPU kernels: {'on' if runtime.onednn_enabled() else 'off'} (TF_ENABLE_ONEDNN_OPTS before import)")
    for family, names in models_by_family().items():
        print(f"{family} models: {', '.join(names)}")
    print(f"losses: {', '.join(losses.names())}")
    print(f"zoo configs: {', '.join(list_configs())}")
    try:
        from keras_gans import hub

        print(f"presets: {', '.join(hub.list_presets())}")
    except ImportError:
        pass
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from keras_gans.export import export_for_tf_serving, export_model

    outputs = tuple(o.strip() for o in args.outputs.split(",") if o.strip())
    model = _load_model(args)
    if args.tf_serving:
        if args.format != "tf_saved_model":
            raise UserError("--tf-serving writes a SavedModel: drop --format or use --format tf_saved_model")
        _check_output_dir(args.output)
        path = export_for_tf_serving(
            model, args.output, model_name=args.name, version=args.version, outputs=outputs, overwrite=args.overwrite
        )
    else:
        if args.name is not None or args.version is not None:
            raise UserError("--name and --version choose TF Serving's <base>/<name>/<version>/: add --tf-serving")
        _check_output_dir(os.path.dirname(os.path.abspath(args.output)))
        path = export_model(model, args.output, format=args.format, outputs=outputs, overwrite=args.overwrite)
    signatures = ", ".join(_exported_signatures(model, args.format))
    print(f"{args.format} ({signatures}): {path}")
    return 0


def _exported_signatures(model, format: str) -> list[str]:
    from keras_gans.export import _RANDOM_SIGNATURES

    names = list(model.serving_endpoints())
    return names if format == "tf_saved_model" else [n for n in names if n not in _RANDOM_SIGNATURES]


def build_parser() -> argparse.ArgumentParser:
    """The ``keras-gans`` argument parser (errors: one line, exit code 2)."""
    parser = _Parser(prog="keras-gans", description="Train, sample and inspect Keras GANs.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    train = sub.add_parser("train", help="train a model from a zoo config and/or flags")
    train.add_argument("--config", help="a zoo config name (keras-gans info lists them) or a YAML file")
    train.add_argument("--output", help="output folder (rerun on it to resume); default runs/<model>_<dataset>")
    train.add_argument("--model", help="a registered model (keras-gans info lists them), e.g. DCGAN")
    train.add_argument("--dataset", help="digits, mnist_idx[:DIR], an image folder, or a TFDS name")
    nothing = ": 0 epochs would write an untrained model (nothing to train)"
    train.add_argument("--epochs", type=_int_at_least(1, nothing))
    train.add_argument("--batch-size", type=_positive_int)
    train.add_argument("--steps-per-epoch", type=_positive_int, help="cap on batches per epoch (default: all)")
    train.add_argument("--seed", type=_non_negative_int)
    train.add_argument("--set", action="append", metavar="KEY=VALUE", help="any config key, e.g. model_args.filters=32")
    train.add_argument(
        "--verbose", default="auto", type=_verbose, help="auto (a bar on a terminal, else a line per epoch), 0, 1, 2"
    )
    train.add_argument("--no-monitor", action="store_true", help="no TrainingMonitor (health.json, divergence stop)")
    train.add_argument(
        "--metrics-every", type=_non_negative_int, help="FID/KID (or the family's metric) every N epochs; 0: never"
    )
    train.add_argument("--metrics-samples", type=_int_at_least(2, ""), help="samples per metrics evaluation")
    train.add_argument(
        "--metrics-extractor", help="auto, classifier (digits/MNIST), inception, or a saved classifier .keras"
    )
    train.add_argument(
        "--restart",
        action="store_true",
        help="discard the run in --output (checkpoint, history, samples, model) and start again, asking nothing",
    )
    train.set_defaults(func=_cmd_train)

    def add_model_source(p: argparse.ArgumentParser) -> None:
        p.add_argument("--model", help="a saved .keras model")
        p.add_argument("--preset", help="a preset name, path or URL (keras-gans info lists presets)")

    formats = ", ".join(IMAGE_FORMATS)
    sample = sub.add_parser("sample", help="write an image grid of samples from a saved model or preset")
    add_model_source(sample)
    sample.add_argument("--output", default="samples.png", help=f"the image; its extension picks the format: {formats}")
    sample.add_argument("--num", type=_positive_int, default=None, help="number of samples (default 64)")
    sample.add_argument("--rows", type=_positive_int, default=None)
    sample.add_argument("--seed", type=_non_negative_int, default=0)
    sample.add_argument("--labels", type=int, nargs="+", help="class labels (conditional models)")
    sample.add_argument("--scale", type=_positive_int, default=None, help="pixel upscaling of the image")
    sample.set_defaults(func=_cmd_sample)

    evaluate = sub.add_parser("evaluate", help="sample-quality metrics of a saved model against a dataset")
    add_model_source(evaluate)
    evaluate.add_argument("--dataset", default="digits")
    evaluate.add_argument("--dataset-arg", action="append", metavar="KEY=VALUE", help="e.g. image_size=[16,16]")
    evaluate.add_argument(
        "--metrics",
        help="GANs: fid,kid,precision_recall (default); translation: psnr,ssim,l1,fid,kid,accuracy; super-resolution: "
        "all (psnr, ssim, l1, with --classifier fid, kid, accuracy; beside bicubic)",
    )
    evaluate.add_argument("--direction", default="a_to_b", help="translation models: a_to_b (default) or b_to_a")
    evaluate.add_argument("--classifier", help="a .keras classifier as feature extractor (default: InceptionV3)")
    evaluate.add_argument("--num-samples", type=_positive_int, default=10_000)
    evaluate.add_argument("--output", help="write the results as JSON here")
    evaluate.set_defaults(func=_cmd_evaluate)

    translate = sub.add_parser("translate", help="translate every image of a folder with a translation model")
    add_model_source(translate)
    translate.add_argument("--input", required=True, help="folder of images (png, jpg, bmp, gif; recursive)")
    translate.add_argument("--output", required=True, help="folder for the translated PNGs (same relative names)")
    translate.add_argument("--direction", default="a_to_b", help="a_to_b (default) or b_to_a (CycleGAN)")
    translate.add_argument("--batch-size", type=_positive_int, default=64)
    translate.set_defaults(func=_cmd_translate)

    upscale = sub.add_parser("upscale", help="upscale one image of any size with a super-resolution model (tiled)")
    add_model_source(upscale)
    upscale.add_argument("--input", required=True, help="the image file (png, jpg, bmp...)")
    upscale.add_argument("--output", required=True, help=f"the upscaled image, format from extension: {formats}")
    upscale.add_argument("--tile-size", type=_positive_int, default=128, help="tile side in input pixels (memory)")
    upscale.add_argument(
        "--overlap", type=_non_negative_int, default=None, help="context per tile side (default: exact, no seams)"
    )
    upscale.set_defaults(func=_cmd_upscale)

    info = sub.add_parser("info", help="versions, devices, models, configs and presets; or a saved model's config")
    info.add_argument("--model", help="describe this saved .keras model")
    info.set_defaults(func=_cmd_info)

    export = sub.add_parser("export", help="export the sampler: a SavedModel folder, an .onnx or a .tflite file")
    add_model_source(export)
    export.add_argument(
        "--output", default="serving", help="SavedModel folder, .onnx or .tflite file (--tf-serving: the base path)"
    )
    export.add_argument("--format", default="tf_saved_model", choices=("tf_saved_model", "onnx", "litert"))
    export.add_argument("--tf-serving", action="store_true", help="TF Serving's layout OUTPUT/<name>/<version>/")
    export.add_argument("--name", help="with --tf-serving: model name (default: the model's own name)")
    export.add_argument(
        "--version", type=_non_negative_int, help="with --tf-serving: version number (default: the next free one)"
    )
    export.add_argument("--outputs", default="images", help="comma-separated: images, images_uint8, png_bytes")
    export.add_argument("--overwrite", action="store_true", help="replace an existing version")
    export.set_defaults(func=_cmd_export)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Runs ``keras-gans``; returns the exit code (2 for user errors, printed as one line on stderr)."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exit_:  # argparse: --help (0) or its one-line error (2)
        return 0 if exit_.code is None else exit_.code if isinstance(exit_.code, int) else 2
    prog = f"keras-gans {args.command}"
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print(f"{prog}: interrupted", file=sys.stderr)
        return 130
    except _USER_ERRORS as error:
        if os.environ.get("KERAS_GANS_TRACEBACK"):
            raise
        print(f"{prog}: error: {_one_line(error)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
