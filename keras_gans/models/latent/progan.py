"""ProGAN (Karras et al., 2018): progressive growing 4x4 -> full size with fade-in, on the latent family.

Networks: :mod:`keras_gans.networks.progressive` (equalised learning rate, pixel norm, minibatch stddev, every level
built once, the growth state in saved variables). Loss (section A.1): WGAN-GP, λ = 10, one critic step per
generator step, plus the drift term ε_drift · E[D(x)²] with ε_drift = 1e-3 that keeps the critic's outputs near
0; Adam(1e-3, β1 = 0, β2 = 0.99, ε = 1e-8); generator EMA 0.999.

**The growth schedule.** The run is a sequence of ``2L - 1`` phases for ``L`` levels: 4x4 stable, then for every
next level a fade-in (alpha rising linearly from 0 to 1) and a stable phase. ``schedule=None`` (the default)
spreads the phases evenly over the steps of the first ``fit`` (its ``epochs`` and ``steps_per_epoch``), so that
``fit`` ends at the full resolution; ``schedule=`` gives the images shown per phase instead (the paper's 600k + 600k
per level: ``{"fade": 600_000, "stable": 600_000}``, or a list of ``2L - 1`` counts), which later ``fit`` calls
continue. Each step trains at the state reached by its own batch: the ``images_shown`` (or steps) after it.

Inside the step the real images are average-pooled to the current level and, during a fade-in, blended with the
previous level exactly as the generator's output is, then upsampled back (nearest): both players see full-size
images at the current level's detail. ``generate`` samples at the current level, upsampled to the full size
(nearest neighbour); the generator's output is linear, so ``generate`` and the exported signatures clip it to
[-1, 1] (``model.generator(z)`` gives the raw output).
"""

from __future__ import annotations

import warnings
from typing import Any

import keras
import numpy as np
import tensorflow as tf

from keras_gans.engine.options import check_number
from keras_gans.models.latent.base import GANModel
from keras_gans.models.registry import register_model
from keras_gans.networks import progressive

__all__ = ["ProGAN", "even_schedule", "growth_at", "growth_phases", "parse_schedule"]

#: ε_drift of the paper's critic loss (section A.1).
DRIFT_WEIGHT = 1e-3


def growth_phases(levels: int) -> list[str]:
    """The names of the ``2 · levels - 1`` phases: ``["stable 4x4", "fade-in 8x8", "stable 8x8", ...]``."""
    names = ["stable 4x4"]
    for level in range(1, levels):
        side = progressive.BASE_RESOLUTION * 2**level
        names += [f"fade-in {side}x{side}", f"stable {side}x{side}"]
    return names


def parse_schedule(schedule, levels: int) -> tuple[int, ...]:
    """Images shown per phase (see :func:`growth_phases`) from ``{"fade": n, "stable": m}`` or a list of counts.

    Refused: another number of phases, counts that are not whole numbers >= 0, a fade-in of no image (a level
    would appear at once), a schedule that shows no image at all.
    """
    names = growth_phases(levels)
    if isinstance(schedule, dict):
        unknown = sorted(set(schedule) - {"fade", "stable"})
        if unknown or set(schedule) != {"fade", "stable"}:
            raise ValueError(
                f"schedule as a dict takes exactly the keys 'fade' and 'stable' (images per phase, e.g. "
                f"{{'fade': 600_000, 'stable': 600_000}} as the paper), got {sorted(schedule)}."
            )
        fade = check_number("schedule['fade']", schedule["fade"], low=0, integer=True)
        stable = check_number("schedule['stable']", schedule["stable"], low=0, integer=True)
        lengths = [stable] + [fade, stable] * (levels - 1)
    elif isinstance(schedule, (list, tuple, np.ndarray)):
        lengths = [check_number(f"schedule[{i}]", v, low=0, integer=True) for i, v in enumerate(list(schedule))]
        if len(lengths) != len(names):
            raise ValueError(
                f"schedule has {len(lengths)} phases but growing 4x4 -> {names[-1].split()[-1]} takes "
                f"{len(names)}: images shown in {', '.join(names)}. Or pass {{'fade': n, 'stable': m}}."
            )
    else:
        raise ValueError(
            f"schedule must be None (spread the growth over fit's epochs), {{'fade': n, 'stable': m}} or a list of "
            f"{len(names)} image counts, got {schedule!r}."
        )
    for name, length in zip(names, lengths):
        if name.startswith("fade") and length == 0:
            raise ValueError(f"schedule: the {name} phase shows no image; a fade-in needs at least one batch.")
    if sum(lengths) == 0:
        raise ValueError("schedule shows no image in any phase; give the images shown per phase.")
    return tuple(int(v) for v in lengths)


