"""Options of the engine itself, shared by every family."""

from __future__ import annotations

import dataclasses
import math
import numbers

import numpy as np

from keras_gans.engine.precision import check_precision

__all__ = ["EngineOptions", "check_bool", "check_number"]


def check_number(name: str, value, low: float | None = None, high: float | None = None, integer: bool = False):
    """``value`` as a finite number in [low, high] (an int when ``integer``), or a ValueError naming the fix."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}.")
    if integer and int(value) != value:
        raise ValueError(f"{name} must be a whole number, got {value!r}.")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"[{low if low is not None else '-inf'}, {high if high is not None else 'inf'}]"
        raise ValueError(f"{name} must be in {bounds}, got {value!r}.")
    return int(value) if integer else float(value)


def check_bool(name: str, value) -> bool:
    """``value`` if it is a bool: strings such as ``"no"`` are truthy in Python and would silently mean True."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


@dataclasses.dataclass(frozen=True)
class EngineOptions:
    """Options that the engine applies to any family.

    Attributes:
        ema_decay: keep an exponential moving average of the sampled networks' weights with this decay (e.g.
            0.999, Karras et al., 2018; Yazıcı et al., 2019), ramped up as in StyleGAN2-ADA so that it helps at any
            budget (:mod:`keras_gans.engine.ema`); the samplers and ``export`` then use the average.
        skip_non_finite_gradients: zero a whole update when any of its values is NaN or inf, and keep batch-norm
            statistics finite, so one bad batch does not poison the model. Clip gradients with the optimizers'
            ``clipnorm``/``clipvalue``.
        weight_clip: clip the weights of the networks of players declared ``clipped`` (the WGAN critic) to
            [-c, c] after each of their updates (Arjovsky et al., 2017: c = 0.01). ``None``: off.
        precision: the dtype policy the model builds its networks under: ``"float32"``, ``"mixed_bfloat16"``,
            ``"mixed_float16"`` (bfloat16/float16 compute, float32 variables; float16 with loss scaling), or
            ``"auto"`` (the default): the policy of the networks passed in, else the global policy when it is not
            float32, else mixed_bfloat16 where the hardware has native bfloat16 (AVX512_BF16/AMX CPUs, GPUs of
            compute capability >= 8.0, TPUs) and the model's measurements allow it (``auto_bfloat16``), else
            float32 (:mod:`keras_gans.engine.precision`). Networks passed in must have the policy asked for.
            Losses, penalties, batch-norm statistics, EMA weights and samples stay float32. Saved with the model
            with the policy it resolved to (``resolved_precision``); loading re-resolves ``"auto"``.
    """

    ema_decay: float | None = None
    skip_non_finite_gradients: bool = False
    weight_clip: float | None = None
    precision: str = "auto"
    #: The policy ``precision`` resolved to, recorded by the engine once the model is built (not an argument).
    resolved_precision: str | None = dataclasses.field(default=None, init=False, compare=False)

    def __post_init__(self) -> None:
        if self.ema_decay is not None:
            check_number("ema_decay", self.ema_decay)
            if not 0.0 < self.ema_decay < 1.0:
                raise ValueError(f"ema_decay must be in (0, 1), e.g. 0.999, got {self.ema_decay}.")
        check_bool("skip_non_finite_gradients", self.skip_non_finite_gradients)
        if self.weight_clip is not None:
            check_number("weight_clip", self.weight_clip)
            if self.weight_clip <= 0:
                raise ValueError(f"weight_clip must be > 0 (e.g. 0.01 for WGAN), got {self.weight_clip}.")
        check_precision(self.precision)

    @classmethod
    def field_names(cls) -> list[str]:
        """The options' keyword arguments (the engine's records such as ``resolved_precision`` aside)."""
        return [f.name for f in dataclasses.fields(cls) if f.init]

    @classmethod
    def from_model_kwargs(cls, model_name: str, kwargs: dict) -> tuple[EngineOptions, dict]:
        """``(options, keras.Model keyword arguments)`` from a model constructor's ``**options``; a keyword that is
        neither refused with the list of the options (a typo must not pass silently)."""
        base_kwargs = {k: kwargs.pop(k) for k in ("trainable", "dtype") if k in kwargs}
        kwargs.pop("resolved_precision", None)  # a saved record: the engine resolves the precision again
        unknown = sorted(set(kwargs) - set(cls.field_names()))
        if unknown:
            raise TypeError(
                f"{model_name} got unexpected keyword argument(s) {unknown}; its options are {cls.field_names()}."
            )
        return cls(**kwargs), base_kwargs

    def with_resolved_precision(self, policy: str) -> EngineOptions:
        """These options with ``resolved_precision`` recorded (the engine calls it once the model is built)."""
        options = dataclasses.replace(self)
        object.__setattr__(options, "resolved_precision", policy)
        return options

    def to_config(self) -> dict:
        return dataclasses.asdict(self)
