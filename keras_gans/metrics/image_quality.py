"""Full-reference image quality: PSNR, SSIM, L1 between an output and its target, per image.

Images are float NHWC batches in [-1, 1] unless said otherwise (a range of 2, hence ``max_val=2.0``); every
function returns one value per image (shape ``(N,)``, float32 tensors, usable inside ``tf.function``) and
:func:`image_quality_scores` their means as Python floats. The super-resolution convention of BasicSR / the
SRGAN-ESRGAN papers -- PSNR and SSIM on the Y channel of YCbCr (ITU-R BT.601) on the [0, 255] scale after
cropping ``scale`` pixels from every border -- is ``y_channel=True, crop=scale``. BasicSR computes on 8-bit
images rounded to integers; these functions use the float outputs as they are (no rounding), which differs from
the rounded value by far less than the differences between models.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf

__all__ = [
    "SSIM_FILTER_SIGMA",
    "SSIM_FILTER_SIZE",
    "SSIM_K1",
    "SSIM_K2",
    "Y_OFFSET",
    "Y_WEIGHTS",
    "crop_border",
    "image_quality_scores",
    "l1",
    "psnr",
    "rgb_to_y",
    "ssim",
]

#: The Gaussian window of Wang et al. (2004), "Image quality assessment: from error visibility to structural
#: similarity": 11x11, sigma 1.5, and the stabilising constants K1, K2 (also TF's, scikit-image's and BasicSR's).
SSIM_FILTER_SIZE = 11
SSIM_FILTER_SIGMA = 1.5
SSIM_K1 = 0.01
SSIM_K2 = 0.03

#: ITU-R BT.601 luma for R, G, B in [0, 1], giving Y in [16, 235] (BasicSR's ``rgb2ycbcr(..., y_only=True)``).
Y_WEIGHTS = (65.481, 128.553, 24.966)
Y_OFFSET = 16.0
_Y_MAX_VAL = 255.0


def _pair(a: Any, b: Any, name: str) -> tuple[tf.Tensor, tf.Tensor]:
    a = tf.convert_to_tensor(a)
    b = tf.convert_to_tensor(b)
    for t, which in ((a, "first"), (b, "second")):
        if t.shape.rank != 4:
            raise ValueError(f"{name}: images must be batches (N, H, W, C); the {which} argument has shape {t.shape}")
        if not (t.dtype.is_floating or t.dtype.is_integer):
            raise ValueError(f"{name}: images must be numbers; the {which} argument has dtype {t.dtype.name}")
    if a.shape.is_fully_defined() and b.shape.is_fully_defined() and a.shape != b.shape:
        raise ValueError(
            f"{name}: the two batches differ in shape, {tuple(a.shape)} vs {tuple(b.shape)}; compare each output "
            "with its own target (resize or crop one of them to the other's size first)"
        )
    return tf.cast(a, tf.float32), tf.cast(b, tf.float32)


def crop_border(images: Any, pixels: int) -> tf.Tensor:
    """``images[:, p:H-p, p:W-p, :]``: drops ``pixels`` rows and columns at every border (0 returns them as is).

    Super-resolution papers crop ``scale`` pixels before PSNR/SSIM, where the upsampler has no context.
    """
    images = tf.convert_to_tensor(images)
    pixels = int(pixels)
    if pixels < 0:
        raise ValueError(f"crop_border: pixels must be >= 0; got {pixels}")
    if images.shape.rank != 4:
        raise ValueError(f"crop_border: images must be (N, H, W, C); got shape {images.shape}")
    if pixels == 0:
        return images
    height, width = images.shape[1], images.shape[2]
    for size, what in ((height, "height"), (width, "width")):
        if size is not None and size <= 2 * pixels:
            raise ValueError(
                f"crop_border: cropping {pixels} pixels from each side leaves nothing of {what} {size}; "
                f"pass pixels < {(size + 1) // 2}"
            )
    return images[:, pixels:-pixels, pixels:-pixels, :]


def rgb_to_y(images: Any, value_range: tuple[float, float] = (-1.0, 1.0)) -> tf.Tensor:
    """The Y (luma) channel of YCbCr, ITU-R BT.601, on the [0, 255] scale: (N, H, W, 3) -> (N, H, W, 1).

    ``Y = 16 + 65.481 R + 128.553 G + 24.966 B`` with R, G, B in [0, 1] (mapped from ``value_range``), so Y lies in
    [16, 235]; this is BasicSR's ``rgb2ycbcr(img, y_only=True) * 255``, the channel SR papers score on.
    """
    images = tf.convert_to_tensor(images)
    if images.shape.rank != 4 or images.shape[-1] != 3:
        raise ValueError(
            f"rgb_to_y needs RGB batches (N, H, W, 3); got shape {images.shape} (grey images are their own luma: "
            "score them with y_channel=False)"
        )
    lo, hi = float(value_range[0]), float(value_range[1])
    if not hi > lo:
        raise ValueError(f"rgb_to_y: value_range must be (lo, hi) with lo < hi; got {value_range!r}")
    unit = (tf.cast(images, tf.float32) - lo) / (hi - lo)
    weights = tf.constant(Y_WEIGHTS, tf.float32)
    return tf.tensordot(unit, weights, axes=[[3], [0]])[..., None] + Y_OFFSET


def _prepare(a: Any, b: Any, name: str, max_val: float, crop: int, y_channel: bool) -> tuple:
    a, b = _pair(a, b, name)
    if y_channel:
        a, b, max_val = rgb_to_y(a), rgb_to_y(b), _Y_MAX_VAL
    return crop_border(a, crop), crop_border(b, crop), float(max_val)


def psnr(a: Any, b: Any, max_val: float = 2.0, crop: int = 0, y_channel: bool = False) -> tf.Tensor:
    """Peak signal-to-noise ratio in dB per image: ``10 log10(max_val^2 / MSE)``, MSE over H, W and C.

    ``max_val`` is the width of the value range (2.0 for [-1, 1] images, 255 for 8-bit, and set to 255 by
    ``y_channel=True``, which scores the BT.601 luma of RGB inputs in [-1, 1]); ``crop`` pixels are dropped at
    every border first. Identical images give ``inf``. Computed by ``tf.image.psnr``.
    """
    a, b, max_val = _prepare(a, b, "psnr", max_val, crop, y_channel)
    return tf.image.psnr(a, b, max_val=max_val)


def ssim(
    a: Any,
    b: Any,
    max_val: float = 2.0,
    crop: int = 0,
    y_channel: bool = False,
    filter_size: int = SSIM_FILTER_SIZE,
    filter_sigma: float = SSIM_FILTER_SIGMA,
) -> tf.Tensor:
    """Structural similarity (Wang et al., 2004) per image, the mean over pixels and channels of the SSIM map.

    ``SSIM(x, y) = (2 mu_x mu_y + C1)(2 s_xy + C2) / ((mu_x^2 + mu_y^2 + C1)(s_x^2 + s_y^2 + C2))`` with local
    means, variances and covariance under a ``filter_size`` Gaussian window of ``filter_sigma`` (valid positions
    only), ``C1 = (0.01 max_val)^2``, ``C2 = (0.03 max_val)^2``. ``max_val``, ``crop`` and ``y_channel`` as in
    :func:`psnr`. Computed by ``tf.image.ssim``; the window must fit in the (cropped) image.
    """
    a, b, max_val = _prepare(a, b, "ssim", max_val, crop, y_channel)
    height, width = a.shape[1], a.shape[2]
    smallest = min(s for s in (height, width) if s is not None) if (height or width) else None
    if smallest is not None and smallest < filter_size:
        raise ValueError(
            f"ssim: images of {height}x{width} are smaller than the {filter_size}x{filter_size} window; pass "
            f"filter_size <= {smallest} (e.g. filter_size={smallest}, filter_sigma={smallest * 1.5 / 11:.2f})"
        )
    return tf.image.ssim(
        a, b, max_val=max_val, filter_size=filter_size, filter_sigma=filter_sigma, k1=SSIM_K1, k2=SSIM_K2
    )


def l1(a: Any, b: Any, crop: int = 0) -> tf.Tensor:
    """Mean absolute difference per image, ``mean(|a - b|)`` over H, W and C (in the images' own units)."""
    a, b = _pair(a, b, "l1")
    a, b = crop_border(a, crop), crop_border(b, crop)
    return tf.reduce_mean(tf.abs(a - b), axis=[1, 2, 3])


def image_quality_scores(
    outputs: Any, targets: Any, max_val: float = 2.0, crop: int = 0, y_channel: bool = False
) -> dict[str, float]:
    """``{"psnr", "ssim", "l1"}``: the means over the batch of :func:`psnr`, :func:`ssim` and :func:`l1`.

    SSIM's window shrinks to the image for images smaller than 11 pixels (``filter_size = min(11, H, W)``, sigma
    scaled alike), so tiny test images still get a number; report those numbers with their image size. PSNR of a
    pair of identical images is infinite and is capped at 100 dB so that the mean stays finite.
    """
    outputs, targets = _pair(outputs, targets, "image_quality_scores")
    cropped = crop_border(outputs, crop)
    size = min(int(cropped.shape[1]), int(cropped.shape[2]), SSIM_FILTER_SIZE)
    sigma = SSIM_FILTER_SIGMA * size / SSIM_FILTER_SIZE
    psnr_values = tf.minimum(psnr(outputs, targets, max_val, crop, y_channel), _PSNR_CAP_DB)
    return {
        "psnr": float(tf.reduce_mean(psnr_values)),
        "ssim": float(tf.reduce_mean(ssim(outputs, targets, max_val, crop, y_channel, size, sigma))),
        "l1": float(tf.reduce_mean(l1(outputs, targets, crop))),
    }


#: PSNR of identical images is infinite; :func:`image_quality_scores` caps each image's value here.
_PSNR_CAP_DB = 100.0
