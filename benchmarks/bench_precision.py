"""float32 against mixed_bfloat16, keras_gans against PyTorch eager, for one model of every family, in one run.

Run from the repository root (about 15 minutes on 2 CPU cores; ``--quick`` for a smoke run of a minute or two)::

    python benchmarks/bench_precision.py                  # speed + ceiling + profile, then benchmarks/PRECISION.md
    python benchmarks/bench_precision.py --part quality   # FID at a fixed budget (bench_defaults.py), ~30 minutes
    python benchmarks/bench_precision.py --part report    # PRECISION.md again from the JSON files

**Speed.** Two worker processes stay up side by side: one with TensorFlow (keras_gans, every model built twice,
``precision="float32"`` and ``precision="mixed_bfloat16"``) and one with PyTorch (the mirrors of
``bench_torch_dcgan.py``, ``torch_translation.py``, ``torch_super_resolution.py`` and ``torch_style_based.py``, eager
float32 and eager under ``torch.autocast("cpu", dtype=torch.bfloat16)``; TensorFlow is never loaded there; WGAN-GP
is ``bench_torch_dcgan.make_wgan_gp_iteration``; every mirror's docstring says what it leaves out). After
every configuration is built and warmed up, the parent times ``--rounds`` rounds; in each round every model runs
its configurations one after the other (keras f32, keras bf16, torch f32, torch bf16; reversed every other round)
for a chunk of steps, so load from other jobs falls on all alike. A configuration's figure is the median over
rounds of ``steps / wall time`` of the chunk (keras: from the first to the last batch end inside ``fit``; torch:
the steps alone).

The models and their shapes are those of the existing benchmarks: DCGAN and WGAN-GP as ``bench_train_step.py``
(28x28x1 MNIST digits, latent 100, filters 64, batch 64; DCGAN with ``ema_decay=None`` like the PyTorch loop, and two
G forwards per iteration on both sides), Pix2Pix (batch 32) and CycleGAN (batch 8, 3 residual blocks) as
``bench_translation.py``'s speed rows (28x28x1, filters 32), SRGAN as ``bench_super_resolution.py`` (x2, 32x32x1
high-res, batch 32, 32 filters, 4 blocks), ESRGAN at the same shapes (32 filters, growth 16, 2 RRDBs), StyleGAN2
as ``bench_style_based.py`` (32x32x1, batch 32; chunks of 16 steps, one R1 and four path-length steps each) and
ProGAN as ``bench_progan.py`` (32x32x1, batch 32). XLA off everywhere (``compile()``'s ``"auto"`` on a CPU).

**Ceiling.** TensorFlow's float32 (and bfloat16) matmul at N = 4096, timed in every round in the keras worker; the
DCGAN iteration's FLOPs counted from the layer shapes (:func:`forward_flops`, :func:`dcgan_iteration_flops`); the
achieved fraction = iteration FLOPs x it/s / matmul FLOP/s.

**Profile.** Variants of the float32 DCGAN timed in the same rounds, one thing changed each: ``steps_per_execution``
8, the ``keras_gans.data`` pipeline instead of a constant batch, SGD instead of Adam, no batch norm, batch norm
without ``synchronized=True``, one G forward (``reuse_fake_batch``), the EMA of G; and each convolution of the
DCGAN alone (forward + backward at batch 64) as GFLOP/s, a transposed convolution beside the convolution of the
same FLOPs.

**Quality** (``--part quality``): ``bench_defaults.py`` trains DCGAN and CGAN with the package's defaults in float32
and in mixed_bfloat16, same seeds, and scores FID on its held-out judge; the report says whether the difference of
the means is within the seed spread (the larger range over seeds of the two precisions).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import harness  # noqa: E402

PRECISIONS = ("float32", "mixed_bfloat16")
#: model -> (steps per timed chunk, whether a PyTorch mirror exists)
MODELS = {
    "DCGAN": (6, True),
    "WGANGP": (2, True),
    "Pix2Pix": (6, True),
    "CycleGAN": (3, True),
    "SRGAN": (4, True),
    "ESRGAN": (3, True),
    "StyleGAN2": (16, True),
    "ProGAN": (4, True),
}
#: The float32 DCGAN variants of the profile (label -> what changes; ``jit_compile`` is understood too, XLA is
#: ``run_all.py``'s section); steps per chunk: one execution of 8 after the first.
PROFILE = {
    "baseline": {},
    "steps_per_execution=8": {"steps_per_execution": 8},
    "input pipeline (keras_gans.data)": {"feed": "pipeline"},
    "SGD instead of Adam": {"sgd": True},
    "no batch norm": {"batch_norm": False},
    "batch norm not synchronized": {"synchronized": False},
    "one G forward (reuse_fake_batch)": {"reuse_fake_batch": True},
    "EMA of G (ema_decay=0.999)": {"ema_decay": 0.999},
}
PROFILE_STEPS = 8
#: The CPU flags the header shows (what decides float32 and bfloat16 speed).
harness.SHOWN_CPU_FLAGS = (
    "avx2",
    "fma",
    "avx512f",
    "avx512_bf16",
    "avx512_fp16",
    "avx512_vnni",
    "amx_tile",
    "amx_bf16",
    "amx_int8",
)
MATMUL_N = 4096
OUTPUT = os.path.join(HERE, "precision_results.json")
QUALITY = os.path.join(HERE, "precision_quality.json")
MARKDOWN = os.path.join(HERE, "PRECISION.md")
QUALITY_VARIANTS = ("package,precision=float32", "package,precision=mixed_bfloat16")


# ----------------------------------------------------------------------------------------------------------------
# FLOPs from the layer shapes


def forward_flops(network) -> dict[str, int]:
    """Multiply-add FLOPs (2 per multiply-accumulate) of one image's forward pass, per layer of ``network``.

    Dense: ``2 * in * units`` (times the positions it applies to); Conv2D: ``2 * H_out * W_out * k_h * k_w * C_in *
    C_out / groups``; Conv2DTranspose: ``2 * H_in * W_in * k_h * k_w * C_in * C_out`` (each input pixel scatters a
    k x k x C_out patch). Everything else (batch norm, activations) is counted as free. Nested models are walked.
    """
    import keras
    import numpy as np

    flops: dict[str, int] = {}
    for layer in network.layers:
        if isinstance(layer, keras.Model):
            flops.update({f"{layer.name}/{k}": v for k, v in forward_flops(layer).items()})
            continue
        inner = getattr(layer, "layer", layer)  # SpectralNormalization wraps the layer
        if not isinstance(inner, (keras.layers.Dense, keras.layers.Conv2D, keras.layers.Conv2DTranspose)):
            continue
        in_shape, out_shape = tuple(layer.input.shape[1:]), tuple(layer.output.shape[1:])
        if isinstance(inner, keras.layers.Dense):
            count = 2 * in_shape[-1] * inner.units * int(np.prod(in_shape[:-1], dtype=np.int64))
        else:
            kernel = int(np.prod(inner.kernel_size)) * in_shape[-1] * out_shape[-1] // getattr(inner, "groups", 1)
            spatial = in_shape[:-1] if isinstance(inner, keras.layers.Conv2DTranspose) else out_shape[:-1]
            count = 2 * kernel * int(np.prod(spatial))
        flops[layer.name] = int(count)
    return flops


def dcgan_iteration_flops(model, batch: int) -> dict[str, float]:
    """FLOPs of one DCGAN iteration (``reuse_fake_batch=False``) at ``batch``, from :func:`forward_flops`.

    A pass that back-propagates to weights costs its forward three times (forward, input gradients, weight
    gradients); D in the G update back-propagates to its input only (2x). D update: G forward (1x) + D on the real
    and on the fake batch (3x each); G update: G (3x) + D (2x). So ``4 G + 8 D`` forwards per image.
    """
    g = sum(forward_flops(model.generator).values())
    d = sum(forward_flops(model.discriminator).values())
    per_image = 4 * g + 8 * d
    return {"g_forward": g, "d_forward": d, "per_image": per_image, "per_iteration": per_image * batch}


# ----------------------------------------------------------------------------------------------------------------
# The keras worker


def _timer():
    """A callback recording ``(batch index, wall, CPU)`` at every batch end (``steps_per_execution`` > 1 too)."""
    import keras

    class Marks(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.marks: list[tuple[int, float, float]] = []

        def on_train_batch_end(self, batch, logs=None):
            self.marks.append((batch, time.perf_counter(), time.process_time()))

    return Marks()


def _rate(marks: list[tuple[int, float, float]]) -> dict:
    """it/s and CPU seconds per iteration between the first and the last mark (the first step of a fit excluded)."""
    (b0, w0, c0), (b1, w1, c1) = marks[0], marks[-1]
    steps = b1 - b0
    return {"it_per_s": steps / (w1 - w0), "cpu_s_per_it": (c1 - c0) / steps, "steps": steps}


def _images(count: int, size: int, seed: int = 0):
    import numpy as np

    return np.random.default_rng(seed).uniform(-1, 1, (count, size, size, 1)).astype("float32")


def build_keras(name: str, precision: str, variant: dict | None = None):
    """``(model, dataset, steps per chunk)`` of one keras configuration (module docstring), compiled."""
    import bench_super_resolution
    import bench_train_step
    import keras
    import tensorflow as tf

    import keras_gans as kg

    variant = dict(variant or {})
    keras.utils.set_random_seed(0)
    compile_args: dict[str, Any] = {}
    steps = MODELS[name][0]
    if name in ("DCGAN", "WGANGP"):
        options = {"precision": precision}
        if name == "DCGAN":
            options["ema_decay"] = variant.pop("ema_decay", None)
            options["reuse_fake_batch"] = variant.pop("reuse_fake_batch", False)
            if "batch_norm" in variant or "synchronized" in variant:
                options.update(_dcgan_networks(**variant))
        model = bench_train_step.build_model(name, **options)
        data = bench_train_step.make_dataset(model, 64, variant.get("feed", "constant"))
        if variant.get("sgd"):
            compile_args = {"d_optimizer": keras.optimizers.SGD(1e-3), "g_optimizer": keras.optimizers.SGD(1e-3)}
        if variant.get("steps_per_execution"):
            compile_args["steps_per_execution"] = variant["steps_per_execution"]
        if variant.get("jit_compile"):
            compile_args["jit_compile"] = True
        if variant:
            steps = PROFILE_STEPS
    elif name == "Pix2Pix":
        x = _images(128, 28)
        model = kg.Pix2Pix(
            input_shape=(28, 28, 1), output_channels=1, filters=32, discriminator_filters=32, precision=precision
        )
        data = kg.data.paired_from_arrays(x, -x, batch_size=32, seed=0).repeat()
    elif name == "CycleGAN":
        x = _images(32, 28)
        model = kg.CycleGAN(
            shape_a=(28, 28, 1),
            shape_b=(28, 28, 1),
            filters=32,
            residual_blocks=3,
            discriminator_filters=32,
            precision=precision,
        )
        data = kg.data.unpaired(x, -x, batch_size=8, seed=0).repeat()
    elif name in ("SRGAN", "ESRGAN"):
        small = bench_super_resolution.SMALL
        if name == "SRGAN":
            model = kg.SRGAN(scale=2, channels=1, pretrain_steps=0, seed=0, precision=precision, **small)
        else:
            model = kg.ESRGAN(
                scale=2,
                channels=1,
                filters=small["filters"],
                growth=16,
                num_blocks=2,
                d_filters=small["d_filters"],
                content=None,
                pretrain_steps=0,
                seed=0,
                precision=precision,
            )
        data = tf.data.Dataset.from_tensor_slices(_images(128, 32)).batch(32, drop_remainder=True).repeat()
    elif name == "StyleGAN2":
        model = kg.StyleGAN2(
            image_shape=(32, 32, 1),
            latent_dim=128,
            filters=32,
            max_filters=128,
            mapping_layers=4,
            seed=0,
            precision=precision,
        )
        data = tf.data.Dataset.from_tensors(_images(32, 32)).repeat()
    elif name == "ProGAN":
        model = kg.ProGAN(
            image_shape=(32, 32, 1),
            latent_dim=128,
            filters=32,
            max_filters=128,
            schedule={"fade": 1_000_000, "stable": 1_000_000},
            seed=0,
            precision=precision,
        )
        data = tf.data.Dataset.from_tensors(_images(32, 32)).repeat()
    else:
        raise ValueError(f"unknown model {name!r}; known: {sorted(MODELS)}")
    model.compile(**compile_args)
    return model, data, steps


def _dcgan_networks(batch_norm: bool = True, synchronized: bool = True) -> dict:
    """DCGAN networks for 28x28x1 without batch norm, or with batch norm that is not ``synchronized``."""
    import keras

    from keras_gans.networks import build_dcgan_discriminator, build_dcgan_generator

    shape = bench_train_step_shape()
    generator = build_dcgan_generator(100, shape, batch_norm=batch_norm)
    discriminator = build_dcgan_discriminator(shape, normalization="batch" if batch_norm else None)
    if not synchronized:

        def plain(config):
            if isinstance(config, dict):
                if config.get("class_name") == "BatchNormalization":
                    config["config"]["synchronized"] = False
                for value in config.values():
                    plain(value)
            elif isinstance(config, list):
                for value in config:
                    plain(value)
            return config

        generator = keras.Model.from_config(plain(generator.get_config()))
        discriminator = keras.Model.from_config(plain(discriminator.get_config()))
    return {"generator": generator, "discriminator": discriminator}


def bench_train_step_shape() -> tuple[int, int, int]:
    import bench_train_step

    return bench_train_step.IMAGE_SHAPE


def _fit_chunk(model, data, steps: int) -> dict:
    """Times ``steps`` iterations after the first of a ``fit`` call (whole executions of ``steps_per_execution``)."""
    per_execution = int(getattr(model, "steps_per_execution", 1) or 1)
    timer = _timer()
    model.fit(data, epochs=1, steps_per_epoch=steps + per_execution, verbose=0, callbacks=[timer])
    return _rate(timer.marks)


def matmul_gflops(dtype: str, n: int = MATMUL_N, reps: int = 3) -> float:
    """TensorFlow's matmul of two ``n`` x ``n`` matrices in ``dtype``: ``2 n³`` FLOPs over the median time."""
    import tensorflow as tf

    a = tf.random.uniform((n, n), dtype="float32")
    b = tf.random.uniform((n, n), dtype="float32")
    a, b = tf.cast(a, dtype), tf.cast(b, dtype)
    product = tf.function(lambda x, y: tf.reduce_sum(tf.cast(tf.matmul(x, y)[:1, :1], "float32")))
    product(a, b).numpy()
    times = []
    for _ in range(reps):
        start = time.perf_counter()
        product(a, b).numpy()
        times.append(time.perf_counter() - start)
    return 2 * n**3 / statistics.median(times) / 1e9


