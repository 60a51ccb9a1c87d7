"""One training run from a :class:`~keras_gans.config.RunConfig`: data, model, fit, checkpoints, samples.

The output folder holds ``config.yaml`` (the resolved config), ``checkpoints/last.keras`` (every epoch, with the
run's progress inside), ``history.csv``, ``samples/epoch_NNNN.png`` and ``samples/progress.png``, ``model.keras``
(the final model) and ``samples.png``. Every file is written under a temporary name in its folder and moved into
place (``os.replace``), so a kill at any moment leaves each file either old or new, never half-written.

Rerunning on the same folder resumes from the last checkpoint, which alone records the progress (epochs and steps
done, every epoch's logs, the run's config): ``history.csv`` is rewritten from it, temporary files a kill left are
removed, and the data continue where they were (see :func:`training_data`), so a resumed run ends with the same
weights as an uninterrupted one. The rerun may change ``epochs``, ``steps_per_epoch``, ``sample_every``,
``grid_rows``, ``description`` and ``jit_compile``; any other difference (the model, its arguments, the dataset,
the batch size, the seed, the optimizers) is refused with a :class:`RunFolderError` naming the keys, as is a
folder holding a run whose checkpoint is missing or damaged, unless ``restart=True`` (``keras-gans train
--restart``) discards the run first.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from typing import Any

import keras
import yaml

from keras_gans import data as data_lib
from keras_gans import models, saving
from keras_gans.callbacks import ResumableCheckpoint, SampleGrid
from keras_gans.callbacks.checkpoint import (
    LEGACY_STATE_FILE,
    MODEL_FILE,
    atomic_path,
    latest_checkpoint,
    read_history_csv,
    read_record,
    remove_temp_files,
    write_history_csv,
    write_text_atomically,
)
from keras_gans.config import RunConfig
from keras_gans.experiment import EXPERIMENT_FILES, Experiment, TrainingDiverged
from keras_gans.utils.images import make_grid, save_png

__all__ = [
    "RESUMABLE_KEYS",
    "RUN_FILES",
    "RunFolderError",
    "TrainingDiverged",
    "build_dataset",
    "build_model",
    "train",
    "training_data",
    "write_samples",
]

#: Config keys a resumed run may change: the training length and what only shapes the output or the execution.
RESUMABLE_KEYS = (
    "epochs",
    "steps_per_epoch",
    "sample_every",
    "grid_rows",
    "description",
    "jit_compile",
    "monitor",
    "metrics_every",
    "metrics_samples",
)
#: What a run writes in its folder (``restart=True`` removes these and nothing else).
RUN_FILES = ("config.yaml", "history.csv", "model.keras", "samples.png", "checkpoints", "samples", *EXPERIMENT_FILES)
CHECKPOINTS, SAMPLES, CONFIG_FILE, HISTORY_FILE = "checkpoints", "samples", "config.yaml", "history.csv"


class RunFolderError(ValueError):
    """The output folder holds a run that this call cannot continue (another config, a missing checkpoint...).

    Attributes: ``folder``, ``problem`` (the message without the folder) and ``keys`` (the differing config keys,
    when that is the problem).
    """

    def __init__(self, folder: str, problem: str, keys: tuple[str, ...] = ()):
        self.folder, self.problem, self.keys = folder, problem, tuple(keys)
        super().__init__(f"{folder}: {problem}")


def build_dataset(config: RunConfig, conditional: bool):
    """The training dataset of ``config``: batched [-1, 1] images (with labels for conditional models)."""
    return data_lib.load(
        config.dataset, batch_size=config.batch_size, seed=config.seed, with_labels=conditional, **config.dataset_args
    )


def build_model(config: RunConfig, element_spec: Any):
    """The model of ``config`` for data of ``element_spec``, compiled; its initial weights come from ``config.seed``.

    The family says which constructor arguments the data fix (``data_arguments``: the image shape of a latent
    model, the input and output shapes of a translator...). Seeds Keras' global random state
    (``keras.utils.set_random_seed``) with the seed, so that a run killed before its first checkpoint starts again
    from the same weights.
    """
    keras.utils.set_random_seed(int(config.seed))
    model_cls = models.get_model_class(config.model)
    model = model_cls(**model_cls.data_arguments(element_spec), seed=config.seed, **config.model_args)
    d_opt, g_opt = config.build_optimizers()
    model.compile(d_optimizer=d_opt, g_optimizer=g_opt, jit_compile=config.jit_compile)
    return model


def write_samples(model: Any, path: str, num_rows: int = 8, seed: int = 0) -> str:
    """A PNG grid of the model's :meth:`grid_samples` (one class per column for conditional models)."""
    images, num_rows = model.grid_samples(num_rows, seed=seed)
    scale = max(1, 32 // images.shape[1])
    return save_png(make_grid(images, num_rows=num_rows), path, scale=scale)


def training_data(dataset, steps_per_epoch: int | None, steps_done: int = 0):
    """``(data for fit, steps per epoch, resumed exactly)``: the batches from step ``steps_done`` of the run on.

    A finite dataset is repeated, one pass after the other (its own shuffle reshuffles every pass), and an epoch
    is ``steps_per_epoch`` batches (one pass when ``None``), so the run reads one deterministic stream of batches.
    A resumed run skips the ``steps_done`` batches it has trained on, when the dataset says that is exact and cheap
    (``dataset.resumable``: in-memory data of :func:`keras_gans.data.from_arrays`, the digits and MNIST IDX loaders,
    with a seed): it then sees the same batches in the same order as an uninterrupted run. Other datasets (image
    folders, TFDS) would have to read and decode every skipped image again, so they restart their order instead.
    """
    batches = int(dataset.cardinality())
    exact = bool(getattr(dataset, "resumable", False))
    if batches > 0:
        dataset, steps_per_epoch = dataset.repeat(), steps_per_epoch or batches
    elif batches != -1:  # tf.data.UNKNOWN_CARDINALITY: as it comes, epoch by epoch
        return dataset, steps_per_epoch, False
    if steps_done and exact:
        dataset = dataset.skip(steps_done)
    return dataset, steps_per_epoch, exact or not steps_done


# ----------------------------------------------------------------------------------------------------------------
# The run folder


def _plain(value: Any) -> Any:
    """``value`` as YAML/JSON would give it back (tuples as lists)."""
    return json.loads(json.dumps(value))


def _flat(values: dict, prefix: str = "") -> dict:
    out = {}
    for key, value in values.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(_flat(value, name + "."))  # an empty mapping is the same as none
        else:
            out[name] = value
    return out


class _NotSet:
    def __repr__(self) -> str:
        return "not set"


_NOT_SET = _NotSet()


def _shown(value: Any) -> str:
    return "not set" if value is _NOT_SET else json.dumps(value)


def config_differences(saved: dict, wanted: dict) -> list[tuple[str, Any, Any]]:
    """``(dotted key, the run's value, the new value)`` for every key that differs, but :data:`RESUMABLE_KEYS`."""
    defaults = _plain(RunConfig().to_dict())
    saved = _flat({**defaults, **_plain(saved)})
    wanted = _flat({**defaults, **_plain(wanted)})
    missing = _NOT_SET
    return [
        (key, saved.get(key, missing), wanted.get(key, missing))
        for key in sorted(set(saved) | set(wanted))
        if key.split(".")[0] not in RESUMABLE_KEYS and saved.get(key, missing) != wanted.get(key, missing)
    ]


def _restart_hint() -> str:
    return "pass --restart (restart=True) to discard it and start a new run there, or choose another --output"


def _check_same_run(folder: str, saved: dict, wanted: dict) -> None:
    differences = config_differences(saved, wanted)
    if not differences:
        return
    text = "; ".join(f"{key} is {_shown(old)} there, {_shown(new)} now" for key, old, new in differences)
    raise RunFolderError(
        folder,
        f"it holds a run of another configuration ({text}). Rerun with the run's values to resume it (only "
        f"{', '.join(RESUMABLE_KEYS)} may change), or {_restart_hint()}.",
        keys=tuple(key for key, _, _ in differences),
    )


def _read_yaml(path: str) -> dict | None:
    if not os.path.isfile(path):
        return None
    try:
        with open(path, encoding="utf-8") as f:
            values = yaml.safe_load(f)
    except (OSError, yaml.YAMLError):
        return None
    return values if isinstance(values, dict) else None


def wipe_run(folder: str) -> list[str]:
    """Removes what a run wrote in ``folder`` (:data:`RUN_FILES` and temporary files), nothing else."""
    removed = remove_temp_files(folder)
    for name in RUN_FILES:
        path = os.path.join(folder, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        elif os.path.lexists(path):
            os.remove(path)
        else:
            continue
        removed.append(path)
    return removed


class _Progress:
    def __init__(self, path: str, epochs_done: int, history: list[dict], config: dict | None):
        self.path, self.epochs_done, self.history, self.config = path, epochs_done, history, config


def _find_progress(folder: str) -> _Progress | None:
    """The run's checkpoint and its record; ``None`` for a folder with no run to continue (refusing to lose one)."""
    checkpoint_dir = os.path.join(folder, CHECKPOINTS)
    model_path = os.path.join(checkpoint_dir, MODEL_FILE)
    history_path = os.path.join(folder, HISTORY_FILE)
    if os.path.isfile(model_path):
        try:
            saving.check_model_file(model_path)
        except saving.ModelFileError as error:
            raise RunFolderError(folder, f"its checkpoint cannot be resumed: {error}; {_restart_hint()}.") from None
        record = read_record(model_path)
        if record is not None:
            history = [row for row in record.get("history") or [] if int(row["epoch"]) < int(record["epochs_done"])]
            return _Progress(model_path, int(record["epochs_done"]), history, record.get("config"))
        found = latest_checkpoint(checkpoint_dir)  # written before the record: the epochs are in state.json
        if found is None:
            raise RunFolderError(
                folder,
                f"its checkpoint {model_path} has no record of the epochs done (nor a {LEGACY_STATE_FILE} beside it), "
                f"so the run cannot resume; {_restart_hint()}.",
            )
        epochs = found[1]
        return _Progress(model_path, epochs, read_history_csv(history_path, epochs), None)
    finished = [name for name in ("model.keras",) if os.path.isfile(os.path.join(folder, name))]
    rows = read_history_csv(history_path)
    if rows:
        finished.append(f"{HISTORY_FILE} with {len(rows)} epoch(s)")
    if finished:
        raise RunFolderError(
            folder,
            f"it holds a run ({', '.join(finished)}) but not its checkpoint {os.path.join(CHECKPOINTS, MODEL_FILE)}, "
            f"so the run cannot resume and a new one would overwrite it; {_restart_hint()}.",
        )
    return None


def _load_checkpoint(folder: str, path: str):
    try:
        return saving.load_model(path)
    except saving.ModelFileError as error:
        raise RunFolderError(folder, f"its checkpoint cannot be resumed: {error}; {_restart_hint()}.") from None


def _set_jit_compile(model, jit_compile: Any) -> None:
    """A resumed run may change ``jit_compile``: apply it to the loaded model (and to what it saves)."""
    from keras_gans.engine import distribution

    wanted = distribution.xla_is_faster() if jit_compile == "auto" else bool(jit_compile)
    if bool(model.jit_compile) != wanted:
        model.jit_compile = wanted
        if isinstance(getattr(model, "_compile_args", None), dict):
            model._compile_args["jit_compile"] = wanted


def _write_progress_montage(grid: SampleGrid, samples_dir: str, epochs: int) -> None:
    """``samples/progress.png`` from every epoch's grid of the run so far (a resumed fit only knows its own)."""
    paths = [os.path.join(samples_dir, f"epoch_{e:04d}.png") for e in range(1, epochs + 1)]
    grid.paths = [p for p in paths if os.path.isfile(p)]
    with contextlib.suppress(OSError, ValueError):
        grid.on_train_end()


def train(
    config: RunConfig,
    output_dir: str,
    verbose: Any = "auto",
    callbacks: list | None = None,
    restart: bool = False,
):
    """Trains the model of ``config``, writing everything to ``output_dir``; resumes a run found there.

    Besides the checkpoints and grids, the run is watched and reported (:mod:`keras_gans.experiment`: health,
    metrics, ``best.keras``, TensorBoard, ``report.html``, the summary). ``restart=True`` first removes the run found
    in ``output_dir`` (its files only) and starts again. Raises :class:`RunFolderError` when the folder holds a run
    that cannot be continued with ``config`` (see the module docstring), and :class:`TrainingDiverged` after saving
    the last healthy weights when the run diverged. Returns the trained model.
    """
    output_dir = os.fspath(output_dir)
    if restart and os.path.isdir(output_dir):
        wipe_run(output_dir)
    os.makedirs(output_dir, exist_ok=True)
    checkpoint_dir = os.path.join(output_dir, CHECKPOINTS)
    samples_dir = os.path.join(output_dir, SAMPLES)
    history_path = os.path.join(output_dir, HISTORY_FILE)
    for folder in (output_dir, checkpoint_dir, samples_dir):
        remove_temp_files(folder)
    run_config = _plain(config.to_dict())
    progress = _find_progress(output_dir)
    # The data order depends on TensorFlow's global seed as well as on the loader's: the same in every process.
    keras.utils.set_random_seed(int(config.seed))
    saved_config = (
        progress.config if progress and progress.config else _read_yaml(os.path.join(output_dir, CONFIG_FILE))
    )
    if saved_config is not None:
        _check_same_run(output_dir, saved_config, run_config)

    dataset = build_dataset(config, config.conditional)
    if progress:
        model = _load_checkpoint(output_dir, progress.path)
        _set_jit_compile(model, config.jit_compile)
        initial_epoch, history = progress.epochs_done, progress.history
    else:
        model = build_model(config, dataset.element_spec)
        initial_epoch, history = 0, []
    write_text_atomically(os.path.join(output_dir, CONFIG_FILE), yaml.safe_dump(run_config, sort_keys=False))
    write_history_csv(history_path, history)  # consistent with the checkpoint, whatever a kill left
    steps_done = int(model.step_counter.numpy()) if hasattr(model, "step_counter") else 0
    data, steps_per_epoch, exact = training_data(dataset, config.steps_per_epoch, steps_done)
    if progress:
        order = "" if exact else f" (the data order of {config.dataset!r} restarts: it cannot be fast-forwarded)"
        print(f"Resuming from {progress.path} after {initial_epoch} epoch(s){order}.")

    files = {
        "history": history_path,
        "best": os.path.join(checkpoint_dir, "best.keras"),
        "last": os.path.join(checkpoint_dir, MODEL_FILE),
        "model": os.path.join(output_dir, "model.keras"),
        "samples": os.path.join(output_dir, "samples.png"),
    }
    experiment = Experiment(
        output_dir,
        config,
        model,
        dataset,
        _labelled_dataset(config),
        files,
        samples_dir,
        verbose=verbose,
    )
    checkpoint = ResumableCheckpoint(checkpoint_dir, history_path=history_path, run_config=run_config, history=history)
    if initial_epoch < config.epochs:
        experiment.print_start()
        model.fit(
            data,
            epochs=config.epochs,
            initial_epoch=initial_epoch,
            steps_per_epoch=steps_per_epoch,
            callbacks=experiment.callbacks(list(callbacks or []), checkpoint),
            verbose=experiment.fit_verbose,
            shuffle=False,  # the dataset shuffles itself, in an order a resumed run repeats
        )
    else:
        print(f"Already trained for {initial_epoch} epoch(s) (epochs={config.epochs}); nothing to do.")
    _write_progress_montage(experiment.grid, samples_dir, max(initial_epoch, config.epochs))
    with atomic_path(files["model"]) as tmp:
        model.save(tmp)
    write_samples(model, files["samples"], num_rows=config.grid_rows, seed=config.seed)
    if initial_epoch < config.epochs:
        experiment.finish()
    return model


def _labelled_dataset(config: RunConfig):
    """The run's data with class labels where its loader has them (the metrics' digits classifier trains on them)."""
    if not config.metrics_every or config.conditional:
        return None
    try:
        return build_dataset(config, conditional=True)
    except (TypeError, ValueError, KeyError):
        return None
