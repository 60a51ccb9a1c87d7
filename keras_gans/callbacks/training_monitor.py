"""``TrainingMonitor``: recognises the common GAN failures from the train step's logs and says what to do.

The train step already logs, at no extra cost, running means over the epoch of ``d_loss``, ``g_loss``, D's
accuracy (``d_acc_real``/``d_acc_fake``, logit losses) or mean outputs (``d_real``/``d_fake``), the gradient norms
``d_grad_norm``/``g_grad_norm`` and ``diversity`` (mean per-pixel standard deviation of the generated batch). The
monitor recovers each step's value from two consecutive running means, ``v_t = (t·m_t - s·m_s) / (t - s)``, so it
sees per-step events (a NaN, an explosion, a swing) without any change to the step. Once per epoch it also
generates a fixed latent batch (the same ``seed`` every time) and measures its diversity.

Diagnoses (each logged, warned as :class:`TrainingHealthWarning` and printed with the likely cause, the keras_gans
options that help and a link to ``docs/troubleshooting.md``):

* ``mode_collapse``: the fixed batch *and* the training batches vary less than ``collapse_ratio`` of the real
  data (or of their own best epoch), or less than ``min_diversity``.
* ``discriminator_overpowering`` (logit losses): D accuracy above ``d_accuracy``, D loss within ``d_loss_margin``
  of its minimum, and G's loss high (mean D(G(z)) below ``fake_probability``) or rising.
* ``vanishing_gradients``: the epoch's median generator gradient norm below ``min_generator_grad_norm`` or below
  ``grad_drop_ratio`` of the run's largest, or a saturated minimax loss.
* ``oscillation``: a loss swinging from step to step by more than ``oscillation`` x (1 + |its mean|).
* ``divergence``: a NaN/inf (or above ``divergence_threshold``) loss, gradient norm or penalty; training stops and
  the last healthy weights (generator, discriminator, EMA, optimizer states) are put back.

Its cost is a few dictionary operations per step and one small generator pass per epoch (benchmarked in
``benchmarks/bench_tricks.py``).
"""

from __future__ import annotations

import collections
import json
import logging
import math
import os
import time
import warnings
from typing import Any

import keras
import numpy as np

from keras_gans.callbacks.training_diagnoses import DIAGNOSES, DOCS_URL
from keras_gans.evaluation import generate_samples

__all__ = ["TrainingHealthWarning", "TrainingMonitor", "pixel_diversity"]

logger = logging.getLogger(__name__)
logger.addHandler(logging.NullHandler())  # shown where the application configures logging; printed when verbose


class TrainingHealthWarning(UserWarning):
    """Warned by :class:`TrainingMonitor` when it recognises a training failure."""


def pixel_diversity(images: np.ndarray) -> float:
    """Mean over pixels of the standard deviation across the batch: 0 for identical images (the step's formula)."""
    images = np.asarray(images, dtype="float64")
    if len(images) < 2:
        return float("nan")
    return float(images.std(axis=0).mean())


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def _binary_entropy(p: float) -> float:
    return 0.0 if p in (0.0, 1.0) else -(p * math.log(p) + (1 - p) * math.log(1 - p))


