"""What a ``keras-gans train`` run watches and writes besides its checkpoints: the experiment's callbacks.

In the run folder:

- ``health.json``: the :class:`~keras_gans.callbacks.TrainingMonitor`'s diagnoses (on unless ``monitor: false``);
  a divergence stops the run with the last healthy weights restored, and :func:`keras_gans.training.train` raises
  :class:`TrainingDiverged` after saving them;
- sample-quality metrics every ``metrics_every`` epochs (and after the last) as columns of ``history.csv``
  (:mod:`keras_gans.run_metrics` picks the extractor); ``checkpoints/best.keras`` by the family's primary metric;
- ``tensorboard/``: scalars (``train/``), sample grids as images (``samples/``), the step's graph;
- ``report.html``: a self-contained page rewritten at every epoch end and at the end;
- the run summary printed at the end; progress as Keras' bar on a terminal, one line per epoch otherwise.
"""

from __future__ import annotations

import os
import sys
from typing import Any

import keras

from keras_gans import run_metrics
from keras_gans.callbacks import HTMLReport, RunSummary, SampleGrid, TensorBoardLogger, TrainingMonitor
from keras_gans.callbacks.best_checkpoint import BestCheckpoint
from keras_gans.callbacks.progress import progress_callbacks
from keras_gans.callbacks.training_diagnoses import DIAGNOSES
from keras_gans.reporting.history import best_epoch, read_history_csv

__all__ = ["EXPERIMENT_FILES", "Experiment", "TrainingDiverged"]

HEALTH, REPORT, TENSORBOARD, METRICS_DIR, BEST = "health.json", "report.html", "tensorboard", "metrics", "best.keras"
#: What the experiment adds to a run folder (``--restart`` removes them with the rest).
EXPERIMENT_FILES = (HEALTH, REPORT, TENSORBOARD, METRICS_DIR)


class TrainingDiverged(RuntimeError):
    """The run diverged: its last healthy weights were restored and saved. ``diagnosis`` is the monitor's event."""

    def __init__(self, message: str, diagnosis: dict[str, Any]):
        super().__init__(message)
        self.diagnosis = diagnosis


def divergence_message(divergence: dict[str, Any], health_path: str) -> str:
    """One short message: where and what diverged, what was kept, the first remedy, where the rest is."""
    values = ", ".join(f"{key} = {value:.3g}" for key, value in divergence.get("values", {}).items())
    kept = divergence.get("restored_from")
    remedy = DIAGNOSES["divergence"].remedies[0]
    return (
        f"training diverged at {divergence.get('where')} ({values}); "
        + (f"the weights of {kept} were restored and saved; " if kept else "")
        + f"try: {remedy[0].lower() + remedy[1:]} (details: {health_path})"
    )


class Experiment:
    """The callbacks of one run and what is written after ``fit``.

    Args:
        output_dir: the run folder.
        config: the run's :class:`~keras_gans.config.RunConfig`.
        model: the model to train (built or resumed).
        dataset: the training batches; ``labelled_dataset`` the same data with labels where the loader has them.
        files: name -> path of the run's files, listed in the report and the summary.
        verbose: ``fit``'s verbosity, ``"auto"`` to fit the output (see :func:`progress_callbacks`).
    """

    def __init__(
        self,
        output_dir: str,
        config: Any,
        model: Any,
        dataset: Any,
        labelled_dataset: Any,
        files: dict[str, str],
        samples_dir: str,
        verbose: Any = "auto",
    ) -> None:
        self.output_dir = output_dir
        self.files = {
            "report": os.path.join(output_dir, REPORT),
            "health": os.path.join(output_dir, HEALTH),
            "tensorboard": os.path.join(output_dir, TENSORBOARD),
            **files,
        }
        tensorboard = self.files["tensorboard"]
        # One sample of the real data serves the monitor (its mode-collapse reference) and the metrics.
        real_images, real_labels = None, None
        scores_samples = hasattr(model, "generate") and not hasattr(model, "evaluate_quality")
        if scores_samples and (config.monitor or config.metrics_every):
            source = labelled_dataset if config.metrics_every and labelled_dataset is not None else dataset
            count = max(config.metrics_samples, 2000) if config.metrics_every else 1000
            real_images, real_labels = run_metrics.real_sample(source, count)
        self.monitor = None
        if config.monitor and _monitored(model):
            real = None if real_images is None else real_images[:1000]
            self.monitor = TrainingMonitor(path=self.files["health"], real_images=real, verbose=1)
        self.metrics, self.metrics_line = None, "no metrics (metrics_every: 0)"
        if config.metrics_every:
            self.metrics, self.metrics_line = run_metrics.metrics_callback(
                model,
                dataset,
                real_images,
                real_labels,
                output_dir,
                extractor=config.metrics_extractor,
                every_n_epochs=config.metrics_every,
                num_samples=config.metrics_samples,
                seed=config.seed,
            )
        monitor_key, mode = model.primary_metric
        # A resumed run continues from the best of its earlier epochs (history.csv is the checkpoint's by now).
        found = best_epoch(read_history_csv(self.files["history"]), monitor_key, mode)
        best, best_at = (None, None) if found is None else (found[1], found[0])
        self.best = BestCheckpoint(self.files["best"], monitor_key, mode, best=best, best_epoch=best_at)
        self.grid = SampleGrid(
            samples_dir,
            num_rows=config.grid_rows,
            every_n_epochs=config.sample_every,
            tensorboard_dir=os.path.join(tensorboard, "samples"),
        )
        self.report = HTMLReport(
            self.files["report"],
            config=config.to_dict(),
            samples_dir=samples_dir,
            monitor=self.monitor,
            health_path=self.files["health"],
            history_csv=self.files["history"],
            files=self.files,
        )
        self.summary = RunSummary(
            monitor=monitor_key,
            mode=mode,
            files=self.files,
            health=self.monitor if self.monitor is not None else self.files["health"],
            history_csv=self.files["history"],
            print_on_train_end=False,
        )
        self.fit_verbose, self._progress = progress_callbacks(verbose, sys.stdout)
        self._tensorboard = TensorBoardLogger(tensorboard)

    def callbacks(self, user: list, checkpoint: keras.callbacks.Callback) -> list[keras.callbacks.Callback]:
        """In order: the monitor first (it restores weights before anything saves them), the metrics (their values
        join the logs the others read), the user's, the grid, the best and last checkpoints, TensorBoard, the
        report, the summary, and the progress lines last (they print the metrics)."""
        first = [c for c in (self.monitor, self.metrics) if c is not None]
        rest = [self.grid, self.best, checkpoint, self._tensorboard, self.report, self.summary]
        return [*first, *user, *rest, *self._progress]

    def print_start(self) -> None:
        print(f"Metrics: {self.metrics_line}.", flush=True)

    def finish(self) -> None:
        """After ``fit`` and the final files: the report lists them, the summary is printed, a divergence raised."""
        self.report.write()
        self.summary.print_summary()
        diverged = self.monitor.diverged if self.monitor is not None else None
        if diverged:
            raise TrainingDiverged(divergence_message(diverged, self.files["health"]), diverged)


def _monitored(model: Any) -> bool:
    """The monitor reads the losses of the ``d``/``g`` players every family logs."""
    return "d_loss" in model.log_names() and "g_loss" in model.log_names()
