"""StyleGAN2 (Karras et al., 2020): style-based generator, residual discriminator, lazy R1 and path-length
regularisation, style mixing, an EMA generator with a ramp-up, truncation and style-mixing grids.

A latent-family model (:class:`~keras_gans.models.latent.base.GANModel`): it reuses the family's players, R1 (lazy,
every ``r1_interval`` = 16 steps, times 16, through :func:`keras_gans.engine.regularization.lazy_penalty`), the
non-saturating loss, the samplers and the serving signatures, and only says how its fakes are made (mapping,
style mixing, per-layer noise from the model's replica-sliced streams) and adds the path-length term to G's loss.

Defaults and their source (the paper's appendix B and the official configs): Adam(0.002, β1=0, β2=0.99, ε=1e-8)
with the learning rate and betas of each network adjusted for its lazy regulariser, c = k / (k + 1)
(lr·c, β^c: 16/17 for D, 4/5 for G); R1 γ = 10 (``r1_weight`` = γ/2 = 5); path-length weight 2 with its batch
halved and decay 0.01; style mixing probability 0.9; w_avg decay 0.995. The EMA generator is the engine's
(``ema_decay`` 0.999 here) with its warm-up d_n = min(decay, (1 + n)/(10 + n)): a half-life of about 0.077·n steps
early in training, the role (and nearly the rate) of the official ramp-up's 0.05·n.
"""

from __future__ import annotations

import math
from typing import Any

import keras
import numpy as np
import tensorflow as tf
from keras import ops

from keras_gans.engine.options import check_number
from keras_gans.engine.regularization import WeightedLog
from keras_gans.models.latent.base import GANModel, _check_size
from keras_gans.models.registry import register_model
from keras_gans.networks.stylegan2 import (
    build_stylegan2_discriminator,
    build_stylegan2_generator,
    check_resolution,
    noise_sizes,
    num_styles,
)

__all__ = ["StyleGAN2", "path_length_penalty", "path_lengths", "updated_path_length_mean"]


class StyleDraw:
    """Purposes of StyleGAN2's random draws (beside :class:`keras_gans.models.latent.base.Draw`'s): the second
    latent and the mixing draws of D's and G's fakes, their noise maps, the path-length batch and directions."""

    D_LATENT, D_MIX_LATENT, D_MIX, D_NOISE = 41, 42, 43, 44
    G_LATENT, G_MIX_LATENT, G_MIX, G_NOISE = 45, 46, 47, 48
    PL_LATENT, PL_MIX_LATENT, PL_MIX, PL_NOISE, PL_DIRECTIONS = 49, 50, 51, 52, 53


def path_lengths(synthesize, ws, directions) -> tf.Tensor:
    """‖J_wᵀ y‖₂ per sample (paper, section 3.2): J_w the Jacobian of the images with respect to the styles.

    ``synthesize(ws) -> images``; ``directions`` y are N(0, I)/sqrt(H·W) images. The gradient of Σ g(w)·y with
    respect to ws (N, num_ws, w_dim) is summed over w_dim, averaged over the num_ws layers, then square-rooted,
    as the official code: a = sqrt(mean_l Σ_d (∂(g·y)/∂w_{l,d})²).
    """
    with tf.GradientTape() as tape:
        tape.watch(ws)
        images = tf.cast(synthesize(ws), tf.float32)
        total = tf.reduce_sum(images * tf.cast(directions, tf.float32))
    grads = tf.cast(tape.gradient(total, ws), tf.float32)
    return tf.sqrt(tf.reduce_mean(tf.reduce_sum(tf.square(grads), axis=2), axis=1))


def path_length_penalty(lengths, running_mean) -> tf.Tensor:
    """E[(a - μ)²]: the squared deviation of the path lengths a from their running mean μ, a constant (eq. 4).

    The official code compares with the mean already moved towards this batch's, μ + 0.01·(E[a] - μ); taking μ
    before the update keeps it identical on every replica (the update needs a cross-replica mean, taken after).
    """
    return tf.reduce_mean(tf.square(lengths - tf.stop_gradient(tf.cast(running_mean, lengths.dtype))))


def updated_path_length_mean(running_mean, mean_length, decay: float) -> tf.Tensor:
    """μ + decay·(E[a] - μ): the running mean of the path lengths, moved towards the batch's mean length."""
    return running_mean + decay * (mean_length - running_mean)


def lazy_optimizer_ratio(interval: int) -> float:
    """c = k / (k + 1): the lr and betas of a network regularised every k steps become lr·c, β^c (appendix B)."""
    return interval / (interval + 1.0)


