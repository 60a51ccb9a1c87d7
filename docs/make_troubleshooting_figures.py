"""Makes the figures of docs/troubleshooting.md from real runs on the MNIST test digits (about two minutes on CPU).

    python docs/make_troubleshooting_figures.py [OUT_DIR [FIGURE ...]]   # default: docs/images, all figures

Every failure is provoked on purpose with a small MLP GAN, as in tests/callbacks/test_training_monitor.py, and
watched by TrainingMonitor; the per-step values plotted are the ones the monitor recovers from the logs.
"""

from __future__ import annotations

import os
import sys
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import keras  # noqa: E402
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import keras_gans as kg  # noqa: E402
from keras_gans.callbacks import TrainingMonitor  # noqa: E402
from keras_gans.data.idx import default_mnist_dir, load_mnist_idx  # noqa: E402
from keras_gans.utils.images import make_grid  # noqa: E402

LATENT = 32
SHAPE = (28, 28, 1)


class Recorder(TrainingMonitor):
    """A TrainingMonitor that keeps every epoch's per-step series for plotting."""

    def on_train_begin(self, logs=None):
        super().on_train_begin(logs)
        self.steps: dict[str, list[float]] = {}
        self.epoch_ends: list[int] = []

    def on_epoch_end(self, epoch, logs=None):
        for key, values in self._series.items():
            self.steps.setdefault(key, []).extend(values)
        self.epoch_ends.append(len(self.steps.get("d_loss", [])))
        super().on_epoch_end(epoch, logs)


def mlp_gan(**kwargs) -> kg.GAN:
    return kg.GAN(image_shape=SHAPE, latent_dim=LATENT, hidden_units=((128, 256), (256, 128)), seed=1, **kwargs)


