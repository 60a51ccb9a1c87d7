"""Export for serving: ``model.export(filepath, format=...)`` as :meth:`keras.Model.export`, from the model's samplers.

Every model declares its signatures (``model.serving_endpoints()``: name -> (function, input signature)); they
run the sampling networks (the EMA copies when the model has them) with ``training=False``. Formats:

* ``"tf_saved_model"`` (default): ``filepath`` is the SavedModel folder, with every signature
  (``serving_default`` and, for latent models, ``generate``: ``(num_samples | labels, seed)`` -> the images of
  ``model.generate(n, seed=seed)``). For TF Serving's ``<base>/<name>/<version>/`` layout use
  :func:`export_for_tf_serving` (``keras-gans export --tf-serving``).
* ``"onnx"``: ``filepath`` ends with ``.onnx``; one file per signature (:func:`keras_gans.serving_formats.onnx_paths`).
* ``"litert"``: one ``.tflite`` file holding the signatures.

ONNX and LiteRT have no counter-based random ops and no PNG encoder, so for them the default signatures are the
deterministic ones (``serving_default``: z -> images) and ``png_bytes`` is refused; sample z outside and call
``serving_default`` (see docs/serving.md). Outputs, chosen with ``outputs=``: ``images`` (float32 in [-1, 1]),
``images_uint8`` (``round((x + 1) * 127.5)`` like :func:`keras_gans.utils.images.to_uint8`) and ``png_bytes``
(one PNG per image; TF Serving's REST API sends outputs named ``*_bytes`` as ``{"b64": ...}``).

Every write is atomic (a temporary sibling, then a rename) and refuses to replace what exists unless
``overwrite=True``.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import tensorflow as tf

__all__ = [
    "FORMATS",
    "OUTPUT_NAMES",
    "export_for_tf_serving",
    "export_model",
    "export_saved_model",
    "next_version",
]

OUTPUT_NAMES = ("images", "images_uint8", "png_bytes")
FORMATS = ("tf_saved_model", "onnx", "litert")
#: Signatures that draw random numbers inside the graph: only a SavedModel holds them.
_RANDOM_SIGNATURES = ("generate",)
_MODEL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def next_version(model_dir: str | os.PathLike) -> int:
    """One more than the largest integer version folder in ``model_dir`` (1 when there is none)."""
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        return 1
    versions = [int(p.name) for p in model_dir.iterdir() if p.is_dir() and p.name.isdigit()]
    return max(versions, default=0) + 1


def _check_outputs(outputs, format: str) -> tuple[str, ...]:
    outputs = (outputs,) if isinstance(outputs, str) else tuple(outputs)
    unknown = sorted(set(outputs) - set(OUTPUT_NAMES))
    if unknown or not outputs:
        raise ValueError(f"unknown outputs {unknown}; choose from {OUTPUT_NAMES}")
    if format != "tf_saved_model" and "png_bytes" in outputs:
        raise ValueError(
            f"{format} has no PNG encoder: export outputs=('images_uint8',) and encode outside the graph, or use "
            "format='tf_saved_model'."
        )
    return outputs


def _endpoints(model, format: str, signatures: Sequence[str] | None, outputs: tuple[str, ...]) -> dict:
    """The model's endpoints as ``tf.function`` s with input signatures, returning the chosen outputs."""
    declared = model.serving_endpoints()
    if signatures is None:
        signatures = [n for n in declared if format == "tf_saved_model" or n not in _RANDOM_SIGNATURES]
    unknown = sorted(set(signatures) - set(declared))
    if unknown:
        raise ValueError(f"{type(model).__name__} has no signature(s) {unknown}; it has {sorted(declared)}.")
    functions = {}
    for name in signatures:
        fn, input_signature = declared[name]
        functions[name] = tf.function(_with_outputs(fn, outputs), input_signature=input_signature)
    return functions


def _with_outputs(fn, outputs: tuple[str, ...]):
    def endpoint(*args):
        return _outputs(tf.cast(fn(*args), tf.float32), outputs)

    return endpoint


def _outputs(images: tf.Tensor, names: tuple[str, ...]) -> dict[str, tf.Tensor]:
    result = {}
    if "images" in names:
        result["images"] = images
    if "images_uint8" in names or "png_bytes" in names:
        pixels = tf.cast(tf.clip_by_value(tf.round((images + 1.0) * 127.5), 0.0, 255.0), tf.uint8)
        if "images_uint8" in names:
            result["images_uint8"] = pixels
        if "png_bytes" in names:
            result["png_bytes"] = tf.map_fn(tf.io.encode_png, pixels, fn_output_signature=tf.TensorSpec([], tf.string))
    return result