def layer_gflops(batch: int = 64, reps: int = 5) -> list[dict]:
    """Forward + backward GFLOP/s of each convolution of the 28x28 DCGAN alone, and of a Conv2D of the same FLOPs
    beside each transposed convolution (stride 1: the same shapes; stride 2: the convolution whose gradient it is)."""
    import keras
    import tensorflow as tf

    cases = [
        ("G convT 256->128 k5 s1 7x7", "T", (7, 7, 256), 128, 1),
        ("  same FLOPs as Conv2D 256->128 k5 s1 7x7", "C", (7, 7, 256), 128, 1),
        ("G convT 128->64 k5 s2 7x7->14x14", "T", (7, 7, 128), 64, 2),
        ("  same FLOPs as Conv2D 64->128 k5 s2 14x14->7x7", "C", (14, 14, 64), 128, 2),
        ("G convT 64->1 k5 s2 14x14->28x28", "T", (14, 14, 64), 1, 2),
        ("D conv 1->64 k5 s2 28x28->14x14", "C", (28, 28, 1), 64, 2),
        ("D conv 64->128 k5 s2 14x14->7x7", "C", (14, 14, 64), 128, 2),
    ]
    rows = []
    for label, kind, shape, filters, stride in cases:
        cls = keras.layers.Conv2DTranspose if kind == "T" else keras.layers.Conv2D
        layer = cls(filters, 5, strides=stride, padding="same", use_bias=False)
        inputs = keras.Input(shape)
        network = keras.Model(inputs, layer(inputs))
        x = tf.random.normal((batch, *shape))

        @tf.function
        def step(x, network=network):
            with tf.GradientTape() as tape:
                tape.watch(x)
                y = network(x)
                loss = tf.reduce_sum(y * y)
            return tape.gradient(loss, [x, *network.trainable_variables])

        step(x)
        times = []
        for _ in range(reps):
            start = time.perf_counter()
            [g.numpy() for g in step(x)]
            times.append(time.perf_counter() - start)
        flops = 3 * sum(forward_flops(network).values()) * batch
        rows.append(
            {"layer": label, "mflop_fwd_bwd": flops / 1e6, "gflop_per_s": flops / statistics.median(times) / 1e9}
        )
    return rows