def run(model, images, d_opt=None, g_opt=None, epochs=5, callbacks=()) -> Recorder:
    model.compile(d_optimizer=d_opt, g_optimizer=g_opt)
    recorder = Recorder(real_images=images, verbose=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(images, batch_size=64, epochs=epochs, verbose=0, callbacks=[recorder, *callbacks])
    return recorder


def adam(rate: float, beta_1: float = 0.5) -> keras.optimizers.Optimizer:
    return keras.optimizers.Adam(rate, beta_1=beta_1)


def grid_image(model, n=36) -> np.ndarray:
    return make_grid(model.generate(n, seed=0), num_rows=6)


def save(fig, path: str) -> None:
    fig.tight_layout()
    fig.savefig(path, dpi=72)
    plt.close(fig)
    print(f"{path}: {os.path.getsize(path) // 1024} KB")


def steps_plot(ax, recorder, key, label, **style):
    values = recorder.steps.get(key, [])
    ax.plot(np.arange(1, len(values) + 1), values, label=label, linewidth=1, **style)


FIGURES = ("mode_collapse", "discriminator_overpowering", "oscillation", "divergence", "checkerboard")


def main(out: str, only: tuple[str, ...] = FIGURES) -> None:
    """Makes the figures named in ``only`` (``discriminator_overpowering`` also makes ``vanishing_gradients``)."""
    os.makedirs(out, exist_ok=True)
    images, _ = load_mnist_idx(default_mnist_dir(), split="test")
    digits = images[:4096, :, :, None].astype("float32") / 127.5 - 1.0
    healthy = None
    if {"discriminator_overpowering", "oscillation"} & set(only):
        # The baseline: the MLP GAN of the failures below, with two of the remedies.
        healthy = run(mlp_gan(label_smoothing=0.1), digits, adam(4e-4), adam(1e-4))

    if "mode_collapse" in only:
        # A DCGAN for samples, and a generator whose output does not depend on z.
        dcgan = kg.DCGAN(image_shape=SHAPE, latent_dim=LATENT, filters=32, seed=1)
        dcgan_run = run(dcgan, digits)
        z = keras.Input((LATENT,))
        hidden = keras.layers.Dense(128, activation="relu", bias_initializer="random_normal")(
            keras.layers.Lambda(lambda t: t * 0.0)(z)
        )
        collapsed_g = keras.Model(z, keras.layers.Reshape(SHAPE)(keras.layers.Dense(784, activation="tanh")(hidden)))
        collapsed_model = kg.GAN(
            generator=collapsed_g, discriminator=kg.networks.build_mlp_discriminator(SHAPE), latent_dim=LATENT, seed=1
        )
        collapsed = run(collapsed_model, digits)
        fig, axes = plt.subplots(1, 3, figsize=(9, 3))
        for ax, model, title in ((axes[0], dcgan, "DCGAN"), (axes[1], collapsed_model, "collapsed")):
            ax.imshow(grid_image(model)[..., 0], cmap="gray")
            ax.set_title(f"{title}: 36 latents, epoch 5", fontsize=10)
            ax.axis("off")
        for recorder, label in ((dcgan_run, "DCGAN"), (collapsed, "collapsed")):
            axes[2].plot(range(1, 6), [e["fixed_diversity"] for e in recorder.epochs], "o-", label=label)
        axes[2].axhline(collapsed.real_diversity, color="k", linestyle=":", label="real digits")
        axes[2].set(xlabel="epoch", ylabel="per-pixel std (fixed batch)", title="diversity")
        axes[2].legend(fontsize=8)
        save(fig, os.path.join(out, "mode_collapse.png"))

    if "discriminator_overpowering" in only:
        # A 25x learning rate for D, G 20x slower; with the non-saturating and the minimax loss.
        overpowered = run(mlp_gan(), digits, adam(5e-3), adam(1e-5))
        minimax = run(mlp_gan(loss="minimax"), digits, adam(5e-3), adam(1e-5))
        fig, axes = plt.subplots(1, 2, figsize=(9, 3))
        for ax, key in zip(axes, ("d_loss", "g_loss")):
            steps_plot(ax, healthy, key, "label_smoothing=0.1, TTUR")
            steps_plot(ax, overpowered, key, "D Adam 5e-3, G Adam 1e-5")
            ax.set(xlabel="step", title=key)
            ax.legend(fontsize=8)
        save(fig, os.path.join(out, "discriminator_overpowering.png"))
        fig, ax = plt.subplots(figsize=(6, 3))
        steps_plot(ax, overpowered, "g_grad_norm", "non_saturating loss")
        steps_plot(ax, minimax, "g_grad_norm", "minimax loss")
        ax.set(xlabel="step", ylabel="generator gradient norm", yscale="log", title="strong D: G's gradient")
        ax.legend(fontsize=8)
        save(fig, os.path.join(out, "vanishing_gradients.png"))

    if "oscillation" in only:
        # Learning rates 50x too large, with momentum.
        oscillating = run(mlp_gan(), digits, adam(1e-2, 0.9), adam(1e-2, 0.9))
        fig, axes = plt.subplots(1, 2, figsize=(9, 3))
        for ax, key in zip(axes, ("d_loss", "g_loss")):
            steps_plot(ax, healthy, key, "label_smoothing=0.1, TTUR")
            steps_plot(ax, oscillating, key, "Adam 1e-2, beta_1 0.9")
            ax.set(xlabel="step", title=key)
            ax.legend(fontsize=8)
        save(fig, os.path.join(out, "oscillation.png"))

    if "divergence" in only:
        divergence_figure(digits, os.path.join(out, "divergence.png"))

    if "checkerboard" in only:
        # A stride-2 transposed convolution whose kernel (3) the stride does not divide, vs resize + conv.
        feature = np.ones((1, 8, 8, 1), "float32")
        transposed = keras.layers.Conv2DTranspose(1, 3, strides=2, padding="same", kernel_initializer="ones")(feature)
        resized = keras.layers.Conv2D(1, 3, padding="same", kernel_initializer="ones")(
            keras.layers.UpSampling2D(2, interpolation="nearest")(feature)
        )
        fig, axes = plt.subplots(1, 2, figsize=(6, 3))
        for ax, image, title in (
            (axes[0], transposed, "Conv2DTranspose(k=3, s=2)"),
            (axes[1], resized, "UpSampling2D + Conv2D(k=3)"),
        ):
            ax.imshow(np.asarray(image)[0, ..., 0], cmap="gray")
            ax.set_title(f"{title}\non a constant input", fontsize=9)
            ax.axis("off")
        save(fig, os.path.join(out, "checkerboard.png"))


def divergence_figure(digits: np.ndarray, path: str) -> None:
    """LSGAN with SGD: two healthy epochs, then a learning rate of 1e4."""
    model = mlp_gan(loss="least_squares")

    def explode(epoch, logs=None):
        if epoch == 2:
            model.d_optimizer.learning_rate.assign(1e4)
            model.g_optimizer.learning_rate.assign(1e4)

    diverged = run(
        model,
        digits,
        keras.optimizers.SGD(0.005),
        keras.optimizers.SGD(0.005),
        callbacks=[keras.callbacks.LambdaCallback(on_epoch_begin=explode)],
    )
    print("divergence:", diverged.diverged)
    fig, ax = plt.subplots(figsize=(6, 3))
    top = 1.0
    for key in ("d_grad_norm", "g_grad_norm", "d_loss"):
        values = np.abs(np.asarray(diverged.steps[key], dtype="float64"))
        finite = np.isfinite(values)
        top = max(top, float(values[finite].max()))
        (line,) = ax.plot(np.arange(1, len(values) + 1), np.where(finite, values, np.nan), linewidth=1, label=key)
        for step in np.flatnonzero(~finite):
            ax.plot(step + 1, 10 * top, "x", color=line.get_color(), markersize=8)
    if not all(np.isfinite(v) for v in diverged.diverged["values"].values()):
        ax.annotate("x: NaN/inf", (0.02, 0.9), xycoords="axes fraction", fontsize=8)
    ax.axvline(diverged.epoch_ends[1], color="g", linestyle=":", label="restored: end of epoch 2")
    ax.axvline(diverged.epoch_ends[-1], color="r", linestyle="--", label=f"stopped: {diverged.diverged['where']}")
    ax.set(xlabel="step", yscale="log", title="LSGAN, learning rate 1e4 from epoch 3")
    ax.legend(fontsize=7, loc="center left")
    save(fig, path)


if __name__ == "__main__":
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "images")
    main(out_dir, tuple(sys.argv[2:]) or FIGURES)