def export_model(
    model,
    filepath: str | os.PathLike,
    format: str = "tf_saved_model",
    *,
    outputs: Sequence[str] | str = ("images",),
    signatures: Sequence[str] | None = None,
    overwrite: bool = False,
    verbose: bool | None = None,
) -> str:
    """Writes ``model``'s serving signatures in ``format`` at ``filepath``; returns the path written.

    Args:
        model: a keras_gans model (anything with ``serving_endpoints()`` and ``networks``).
        filepath: the SavedModel folder, the ``.onnx`` file or the ``.tflite`` file.
        format: one of ``FORMATS``.
        outputs: any of ``OUTPUT_NAMES``; every signature returns all of them.
        signatures: which of the model's signatures (default: all a format can hold).
        overwrite: replace an existing export.
        verbose: print the tracked variables (SavedModel only).
    """
    if format not in FORMATS:
        raise ValueError(f"Unknown export format {format!r}; choose one of {FORMATS}.")
    outputs = _check_outputs(outputs, format)
    functions = _endpoints(model, format, signatures, outputs)
    if format == "onnx":
        from keras_gans.serving_formats import write_onnx

        return write_onnx(functions, filepath, overwrite=overwrite)
    if format == "litert":
        from keras_gans.serving_formats import write_litert

        return write_litert(functions, filepath, overwrite=overwrite)
    return _write_saved_model(model, functions, Path(filepath), overwrite=overwrite, verbose=bool(verbose))


def _write_saved_model(model, functions: dict, target: Path, overwrite: bool, verbose: bool) -> str:
    import keras

    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists; pass overwrite=True (--overwrite) or another path")
    if target.exists() and not target.is_dir():
        raise FileExistsError(f"{target} is a file, not a SavedModel folder; choose another path")
    archive = keras.export.ExportArchive()
    for network in _sampling_networks(model):
        archive.track(network)
    for name, fn in functions.items():
        archive.add_endpoint(name, fn)
    # Written beside the target under a hidden name (TF Serving ignores non-integer folders), then renamed: a
    # server or a reader never sees a half-written SavedModel.
    parent = target.parent if str(target.parent) else Path(".")
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=".tmp-export-"))
    try:
        archive.write_out(str(tmp / "saved_model"), verbose=verbose)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp / "saved_model", target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return str(target)


def _sampling_networks(model) -> list:
    names = getattr(model, "sampled_networks", ()) or tuple(model.networks)
    return [model.averaged_network(n) for n in names]


def export_for_tf_serving(
    model,
    base_dir: str | os.PathLike,
    *,
    model_name: str | None = None,
    version: int | None = None,
    outputs: Sequence[str] | str = ("images",),
    overwrite: bool = False,
    verbose: bool = False,
) -> str:
    """A SavedModel in TF Serving's layout, ``<base_dir>/<model_name>/<version>/``; returns the version folder.

    Args:
        model: a keras_gans model.
        base_dir: TF Serving's model base path.
        model_name: a plain name (letters, digits, ``_.-``; no path); defaults to ``model.name``.
        version: an integer >= 0; defaults to the next free one (TF Serving serves the largest).
        outputs, overwrite, verbose: as :func:`export_model`.
    """
    model_name = model.name if model_name is None else model_name
    if not isinstance(model_name, str) or not _MODEL_NAME.match(model_name) or ".." in model_name:
        raise ValueError(
            f"model_name must be a plain folder name (letters, digits, '_', '.', '-'; no '/' or '..'), got "
            f"{model_name!r}."
        )
    model_dir = Path(base_dir) / model_name
    if version is None:
        version = next_version(model_dir)
    elif isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ValueError(f"version must be a non-negative integer, got {version!r}")
    return export_model(model, model_dir / str(version), outputs=outputs, overwrite=overwrite, verbose=verbose)


def export_saved_model(gan, base_dir: str | os.PathLike, **kwargs) -> str:
    """Alias of :func:`export_for_tf_serving` (the name of earlier releases)."""
    return export_for_tf_serving(gan, base_dir, **kwargs)