def even_schedule(total: int, levels: int) -> tuple[int, ...]:
    """``total`` steps split into ``2 · levels - 1`` phases as evenly as whole numbers allow (ends at
    ``round(total · i / phases)``), the paper's equal fade-in and stable phases."""
    phases = 2 * levels - 1
    ends = [round(total * i / phases) for i in range(phases + 1)]
    return tuple(int(b - a) for a, b in zip(ends[:-1], ends[1:]))


def growth_at(position, phase_lengths) -> tuple[tf.Tensor, tf.Tensor]:
    """``(level, alpha)`` once ``position`` images (or steps) have been shown, for the phases' lengths.

    The active phase is the first whose end is >= ``position`` (the last one past the end); phase ``2k - 1`` fades
    level ``k`` in with ``alpha = (position - phase start) / phase length``, phase ``2k`` holds level ``k`` at 1.
    """
    lengths = tf.cast(phase_lengths, tf.int64)
    ends = tf.cumsum(lengths)
    position = tf.cast(position, tf.int64)
    phase = tf.minimum(tf.reduce_sum(tf.cast(ends < position, tf.int64)), tf.cast(tf.size(lengths) - 1, tf.int64))
    length = tf.gather(lengths, phase)
    start = tf.gather(ends, phase) - length
    progress = tf.cast(position - start, tf.float64) / tf.cast(tf.maximum(length, 1), tf.float64)
    fading = tf.equal(tf.math.floormod(phase, 2), 1)
    alpha = tf.where(fading, tf.clip_by_value(progress, 0.0, 1.0), tf.constant(1.0, tf.float64))
    return tf.cast((phase + 1) // 2, tf.int32), tf.cast(alpha, tf.float32)


class _GrowthOverFit(keras.callbacks.Callback):
    """Spreads a ``schedule=None`` model's growth over the steps of the ``fit`` it is added to, once."""

    def on_epoch_begin(self, epoch, logs=None):
        model = self.model
        if int(np.sum(model.phase_lengths.numpy())) > 0:
            return
        steps = self.params.get("steps")
        if not steps:
            raise ValueError(
                "ProGAN(schedule=None) spreads its growth over the steps of fit(), which does not know its number "
                "of steps per epoch here (a dataset of unknown size): pass steps_per_epoch= to fit, or "
                "schedule={'fade': n, 'stable': m} (images per phase) to ProGAN."
            )
        total = (int(self.params["epochs"]) - int(epoch)) * int(steps)
        phases = 2 * model.levels - 1
        if total < phases:
            warnings.warn(
                f"fit runs {total} step(s), fewer than the {phases} phases of growing to "
                f"{model.image_shape[0]}x{model.image_shape[1]}: phases with no step are skipped (a level may "
                "appear without fade-in). Train for more steps.",
                stacklevel=2,
            )
        lengths = list(even_schedule(total, model.levels))
        # Counted from the model's step 0: steps trained before this fit extend the first phase.
        lengths[0] += int(model.step_counter.numpy())
        model.phase_lengths.assign(np.asarray(lengths, "int64"))


@register_model
@keras.saving.register_keras_serializable(package="keras_gans")
class ProGAN(GANModel):
    """Progressive GAN (Karras et al., 2018) for square power-of-two images (4x4 ... 32x32 ... 1024x1024).

    Args:
        image_shape: (S, S, C) of the images (S a power of two >= 4), when building the default networks.
        latent_dim: size of z (512 in the paper).
        generator, discriminator: progressive networks of your own (with a ``growth`` GrowthState layer).
        filters: width at the full resolution; widths double per level towards 4x4 up to ``max_filters`` (the
            paper: 512 at every level up to 32x32, i.e. ``filters=max_filters=512``; 64 and 256 here to fit a CPU).
        max_filters: the widest level's width.
        schedule: ``None`` (growth spread over the first ``fit``), ``{"fade": n, "stable": m}`` images per phase
            or a list of ``2L - 1`` image counts (see :func:`growth_phases`).
        drift_weight: ε_drift of the critic's drift term ε · E[D(x)²] (1e-3).
        minibatch_group: group size of the minibatch standard deviation (4).
        **kwargs: ``seed`` and the training options of :class:`GANModel`; ``gradient_penalty_weight`` defaults
            to 10 and ``ema_decay`` to 0.999 as in the paper (``ema_decay=None`` turns the average off).
    """

    clips_samples = True  # a linear output, as in the paper

    default_loss = "wasserstein"

    def __init__(
        self,
        image_shape: tuple[int, int, int] | None = None,
        latent_dim: int = 512,
        generator: keras.Model | None = None,
        discriminator: keras.Model | None = None,
        filters: int = 64,
        max_filters: int = 256,
        schedule: dict | list | None = None,
        drift_weight: float = DRIFT_WEIGHT,
        minibatch_group: int = 4,
        **kwargs: Any,
    ):
        if kwargs.get("num_classes") is not None:
            raise ValueError("ProGAN is unconditional: remove num_classes (use CGAN or ACGAN for labels).")
        kwargs.setdefault("gradient_penalty_weight", 10.0)
        kwargs.setdefault("ema_decay", 0.999)
        latent_dim, _ = self.check_sizes(latent_dim)
        minibatch_group = check_number("minibatch_group", minibatch_group, low=1, integer=True)

        def build(shape):
            return (
                progressive.build_progressive_generator(latent_dim, shape, filters, max_filters),
                progressive.build_progressive_discriminator(shape, filters, max_filters, minibatch_group),
            )

        if image_shape is not None:
            progressive.num_levels(image_shape)  # the power-of-two error before anything is built
        generator, discriminator = self._networks(generator, discriminator, image_shape, build)
        self.levels = progressive.num_levels(tuple(generator.output_shape[1:]))
        for network in (generator, discriminator):
            progressive.get_growth(network)  # refuses networks without a growth state
        self.schedule = None if schedule is None else parse_schedule(schedule, self.levels)
        self.drift_weight = check_number("drift_weight", drift_weight, low=0)
        super().__init__(generator, discriminator, latent_dim, **kwargs)
        # The paper trains on images in [-1, 1]: refuse [0, 1] or [0, 255] data although the output is linear.
        self.data_spec.check_image_range = True
        self.images_shown = self.add_weight(
            shape=(),
            dtype="int64",
            initializer="zeros",
            trainable=False,
            name="images_shown",
            aggregation="only_first_replica",
        )
        initial = self.schedule or (0,) * (2 * self.levels - 1)
        self.phase_lengths = self.add_weight(
            shape=(len(initial),),
            dtype="int64",
            initializer=keras.initializers.Constant(np.asarray(initial, "int64")),
            trainable=False,
            name="phase_lengths",
            aggregation="only_first_replica",
        )

    def default_optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        """The paper's Adam(1e-3, β1 = 0, β2 = 0.99, ε = 1e-8) for both players."""
        return {
            "d_optimizer": keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.99, epsilon=1e-8, name="d_adam"),
            "g_optimizer": keras.optimizers.Adam(1e-3, beta_1=0.0, beta_2=0.99, epsilon=1e-8, name="g_adam"),
        }

    # ----------------------------------------------------------------------------------------------------------
    # Growth

    @property
    def level(self) -> int:
        """The active level (0: 4x4 ... ``levels - 1``: the full size)."""
        return progressive.get_growth(self.generator)[0]

    @property
    def alpha(self) -> float:
        """The fade-in alpha of the active level (1 when it is stable)."""
        return progressive.get_growth(self.generator)[1]

    @property
    def resolution(self) -> int:
        """The side of the images at the active level (``generate`` upsamples them to the full size)."""
        return progressive.BASE_RESOLUTION * 2**self.level

    @property
    def growth_schedule(self) -> dict:
        """``{"unit": "images" | "steps", "phases": [(name, length), ...]}``; lengths 0 until a default
        schedule is set by the first ``fit``."""
        lengths = [int(v) for v in self.phase_lengths.numpy()]
        unit = "steps" if self.schedule is None else "images"
        return {"unit": unit, "phases": list(zip(growth_phases(self.levels), lengths))}

    def _advance_growth(self, local_batch) -> None:
        """Sets both networks' level and alpha for the state after this batch; counts the images shown."""
        batch = tf.cast(local_batch, tf.int64) * tf.distribute.get_strategy().num_replicas_in_sync
        if self.schedule is None:
            position = self.step_counter + 1
        else:
            position = self.images_shown + batch
        level, alpha = growth_at(position, self.phase_lengths)
        for network in (self.generator, self.discriminator):
            progressive.set_growth(network, level, alpha)
        self.images_shown.assign_add(batch)

    def real_at_current_level(self, images):
        """Real images at the active level's detail, blended with the previous level during a fade-in."""
        state = progressive.growth_state(self.generator)
        return progressive.blend_to_level(images, state, self.levels)

    def train_step(self, data):
        real = GANModel.unpack_batch(self, data)[0]
        self._advance_growth(tf.shape(real)[0])
        return super().train_step(data)

    def unpack_batch(self, data) -> tuple:
        real, labels = super().unpack_batch(data)
        return self.real_at_current_level(real), labels

    def fit(self, *args, callbacks=None, **kwargs):
        """:meth:`keras.Model.fit`; with ``schedule=None`` the first call spreads the growth over its steps."""
        args = list(args)
        by_position = len(args) > 5  # fit(x, y, batch_size, epochs, verbose, callbacks, ...)
        callbacks = list((args[5] if by_position else callbacks) or [])
        if self.schedule is None:
            callbacks.append(_GrowthOverFit())
        if by_position:
            args[5] = callbacks
            return super().fit(*args, **kwargs)
        return super().fit(*args, callbacks=callbacks, **kwargs)

    def train_on_batch(self, *args, **kwargs):
        if self.schedule is None and int(np.sum(self.phase_lengths.numpy())) == 0:
            raise ValueError(
                "ProGAN(schedule=None) spreads its growth over the epochs of fit(); to train with train_on_batch "
                "pass schedule={'fade': n, 'stable': m} (images per phase)."
            )
        return super().train_on_batch(*args, **kwargs)

    # ----------------------------------------------------------------------------------------------------------
    # Loss: WGAN-GP (the base's) plus the drift term

    def log_names(self) -> list[str]:
        names = super().log_names()
        return [*names[:-3], "drift_penalty", *names[-3:]]

    def _output_logs(self, real_out, fake_out) -> dict:
        logs = super()._output_logs(real_out, fake_out)
        # E[D(x)²], from the critic outputs the loss already has; added to the D loss below.
        logs["drift_penalty"] = tf.reduce_mean(tf.square(real_out))
        return logs

    def _discriminator_loss_on(self, real, fake, labels, codes, d_step):
        total, logs = super()._discriminator_loss_on(real, fake, labels, codes, d_step)
        return total + self.drift_weight * logs["drift_penalty"], logs

    # ----------------------------------------------------------------------------------------------------------
    # Serialisation

    def get_config(self) -> dict:
        return {
            **super().get_config(),
            "schedule": None if self.schedule is None else list(self.schedule),
            "drift_weight": self.drift_weight,
        }
