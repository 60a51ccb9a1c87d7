"""What every GAN family shares and no family knows.

A family (a subclass of :class:`AdversarialModel`) declares what it trains on (:mod:`~keras_gans.engine.data_spec`),
its networks, its players (:class:`Player`: which optimizer updates which networks, in which order, how often),
its losses and its samplers. The engine owns the rest, written once: the step counter, named stateless random
streams sliced per replica (:mod:`~keras_gans.engine.randomness`), the update (replica and loss scaling, gradient
norms, skipping non-finite updates, weight clipping: :mod:`~keras_gans.engine.update`), EMA copies of networks
(:mod:`~keras_gans.engine.ema`), lazy regularisation every k steps (:mod:`~keras_gans.engine.regularization`),
XLA and ``tf.distribute`` step functions (:mod:`~keras_gans.engine.distribution`), logs, saving and export.
"""

from keras_gans.engine.data_spec import DataSpec, Images, LabeledImages, PairedImages, UnpairedImages
from keras_gans.engine.model import AdversarialModel
from keras_gans.engine.options import EngineOptions
from keras_gans.engine.players import Player

__all__ = [
    "AdversarialModel",
    "DataSpec",
    "EngineOptions",
    "Images",
    "LabeledImages",
    "PairedImages",
    "Player",
    "UnpairedImages",
]