class TrainingMonitor(keras.callbacks.Callback):
    """Watches a GAN's training for mode collapse, an overpowering D, vanishing gradients, oscillation and divergence.

    Put it first in the callback list: it adds ``fixed_diversity`` to the epoch logs (for History and CSVLogger),
    and on divergence it restores the last healthy weights before other callbacks save anything.

    Args:
        path: where to write the health summary as JSON at the end of training (e.g. next to the history CSV).
        real_images: a sample of real images in [-1, 1]; their per-pixel diversity is the mode-collapse reference
            (without it, the generator's own best epoch is).
        num_samples: size of the fixed latent batch generated at each epoch end.
        seed: seed of that batch (``model.generate(num_samples, seed=seed)``; class-balanced labels when
            ``model.num_classes`` is set).
        collapse_ratio: mode collapse when the fixed-batch diversity falls below this fraction of the reference.
        min_diversity: mode collapse below this absolute diversity (images in [-1, 1]) whatever the reference.
        d_accuracy: D accuracy above which D may be overpowering.
        d_loss_margin: ... when D's loss is also within this margin of its minimum (0, or the entropy of the
            smoothed targets with label smoothing).
        fake_probability: ... and G's loss says D gives fakes a mean probability below this (or G's loss rises).
        min_generator_grad_norm: vanishing gradients when the median G gradient norm of an epoch is below this,
        grad_drop_ratio: ... or below this fraction of the largest per-step G gradient norm seen in the run (norms
            scale with the model, ratios do not),
        saturated_probability: ... or, with ``loss="minimax"``, when G's loss says mean D(G(z)) is below this: the
            minimax loss's gradient is then that many times weaker than the non-saturating loss's.
        oscillation: oscillation when a loss's step-to-step swing over an epoch (std of its differences / sqrt 2,
            which ignores steady trends) exceeds this times (1 + |its mean|). Healthy minibatch noise stays below
            it (measured: the default DCGAN on the digits, Adam(4e-4, beta_1=0), FID 2.8 at epoch 25, peaked at
            0.22); in the oscillating run of docs/troubleshooting.md (Adam(1e-2, beta_1=0.9)) G's loss jumps
            between 5 and 45.
        min_steps: epochs with fewer steps are not judged for vanishing gradients or oscillation.
        divergence_threshold: a loss or gradient norm above this counts as divergence, like NaN and inf.
        restore_on_divergence: put back the last healthy weights (G, D, EMA and optimizer states).
        snapshot_every_n_steps: also keep healthy weights every n steps (None: at the start and at epoch ends).
        docs_url: base of the troubleshooting links.
        verbose: 1 prints the diagnoses and the end-of-training summary; 0 only logs and warns.

    Attributes:
        epochs: one dict of statistics per epoch.
        events: one dict per diagnosis fired: ``{"epoch", "diagnosis", "detail"}``.
        diverged: the divergence event, or None.
    """

    def __init__(
        self,
        path: str | os.PathLike | None = None,
        real_images: np.ndarray | None = None,
        num_samples: int = 64,
        seed: int = 1234,
        collapse_ratio: float = 0.1,
        min_diversity: float = 0.02,
        d_accuracy: float = 0.95,
        d_loss_margin: float = 0.1,
        fake_probability: float = 0.1,
        min_generator_grad_norm: float = 1e-4,
        grad_drop_ratio: float = 0.01,
        saturated_probability: float = 0.02,
        oscillation: float = 0.35,
        min_steps: int = 5,
        divergence_threshold: float = 1e6,
        restore_on_divergence: bool = True,
        snapshot_every_n_steps: int | None = None,
        docs_url: str = DOCS_URL,
        verbose: int = 1,
    ) -> None:
        super().__init__()
        if num_samples < 2:
            raise ValueError("num_samples must be >= 2 to measure diversity.")
        self.path = None if path is None else os.fspath(path)
        self.real_diversity = None if real_images is None else pixel_diversity(np.asarray(real_images)[:1000])
        self.num_samples = int(num_samples)
        self.seed = seed
        self.collapse_ratio = collapse_ratio
        self.min_diversity = min_diversity
        self.d_accuracy = d_accuracy
        self.d_loss_margin = d_loss_margin
        self.fake_probability = fake_probability
        self.min_generator_grad_norm = min_generator_grad_norm
        self.grad_drop_ratio = grad_drop_ratio
        self.saturated_probability = saturated_probability
        self.oscillation = oscillation
        self.min_steps = int(min_steps)
        self.divergence_threshold = divergence_threshold
        self.restore_on_divergence = restore_on_divergence
        self.snapshot_every_n_steps = snapshot_every_n_steps
        self.docs_url = docs_url
        self.verbose = verbose
        self._reset_run()

    # ------------------------------------------------------------------------------------------------------------
    # Run state

    def _reset_run(self) -> None:
        self.epochs: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.diverged: dict[str, Any] | None = None
        self._active: set[str] = set()
        self._snapshot: list[np.ndarray] | None = None
        self._snapshot_at = "none"
        self._best_diversity = 0.0
        self._peak_grad = 0.0
        self._steps = 0
        self._seconds = 0.0
        self._epoch = 0

    def _reset_epoch(self) -> None:
        self._series: dict[str, list[float]] = collections.defaultdict(list)
        self._previous: dict[str, tuple[int, float]] = {}

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        start = time.perf_counter()
        self._reset_run()
        self._reset_epoch()
        self._take_snapshot("the start of training")
        self._seconds += time.perf_counter() - start

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch = epoch
        self._reset_epoch()

    # ------------------------------------------------------------------------------------------------------------
    # Per step: recover the step's values from the running means, catch divergence

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if not logs or self.diverged is not None:
            return
        start = time.perf_counter()
        t = batch + 1
        bad = {}
        skipping = self._skips_non_finite_gradients()
        for key, mean in logs.items():
            if not isinstance(mean, (int, float)):
                continue
            s, previous = self._previous.get(key, (0, 0.0))
            value = mean if s == 0 else (t * mean - s * previous) / max(t - s, 1)
            if not math.isfinite(mean):
                # A running mean stays NaN once it is; only the first bad step tells anything.
                value = mean
            self._previous[key] = (t, mean)
            self._series[key].append(value)
            if key.endswith("grad_norm") and skipping and not math.isfinite(value):
                continue  # skip_non_finite_gradients zeroed that update: not a divergence
            if key in _WATCHED and (not math.isfinite(value) or abs(value) > self.divergence_threshold):
                bad[key] = value
        self._steps += 1
        if bad:
            self._diverge(f"step {t} of epoch {self._epoch + 1}", bad)
        elif self.snapshot_every_n_steps and self._steps % self.snapshot_every_n_steps == 0:
            self._take_snapshot(f"step {t} of epoch {self._epoch + 1}")
        self._seconds += time.perf_counter() - start

    def _skips_non_finite_gradients(self) -> bool:
        options = getattr(self.model, "options", None)
        return bool(getattr(options, "skip_non_finite_gradients", False))

    # ------------------------------------------------------------------------------------------------------------
    # Per epoch: statistics and diagnoses

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.diverged is not None:
            return
        start = time.perf_counter()
        logs = logs if logs is not None else {}
        stats = self._epoch_statistics(epoch, logs)
        if stats.get("fixed_diversity") is not None:
            logs["fixed_diversity"] = stats["fixed_diversity"]
        self.epochs.append(stats)
        found = self._diagnose(stats)
        for name in sorted(set(found) - self._active):
            self._report(name, epoch, found[name])
        for name in found:
            self.events.append({"epoch": epoch + 1, "diagnosis": name, "detail": found[name]})
        self._active = set(found)
        if self.diverged is None:
            self._take_snapshot(f"the end of epoch {epoch + 1}")
        self._seconds += time.perf_counter() - start

    def _epoch_statistics(self, epoch: int, logs: dict[str, Any]) -> dict[str, Any]:
        stats: dict[str, Any] = {"epoch": epoch + 1, "steps": len(self._series.get("d_loss", []))}
        for key, value in logs.items():
            if isinstance(value, (int, float)):
                stats[key] = float(value)
        for key in ("d_loss", "g_loss"):
            values = np.asarray(self._series.get(key, []), dtype="float64")
            if len(values) >= 3:
                # Step-to-step swing: std(v_t - v_{t-1}) / sqrt(2) is the std of white noise, and ignores trends.
                stats[f"{key}_swing"] = float(np.diff(values).std() / math.sqrt(2))
        grad = np.asarray(self._series.get("g_grad_norm", []), dtype="float64")
        grad = grad[np.isfinite(grad)]
        if len(grad):
            stats["g_grad_norm_median"] = float(np.median(grad))
            self._peak_grad = max(self._peak_grad, float(grad.max()))
        g_loss = np.asarray(self._series.get("g_loss", []), dtype="float64")
        if len(g_loss) >= 4:
            stats["g_loss_slope"] = float(np.polyfit(np.arange(len(g_loss)), g_loss, 1)[0])
        if hasattr(self.model, "generate"):
            samples = generate_samples(self.model, self.num_samples, seed=self.seed)
            stats["fixed_diversity"] = pixel_diversity(samples)
            if not np.all(np.isfinite(samples)):
                stats["fixed_diversity"] = float("nan")
        return stats

    def _diagnose(self, stats: dict[str, Any]) -> dict[str, str]:
        found: dict[str, str] = {}
        previous = self.epochs[-2] if len(self.epochs) >= 2 else None
        # Divergence caught at the epoch's end (e.g. non-finite samples with finite logs).
        diversity = stats.get("fixed_diversity")
        if diversity is not None and not math.isfinite(diversity):
            self._diverge(f"the end of epoch {stats['epoch']}", {"fixed_diversity": diversity})
            return found
        # Mode collapse: the fixed batch (inference mode) and the training batches both lack variety. Either alone
        # misleads: early in training a generator's batch-norm moving statistics lag, so inference samples look
        # alike; in training mode batch norm rescales tiny differences between samples.
        step_diversity = stats.get("diversity")
        measured = [d for d in (diversity, step_diversity) if d is not None and math.isfinite(d)]
        if measured:
            value = max(measured)
            reference = self.real_diversity if self.real_diversity else self._best_diversity
            what = "the real data's" if self.real_diversity else "its best so far"
            shown = (
                f"diversity {value:.4f} (per-pixel std across samples; fixed latent batch "
                f"{_fmt(diversity)}, training batches {_fmt(step_diversity)})"
            )
            if value < self.min_diversity:
                found["mode_collapse"] = f"{shown} is below {self.min_diversity}: the samples are nearly identical"
            elif reference and value < self.collapse_ratio * reference:
                found["mode_collapse"] = (
                    f"{shown} is {value / reference:.0%} of {what} ({reference:.4f}); "
                    f"threshold {self.collapse_ratio:.0%}"
                )
            self._best_diversity = max(self._best_diversity, value)
        # Discriminator overpowering (logit losses, which log D's accuracy).
        if "d_acc_real" in stats and "d_acc_fake" in stats:
            accuracy = 0.5 * (stats["d_acc_real"] + stats["d_acc_fake"])
            floor = self._d_loss_floor()
            p_fake = self._fake_probability(stats.get("g_loss"))
            rising = (previous is not None and stats.get("g_loss", 0) > previous.get("g_loss", math.inf)) or (
                stats.get("g_loss_slope", 0.0) > 0 and previous is None
            )
            confident = p_fake is not None and p_fake < self.fake_probability
            if (
                accuracy > self.d_accuracy
                and stats.get("d_loss", math.inf) < floor + self.d_loss_margin
                and (confident or rising)
            ):
                found["discriminator_overpowering"] = (
                    f"D accuracy {accuracy:.1%}, D loss {stats['d_loss']:.3f} (minimum {floor:.3f}), G loss "
                    f"{stats.get('g_loss', float('nan')):.3f}"
                    + (f" (mean D(G(z)) = {p_fake:.3f})" if p_fake is not None else "")
                    + (", rising" if rising else "")
                )
        # Vanishing generator gradients: tiny, or a small fraction of the largest step's, or (minimax) a saturated loss.
        grad = stats.get("g_grad_norm_median")
        if grad is not None and stats["steps"] >= self.min_steps:
            p_fake = self._fake_probability(stats.get("g_loss"))
            reasons = []
            if grad < self.min_generator_grad_norm:
                reasons.append(f"below {self.min_generator_grad_norm:g}")
            if self._peak_grad and grad < self.grad_drop_ratio * self._peak_grad:
                reasons.append(f"{grad / self._peak_grad:.1e} times the largest step's {self._peak_grad:.3g}")
            minimax = bool(getattr(getattr(self.model, "gan_loss", None), "saturates", False))
            if minimax and p_fake is not None and p_fake < self.saturated_probability:
                reasons.append(
                    f"the minimax G loss is saturated: mean D(G(z)) = {p_fake:.1e} scales its gradient by that much"
                )
            if reasons:
                found["vanishing_gradients"] = (
                    f"median generator gradient norm {grad:.2e} over the epoch: " + "; ".join(reasons)
                )
        # Oscillation.
        if stats["steps"] >= self.min_steps:
            swings = []
            for key in ("d_loss", "g_loss"):
                swing, mean = stats.get(f"{key}_swing"), stats.get(key)
                if swing is not None and mean is not None and swing > self.oscillation * (1 + abs(mean)):
                    swings.append(f"{key} swings by {swing:.3g} from step to step around {mean:.3g}")
            if swings:
                found["oscillation"] = "; ".join(swings)
        return found

    def _d_loss_floor(self) -> float:
        """The minimum of the (smoothed) binary cross-entropy D loss: the entropy of its two targets."""
        options = getattr(self.model, "options", None)
        smoothing = float(getattr(options, "label_smoothing", 0.0) or 0.0)
        fake_smoothing = float(getattr(options, "fake_label_smoothing", 0.0) or 0.0)
        return _binary_entropy(1.0 - smoothing) + _binary_entropy(fake_smoothing)

    def _fake_probability(self, g_loss: float | None) -> float | None:
        """Mean D(G(z)) implied by G's loss: exp(-L) (non-saturating) or 1 - exp(L) (minimax); None otherwise."""
        if g_loss is None or not math.isfinite(g_loss):
            return None
        to_probability = getattr(getattr(self.model, "gan_loss", None), "fake_probability", None)
        return None if to_probability is None else to_probability(g_loss)

    # ------------------------------------------------------------------------------------------------------------
    # Divergence: stop, restore

    def _state_variables(self) -> list:
        model = self.model
        variables, seen = [], set()
        optimizers = list(getattr(model, "optimizers", {}).values()) or [getattr(model, "optimizer", None)]
        for variable in list(model.weights) + [v for opt in optimizers if opt is not None for v in opt.variables]:
            if id(variable) not in seen:
                seen.add(id(variable))
                variables.append(variable)
        return variables

    def _take_snapshot(self, when: str) -> None:
        if not self.restore_on_divergence or self.model is None:
            return
        values = [np.array(v.numpy()) for v in self._state_variables()]
        if all(np.all(np.isfinite(v)) for v in values if v.dtype.kind == "f"):
            self._snapshot, self._snapshot_at = values, when
        else:
            self._diverge(when, {"weights": float("nan")})

    def _diverge(self, where: str, values: dict[str, float]) -> None:
        self.diverged = {
            "epoch": self._epoch + 1,
            "where": where,
            "values": {k: float(v) for k, v in values.items()},
            "restored_from": None,
        }
        self.model.stop_training = True
        if self.restore_on_divergence and self._snapshot is not None:
            for variable, value in zip(self._state_variables(), self._snapshot):
                variable.assign(value)
            self.diverged["restored_from"] = self._snapshot_at
        detail = ", ".join(f"{k} = {v:.4g}" for k, v in values.items()) + f" at {where}"
        if self.diverged["restored_from"]:
            detail += f"; training stopped, weights restored from {self.diverged['restored_from']}"
        else:
            detail += "; training stopped"
        self.events.append({"epoch": self._epoch + 1, "diagnosis": "divergence", "detail": detail})
        self._report("divergence", self._epoch, detail)

    # ------------------------------------------------------------------------------------------------------------
    # Reports

    def _report(self, name: str, epoch: int, detail: str) -> None:
        diagnosis = DIAGNOSES[name]
        lines = [
            f"[TrainingMonitor] {diagnosis.title} at epoch {epoch + 1}: {detail}.",
            f"  Likely cause: {diagnosis.cause}.",
            "  Try:",
            *[f"    - {remedy}" for remedy in diagnosis.remedies_for(getattr(self.model, "options", None))],
            f"  See {diagnosis.link(self.docs_url)}",
        ]
        message = "\n".join(lines)
        logger.warning(message)
        warnings.warn(
            f"{diagnosis.title} at epoch {epoch + 1}: {detail} (see {diagnosis.link(self.docs_url)})",
            TrainingHealthWarning,
            stacklevel=2,
        )
        if self.verbose:
            print(message, flush=True)

    def summary(self) -> dict[str, Any]:
        """The health summary: status, diagnoses with their epochs and links, divergence, last epoch's numbers."""
        diagnoses: dict[str, dict[str, Any]] = {}
        for event in self.events:
            entry = diagnoses.setdefault(
                event["diagnosis"],
                {
                    "title": DIAGNOSES[event["diagnosis"]].title,
                    "epochs": [],
                    "first_detail": event["detail"],
                    "docs": DIAGNOSES[event["diagnosis"]].link(self.docs_url),
                },
            )
            if event["epoch"] not in entry["epochs"]:
                entry["epochs"].append(event["epoch"])
        last = self.epochs[-1] if self.epochs else {}
        status = "diverged" if self.diverged else ("warnings" if diagnoses else "healthy")
        return {
            "status": status,
            "epochs": len(self.epochs),
            "steps": self._steps,
            "diagnoses": diagnoses,
            "divergence": self.diverged,
            "real_diversity": self.real_diversity,
            "fixed_diversity": [e.get("fixed_diversity") for e in self.epochs],
            "last_epoch": {k: v for k, v in last.items() if isinstance(v, (int, float)) and math.isfinite(v)},
            "monitor_seconds": round(self._seconds, 4),
        }

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        summary = self.summary()
        if self.path:
            directory = os.path.dirname(self.path)
            if directory:
                os.makedirs(directory, exist_ok=True)
            with open(self.path, "w") as f:
                json.dump(_json_safe(summary), f, indent=2)
        if self.verbose:
            print(_format_summary(summary), flush=True)


