"""Every zoo config names a registered model and builds it; every model has a digits and an MNIST config."""

import pytest

from keras_gans import models
from keras_gans.config import list_configs, load_config

CONFIGS = list_configs()


def test_every_model_has_a_digits_and_an_mnist_config():
    by_model: dict[str, set[str]] = {}
    for name in CONFIGS:
        config = load_config(name)
        by_model.setdefault(config.model, set()).add(config.dataset)
    for model in models.model_names():
        assert {"digits", "mnist"} <= by_model.get(model, set()), (model, by_model.get(model))


@pytest.mark.parametrize("name", CONFIGS)
def test_config_builds_its_model(name):
    from keras_gans.training import build_model

    config = load_config(name)
    size = tuple(config.dataset_args.get("image_size", (28, 28) if config.dataset == "mnist" else (8, 8)))
    model = build_model(config, (*size, 1))
    assert type(model).__name__ == config.model
    assert model.image_shape == (*size, 1)
    assert (getattr(model, "num_classes", None) is not None) == config.conditional
