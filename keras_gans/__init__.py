"""keras_gans: a GAN model zoo for Keras 3, trained with ``model.fit``; the models are in :mod:`keras_gans.models`.

Only the public names are imported here; TFDS, Inception weights, the hub and export load on first use.
"""

import importlib
import os

from keras_gans.utils import runtime as _runtime

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
_SET_ONEDNN = _runtime.prefer_onednn()

from keras_gans import callbacks, data, engine, losses, metrics, networks, penalties  # noqa: E402
from keras_gans.models import (  # noqa: E402
    ACGAN,
    CGAN,
    DCGAN,
    GAN,
    LSGAN,
    SNGAN,
    WGAN,
    WGANGP,
    GANModel,
    InfoGAN,
    StyleGAN2,
    TrainingOptions,
)
from keras_gans.models.latent.progan import ProGAN  # noqa: E402
from keras_gans.models.super_resolution import ESRGAN, SRGAN, interpolate_weights  # noqa: E402
from keras_gans.models.translation import CycleGAN, Pix2Pix  # noqa: E402

__version__ = "0.1.0"

if not _SET_ONEDNN:
    _runtime.warn_if_onednn_off()

_LAZY_MODULES = ("hub", "export", "evaluation", "training", "config", "saving", "serving_formats")

__all__ = [
    "ACGAN",
    "CGAN",
    "DCGAN",
    "GAN",
    "LSGAN",
    "SNGAN",
    "WGAN",
    "WGANGP",
    "InfoGAN",
    "StyleGAN2",
    "GANModel",
    "TrainingOptions",
    "Pix2Pix",
    "CycleGAN",
    "ProGAN",
    "SRGAN",
    "ESRGAN",
    "interpolate_weights",
    "callbacks",
    "data",
    "engine",
    "losses",
    "metrics",
    "networks",
    "penalties",
    *_LAZY_MODULES,
]


def __getattr__(name: str):
    if name in _LAZY_MODULES:
        return importlib.import_module(f"keras_gans.{name}")
    raise AttributeError(f"module 'keras_gans' has no attribute {name!r}")