def keras_worker() -> None:
    """Reads JSON commands from stdin, answers one JSON line each (``build``, ``time``, ``matmul``, ``layers``)."""
    import numpy as np

    import keras_gans  # noqa: F401  (before TensorFlow does work: the oneDNN choice)
    from keras_gans.engine import precision as precision_lib

    built: dict[str, tuple] = {}
    for line in sys.stdin:
        command = json.loads(line)
        op = command["op"]
        try:
            if op == "build":
                start = time.perf_counter()
                model, data, steps = build_keras(command["model"], command["precision"], command.get("variant"))
                _fit_chunk(model, data, 2 * int(getattr(model, "steps_per_execution", 1) or 1))  # trace, warm up
                built[command["key"]] = (model, data, steps)
                answer = {"build_s": time.perf_counter() - start, "steps": steps}
                answer["resolved_precision"] = model.resolved_precision
                answer["trainable_parameters"] = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
                if command["model"] == "DCGAN" and not command.get("variant"):
                    answer["flops"] = dcgan_iteration_flops(model, 64)
                    answer["flops_layers"] = {
                        "generator": forward_flops(model.generator),
                        "discriminator": forward_flops(model.discriminator),
                    }
            elif op == "time":
                model, data, steps = built[command["key"]]
                answer = _fit_chunk(model, data, steps)
            elif op == "matmul":
                answer = {dtype: matmul_gflops(dtype) for dtype in ("float32", "bfloat16")}
            elif op == "layers":
                answer = {"layers": layer_gflops()}
            elif op == "info":
                hardware = precision_lib.detect_hardware()
                native, why = precision_lib.native_bfloat16(hardware)
                flags = sorted(f for f in hardware.cpu_flags or () if f in harness.SHOWN_CPU_FLAGS)
                answer = {"native_bfloat16": native, "why": why, "cpu_flags": flags}
            else:
                answer = {"error": f"unknown op {op!r}"}
        except Exception as error:  # noqa: BLE001  (reported in the results, the run goes on)
            answer = {"error": f"{type(error).__name__}: {error}"[:2000]}
        print(json.dumps(answer), flush=True)


