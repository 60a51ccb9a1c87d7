"""Builds the two first bundled presets, ``dcgan_digits`` and ``cgan_digits``: ``scripts/build_presets.py`` for them.

keras-gans train --config zoo_configs/dcgan_digits.yaml --output runs/dcgan_digits
keras-gans train --config zoo_configs/cgan_digits.yaml --output runs/cgan_digits
python scripts/build_digits_presets.py --runs runs        # = python scripts/build_presets.py dcgan_digits cgan_digits
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import build_presets  # noqa: E402

DIGITS_PRESETS = ("dcgan_digits", "cgan_digits")

if __name__ == "__main__":
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    arguments = sys.argv[1:]
    if "--only" in arguments:  # the old flag: --only NAME...
        arguments.remove("--only")
    elif not any(name in arguments for name in DIGITS_PRESETS):
        arguments = [*DIGITS_PRESETS, *arguments]
    build_presets.main(arguments)
