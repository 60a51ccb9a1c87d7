"""The one list of the zoo's models: every model class registers itself here, by its class name.

``keras-gans train --model``, the run configs, ``keras-gans info`` and ``keras_gans.__all__`` read this list;
adding a model is decorating its class with :func:`register_model`.
"""

from __future__ import annotations

__all__ = ["get_model_class", "model_names", "models_by_family", "register_model"]

_MODELS: dict[str, type] = {}


def register_model(cls: type) -> type:
    """Adds ``cls`` to the zoo under ``cls.__name__``; its ``family`` attribute groups it in listings."""
    _MODELS[cls.__name__] = cls
    return cls


def model_names() -> tuple[str, ...]:
    """The registered model names, in registration order."""
    return tuple(_MODELS)


def get_model_class(name: str) -> type:
    """The model class registered as ``name``; a ValueError listing the models otherwise."""
    try:
        return _MODELS[name]
    except KeyError:
        raise ValueError(f"Unknown model {name!r}; choose one of {list(_MODELS)}.") from None


def models_by_family() -> dict[str, list[str]]:
    """Family name -> its model names (``latent``, ``translation``...)."""
    families: dict[str, list[str]] = {}
    for name, cls in _MODELS.items():
        families.setdefault(getattr(cls, "family", "other"), []).append(name)
    return families
