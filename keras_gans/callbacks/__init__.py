"""Keras callbacks for GAN training: sample-quality metrics in the logs, sample grids, checkpoints, health, reports."""

from keras_gans.callbacks.checkpoint import ResumableCheckpoint
from keras_gans.callbacks.gan_metrics import GANMetrics
from keras_gans.callbacks.html_report import HTMLReport
from keras_gans.callbacks.interpolation_gif import InterpolationGIF
from keras_gans.callbacks.lr_decay import LinearDecay
from keras_gans.callbacks.progress import EpochLineLogger, progress_callbacks
from keras_gans.callbacks.run_summary import RunSummary
from keras_gans.callbacks.sample_grid import SampleGrid
from keras_gans.callbacks.tensorboard import TensorBoardLogger
from keras_gans.callbacks.training_monitor import TrainingMonitor

__all__ = [
    "EpochLineLogger",
    "GANMetrics",
    "HTMLReport",
    "InterpolationGIF",
    "LinearDecay",
    "ResumableCheckpoint",
    "RunSummary",
    "SampleGrid",
    "TensorBoardLogger",
    "TrainingMonitor",
    "progress_callbacks",
]
