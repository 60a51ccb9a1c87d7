"""Differentiable augmentation (DiffAugment, Zhao et al., 2020) for training GANs on small datasets.

The same kind of random transform is applied to real and generated images before D sees them, in both the D and
G steps, so D cannot overfit the few real images and G receives gradients through the augmentation. Policies:
``color`` (brightness ±0.5, saturation ×[0, 2], contrast ×[0.5, 1.5]), ``translation`` (integer shifts up to 1/8
of the size, zero padded), ``cutout`` (a zeroed square of half the size at a random place). All ops are
differentiable with respect to the images and XLA-compatible.

Randomness comes from an injected ``uniform(shape, index) -> U[0, 1)`` so callers control the streams.
"""

from __future__ import annotations

from collections.abc import Callable

import tensorflow as tf

__all__ = ["POLICIES", "color", "cutout", "diff_augment", "parse_policy", "translation"]

Uniform = Callable[[list, int], tf.Tensor]


def color(images, uniform: Uniform):
    """Random brightness, saturation and contrast per image (DiffAugment's ``color``)."""
    n = tf.shape(images)[0]
    dtype = images.dtype
    brightness = tf.cast(uniform([n, 1, 1, 1], 0), dtype) - 0.5
    images = images + brightness
    saturation = tf.cast(uniform([n, 1, 1, 1], 1), dtype) * 2.0
    mean = tf.reduce_mean(images, axis=3, keepdims=True)
    images = (images - mean) * saturation + mean
    contrast = tf.cast(uniform([n, 1, 1, 1], 2), dtype) + 0.5
    mean = tf.reduce_mean(images, axis=[1, 2, 3], keepdims=True)
    return (images - mean) * contrast + mean


def translation(images, uniform: Uniform, ratio: float = 0.125):
    """Shifts each image by a uniform integer in [-floor(ratio·size), floor(ratio·size)] per axis, zero filled."""
    shape = tf.shape(images)
    n, height, width = shape[0], shape[1], shape[2]
    static_h, static_w = images.shape[1], images.shape[2]
    pad_h, pad_w = int(static_h * ratio), int(static_w * ratio)
    shift_y = tf.cast(tf.floor(uniform([n, 1], 3) * (2 * pad_h + 1)), tf.int32) - pad_h
    shift_x = tf.cast(tf.floor(uniform([n, 1], 4) * (2 * pad_w + 1)), tf.int32) - pad_w
    padded = tf.pad(images, [[0, 0], [pad_h, pad_h], [pad_w, pad_w], [0, 0]])
    rows = tf.range(height)[None, :] + pad_h - shift_y
    cols = tf.range(width)[None, :] + pad_w - shift_x
    out = tf.gather(padded, rows, axis=1, batch_dims=1)
    return tf.gather(out, cols, axis=2, batch_dims=1)


def cutout(images, uniform: Uniform, ratio: float = 0.5):
    """Zeroes a floor(ratio·H) x floor(ratio·W) rectangle centred at a uniform position (partly outside allowed)."""
    shape = tf.shape(images)
    n, height, width = shape[0], shape[1], shape[2]
    static_h, static_w = images.shape[1], images.shape[2]
    size_h, size_w = int(static_h * ratio), int(static_w * ratio)
    cy = tf.cast(tf.floor(uniform([n, 1, 1], 5) * tf.cast(height + (1 - size_h % 2), tf.float32)), tf.int32)
    cx = tf.cast(tf.floor(uniform([n, 1, 1], 6) * tf.cast(width + (1 - size_w % 2), tf.float32)), tf.int32)
    ys = tf.range(height)[None, :, None]
    xs = tf.range(width)[None, None, :]
    # Rows cy - size_h // 2 ... cy - size_h // 2 + size_h - 1 (clipped to the image), as in DiffAugment's code.
    top, left = cy - size_h // 2, cx - size_w // 2
    inside = (ys >= top) & (ys < top + size_h) & (xs >= left) & (xs < left + size_w)
    mask = tf.cast(tf.logical_not(inside), images.dtype)[..., None]
    return images * mask


POLICIES: dict[str, Callable] = {"color": color, "translation": translation, "cutout": cutout}


def parse_policy(policy: str) -> list[str]:
    """The transform names of a comma-separated policy, checked against :data:`POLICIES`."""
    names = [p.strip() for p in policy.split(",") if p.strip()]
    unknown = [p for p in names if p not in POLICIES]
    if unknown or not names:
        raise ValueError(f"Unknown DiffAugment policy {policy!r}; use a comma-separated subset of {sorted(POLICIES)}.")
    return names


def diff_augment(images, policy: str, uniform: Uniform):
    """Applies the transforms of ``policy`` in order (DiffAugment applies color, translation, cutout)."""
    for name in parse_policy(policy):
        images = POLICIES[name](images, uniform)
    return images
