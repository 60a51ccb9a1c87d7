"""Network interpolation (Wang et al., 2018, ESRGAN section 3.4): ``theta = (1 - alpha) theta_a + alpha theta_b``."""

from __future__ import annotations

import keras
import numpy as np

from keras_gans.engine.options import check_number

__all__ = ["interpolate_weights"]


def _weights(network: keras.Model, what: str) -> list[np.ndarray]:
    return [np.asarray(w) for w in network.get_weights()]


def interpolate_weights(a, b, alpha: float):
    """A copy of ``b`` whose weights are ``(1 - alpha) * a + alpha * b``, weight by weight.

    ``a``, ``b``: two networks of the same architecture, or two super-resolution models (their generators are
    interpolated; the copy keeps ``b``'s other networks). ESRGAN: ``a`` the PSNR-oriented model (after
    pretraining), ``b`` the GAN one; alpha = 0 gives ``a``'s outputs, 1 ``b``'s, between them a trade-off between
    PSNR and perceptual quality without artefacts.
    """
    alpha = check_number("alpha", alpha, low=0.0, high=1.0)
    net_a = a.generator if hasattr(a, "generator") else a
    net_b = b.generator if hasattr(b, "generator") else b
    if not isinstance(net_a, keras.Model) or not isinstance(net_b, keras.Model):
        raise TypeError("interpolate_weights takes two keras models or two super-resolution models.")
    wa, wb = _weights(net_a, "a"), _weights(net_b, "b")
    if len(wa) != len(wb) or any(x.shape != y.shape for x, y in zip(wa, wb)):
        raise ValueError(
            "interpolate_weights needs two networks of the same architecture (same weights and shapes), e.g. the "
            "pretrained and the GAN-trained generator of one model."
        )
    mixed = [
        ((1.0 - alpha) * x + alpha * y).astype(x.dtype) if np.issubdtype(x.dtype, np.floating) else y
        for x, y in zip(wa, wb)
    ]
    copy = type(b).from_config(b.get_config())
    if hasattr(b, "generator"):
        for network_name, network in b.networks.items():
            getattr(copy, network_name).set_weights(network.get_weights())
        copy.generator.set_weights(mixed)
        copy.step_counter.assign(b.step_counter)
    else:
        copy.set_weights(mixed)
    return copy