# ----------------------------------------------------------------------------------------------------------------
# The PyTorch worker


def build_torch(torch, name: str):
    """One iteration of the PyTorch mirror of ``name`` as a function of no arguments."""
    if name == "DCGAN":
        import bench_torch_dcgan

        return bench_torch_dcgan.make_iteration(torch, 64, g_forwards=2)
    if name == "WGANGP":
        import bench_torch_dcgan

        return bench_torch_dcgan.make_wgan_gp_iteration(torch, 64)
    if name in ("Pix2Pix", "CycleGAN"):
        import numpy as np
        import torch_translation

        torch.manual_seed(0)
        batch = 32 if name == "Pix2Pix" else 8
        x = torch.from_numpy(np.random.default_rng(0).uniform(-1, 1, (batch, 1, 28, 28)).astype(np.float32))
        if name == "Pix2Pix":
            step, params = torch_translation.pix2pix_step(torch, 28, 1, 32)
        else:
            step, params = torch_translation.cyclegan_step(torch, 28, 1, 32, 3)
        run = lambda: step(x, -x)  # noqa: E731
        run.trainable_parameters = params
        return run
    import torch_style_based
    import torch_super_resolution

    if name == "SRGAN":
        return torch_super_resolution.srgan_step(torch, 32, 4, 16)
    if name == "ESRGAN":
        return torch_super_resolution.esrgan_step(torch, filters=32, growth=16, num_blocks=2, d_filters=16)
    if name == "StyleGAN2":
        return torch_style_based.stylegan2_step(torch, 32, 1, 128, filters=32, max_filters=128, mapping_layers=4)
    if name == "ProGAN":
        return torch_style_based.progan_step(torch, 32, 1, 128, filters=32, max_filters=128)
    raise ValueError(f"no PyTorch reference for {name}")