# Values whose non-finite or huge per-step value means divergence.
_WATCHED = frozenset(
    {"d_loss", "g_loss", "d_grad_norm", "g_grad_norm", "gradient_penalty", "r1_penalty", "d_real", "d_fake"}
)


def _json_safe(value: Any) -> Any:
    """``value`` with NaN/inf floats as the strings "nan"/"inf"/"-inf": JSON (and browsers) have no NaN."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


def _format_summary(summary: dict[str, Any]) -> str:
    lines = [
        f"[TrainingMonitor] Health: {summary['status']} after {summary['epochs']} epoch(s), {summary['steps']} steps."
    ]
    for entry in summary["diagnoses"].values():
        epochs = ", ".join(str(e) for e in entry["epochs"])
        lines.append(f"  - {entry['title']} (epochs {epochs}): {entry['first_detail']}. See {entry['docs']}")
    if summary["divergence"] and summary["divergence"]["restored_from"]:
        lines.append(f"  Weights restored from {summary['divergence']['restored_from']}.")
    last = summary["last_epoch"]
    numbers = [f"{k} {last[k]:.3g}" for k in ("d_loss", "g_loss", "fixed_diversity") if k in last]
    if numbers:
        lines.append("  Last epoch: " + ", ".join(numbers) + ".")
    return "\n".join(lines)
