"""Translation benchmarks on the offline tasks: the paper ablations, and train-step speed against PyTorch eager.

Run from the repository root (a few minutes on 2 cores with the defaults)::

    python benchmarks/bench_translation.py [--p2p-steps 300 --cyc-steps 300 --speed-steps 12]

1. Pix2Pix on ``edges2digits`` (MNIST edge maps -> digits), L1 only (the same U-Net trained on the L1 loss alone,
   Isola et al.'s "L1" row) vs L1 + cGAN (``kg.Pix2Pix``, λ = 100): PSNR / SSIM / L1 against the held-out
   targets, FID / KID of the outputs against them and the accuracy of an MNIST classifier on the outputs.
2. CycleGAN on ``digits2mnist`` (sklearn 8x8 digits framed like MNIST -> MNIST), without the cycle loss
   (``cycle_weight=0``, so no identity loss either: a plain two-way GAN) vs with it (λ = 10, identity 0.5 λ):
   FID / KID of the translated held-out sklearn digits against held-out MNIST, and the MNIST classifier's accuracy
   on them with the source labels (labels must survive translation). The untranslated inputs are the baseline.
3. Train-step speed of both (median seconds per step inside ``fit``, and CPU seconds: the machine may be shared)
   and of the same networks, batch and optimiser in PyTorch eager (``torch_translation.py``), each in its own
   process; ratio = keras it/s / torch it/s.

The classifier (``keras_gans.metrics.train_mnist_classifier``, 2 epochs) is trained on the edges2digits training
targets (the first 9,000 MNIST test digits); every score uses the 1,000 held-out MNIST digits / 297 held-out sklearn
digits. Writes ``benchmarks/translation_results.json``, ``benchmarks/TRANSLATION.md`` and the pictures in
``docs/images/``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SIZE, CHANNELS = 28, 1


# ----------------------------------------------------------------------------------------------------------------
# Speed (one process per configuration)


def _speed_keras(model_name: str, batch: int, filters: int, blocks: int, steps: int, jit: bool, threads: int) -> dict:
    import numpy as np
    import tensorflow as tf

    if threads:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    import keras_gans as kg

    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, (batch * 4, SIZE, SIZE, CHANNELS)).astype(np.float32)
    shape = (SIZE, SIZE, CHANNELS)
    if model_name == "pix2pix":
        model = kg.Pix2Pix(input_shape=shape, output_channels=CHANNELS, filters=filters, discriminator_filters=filters)
        data = kg.data.paired_from_arrays(x, -x, batch_size=batch, seed=0)
    else:
        model = kg.CycleGAN(
            shape_a=shape, shape_b=shape, filters=filters, residual_blocks=blocks, discriminator_filters=filters
        )
        data = kg.data.unpaired(x, -x, batch_size=batch, seed=0)
    model.compile(jit_compile=jit)
    timer = harness.step_timer(skip=2)
    model.fit(data.repeat(), steps_per_epoch=steps + 3, epochs=1, verbose=0, callbacks=[timer])
    params = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    return {**harness.summarize(timer.times, timer.cpu_times), "trainable_parameters": params}


def _speed_torch(model_name: str, batch: int, filters: int, blocks: int, steps: int, threads: int) -> dict:
    import numpy as np
    import torch

    if threads:
        torch.set_num_threads(threads)
    import torch_translation

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x = torch.from_numpy(rng.uniform(-1, 1, (batch, CHANNELS, SIZE, SIZE)).astype(np.float32))
    if model_name == "pix2pix":
        step, params = torch_translation.pix2pix_step(torch, SIZE, CHANNELS, filters)
    else:
        step, params = torch_translation.cyclegan_step(torch, SIZE, CHANNELS, filters, blocks)
    times, cpu = [], []
    for i in range(steps + 2):
        start = (time.perf_counter(), time.process_time())
        step(x, -x)
        if i >= 2:
            times.append(time.perf_counter() - start[0])
            cpu.append(time.process_time() - start[1])
    return {**harness.summarize(times, cpu), "trainable_parameters": params, "torch_threads": torch.get_num_threads()}


# ----------------------------------------------------------------------------------------------------------------
# Ablations (in this process)


def _pictures(columns, path: str, labels: list[str]) -> str:
    import numpy as np

    from keras_gans.utils.images import make_grid, save_png

    rows = len(columns[0])
    tiles = np.stack(columns, axis=1).reshape(rows * len(columns), *columns[0].shape[1:])
    save_png(make_grid(tiles, num_rows=rows), path, scale=3)
    return f"{os.path.relpath(path, ROOT)} (columns: {' | '.join(labels)})"


def _ablations(args) -> dict:
    import keras

    import keras_gans as kg
    from keras_gans.networks.unet import build_unet_generator

    keras.utils.set_random_seed(0)
    results: dict = {}
    paired_train = kg.data.edges2digits_arrays("train")
    paired_test = kg.data.edges2digits_arrays("test")
    unpaired_test = kg.data.digits2mnist_arrays("test")

    start = time.perf_counter()
    classifier = kg.metrics.train_mnist_classifier(paired_train.targets, paired_train.labels, epochs=2)
    extractor = kg.metrics.ClassifierFeatureExtractor(classifier)
    accuracy = kg.metrics.label_accuracy(extractor.probabilities(paired_test.targets), paired_test.labels)
    results["classifier"] = {"held_out_mnist_accuracy": accuracy, "seconds": time.perf_counter() - start}
    print(f"classifier: {accuracy:.4f} on held-out MNIST", flush=True)

    def score(name, model, inputs, **data):
        t = time.perf_counter()
        scores = kg.metrics.evaluate_translation(model, inputs, classifier=extractor, kid_subset_size=297, **data)
        scores["settings"] = {k: v for k, v in scores["settings"].items() if k != "layer"}
        print(f"{name}: " + ", ".join(f"{k}={v:.4g}" for k, v in scores.items() if k != "settings"), flush=True)
        return {**scores, "eval_seconds": time.perf_counter() - t}

    # Pix2Pix: L1 only vs L1 + cGAN, the same U-Net, data order and optimiser.
    batch, steps, filters = args.batch, args.p2p_steps, args.filters
    shape = (SIZE, SIZE, CHANNELS)
    test_data = {"targets": paired_test.targets, "labels": paired_test.labels}
    l1_net = build_unet_generator(shape, CHANNELS, filters=filters, name="generator")
    l1_net.compile(optimizer=keras.optimizers.Adam(2e-4, beta_1=0.5), loss="mae")
    start = time.perf_counter()
    l1_net.fit(
        kg.data.load("edges2digits", batch_size=batch, seed=0).repeat(), steps_per_epoch=steps, epochs=1, verbose=0
    )
    l1_only = score("pix2pix L1 only", lambda x: l1_net.predict(x, verbose=0), paired_test.inputs, **test_data)
    l1_only["train_seconds"] = time.perf_counter() - start
    pix2pix = kg.Pix2Pix(
        input_shape=shape, output_channels=CHANNELS, filters=filters, discriminator_filters=filters, seed=0
    )
    pix2pix.compile()
    start = time.perf_counter()
    pix2pix.fit(
        kg.data.load("edges2digits", batch_size=batch, seed=0).repeat(), steps_per_epoch=steps, epochs=1, verbose=0
    )
    with_gan = score("pix2pix L1 + cGAN", pix2pix, paired_test.inputs, **test_data)
    with_gan["train_seconds"] = time.perf_counter() - start
    baseline = score("edges (untranslated)", lambda x: x, paired_test.inputs, **test_data)
    results["pix2pix"] = {
        "config": {"steps": steps, "batch": batch, "filters": filters, "l1_weight": pix2pix.l1_weight},
        "untranslated": baseline,
        "l1_only": l1_only,
        "l1_gan": with_gan,
    }
    shown = paired_test.inputs[:8]
    results["pix2pix"]["picture"] = _pictures(
        [shown, l1_net.predict(shown, verbose=0), pix2pix.translate(shown), paired_test.targets[:8]],
        os.path.join(ROOT, "docs", "images", "translation_pix2pix_edges2digits.png"),
        ["edges", "L1 only", "L1 + cGAN", "target"],
    )

    # CycleGAN: without vs with the cycle loss.
    steps, blocks = args.cyc_steps, args.blocks
    test_data = {"labels": unpaired_test.labels_a, "reference": unpaired_test.images_b}
    results["cyclegan"] = {
        "config": {"steps": steps, "batch": args.cyc_batch, "filters": filters, "residual_blocks": blocks},
        "untranslated": score("sklearn digits (untranslated)", lambda x: x, unpaired_test.images_a, **test_data),
    }
    translated = {}
    for key, weights in (("no_cycle", {"cycle_weight": 0.0, "identity_weight": 0.0}), ("cycle", {})):
        keras.utils.set_random_seed(0)
        model = kg.CycleGAN(
            shape_a=shape,
            shape_b=shape,
            filters=filters,
            residual_blocks=blocks,
            discriminator_filters=filters,
            seed=0,
            **weights,
        )
        model.compile()
        start = time.perf_counter()
        model.fit(
            kg.data.load("digits2mnist", batch_size=args.cyc_batch, seed=0).repeat(),
            steps_per_epoch=steps,
            epochs=1,
            verbose=0,
        )
        results["cyclegan"][key] = score(f"cyclegan {key}", model, unpaired_test.images_a, **test_data)
        results["cyclegan"][key]["train_seconds"] = time.perf_counter() - start
        results["cyclegan"][key]["weights"] = {
            "cycle_weight": model.cycle_weight,
            "identity_weight": model.identity_weight,
        }
        translated[key] = model.translate(unpaired_test.images_a[:8])
    results["cyclegan"]["picture"] = _pictures(
        [unpaired_test.images_a[:8], translated["no_cycle"], translated["cycle"]],
        os.path.join(ROOT, "docs", "images", "translation_cyclegan_digits2mnist.png"),
        ["sklearn digit", "no cycle loss", "with cycle loss"],
    )
    return results


# ----------------------------------------------------------------------------------------------------------------
# Report


def _markdown(results: dict) -> str:
    lines = ["# Translation benchmarks (`benchmarks/bench_translation.py`)", ""]
    machine = results["machine"]
    lines += [
        f"{machine['date']}, {machine['cpu']}, {machine['cores']} cores, TensorFlow {machine['tensorflow']}, "
        f"Keras {machine['keras']}, torch {machine.get('torch')}; load average at start {machine['load_average_1min']} "
        "(the machine was shared: wall times are noisy, CPU seconds less so).",
        "",
    ]
    ab = results.get("ablations")
    if ab:
        cfg = ab["pix2pix"]["config"]
        lines += [
            f"## Pix2Pix on edges2digits ({cfg['steps']} steps of batch {cfg['batch']}, filters {cfg['filters']})",
            "",
            f"MNIST classifier: {ab['classifier']['held_out_mnist_accuracy']:.4f} accuracy on the held-out digits.",
            "",
            "| | PSNR (dB) | SSIM | L1 | FID (classifier) | KID | digit accuracy |",
            "|---|---|---|---|---|---|---|",
        ]
        for key, label in (("untranslated", "edge map itself"), ("l1_only", "L1 only"), ("l1_gan", "L1 + cGAN")):
            r = ab["pix2pix"][key]
            lines.append(
                f"| {label} | {r['psnr']:.2f} | {r['ssim']:.3f} | {r['l1']:.3f} | {r['fid']:.2f} | {r['kid']:.4f} | "
                f"{r['accuracy']:.3f} |"
            )
        cfg = ab["cyclegan"]["config"]
        lines += [
            "",
            f"## CycleGAN on digits2mnist ({cfg['steps']} steps of batch {cfg['batch']}, filters {cfg['filters']}, "
            f"{cfg['residual_blocks']} residual blocks)",
            "",
            "| | FID vs MNIST (classifier) | KID | digit accuracy (source labels) |",
            "|---|---|---|---|",
        ]
        for key, label in (
            ("untranslated", "framed sklearn digits"),
            ("no_cycle", "no cycle loss"),
            ("cycle", "with cycle loss"),
        ):
            r = ab["cyclegan"][key]
            lines.append(f"| {label} | {r['fid']:.2f} | {r['kid']:.4f} | {r['accuracy']:.3f} |")
        lines += ["", f"Pictures: {ab['pix2pix']['picture']}; {ab['cyclegan']['picture']}.", ""]
    for section in sorted(k for k in results if k.startswith("speed")):
        speed = results[section]
        threads = "framework default threads" if section == "speed" else section.split("_")[1] + " thread(s) each"
        lines += [
            "",
            f"## Train-step speed ({threads}; one train step = D and G updates)",
            "",
            "| model | batch | trainable params (keras / torch) | keras XLA it/s | keras it/s | torch eager it/s | "
            "ratio (best keras / torch) | CPU s/step keras / torch |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for name, r in speed.items():
            kx, kn, t = r["keras_xla"], r["keras"], r["torch"]
            ok = [k for k in (kx, kn) if "error" not in k]
            if not ok or "error" in t:
                problem = next(k["error"] for k in (kx, kn, t) if "error" in k).splitlines()[0]
                lines.append(f"| {name} | {r['batch']} | error: {problem} |||||| ")
                continue

            def rate(k):
                return "not measured" if "error" in k else f"{k['it_per_s']:.2f}"

            best = max(k["it_per_s"] for k in ok)
            cpu_best = min(k["cpu_median_s"] for k in ok)
            lines.append(
                f"| {name} | {r['batch']} | {ok[0]['trainable_parameters']} / {t['trainable_parameters']} | "
                f"{rate(kx)} | {rate(kn)} | {t['it_per_s']:.2f} | {best / t['it_per_s']:.2f} | "
                f"{cpu_best:.3f} / {t['cpu_median_s']:.3f} |"
            )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--part", choices=("all", "ablations", "speed", "speed_keras", "speed_torch", "report"), default="all"
    )
    parser.add_argument("--merge", nargs="*", default=[], help="results files of parts run separately, to merge")
    parser.add_argument("--model", choices=("pix2pix", "cyclegan"), default="pix2pix")
    parser.add_argument("--p2p-steps", type=int, default=300)
    parser.add_argument("--cyc-steps", type=int, default=300)
    parser.add_argument("--batch", type=int, default=32, help="Pix2Pix batch")
    parser.add_argument("--cyc-batch", type=int, default=8, help="CycleGAN batch")
    parser.add_argument("--filters", type=int, default=16)
    parser.add_argument("--blocks", type=int, default=3)
    parser.add_argument("--speed-steps", type=int, default=12)
    parser.add_argument("--speed-filters", type=int, default=32)
    parser.add_argument("--jit", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0, help="threads of both frameworks (0: their default)")
    parser.add_argument("--output", default=os.path.join(HERE, "translation_results.json"))
    parser.add_argument("--report", default=os.path.join(HERE, "TRANSLATION.md"))
    args = parser.parse_args()
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    batches = {"pix2pix": args.batch, "cyclegan": args.cyc_batch}
    if args.part == "speed_keras":
        harness.emit(
            _speed_keras(
                args.model,
                batches[args.model],
                args.speed_filters,
                args.blocks,
                args.speed_steps,
                bool(args.jit),
                args.threads,
            )
        )
        return
    if args.part == "speed_torch":
        try:
            import torch  # noqa: F401
        except ImportError:
            harness.emit(
                {"error": "torch is not installed (pip install torch --index-url https://download.pytorch.org/whl/cpu)"}
            )
            return
        harness.emit(
            _speed_torch(
                args.model, batches[args.model], args.speed_filters, args.blocks, args.speed_steps, args.threads
            )
        )
        return
    results = {"machine": harness.machine_info()}
    for path in [args.output, *args.merge]:  # parts measured earlier (or in another process) are kept
        if os.path.exists(path):
            with open(path) as f:
                previous = json.load(f)
            results.update({k: v for k, v in previous.items() if k == "ablations" or k.startswith("speed")})
    if args.part in ("all", "speed"):
        speed = {}
        script = os.path.abspath(__file__)
        common = [
            "--blocks",
            str(args.blocks),
            "--speed-steps",
            str(args.speed_steps),
            "--speed-filters",
            str(args.speed_filters),
        ]
        common += ["--batch", str(args.batch), "--cyc-batch", str(args.cyc_batch), "--threads", str(args.threads)]
        for name in ("pix2pix", "cyclegan"):
            speed[name] = {
                "batch": batches[name],
                "filters": args.speed_filters,
                "keras_xla": harness.run_config(
                    script, ["--part", "speed_keras", "--model", name, "--jit", "1", *common]
                ),
                "keras": harness.run_config(script, ["--part", "speed_keras", "--model", name, "--jit", "0", *common]),
                "torch": harness.run_config(script, ["--part", "speed_torch", "--model", name, *common]),
            }
            print(name, json.dumps(speed[name]), flush=True)
        results["speed" if not args.threads else f"speed_{args.threads}_thread"] = speed
    if args.part in ("all", "ablations"):
        results["ablations"] = _ablations(args)
    with open(args.output, "w") as f:
        json.dump(results, f, indent=2, default=str)
    report = args.report
    with open(report, "w") as f:
        f.write(_markdown(results))
    print(f"Wrote {args.output} and {report}")


if __name__ == "__main__":
    main()