def torch_worker() -> None:
    """The PyTorch side of :func:`keras_worker` (``build`` and ``time``; ``bfloat16`` runs under CPU autocast)."""
    import contextlib

    import torch

    built: dict[str, tuple] = {}
    for line in sys.stdin:
        command = json.loads(line)
        try:
            if command["op"] == "build":
                start = time.perf_counter()
                step = build_torch(torch, command["model"])
                bf16 = command["precision"] == "mixed_bfloat16"

                def context(bf16=bf16):
                    return torch.autocast("cpu", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()

                for _ in range(2):
                    with context():
                        step()
                built[command["key"]] = (step, context)
                answer = {"build_s": time.perf_counter() - start, "torch": torch.__version__}
                answer["threads"] = torch.get_num_threads()
                answer["trainable_parameters"] = getattr(step, "trainable_parameters", None)
            elif command["op"] == "time":
                step, context = built[command["key"]]
                wall = cpu = 0.0
                for _ in range(command["steps"]):
                    start = (time.perf_counter(), time.process_time())
                    with context():
                        step()
                    wall += time.perf_counter() - start[0]
                    cpu += time.process_time() - start[1]
                answer = {"it_per_s": command["steps"] / wall, "cpu_s_per_it": cpu / command["steps"]}
                answer["steps"] = command["steps"]
            else:
                answer = {"error": f"unknown op {command['op']!r}"}
        except Exception as error:  # noqa: BLE001
            answer = {"error": f"{type(error).__name__}: {error}"[:2000]}
        print(json.dumps(answer), flush=True)


# ----------------------------------------------------------------------------------------------------------------
# The parent


class Worker:
    """A worker process of this script, spoken to in JSON lines."""

    def __init__(self, kind: str, env: dict | None = None):
        env = {**os.environ, "PYTHONPATH": ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""), **(env or {})}
        self.process = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--worker", kind],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env=env,
            cwd=ROOT,
        )

    def send(self, **command) -> None:
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def receive(self) -> dict:
        line = self.process.stdout.readline()
        return json.loads(line) if line else {"error": f"worker exited ({self.process.poll()})"}

    def ask(self, **command) -> dict:
        self.send(**command)
        return self.receive()

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_speed(args) -> dict:
    """Builds every configuration, then times them in interleaved rounds; the raw results."""
    names = [n for n in MODELS if not args.only or n in args.only.split(",")]
    keras_w = Worker("keras")
    torch_w = Worker("torch", {"OMP_WAIT_POLICY": args.torch_wait} if args.torch_wait else None)
    info = keras_w.ask(op="info")
    results: dict[str, Any] = {
        "machine": harness.machine_info(),  # here: the workers load one framework each
        "native_bfloat16": info.get("native_bfloat16"),
        "why": info.get("why"),
        "cpu_flags": info.get("cpu_flags"),
        "load_average_start": harness.load_average(),
        "torch_omp_wait_policy": args.torch_wait or "default",
        "args": vars(args),
        "configs": {},
        "profile": {},
        "matmul": [],
    }
    configs: list[tuple[str, str, str, Worker, int]] = []  # (key, model, precision, worker, steps)
    for name in names:
        for framework, worker in (("keras", keras_w), ("torch", torch_w)):
            if framework == "torch" and not MODELS[name][1]:
                continue
            for precision in PRECISIONS:
                key = f"{name}|{framework}|{precision}"
                log(f"build {key}")
                # The two workers build at the same time (nothing is timed yet).
                worker.send(op="build", key=key, model=name, precision=precision)
                configs.append((key, name, precision, worker, 0))
    pending = {}
    for key, _, _, worker, _ in configs:
        pending[key] = worker.receive() if worker is keras_w else None
    for key, _, _, worker, _ in configs:
        if worker is torch_w:
            pending[key] = worker.receive()
    timed = []
    for key, name, _, worker, _ in configs:
        answer = pending[key]
        results["configs"][key] = {"build": answer, "runs": []}
        if "error" in answer:
            log(f"{key}: {answer['error'][:300]}")
            continue
        timed.append((key, worker, answer.get("steps") or MODELS[name][0]))
    results["parameters"] = parameter_counts(results["configs"], names)
    profile = [] if args.skip_profile else list(PROFILE)
    for label in profile:
        key = f"profile|{label}"
        log(f"build {key}")
        answer = keras_w.ask(op="build", key=key, model="DCGAN", precision="float32", variant=PROFILE[label])
        results["profile"][label] = {"build": answer, "runs": []}
        if "error" not in answer:
            timed.append((key, keras_w, answer["steps"]))
        else:
            log(f"{key}: {answer['error'][:300]}")
    if not args.skip_profile:
        log("layers")
        results["layers"] = keras_w.ask(op="layers")
    results["load_average_timed_start"] = harness.load_average()
    for round_index in range(args.rounds):
        log(f"round {round_index + 1}/{args.rounds} (load average {harness.load_average()})")
        results["matmul"].append(keras_w.ask(op="matmul"))
        for name in names:
            group = [t for t in timed if t[0].startswith(name + "|")]
            for key, worker, steps in group if round_index % 2 == 0 else group[::-1]:
                results["configs"][key]["runs"].append(worker.ask(op="time", key=key, steps=steps))
        group = [t for t in timed if t[0].startswith("profile|")]
        for key, worker, steps in group if round_index % 2 == 0 else group[::-1]:
            results["profile"][key.split("|", 1)[1]]["runs"].append(worker.ask(op="time", key=key, steps=steps))
    results["load_average_end"] = harness.load_average()
    keras_w.close()
    torch_w.close()
    return results


def parameter_counts(configs: dict, names: list[str]) -> dict[str, dict]:
    """Per model: the float32 keras model's and its PyTorch mirror's trainable parameters, and whether they agree
    (a mirror of other layer shapes would time other work; a disagreement is logged)."""
    counts = {}
    for name in names:
        keras_count, torch_count = (
            (configs.get(f"{name}|{framework}|float32") or {}).get("build", {}).get("trainable_parameters")
            for framework in ("keras", "torch")
        )
        if keras_count is None or torch_count is None:
            continue
        counts[name] = {"keras": keras_count, "torch": torch_count, "match": keras_count == torch_count}
        differs = "" if keras_count == torch_count else ": the mirror differs"
        log(f"{name}: trainable parameters keras {keras_count}, torch {torch_count}{differs}")
    return counts


