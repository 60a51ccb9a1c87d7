"""PSNR, SSIM, L1, luma and border crop, each against an independent numpy computation."""

from __future__ import annotations

import numpy as np
import pytest

from keras_gans.metrics import image_quality as iq


def _images(seed: int, shape=(3, 16, 16, 3)) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    a = rng.uniform(-1, 1, shape).astype(np.float32)
    b = np.clip(a + rng.normal(0, 0.2, shape), -1, 1).astype(np.float32)
    return a, b


def _gaussian_window(size: int, sigma: float) -> np.ndarray:
    x = np.arange(size) - (size - 1) / 2.0
    g = np.exp(-(x**2) / (2 * sigma**2))
    window = np.outer(g, g)
    return window / window.sum()


def _filter_valid(image: np.ndarray, window: np.ndarray) -> np.ndarray:
    views = np.lib.stride_tricks.sliding_window_view(image, window.shape)
    return np.einsum("ijkl,kl->ij", views, window)


def _numpy_ssim(a: np.ndarray, b: np.ndarray, max_val: float, size: int = 11, sigma: float = 1.5) -> np.ndarray:
    """Wang et al. (2004) SSIM, Gaussian window, valid positions, mean over pixels then channels; per image."""
    c1, c2 = (0.01 * max_val) ** 2, (0.03 * max_val) ** 2
    window = _gaussian_window(size, sigma)
    a, b = a.astype(np.float64), b.astype(np.float64)
    values = []
    for x_img, y_img in zip(a, b):
        channels = []
        for c in range(a.shape[-1]):
            x, y = x_img[..., c], y_img[..., c]
            mu_x, mu_y = _filter_valid(x, window), _filter_valid(y, window)
            var_x = _filter_valid(x * x, window) - mu_x**2
            var_y = _filter_valid(y * y, window) - mu_y**2
            cov = _filter_valid(x * y, window) - mu_x * mu_y
            ssim_map = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
            channels.append(ssim_map.mean())
        values.append(np.mean(channels))
    return np.array(values)


def test_psnr_is_the_mse_formula():
    a, b = _images(0)
    mse = ((a.astype(np.float64) - b) ** 2).mean(axis=(1, 2, 3))
    np.testing.assert_allclose(iq.psnr(a, b).numpy(), 10 * np.log10(2.0**2 / mse), rtol=1e-5)
    np.testing.assert_allclose(iq.psnr(a, b, max_val=1.0).numpy(), 10 * np.log10(1.0 / mse), rtol=1e-5)


def test_psnr_crop_and_y_channel_match_numpy():
    a, b = _images(1)
    crop = 3
    ya = 16 + np.tensordot((a + 1) / 2, [65.481, 128.553, 24.966], axes=[[3], [0]])
    yb = 16 + np.tensordot((b + 1) / 2, [65.481, 128.553, 24.966], axes=[[3], [0]])
    diff = (ya - yb)[:, crop:-crop, crop:-crop]
    expected = 10 * np.log10(255.0**2 / (diff**2).mean(axis=(1, 2)))
    np.testing.assert_allclose(iq.psnr(a, b, crop=crop, y_channel=True).numpy(), expected, rtol=1e-4)


def test_rgb_to_y_is_bt601_on_the_255_scale():
    pixels = np.array([[[[-1, -1, -1], [1, 1, 1]], [[1, -1, -1], [0, 0, 0]]]], np.float32)  # black white red grey
    y = iq.rgb_to_y(pixels).numpy()[0, ..., 0]
    np.testing.assert_allclose(y, [[16.0, 235.0], [16 + 65.481, 16 + 219.0 / 2]], atol=1e-3)
    # The same on a [0, 255] input range.
    np.testing.assert_allclose(iq.rgb_to_y((pixels + 1) * 127.5, value_range=(0, 255)).numpy()[0, ..., 0], y, atol=1e-3)
    with pytest.raises(ValueError, match="y_channel=False"):
        iq.rgb_to_y(np.zeros((1, 4, 4, 1), np.float32))


def test_ssim_matches_numpy_gaussian_ssim():
    a, b = _images(2, (2, 20, 24, 3))
    np.testing.assert_allclose(iq.ssim(a, b).numpy(), _numpy_ssim(a, b, 2.0), atol=2e-5)
    np.testing.assert_allclose(iq.ssim(a, a).numpy(), 1.0, atol=1e-5)
    small = iq.ssim(a, b, filter_size=7, filter_sigma=1.0).numpy()
    np.testing.assert_allclose(small, _numpy_ssim(a, b, 2.0, 7, 1.0), atol=2e-5)


def test_ssim_matches_scikit_image_when_installed():
    metrics = pytest.importorskip("skimage.metrics")
    a, b = _images(3, (2, 24, 24, 1))
    got = iq.ssim(a, b).numpy()
    expected = [
        metrics.structural_similarity(
            x[..., 0], y[..., 0], data_range=2.0, gaussian_weights=True, sigma=1.5, use_sample_covariance=False
        )
        for x, y in zip(a, b)
    ]
    np.testing.assert_allclose(got, expected, atol=1e-4)


def test_l1_and_crop_border():
    a, b = _images(4)
    np.testing.assert_allclose(iq.l1(a, b).numpy(), np.abs(a - b).mean(axis=(1, 2, 3)), rtol=1e-5)
    np.testing.assert_allclose(
        iq.l1(a, b, crop=2).numpy(), np.abs(a - b)[:, 2:-2, 2:-2].mean(axis=(1, 2, 3)), rtol=1e-5
    )
    np.testing.assert_array_equal(iq.crop_border(a, 0).numpy(), a)
    np.testing.assert_array_equal(iq.crop_border(a, 5).numpy(), a[:, 5:11, 5:11])
    with pytest.raises(ValueError, match="pass pixels < 8"):
        iq.crop_border(a, 8)


def test_image_quality_scores_are_batch_means_and_handle_tiny_images():
    a, b = _images(5, (4, 8, 8, 1))
    scores = iq.image_quality_scores(a, b)
    assert set(scores) == {"psnr", "ssim", "l1"}
    np.testing.assert_allclose(scores["psnr"], iq.psnr(a, b).numpy().mean(), rtol=1e-5)
    np.testing.assert_allclose(scores["ssim"], _numpy_ssim(a, b, 2.0, 8, 1.5 * 8 / 11).mean(), atol=2e-5)
    assert iq.image_quality_scores(a, a)["psnr"] == 100.0  # identical images: capped, not inf


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: iq.psnr(np.zeros((2, 8, 8, 1)), np.zeros((2, 8, 9, 1))), "differ in shape"),
        (lambda: iq.psnr(np.zeros((8, 8, 1)), np.zeros((8, 8, 1))), r"batches \(N, H, W, C\)"),
        (lambda: iq.ssim(np.zeros((1, 8, 8, 1)), np.zeros((1, 8, 8, 1))), "filter_size <= 8"),
        (lambda: iq.crop_border(np.zeros((1, 8, 8, 1)), -1), ">= 0"),
    ],
)
def test_bad_input_is_refused_with_the_fix(call, match):
    with pytest.raises(ValueError, match=match):
        call()