def _global_mean(model, value):
    """The mean of ``value`` over the replicas (the global batch's), where a cross-replica op can run."""
    strategy = tf.distribute.get_strategy()
    if strategy.num_replicas_in_sync == 1 or tf.distribute.in_cross_replica_context():
        return value
    if getattr(model, "_xla_inside_step", False):
        return value  # per replica inside XLA: a cross-replica reduction cannot sit in an XLA cluster
    return tf.distribute.get_replica_context().all_reduce("mean", value)


@register_model
@keras.saving.register_keras_serializable(package="keras_gans")
class StyleGAN2(GANModel):
    """StyleGAN2 (Karras et al., 2020) for square images whose side is a power of two (8, 16, 32, 64...).

    Args:
        image_shape: (H, W, C) of the images, when building the default networks.
        latent_dim: size of z (512 in the paper); w has the same size unless ``w_dim`` is given.
        generator, discriminator: your own networks (built with :mod:`keras_gans.networks.stylegan2`'s builders).
        filters, max_filters: channels at the image size, doubling per halving up to ``max_filters``.
        mapping_layers, mapping_lr_multiplier: the mapping network's depth (8) and lr multiplier (0.01).
        style_mixing_probability: share of fakes made from two latents, crossing over at a random layer (0.9).
        path_length_weight, path_length_interval, path_length_decay, path_length_batch_shrink: the path-length
            regulariser (2, every 4 steps, 0.01, on half the batch); weight 0 turns it off.
        w_avg_beta: decay of the running mean of w used by truncation (0.995).
        **kwargs: ``seed`` and the training options of :class:`GANModel` (``r1_weight`` = γ/2 = 5,
            ``r1_interval`` = 16, ``ema_decay`` = 0.999 by default).
    """

    clips_samples = True  # a linear output, as in the paper

    primary_metric = ("fid", "min")

    def __init__(
        self,
        image_shape: tuple[int, int, int] | None = None,
        latent_dim: int = 512,
        generator: keras.Model | None = None,
        discriminator: keras.Model | None = None,
        w_dim: int | None = None,
        filters: int = 64,
        max_filters: int = 512,
        mapping_layers: int = 8,
        mapping_lr_multiplier: float = 0.01,
        style_mixing_probability: float = 0.9,
        path_length_weight: float = 2.0,
        path_length_interval: int = 4,
        path_length_decay: float = 0.01,
        path_length_batch_shrink: int = 2,
        w_avg_beta: float = 0.995,
        **kwargs: Any,
    ):
        if kwargs.get("loss") == self.default_loss:
            kwargs.pop("loss")
        for name in ("num_classes", "unrolled_steps", "reuse_fake_batch", "loss"):
            if kwargs.get(name):
                raise ValueError(
                    f"StyleGAN2 does not take {name}={kwargs[name]!r}: it is unconditional, with its own "
                    "non-saturating loss and one generator pass per player; use DCGAN/CGAN for these options."
                )
        kwargs.setdefault("r1_weight", 5.0)
        kwargs.setdefault("r1_interval", 16)
        kwargs.setdefault("ema_decay", 0.999)
        latent_dim, _ = self.check_sizes(latent_dim)
        if image_shape is not None and generator is None:
            check_resolution(image_shape)
        for name, value in (("filters", filters), ("max_filters", max_filters), ("mapping_layers", mapping_layers)):
            _check_size(name, value)
        self.style_mixing_probability = check_number("style_mixing_probability", style_mixing_probability, 0, 1)
        self.path_length_weight = check_number("path_length_weight", path_length_weight, low=0)
        self.path_length_interval = check_number("path_length_interval", path_length_interval, low=1, integer=True)
        self.path_length_decay = check_number("path_length_decay", path_length_decay, 0, 1)
        self.path_length_batch_shrink = _check_size("path_length_batch_shrink", path_length_batch_shrink)
        self.w_avg_beta = check_number("w_avg_beta", w_avg_beta, 0, 1)
        seed = kwargs.get("seed")

        def build(shape):
            g = build_stylegan2_generator(
                latent_dim,
                shape,
                w_dim=w_dim,
                filters=filters,
                max_filters=max_filters,
                mapping_layers=mapping_layers,
                mapping_lr_multiplier=mapping_lr_multiplier,
                noise_seed=0 if seed is None else int(seed) % 2**31,
            )
            return g, build_stylegan2_discriminator(shape, filters=filters, max_filters=max_filters)

        generator, discriminator = self._networks(generator, discriminator, image_shape, build)
        self._check_style_generator(generator)
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        # The official networks end without tanh; the data must still be in [-1, 1] (checked every batch).
        self.data_spec.check_image_range = True
        self.path_length_mean = self.add_weight(
            shape=(), initializer="zeros", trainable=False, name="path_length_mean", aggregation="only_first_replica"
        )

    @staticmethod
    def _check_style_generator(generator: keras.Model) -> None:
        names = {layer.name for layer in generator.layers}
        if not {"mapping", "w_avg", "synthesis"} <= names:
            raise ValueError(
                "StyleGAN2's generator needs its 'mapping', 'w_avg' and 'synthesis' parts: build it with "
                "keras_gans.networks.stylegan2.build_stylegan2_generator."
            )

    # ----------------------------------------------------------------------------------------------------------
    # Parts of the generator

    @property
    def num_ws(self) -> int:
        return num_styles(check_resolution(self.image_shape))

    def _parts(self, generator: keras.Model | None = None):
        generator = generator or self.generator
        return generator.get_layer("mapping"), generator.get_layer("w_avg"), generator.get_layer("synthesis")

    def _fixed_noise(self, generator, batch) -> list:
        sizes = noise_sizes(check_resolution(self.image_shape))
        return [generator.get_layer(f"fixed_noise_{i}")(batch) for i in range(len(sizes))]

    def _training_noise(self, batch, step, purpose: int) -> list:
        """Fresh N(0, 1) noise maps for every noise input: one draw, split per layer."""
        sizes = noise_sizes(check_resolution(self.image_shape))
        flat = self.noise.normal([batch, sum(s * s for s in sizes)], step, purpose)
        maps, start = [], 0
        for s in sizes:
            maps.append(tf.reshape(flat[:, start : start + s * s], [-1, s, s, 1]))
            start += s * s
        return maps

    def _mixed_styles(self, batch, step, purposes: tuple[int, int, int], training: bool = True):
        """ws (N, num_ws, w_dim): w(z1) for every layer, and w(z2) from a random crossover layer on for a share
        ``style_mixing_probability`` of the samples (one crossover per sample); also returns w(z1)."""
        mapping, _, _ = self._parts()
        z1 = self.noise.normal([batch, self.latent_dim], step, purposes[0])
        w1 = mapping(z1, training=training)
        ws = self._per_layer(w1)
        if not self.style_mixing_probability:
            return ws, w1
        w2 = mapping(self.noise.normal([batch, self.latent_dim], step, purposes[1]), training=training)
        draws = self.noise.uniform([batch, 2], step, purposes[2])
        mixed = draws[:, 0] < self.style_mixing_probability
        crossover = 1 + tf.minimum(tf.cast(draws[:, 1] * (self.num_ws - 1), tf.int32), self.num_ws - 2)
        crossover = tf.where(mixed, crossover, self.num_ws)
        from_second = tf.range(self.num_ws)[None, :] >= crossover[:, None]
        return tf.where(from_second[:, :, None], self._per_layer(w2), ws), w1

    def _per_layer(self, w):
        """(N, w_dim) -> (N, num_ws, w_dim), by broadcasting (a repeat's gradient has dynamic shapes under XLA)."""
        return w[:, None] + tf.zeros([1, self.num_ws, 1], w.dtype)

    def _fakes(self, batch, step, purposes: tuple[int, int, int, int]):
        """(images, ws, w1, noise maps) of a training batch of fakes."""
        _, _, synthesis = self._parts()
        ws, w1 = self._mixed_styles(batch, step, purposes[:3])
        noise = self._training_noise(batch, step, purposes[3])
        return synthesis([ws, *noise], training=True), ws, w1, noise

    # ----------------------------------------------------------------------------------------------------------
    # The players' losses

    def log_names(self) -> list[str]:
        names = super().log_names()
        if self.path_length_weight:
            names.insert(names.index("d_grad_norm"), "path_length_penalty")
        return names

    def _discriminator_loss(self, batch, step, repeat):
        real, labels = batch
        d_step = step * self.options.discriminator_steps + repeat
        purposes = (StyleDraw.D_LATENT, StyleDraw.D_MIX_LATENT, StyleDraw.D_MIX, StyleDraw.D_NOISE)
        fake, _, _, _ = self._fakes(tf.shape(real)[0], d_step, purposes)
        return self._discriminator_loss_on(real, fake, labels, None, d_step)

    def _generator_loss(self, batch, step, repeat):
        real, labels = batch
        purposes = (StyleDraw.G_LATENT, StyleDraw.G_MIX_LATENT, StyleDraw.G_MIX, StyleDraw.G_NOISE)
        fake, _, w1, _ = self._fakes(tf.shape(real)[0], step, purposes)
        self._track_w_avg(w1)
        total, logs = self._generator_loss_of(fake, labels, None, step)
        if self.path_length_weight:
            penalty, logs["path_length_penalty"] = self.path_length_term(real, step)
            total = total + self.path_length_weight * penalty
        return total, logs

    def _track_w_avg(self, w) -> None:
        """w_avg <- mean(w) + β·(w_avg - mean(w)), β = ``w_avg_beta`` (over the global batch)."""
        _, w_avg, _ = self._parts()
        mean = _global_mean(self, tf.reduce_mean(tf.cast(tf.stop_gradient(w), tf.float32), axis=0))
        w_avg.w_avg.assign(mean + self.w_avg_beta * (w_avg.w_avg - mean))

    def path_length_term(self, real, step) -> tuple:
        """``(interval · penalty or 0, log)`` of the path-length penalty, as :func:`lazy_penalty` gives, on a batch
        the size of ``real`` // ``path_length_batch_shrink``; moves the running mean on the steps it is computed.

        The lazy ``tf.cond`` is written here rather than through ``lazy_penalty`` because the branch must also
        return the batch's mean length: its mean over the replicas (for the running mean) cannot be taken inside
        a cond under ``tf.distribute``.
        """
        interval = self.path_length_interval

        def compute():
            # The size from ``real``'s shape inside the branch: a compile-time constant for XLA.
            size = tf.maximum(tf.shape(real)[0] // self.path_length_batch_shrink, 1)
            purposes = (StyleDraw.PL_LATENT, StyleDraw.PL_MIX_LATENT, StyleDraw.PL_MIX)
            ws, _ = self._mixed_styles(size, step, purposes)
            noise = self._training_noise(size, step, StyleDraw.PL_NOISE)
            height, width, channels = self.image_shape
            directions = self.noise.normal([size, height, width, channels], step, StyleDraw.PL_DIRECTIONS)
            directions = directions / math.sqrt(height * width)
            _, _, synthesis = self._parts()
            lengths = path_lengths(lambda w: synthesis([w, *noise], training=True), ws, directions)
            return path_length_penalty(lengths, self.path_length_mean), tf.reduce_mean(lengths)

        if interval == 1:
            active = tf.constant(True)
            value, mean_length = compute()
        else:
            active = tf.equal(tf.math.floormod(tf.cast(step, tf.int64), interval), 0)
            value, mean_length = tf.cond(active, compute, lambda: (tf.constant(0.0), tf.constant(0.0)))
        mean_length = _global_mean(self, mean_length)
        updated = updated_path_length_mean(self.path_length_mean, mean_length, self.path_length_decay)
        self.path_length_mean.assign(tf.where(active, updated, self.path_length_mean))
        if interval == 1:
            return value, value
        return float(interval) * value, WeightedLog(value, tf.cast(active, tf.float32))

    def default_optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        """Adam(0.002, β1=0, β2=0.99, ε=1e-8), lr and betas adjusted for the lazy regularisers (c = k/(k+1))."""

        def adam(interval: int, name: str):
            c = lazy_optimizer_ratio(interval) if interval > 1 else 1.0
            return keras.optimizers.Adam(LEARNING_RATE * c, beta_1=0.0, beta_2=0.99**c, epsilon=1e-8, name=name)

        d_interval = self.options.r1_interval if self.options.r1_weight else 1
        g_interval = self.path_length_interval if self.path_length_weight else 1
        return {"d_optimizer": adam(d_interval, "d_adam"), "g_optimizer": adam(g_interval, "g_adam")}

    # ----------------------------------------------------------------------------------------------------------
    # Sampling

    def generate(
        self,
        num_samples: int | None = None,
        seed: int | None = None,
        labels=None,
        z=None,
        batch_size: int = 256,
        truncation: float = 1.0,
    ) -> np.ndarray:
        """Images float32 (n, H, W, C) from the EMA generator with its fixed noise maps.

        ``truncation`` ψ in [0, 1]: w = w_avg + ψ·(w - w_avg) (1: none, the exported model's; 0: the w_avg
        image for every z; 0.7 is the usual trade of variety for quality).
        """
        psi = _check_truncation(truncation)
        if psi == 1.0:
            return super().generate(num_samples, seed=seed, labels=labels, z=z, batch_size=batch_size)
        self._truncation = psi
        try:
            return super().generate(num_samples, seed=seed, labels=labels, z=z, batch_size=batch_size)
        finally:
            self._truncation = 1.0

    def _run_generator(self, batches) -> np.ndarray:
        psi = getattr(self, "_truncation", 1.0)
        if psi == 1.0:
            return super()._run_generator(batches)
        generator = self.sampling_generator
        outputs = [self._synthesize(generator, self._broadcast(generator, z, psi)) for z in batches]
        if not outputs:
            return np.zeros((0, *self.image_shape), "float32")
        return np.concatenate(outputs, axis=0)

    def _broadcast(self, generator, z, psi: float):
        mapping, w_avg, _ = self._parts(generator)
        w = w_avg.truncate(mapping(ops.convert_to_tensor(z), training=False), psi)
        return self._per_layer(w)

    def _synthesize(self, generator, ws) -> np.ndarray:
        _, _, synthesis = self._parts(generator)
        images = synthesis([ws, *self._fixed_noise(generator, ws)], training=False)
        return self._clipped(ops.convert_to_numpy(ops.cast(images, "float32")))

    def mix_styles(self, row_seeds, col_seeds, crossover: int, truncation: float = 1.0) -> np.ndarray:
        """A style-mixing grid (R + 1, C + 1, H, W, C) (the paper's figure 3 layout).

        Row 0 holds the images of ``col_seeds``, column 0 those of ``row_seeds`` (cell (0, 0) is -1, blank); cell
        (i, j) takes the styles of layers [0, crossover) (coarse: pose, shape) from row seed i and the rest (fine:
        texture, colour) from column seed j. ``crossover`` must be in [1, num_ws - 1].
        """
        psi = _check_truncation(truncation)
        if (
            isinstance(crossover, bool)
            or not isinstance(crossover, (int, np.integer))
            or not 1 <= crossover <= self.num_ws - 1
        ):
            raise ValueError(
                f"crossover must be an integer layer index in [1, {self.num_ws - 1}] (this model has {self.num_ws} "
                f"style inputs), got {crossover!r}."
            )
        row_seeds, col_seeds = _seed_list("row_seeds", row_seeds), _seed_list("col_seeds", col_seeds)
        generator = self.sampling_generator
        rows = self._broadcast(generator, np.concatenate([self.latents(1, s) for s in row_seeds]), psi)
        cols = self._broadcast(generator, np.concatenate([self.latents(1, s) for s in col_seeds]), psi)
        r, c = len(row_seeds), len(col_seeds)
        coarse = ops.repeat(rows[:, None, :crossover], c, axis=1)
        fine = ops.repeat(cols[None, :, crossover:], r, axis=0)
        mixed = ops.reshape(ops.concatenate([coarse, fine], axis=2), (r * c, self.num_ws, -1))
        grid = np.full((r + 1, c + 1, *self.image_shape), -1.0, "float32")
        grid[0, 1:] = self._synthesize(generator, cols)
        grid[1:, 0] = self._synthesize(generator, rows)
        grid[1:, 1:] = self._synthesize(generator, mixed).reshape(r, c, *self.image_shape)
        return grid

    # ----------------------------------------------------------------------------------------------------------
    # Serialisation

    def get_config(self) -> dict:
        config = super().get_config()
        config.pop("num_classes", None)
        config.pop("loss", None)
        return {
            **config,
            "style_mixing_probability": self.style_mixing_probability,
            "path_length_weight": self.path_length_weight,
            "path_length_interval": self.path_length_interval,
            "path_length_decay": self.path_length_decay,
            "path_length_batch_shrink": self.path_length_batch_shrink,
            "w_avg_beta": self.w_avg_beta,
        }


#: The official configs' Adam learning rate (config F: 0.002).
LEARNING_RATE = 0.002


def _check_truncation(truncation) -> float:
    if isinstance(truncation, bool) or not isinstance(truncation, (int, float, np.floating, np.integer)):
        raise ValueError(f"truncation must be a number in [0, 1] (e.g. 0.7), got {truncation!r}.")
    if not 0.0 <= float(truncation) <= 1.0:
        raise ValueError(
            f"truncation must be in [0, 1] (1: no truncation, 0: the average image; 0.7 is usual), got {truncation}."
        )
    return float(truncation)


def _seed_list(name: str, seeds) -> list[int]:
    seeds = list(np.atleast_1d(np.asarray(seeds)))
    if not seeds or any(np.asarray(s).dtype.kind not in "iu" for s in seeds):
        raise ValueError(f"{name} must be a non-empty list of integer seeds, got {seeds!r}.")
    return [int(s) for s in seeds]
