"""One training run from a :class:`~keras_gans.config.RunConfig`: data, model, fit, checkpoints, samples.

The output folder holds ``config.yaml`` (the resolved config), ``checkpoints/last.keras`` (every epoch),
``history.csv``, ``samples/epoch_NNNN.png`` and ``samples/progress.png``, ``model.keras`` (the final model) and
``samples.png``. Rerunning on the same folder resumes from the last checkpoint.
"""

from __future__ import annotations

import os
from typing import Any

import keras
import yaml

from keras_gans import data as data_lib
from keras_gans import models, saving
from keras_gans.callbacks import ResumableCheckpoint, SampleGrid
from keras_gans.callbacks.checkpoint import latest_checkpoint
from keras_gans.config import RunConfig
from keras_gans.utils.images import make_grid, save_png

__all__ = ["build_dataset", "build_model", "train", "write_samples"]


def build_dataset(config: RunConfig, conditional: bool):
    """The training dataset of ``config``: batched [-1, 1] images (with labels for conditional models)."""
    return data_lib.load(
        config.dataset, batch_size=config.batch_size, seed=config.seed, with_labels=conditional, **config.dataset_args
    )


def build_model(config: RunConfig, image_shape: tuple[int, ...]) -> models.GANModel:
    """The model of ``config`` for images of ``image_shape``, compiled."""
    model_cls = models.get_model_class(config.model)
    model = model_cls(image_shape=image_shape, seed=config.seed, **config.model_args)
    d_opt, g_opt = config.build_optimizers()
    model.compile(d_optimizer=d_opt, g_optimizer=g_opt, jit_compile=config.jit_compile)
    return model


def write_samples(model: models.GANModel, path: str, num_rows: int = 8, seed: int = 0) -> str:
    """A PNG grid of the model's :meth:`grid_samples` (one class per column for conditional models)."""
    images, num_rows = model.grid_samples(num_rows, seed=seed)
    scale = max(1, 32 // images.shape[1])
    return save_png(make_grid(images, num_rows=num_rows), path, scale=scale)


def train(config: RunConfig, output_dir: str, verbose: Any = "auto", callbacks: list | None = None):
    """Trains the model of ``config``, writing everything to ``output_dir``; resumes a run found there.

    Returns the trained model.
    """
    os.makedirs(output_dir, exist_ok=True)
    dataset = build_dataset(config, config.conditional)
    spec = dataset.element_spec[0] if config.conditional else dataset.element_spec
    image_shape = tuple(int(d) for d in spec.shape[1:])
    checkpoint_dir = os.path.join(output_dir, "checkpoints")
    found = latest_checkpoint(checkpoint_dir)
    if found:
        model_path, initial_epoch = found
        model = saving.load_model(model_path)
        print(f"Resuming from {model_path} after {initial_epoch} epoch(s).")
    else:
        model, initial_epoch = build_model(config, image_shape), 0
        with open(os.path.join(output_dir, "config.yaml"), "w") as f:
            yaml.safe_dump(config.to_dict(), f, sort_keys=False)
    run_callbacks = [
        *(callbacks or []),
        SampleGrid(os.path.join(output_dir, "samples"), num_rows=config.grid_rows, every_n_epochs=config.sample_every),
        keras.callbacks.CSVLogger(os.path.join(output_dir, "history.csv"), append=initial_epoch > 0),
        ResumableCheckpoint(checkpoint_dir),
    ]
    if initial_epoch < config.epochs:
        model.fit(
            dataset,
            epochs=config.epochs,
            initial_epoch=initial_epoch,
            steps_per_epoch=config.steps_per_epoch,
            callbacks=run_callbacks,
            verbose=verbose,
        )
    else:
        print(f"Already trained for {initial_epoch} epoch(s) (epochs={config.epochs}); nothing to do.")
    model.save(os.path.join(output_dir, "model.keras"))
    write_samples(model, os.path.join(output_dir, "samples.png"), num_rows=config.grid_rows, seed=config.seed)
    return model
