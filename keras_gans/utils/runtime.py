"""The TensorFlow CPU runtime setting keras_gans chooses before TensorFlow loads: oneDNN kernels.

TensorFlow's x86 wheels turn oneDNN's CPU kernels on by default only on some CPUs (``TF_ENABLE_ONEDNN_OPTS``
unset). Elsewhere, for example on AMD EPYC with AVX2, they stay off, and a DCGAN train step measured 1.48x slower
at batch 64 and 1.76x slower at batch 256 than with oneDNN (``benchmarks/RESULTS.md``, docs/performance.md). The
switch is read once, when TensorFlow is imported, so ``import keras_gans`` sets it only when TensorFlow is not
loaded yet and the user has not chosen: ``TF_ENABLE_ONEDNN_OPTS=0`` keeps TensorFlow's plain kernels.
"""

from __future__ import annotations

import os
import sys
import warnings

ONEDNN_VARIABLE = "TF_ENABLE_ONEDNN_OPTS"


def prefer_onednn() -> bool:
    """Sets ``TF_ENABLE_ONEDNN_OPTS=1`` unless it is set or TensorFlow is already imported; True if it set it."""
    if ONEDNN_VARIABLE in os.environ or "tensorflow" in sys.modules:
        return False
    os.environ[ONEDNN_VARIABLE] = "1"
    return True


def onednn_enabled() -> bool:
    """Whether the loaded TensorFlow runs its CPU kernels through oneDNN."""
    from tensorflow.python.util import _pywrap_util_port

    return bool(_pywrap_util_port.IsMklEnabled())


def warn_if_onednn_off() -> None:
    """Warns once when TensorFlow was imported before keras_gans with oneDNN left off by default on a CPU-only host."""
    if ONEDNN_VARIABLE in os.environ or onednn_enabled():
        return
    import tensorflow as tf

    if tf.config.list_physical_devices("GPU") or tf.config.list_physical_devices("TPU"):
        return
    warnings.warn(
        "TensorFlow was imported before keras_gans with its oneDNN CPU kernels off; convolutional GAN train steps "
        "ran 1.5-1.8x slower without them on CPUs like this one. Import keras_gans before TensorFlow or Keras, or set "
        "TF_ENABLE_ONEDNN_OPTS=1 in the environment (TF_ENABLE_ONEDNN_OPTS=0 keeps the plain kernels and silences "
        "this warning).",
        RuntimeWarning,
        stacklevel=3,
    )


def cpu_model() -> str:
    """The CPU's model name (``/proc/cpuinfo`` on Linux, else what ``platform`` says), for benchmark records."""
    import platform

    try:
        with open("/proc/cpuinfo", encoding="utf-8") as file:
            for line in file:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"
