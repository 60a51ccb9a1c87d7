"""SavedModel export for TF Serving: ``gan.export(base_dir)`` -> ``<base_dir>/<model_name>/<version>/``.

The SavedModel holds the sampling generator (the EMA copy when the model has one) and two signatures, both with
a dynamic batch dimension:

* ``serving_default``: ``z`` float32 ``[None, latent_dim]`` (+ ``labels`` int32 ``[None]`` for conditional models)
  -> the outputs below.
* ``generate``: ``num_samples`` int32 ``[]`` and ``seed`` int64 ``[]`` (conditional models: ``seed`` and ``labels``
  int32 ``[None]``, one image per label) -> the outputs below; the latents are ``GANModel.latents``'
  ``tf.random.stateless_normal([n, latent_dim], seed=[seed, 1], alg="philox")``, so the images are the numbers of
  ``gan.generate(n, seed)``.

Outputs, chosen with ``outputs=``: ``images`` (float32 ``[None, H, W, C]`` in [-1, 1], the default),
``images_uint8`` (uint8, ``round((x + 1) * 127.5)`` like :func:`keras_gans.utils.images.to_uint8`) and
``png_bytes`` (string ``[None]``, one PNG per image; TF Serving's REST API sends outputs named ``*_bytes`` as
``{"b64": ...}``). See ``docs/serving.md``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

import tensorflow as tf

__all__ = ["OUTPUT_NAMES", "export_saved_model", "next_version"]

OUTPUT_NAMES = ("images", "images_uint8", "png_bytes")
_GENERATE_STREAM = 1  # GANModel.latents draws with seed=[seed, 1]


def next_version(model_dir: str | os.PathLike) -> int:
    """One more than the largest integer version folder in ``model_dir`` (1 when there is none)."""
    model_dir = Path(model_dir)
    if not model_dir.is_dir():
        return 1
    versions = [int(p.name) for p in model_dir.iterdir() if p.is_dir() and p.name.isdigit()]
    return max(versions, default=0) + 1


def export_saved_model(
    gan,
    base_dir: str | os.PathLike,
    *,
    model_name: str | None = None,
    version: int | None = None,
    outputs: Sequence[str] | str = ("images",),
    overwrite: bool = False,
    verbose: bool = False,
) -> str:
    """Writes ``gan``'s sampling generator as a SavedModel in TF Serving's layout; returns the version folder.

    Args:
        gan: a :class:`keras_gans.GANModel`.
        base_dir: TF Serving's model base path holds ``<model_name>/<version>/``.
        model_name: defaults to ``gan.name``.
        version: an integer; defaults to the next free one (TF Serving serves the largest).
        outputs: any of ``OUTPUT_NAMES``; every signature returns all of them.
        overwrite: replace an existing version folder.
        verbose: print the variables tracked by Keras' ``ExportArchive``.
    """
    import keras

    outputs = (outputs,) if isinstance(outputs, str) else tuple(outputs)
    unknown = sorted(set(outputs) - set(OUTPUT_NAMES))
    if unknown or not outputs:
        raise ValueError(f"unknown outputs {unknown}; choose from {OUTPUT_NAMES}")
    model_dir = Path(base_dir) / (model_name or gan.name)
    version = next_version(model_dir) if version is None else int(version)
    if version < 0:
        raise ValueError(f"version must be a non-negative integer, got {version}")
    target = model_dir / str(version)
    if target.exists() and not overwrite:
        raise FileExistsError(f"{target} exists; pass overwrite=True or another version")

    generator = gan.sampling_generator
    latent_dim = int(gan.latent_dim)
    conditional = gan.num_classes is not None

    def images_from(z, labels=None):
        images = generator(z if labels is None else [z, labels], training=False)
        return _outputs(tf.cast(images, tf.float32), outputs)

    def latents(num_samples, seed):
        seed = tf.stack([tf.cast(seed, tf.int64), tf.constant(_GENERATE_STREAM, tf.int64)])
        return tf.random.stateless_normal(tf.stack([num_samples, latent_dim]), seed=seed, alg="philox")

    z_spec = tf.TensorSpec([None, latent_dim], tf.float32, name="z")
    labels_spec = tf.TensorSpec([None], tf.int32, name="labels")
    seed_spec = tf.TensorSpec([], tf.int64, name="seed")
    archive = keras.export.ExportArchive()
    archive.track(generator)
    if conditional:
        archive.add_endpoint(
            "serving_default", lambda z, labels: images_from(z, labels), input_signature=[z_spec, labels_spec]
        )
        archive.add_endpoint(
            "generate",
            lambda seed, labels: images_from(latents(tf.size(labels), seed), labels),
            input_signature=[seed_spec, labels_spec],
        )
    else:
        archive.add_endpoint("serving_default", lambda z: images_from(z), input_signature=[z_spec])
        archive.add_endpoint(
            "generate",
            lambda num_samples, seed: images_from(latents(num_samples, seed)),
            input_signature=[tf.TensorSpec([], tf.int32, name="num_samples"), seed_spec],
        )
    # Written beside the target under a name TF Serving ignores (not an integer), then renamed: the server never
    # sees a half-written version.
    model_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=model_dir, prefix=".tmp-export-"))
    try:
        archive.write_out(str(tmp / "saved_model"), verbose=verbose)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp / "saved_model", target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return str(target)


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
