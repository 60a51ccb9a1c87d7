"""Super-resolution benchmark: quality vs bicubic (MNIST x4 / x2, skimage photographs), tiled-upscale throughput
and memory, train-step speed beside the same networks in PyTorch eager. A few minutes on 2 CPU cores.

    python benchmarks/bench_super_resolution.py [--steps 300] [--photo-steps 600] [--gan-steps 150] [--quick]

Writes benchmarks/SUPER_RESOLUTION.md (not with --quick unless --report is given).

PSNR/SSIM as BasicSR reports them: Y channel (BT.601) for colour, grey values for digits, ``scale`` pixels cropped
at every border; the bicubic baseline upscales the same low-res inputs. Low-res inputs: antialiased bicubic.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time

import keras
import numpy as np

import keras_gans as kg
from keras_gans.metrics.super_resolution import super_resolution_scores

SMALL = {"filters": 32, "num_blocks": 4, "d_filters": 16, "content": None}


def _mnist():
    directory = os.environ.get(
        "KERAS_GANS_MNIST_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data", "mnist")
    )
    images, labels = kg.data.load_mnist_idx(directory)
    return (images[..., None].astype(np.float32) / 127.5 - 1.0), labels.astype(np.int32)


def mnist_quality(scale: int, steps: int, classifier) -> dict:
    images, labels = _mnist()
    train, held, held_labels = images[:8000], images[8000:], labels[8000:]
    model = kg.SRGAN(scale=scale, channels=1, pretrain_steps=steps, seed=0, **SMALL)
    model.compile(g_optimizer=keras.optimizers.Adam(1e-3))
    start = time.perf_counter()
    model.fit(train, batch_size=32, epochs=1, steps_per_epoch=steps, verbose=0)
    seconds = time.perf_counter() - start
    scores = super_resolution_scores(model, held, num_samples=2000, classifier=classifier, labels=held_labels)
    return {
        "scale": scale,
        "steps": steps,
        "train_seconds": round(seconds, 1),
        **{k: round(v, 4) for k, v in scores.items()},
    }


#: skimage.data colour photographs (shipped in its wheel): trained on random crops of these ...
TRAIN_PHOTOS = ("astronaut", "coffee", "hubble_deep_field", "immunohistochemistry", "retina")
#: ... and evaluated, whole, on these (chelsea is skimage's cat too, so it is not in both lists).
HELD_OUT_PHOTOS = ("chelsea", "rocket", "stereo_motorcycle")
PHOTO_SIZES = {"filters": 32, "num_blocks": 2, "d_filters": 16, "content": None}


def _photo(name: str) -> np.ndarray:
    from skimage import data as skdata

    image = getattr(skdata, name)()
    image = image[0] if isinstance(image, tuple) else image  # stereo_motorcycle: (left, right, disparity)
    return image[..., :3].astype(np.float32) / 127.5 - 1.0


def photo_crops(count: int, size: int, seed: int = 0) -> np.ndarray:
    """``count`` random ``size``-pixel crops of :data:`TRAIN_PHOTOS`, randomly flipped and transposed."""
    rng = np.random.default_rng(seed)
    photos = [_photo(name) for name in TRAIN_PHOTOS]
    crops = np.empty((count, size, size, 3), np.float32)
    for i in range(count):
        photo = photos[rng.integers(len(photos))]
        y, x = rng.integers(0, photo.shape[0] - size + 1), rng.integers(0, photo.shape[1] - size + 1)
        crop = photo[y : y + size, x : x + size]
        crop = crop[:, ::-1] if rng.random() < 0.5 else crop
        crop = crop[::-1] if rng.random() < 0.5 else crop
        crops[i] = crop.transpose(1, 0, 2) if rng.random() < 0.5 else crop
    return crops


def held_out_scores(model, photos: dict) -> dict:
    """PSNR/SSIM (Y, ``scale``-pixel border cropped) per held-out photo and their means, bicubic beside them."""
    per_photo = {name: super_resolution_scores(model, image[None], num_samples=1) for name, image in photos.items()}
    keys = ("psnr", "ssim", "psnr_bicubic", "ssim_bicubic")
    means = {k: round(float(np.mean([s[k] for s in per_photo.values()])), 4) for k in keys}
    means["per_photo_psnr"] = {n: [round(s["psnr"], 2), round(s["psnr_bicubic"], 2)] for n, s in per_photo.items()}
    return means


def held_out_photos(scale: int) -> dict:
    """:data:`HELD_OUT_PHOTOS`, whole, cropped to multiples of ``scale``."""
    photos = {}
    for name in HELD_OUT_PHOTOS:
        image = _photo(name)
        photos[name] = image[: image.shape[0] // scale * scale, : image.shape[1] // scale * scale]
    return photos


def photo_quality(
    model_name: str,
    bicubic_skip: bool,
    crops: np.ndarray,
    photos: dict,
    scale: int,
    pixel_steps: int,
    batch: int,
    lr: float,
):
    """One model trained on ``crops`` (:func:`photo_crops`): ``pixel_steps`` of the pixel-loss phase, then the GAN
    phase on the rest; scores on the held-out ``photos`` after each (and ESRGAN's network interpolation between
    them). ``bicubic_skip``: G learns the residual over bicubic."""
    cls = kg.SRGAN if model_name == "srgan" else kg.ESRGAN
    model = cls(scale=scale, channels=3, pretrain_steps=pixel_steps, bicubic_skip=bicubic_skip, seed=0, **PHOTO_SIZES)
    schedule = keras.optimizers.schedules.CosineDecay(lr, pixel_steps, alpha=0.05)
    model.compile(g_optimizer=keras.optimizers.Adam(schedule, beta_1=0.9, beta_2=0.99))
    result = {"model": model_name, "bicubic_skip": bicubic_skip, "scale": scale, "crop": crops.shape[1]}
    result.update(batch=batch, lr=lr, **PHOTO_SIZES)

    def phase(images: np.ndarray) -> dict:
        """Trains on ``images`` (one epoch); its steps, wall and CPU seconds and then the held-out scores."""
        start, cpu = time.perf_counter(), time.process_time()
        model.fit(images, batch_size=batch, epochs=1, shuffle=False, verbose=0)
        seconds = {
            "train_seconds": round(time.perf_counter() - start, 1),
            "cpu_seconds": round(time.process_time() - cpu, 1),
        }
        return {"steps": len(images) // batch, **seconds, **held_out_scores(model, photos)}

    result["pixel_phase"] = phase(crops[: batch * pixel_steps])
    pixel_generator = keras.models.clone_model(model.generator)
    pixel_generator.set_weights(model.generator.get_weights())
    if len(crops) > batch * pixel_steps:
        result["gan_phase"] = phase(crops[batch * pixel_steps :])
        if model_name == "esrgan":
            result["interpolation"] = {
                str(alpha): held_out_scores(kg.interpolate_weights(pixel_generator, model, alpha), photos)
                for alpha in (0.2, 0.5, 0.8)
            }
    return result


def photo_results(pixel_steps: int, gan_steps: int, scale: int = 2, crop: int = 48, batch: int = 16) -> list[dict]:
    """SRGAN and ESRGAN, each without and with ``bicubic_skip``, on the same crops and held-out photos."""
    try:
        import skimage  # noqa: F401
    except ImportError:
        return [{"error": 'scikit-image is not installed (pip install -e ".[benchmarks]")'}]
    crops = photo_crops(batch * (pixel_steps + gan_steps), crop)
    photos = held_out_photos(scale)
    return [
        photo_quality(name, skip, crops, photos, scale, pixel_steps, batch, lr=2e-3)
        for name in ("srgan", "esrgan")
        for skip in (False, True)
    ]


def tiled_throughput() -> dict:
    model = kg.SRGAN(scale=4, channels=3, filters=16, num_blocks=4, d_filters=8, content=None, seed=0)
    image = np.random.default_rng(0).uniform(-1, 1, (1024, 1024, 3)).astype(np.float32)
    model.upscale_image(image[:64, :64], tile_size=64)  # trace
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    out = model.upscale_image(image, tile_size=128)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "input": "1024x1024x3",
        "output": list(out.shape),
        "network": "SRResNet 16 filters, 4 blocks, x4",
        "tile_size": 128,
        "overlap": model.receptive_radius,
        "seconds": round(seconds, 2),
        "input_megapixels_per_s": round(1.048576 / seconds, 3),
        "peak_rss_mb": round(peak / 1024, 1),
        "peak_rss_growth_mb": round((peak - before) / 1024, 1),
    }


def train_speed(steps: int = 20) -> dict:
    x = np.random.default_rng(0).uniform(-1, 1, (32 * steps, 32, 32, 1)).astype(np.float32)
    model = kg.SRGAN(scale=2, channels=1, pretrain_steps=0, seed=0, **SMALL)
    model.compile()
    model.fit(x[:64], batch_size=32, epochs=1, verbose=0)
    start = time.perf_counter()
    model.fit(x, batch_size=32, epochs=1, verbose=0)
    keras_its = steps / (time.perf_counter() - start)
    result = {"batch": "32 x 32x32x1 high-res, x2", "keras_it_per_s": round(keras_its, 2)}
    torch_its = _torch_speed(steps)
    if torch_its is not None:
        result.update(torch_eager_it_per_s=round(torch_its, 2), keras_over_torch=round(keras_its / torch_its, 2))
    return result


def _torch_speed(steps: int) -> float | None:
    try:
        import torch
    except ImportError:
        return None
    import torch_super_resolution

    step = torch_super_resolution.srgan_step(torch, SMALL["filters"], SMALL["num_blocks"], SMALL["d_filters"])
    step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return steps / (time.perf_counter() - start)


def _phase_rows(result: dict) -> list[str]:
    rows = []
    name = f"{result['model'].upper()} x{result['scale']}" + (" bicubic skip" if result.get("bicubic_skip") else "")
    phases = [("pixel loss", result.get("pixel_phase")), ("GAN", result.get("gan_phase"))]
    phases += [(f"interpolated, alpha {a}", r) for a, r in result.get("interpolation", {}).items()]
    for phase, r in phases:
        if r:
            rows.append(
                f"| {name} | {phase} | {r.get('steps', '')} | {r['psnr']:.2f} | "
                f"{r['psnr_bicubic']:.2f} | {r['psnr'] - r['psnr_bicubic']:+.2f} | {r['ssim']:.4f} | "
                f"{r['ssim_bicubic']:.4f} | {r.get('cpu_seconds', '')} |"
            )
    return rows


def markdown(results: dict, command: str) -> str:
    """benchmarks/SUPER_RESOLUTION.md from the results."""
    m = results["machine"]
    lines = [
        "# Super-resolution benchmark (`benchmarks/bench_super_resolution.py`)",
        "",
        f"`{command}`: {m['date']}, {m['cpu']}, {m['cores']} cores, TensorFlow {m['tensorflow']}, Keras "
        f"{m['keras']}; load average at start {m['load_average_1min']} (shared machine: wall times are noisy).",
        "",
        "PSNR/SSIM as BasicSR reports them: Y channel of YCbCr (BT.601) for colour, grey values for digits, `scale` "
        "pixels cropped at every border, float outputs; bicubic upscales the same antialiased-bicubic low-res inputs.",
        "`bicubic skip`: the generator predicts the residual over bicubic upsampling (`bicubic_skip=True`; a new "
        "network is the bicubic baseline); without it, the image itself through tanh (the papers' networks).",
        "",
        f"## Photographs (skimage.data): trained on crops of {', '.join(TRAIN_PHOTOS)}; held out: "
        f"{', '.join(HELD_OUT_PHOTOS)} (whole photos, means)",
        "",
        "| model | phase | steps | PSNR | bicubic | gain | SSIM | bicubic | CPU s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results["photos"]:
        if "error" in result:
            lines.append(f"| {result.get('model', '')} | {result['error']} |")
        else:
            lines += _phase_rows(result)
    lines += ["", "## MNIST (held-out 2000 digits; FID/KID in the MNIST classifier's features)", ""]
    lines += ["| task | steps | PSNR | bicubic | SSIM | bicubic | FID | bicubic | accuracy | bicubic |"]
    lines += ["|---|---|---|---|---|---|---|---|---|---|"]
    for key in ("mnist_x4", "mnist_x2"):
        r = results[key]
        lines.append(
            f"| x{r['scale']} | {r['steps']} | {r['psnr']:.2f} | {r['psnr_bicubic']:.2f} | {r['ssim']:.4f} | "
            f"{r['ssim_bicubic']:.4f} | {r['fid']:.2f} | {r['fid_bicubic']:.2f} | {r['accuracy']:.3f} | "
            f"{r['accuracy_bicubic']:.3f} |"
        )
    t = results["upscale_image_1024"]
    lines += [
        "",
        "## `upscale_image` on 1024x1024x3",
        "",
        f"{t['network']}, tile {t['tile_size']}, overlap {t['overlap']}: {t['seconds']} s, "
        f"{t['input_megapixels_per_s']} input MP/s; peak memory: ru_maxrss growth {t['peak_rss_growth_mb']} MB "
        f"(process peak {t['peak_rss_mb']} MB).",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=300, help="pretraining steps per MNIST run")
    parser.add_argument("--photo-steps", type=int, default=600, help="pixel-loss steps per photo model")
    parser.add_argument("--gan-steps", type=int, default=150, help="GAN-phase steps per photo model")
    parser.add_argument("--quick", action="store_true", help="a 1-2 minute smoke run (figures not reportable)")
    parser.add_argument("--out", default=None)
    parser.add_argument("--report", default=None, help="markdown report (default benchmarks/SUPER_RESOLUTION.md)")
    args = parser.parse_args()
    if args.quick:
        args.steps, args.photo_steps, args.gan_steps = 20, 10, 5
    from harness import machine_info

    results = {"machine": machine_info()}
    # First, while the process is small: its peak memory would otherwise be the training's.
    results["upscale_image_1024"] = tiled_throughput()
    images, labels = _mnist()
    epochs = 1 if args.quick else 2
    classifier = kg.metrics.classifier.train_mnist_classifier(images[:8000], labels[:8000], epochs=epochs)
    results["mnist_x4"] = mnist_quality(4, args.steps, classifier)
    results["mnist_x2"] = mnist_quality(2, args.steps, classifier)
    results["photos"] = photo_results(args.photo_steps, args.gan_steps)
    if not args.quick:
        results["train_step"] = train_speed()
    text = json.dumps(results, indent=2)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text)
    report = args.report or os.path.join(os.path.dirname(os.path.abspath(__file__)), "SUPER_RESOLUTION.md")
    if args.quick and args.report is None:
        return  # a smoke run does not overwrite the reported figures
    command = "python benchmarks/bench_super_resolution.py " + " ".join(sys.argv[1:])
    with open(report, "w") as f:
        f.write(markdown(results, command.strip()))


if __name__ == "__main__":
    main()