def median_rate(runs: list[dict], key: str = "it_per_s") -> float | None:
    """The median of ``key`` over the runs that have it."""
    values = [r[key] for r in runs if key in r]
    return statistics.median(values) if values else None


def spread(runs: list[dict]) -> str:
    values = [r["it_per_s"] for r in runs if "it_per_s" in r]
    return f"{min(values):.2f}-{max(values):.2f}" if values else "—"


# ----------------------------------------------------------------------------------------------------------------
# The report


def _fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "—" if a is None or b is None else f"{a / b:.2f}"


def speed_rows(results: dict) -> list[dict]:
    """Per model: the median it/s of the four configurations, their ranges, and the ratios."""
    rows = []
    for name in MODELS:
        cells: dict[str, Any] = {"model": name}
        seen = False
        for framework in ("keras", "torch"):
            for precision in PRECISIONS:
                config = results["configs"].get(f"{name}|{framework}|{precision}")
                short = f"{framework}_{'bf16' if 'bfloat16' in precision else 'f32'}"
                if config is None:
                    cells[short] = None
                    cells[short + "_note"] = "no reference yet" if framework == "torch" else "not run"
                    continue
                seen = True
                error = config["build"].get("error") or next((r["error"] for r in config["runs"] if "error" in r), None)
                cells[short] = median_rate(config["runs"])
                cells[short + "_range"] = spread(config["runs"])
                cells[short + "_note"] = f"error: {error[:80]}" if error else ""
        if seen:
            rows.append(cells)
    return rows


def _cell(row: dict, short: str) -> str:
    if row.get(short) is None:
        return row.get(short + "_note") or "—"
    return f"{row[short]:.2f} ({row[short + '_range']})"


def quality_table(quality: dict | None) -> tuple[list[str], dict[str, bool]]:
    """Markdown lines comparing FID of float32 and mixed_bfloat16 at every scored step, and the verdict per model
    (bfloat16 allowed where every sampler's difference of the means at the last step is within the seed spread)."""
    if not quality or not quality.get("runs"):
        return ["Not measured yet: `python benchmarks/bench_precision.py --part quality`."], {}
    lines = [
        "| model | sampler | step | FID float32 (seeds) | FID mixed_bfloat16 (seeds) | difference of means "
        "| seed spread | within? |",
        "|---|---|---|---|---|---|---|---|",
    ]
    verdicts: dict[str, bool] = {}
    for model in dict.fromkeys(r["model"] for r in quality["runs"]):
        runs = {v: [r for r in quality["runs"] if r["model"] == model and r["variant"] == v] for v in QUALITY_VARIANTS}
        if not all(runs.values()):
            continue
        steps = sorted({e["step"] for group in runs.values() for r in group for e in r["evals"]})
        # The verdict is on the samples ``generate`` gives: the EMA of G when the model keeps one, else the live G.
        judged = "ema" if any("ema" in e for group in runs.values() for r in group for e in r["evals"]) else "live"
        ok = True
        for sampler in ("live", "ema"):
            for step in steps:
                fids = [
                    [e[sampler]["fid"] for r in runs[v] for e in r["evals"] if e["step"] == step and sampler in e]
                    for v in QUALITY_VARIANTS
                ]
                if not all(fids):
                    continue
                diff = statistics.mean(fids[1]) - statistics.mean(fids[0])
                seed_spread = max(max(f) - min(f) for f in fids)
                within = abs(diff) <= seed_spread
                if step == steps[-1] and sampler == judged:
                    ok = ok and within
                shown = [", ".join(f"{x:.1f}" for x in f) for f in fids]
                lines.append(
                    f"| {model} | {'EMA of G' if sampler == 'ema' else 'live G'} | {step} | "
                    f"{statistics.mean(fids[0]):.1f} ({shown[0]}) | {statistics.mean(fids[1]):.1f} ({shown[1]}) | "
                    f"{diff:+.1f} | {seed_spread:.1f} | {'yes' if within else 'no'} |"
                )
        verdicts[model] = ok
    for model in verdicts:
        settings = {json.dumps(_settings(r), sort_keys=True) for r in quality["runs"] if r["model"] == model}
        shown = " / ".join(_describe_settings(json.loads(x)) for x in sorted(settings))
        lines.append(f"\n{model} trained with {shown}{' (the runs differ!)' if len(settings) > 1 else ''}.")
    return lines, verdicts


def _settings(run: dict) -> dict:
    """The settings of a quality run that are not the precision: the EMA and the two Adams."""
    options = run.get("settings", {}).get("options", {})
    return {"ema_decay": options.get("ema_decay"), "optimizers": run.get("settings", {}).get("optimizers")}


def _describe_settings(settings: dict) -> str:
    adams = settings.get("optimizers") or {}
    shown = ", ".join(
        f"{net.upper()} Adam({o['learning_rate']:.0e}, {o['beta_1']:g}, {o['beta_2']:g})" for net, o in adams.items()
    )
    return f"{shown}, ema_decay={settings.get('ema_decay')}"


