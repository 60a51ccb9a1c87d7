"""Keras callbacks for GAN training: sample-quality metrics in the logs, sample grids, checkpoints."""

from keras_gans.callbacks.checkpoint import ResumableCheckpoint
from keras_gans.callbacks.gan_metrics import GANMetrics
from keras_gans.callbacks.sample_grid import SampleGrid
from keras_gans.callbacks.training_monitor import TrainingMonitor

__all__ = ["GANMetrics", "ResumableCheckpoint", "SampleGrid", "TrainingMonitor"]
