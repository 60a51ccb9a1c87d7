"""keras_gans: GAN, DCGAN, CGAN, WGAN-GP and LSGAN for Keras 3, trained with ``model.fit``.

Only the public names are imported here; optional heavy dependencies (TFDS, Inception weights) load on use.
"""

import os

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

from keras_gans import losses, networks, penalties  # noqa: E402
from keras_gans.models import CGAN, DCGAN, GAN, LSGAN, WGANGP, GANModel, TrainingOptions  # noqa: E402

__version__ = "0.1.0"

__all__ = [
    "CGAN",
    "DCGAN",
    "GAN",
    "LSGAN",
    "WGANGP",
    "GANModel",
    "TrainingOptions",
    "losses",
    "networks",
    "penalties",
]