def write_report(results: dict | None, quality: dict | None, path: str) -> None:
    """``PRECISION.md`` from the speed results and the quality runs."""
    lines = ["# Precision: float32 vs mixed_bfloat16, keras_gans vs PyTorch eager", ""]
    if results:
        machine = results["machine"] or {}
        threading = machine.get("tf_threading", {})
        lines += [
            f"Generated by `python benchmarks/bench_precision.py` ({machine.get('date')}; {results['args']['rounds']} "
            "interleaved rounds, median).",
            "",
            f"* CPU: {machine.get('cpu')}, {machine.get('cores')} cores, {machine.get('memory_gib')} GiB; flags: "
            f"{' '.join(results.get('cpu_flags') or []) or 'none of ' + ' '.join(harness.SHOWN_CPU_FLAGS)} (AMX: "
            f"{'yes' if any(f.startswith('amx') for f in results.get('cpu_flags') or []) else 'no'}).",
            f"* bfloat16 here: {'native' if results.get('native_bfloat16') else 'not native'} ({results.get('why')}).",
            f"* TensorFlow {machine.get('tensorflow')}, Keras {machine.get('keras')} (oneDNN "
            f"{'on' if threading.get('onednn') else 'off'}, thread pools intra {threading.get('intra_op')} / inter "
            f"{threading.get('inter_op')}: 0 = one per core), PyTorch {machine.get('torch')} "
            f"({machine.get('torch_threads')} threads, OMP_WAIT_POLICY {results.get('torch_omp_wait_policy')}).",
            f"* 1-minute load average: {results.get('load_average_start')} at the start, "
            f"{results.get('load_average_timed_start')} when the timing began, {results.get('load_average_end')} at "
            "the end (2 cores shared with other jobs: the figures are comparable within this run, not across runs).",
            "",
            "## Speed (it/s, median of the rounds, range in brackets)",
            "",
            "keras = keras_gans `precision=` through `fit`; torch = the PyTorch eager mirror, bfloat16 under "
            '`torch.autocast("cpu", dtype=torch.bfloat16)`. One iteration = one train step of the model (WGAN-GP: 5 '
            "critic updates).",
            "",
            "| model | keras float32 | keras mixed_bfloat16 | keras bf16/f32 | torch float32 | torch bf16 autocast | "
            "torch bf16/f32 | keras/torch f32 | keras/torch bf16 |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for row in speed_rows(results):
            lines.append(
                f"| {row['model']} | {_cell(row, 'keras_f32')} | {_cell(row, 'keras_bf16')} | "
                f"{_ratio(row['keras_bf16'], row['keras_f32'])} | {_cell(row, 'torch_f32')} | "
                f"{_cell(row, 'torch_bf16')} | {_ratio(row['torch_bf16'], row['torch_f32'])} | "
                f"{_ratio(row['keras_f32'], row['torch_f32'])} | {_ratio(row['keras_bf16'], row['torch_bf16'])} |"
            )
        counts = results.get("parameters") or {}
        if counts:
            shown = ", ".join(
                f"{m} {c['keras']:,}" + ("" if c["match"] else f" (torch {c['torch']:,}: differs)")
                for m, c in counts.items()
            )
            lines += ["", f"Trainable parameters (the PyTorch mirror's are the same unless said): {shown}."]
        lines += ["", *ceiling_lines(results), ""]
        lines += profile_lines(results)
    quality_lines, verdicts = quality_table(quality)
    lines += [
        "## Sample quality at a fixed budget",
        "",
        "`bench_defaults.py` (its split and judge: the GANs train on 7,000 MNIST test digits, FID on the features of "
        "a classifier trained on the other 3,000, 3,000 samples) with the package's defaults, "
        '`precision="float32"` and `precision="mixed_bfloat16"`, the same seeds. Seed spread: the larger '
        "range over seeds of the two precisions; bfloat16 is allowed (`auto_bfloat16 = True`) for a model whose "
        "difference at the last step is within it for the samples `generate` gives (the EMA of G when the model "
        "keeps one, else the live G; the other sampler is shown too).",
        "",
        *quality_lines,
        "",
    ]
    if verdicts:
        lines.append(
            "Verdict: "
            + "; ".join(
                f"{m}: {'within the seed spread' if v else 'outside the seed spread'}" for m, v in verdicts.items()
            )
            + "."
        )
        lines.append("")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines))


def ceiling_lines(results: dict) -> list[str]:
    """The float32 ceiling: TF's matmul against the DCGAN iteration's FLOPs at its measured rate."""
    flops = (results["configs"].get("DCGAN|keras|float32") or {}).get("build", {}).get("flops")
    matmul = [m for m in results["matmul"] if "float32" in m]
    if not flops or not matmul:
        return []
    f32 = statistics.median(m["float32"] for m in matmul)
    bf16 = statistics.median(m["bfloat16"] for m in matmul)
    lines = [
        "## The float32 ceiling",
        "",
        f"TensorFlow's own matmul at N = {MATMUL_N} (`2 N³` FLOPs, median of the rounds): float32 "
        f"**{f32:.0f} GFLOP/s** ({', '.join(format(m['float32'], '.0f') for m in matmul)}), bfloat16 {bf16:.0f} "
        "GFLOP/s "
        f"({bf16 / f32:.2f}x). The DCGAN (28x28x1, batch 64) counted from its layer shapes: G forward "
        f"{flops['g_forward'] / 1e6:.1f} MFLOP, D forward {flops['d_forward'] / 1e6:.1f} MFLOP per image; an "
        f"iteration (two G forwards) is 4 G + 8 D forwards = {flops['per_image'] / 1e6:.0f} MFLOP per image, "
        f"{flops['per_iteration'] / 1e9:.1f} GFLOP per iteration of 64.",
        "",
        "| configuration | it/s | GFLOP/s | of the float32 matmul |",
        "|---|---|---|---|",
    ]
    for label, key in (
        ("keras float32", "DCGAN|keras|float32"),
        ("keras mixed_bfloat16", "DCGAN|keras|mixed_bfloat16"),
        ("torch float32", "DCGAN|torch|float32"),
        ("torch bf16 autocast", "DCGAN|torch|mixed_bfloat16"),
    ):
        rate = median_rate((results["configs"].get(key) or {}).get("runs", []))
        if rate:
            achieved = rate * flops["per_iteration"] / 1e9
            lines.append(f"| {label} | {rate:.2f} | {achieved:.0f} | {100 * achieved / f32:.0f}% |")
    low, high = min(m["float32"] for m in matmul), max(m["float32"] for m in matmul)
    if high > 1.2 * low:
        lines += [
            "",
            f"The float32 matmul varied from {low:.0f} to {high:.0f} GFLOP/s between the rounds: other jobs were "
            "using the cores, so the fraction is not a measurement of the ceiling on this run (a fraction above "
            "100% means the reference was timed at a busier moment than the step).",
        ]
    return lines


def profile_lines(results: dict) -> list[str]:
    """Where the float32 DCGAN step's time goes: the variants against the baseline, and the layers alone."""
    profile = results.get("profile") or {}
    base = median_rate(profile.get("baseline", {}).get("runs", []))
    if not base:
        return []
    flops = (results["configs"].get("DCGAN|keras|float32") or {}).get("build", {}).get("flops")
    lines = [
        "## Where the float32 DCGAN step goes",
        "",
        f"The float32 DCGAN of the speed table with one thing changed, timed in the same rounds ({PROFILE_STEPS} "
        "steps a chunk). > 1: faster than the baseline. On a machine shared with other jobs the CPU seconds per "
        "iteration are the steadier measure of the work.",
        "",
        "| variant | it/s | vs baseline | CPU s/it |",
        "|---|---|---|---|",
    ]
    for label, entry in profile.items():
        rate = median_rate(entry["runs"])
        error = entry["build"].get("error")
        if error or rate is None:
            lines.append(f"| {label} | error: {(error or 'no runs')[:80]} | | |")
            continue
        lines.append(
            f"| {label} | {rate:.2f} ({spread(entry['runs'])}) | {rate / base:.2f} | "
            f"{_fmt(median_rate(entry['runs'], 'cpu_s_per_it'), 3)} |"
        )
    layers = (results.get("layers") or {}).get("layers")
    if layers:
        lines += [
            "",
            "Each convolution of the DCGAN alone, forward + backward (input and weight gradients) at batch 64, "
            "float32:",
            "",
            "| layer | MFLOP | GFLOP/s |",
            "|---|---|---|",
            *[f"| {r['layer']} | {r['mflop_fwd_bwd']:.0f} | {r['gflop_per_s']:.0f} |" for r in layers],
        ]
    if flops:
        lines.append("")
    return lines + [""]


def run_quality(args) -> None:
    """DCGAN and CGAN in float32 and mixed_bfloat16 with ``bench_defaults.py`` (results in ``--quality``)."""
    markdown = os.path.splitext(args.quality)[0] + ".md"
    for model in ("DCGAN", "CGAN"):
        command = [sys.executable, os.path.join(HERE, "bench_defaults.py"), "--model", model, "--variants",
                   *QUALITY_VARIANTS, "--seeds", str(args.seeds), "--steps", str(args.quality_steps), "--eval-at",
                   str(args.quality_steps // 2), str(args.quality_steps), "--output", args.quality, "--markdown",
                   markdown, "--grid-dir", ""]  # fmt: skip
        log(" ".join(command[1:]))
        subprocess.run(command, check=True, cwd=ROOT)


def _load(path: str) -> dict | None:
    if not os.path.exists(path):
        return None
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("speed", "quality", "report"), default="speed")
    parser.add_argument("--worker", choices=("keras", "torch"), help=argparse.SUPPRESS)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated models (default: all of MODELS)")
    parser.add_argument("--skip-profile", action="store_true")
    parser.add_argument(
        "--torch-wait",
        default="PASSIVE",
        help="OMP_WAIT_POLICY of the PyTorch worker ('' for PyTorch's default: its threads spin while they wait, "
        "which takes the cores from the work on a machine shared with other jobs)",
    )
    parser.add_argument("--quick", action="store_true", help="DCGAN and Pix2Pix, 1 round, no profile: a smoke test")
    parser.add_argument("--seeds", type=int, default=2, help="--part quality: seeds per precision")
    parser.add_argument("--quality-steps", type=int, default=400, help="--part quality: training steps")
    parser.add_argument("--output", default=OUTPUT)
    parser.add_argument("--quality", default=QUALITY)
    parser.add_argument("--markdown", default=MARKDOWN)
    args = parser.parse_args()
    if args.worker == "keras":
        return keras_worker()
    if args.worker == "torch":
        return torch_worker()
    if args.quick:
        args.only, args.rounds, args.skip_profile = args.only or "DCGAN,Pix2Pix", 1, True
    if args.part == "quality":
        run_quality(args)
    elif args.part == "speed":
        results = run_speed(args)
        with open(args.output, "w", encoding="utf-8") as f:
            json.dump(results, f, indent=1)
    results = _load(args.output)
    write_report(results, _load(args.quality), args.markdown)
    log(f"wrote {args.markdown}")
    if results:  # for run_all.py
        harness.emit({"rows": speed_rows(results), "markdown": os.path.relpath(args.markdown, ROOT)})


if __name__ == "__main__":
    main()
