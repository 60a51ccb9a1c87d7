"""Every zoo config names a registered model and builds it; every latent model has a digits and an MNIST config,
every other model a config of its family's offline benchmark task (edges2digits, digits2mnist, MNIST...)."""

import pytest

from keras_gans import models
from keras_gans.config import list_configs, load_config

CONFIGS = list_configs()


def test_every_model_has_a_digits_and_an_mnist_config():
    by_model: dict[str, set[str]] = {}
    for name in CONFIGS:
        config = load_config(name)
        # MNIST padded to 32x32 (progressive / style-based GANs' power-of-two size) is their MNIST config.
        by_model.setdefault(config.model, set()).add("mnist" if config.dataset == "mnist32_idx" else config.dataset)
    for model in models.model_names():
        if models.get_model_class(model).family == "latent":
            assert {"digits", "mnist"} <= by_model.get(model, set()), (model, by_model.get(model))
        else:
            assert by_model.get(model), f"{model} has no zoo config"


@pytest.mark.parametrize("name", CONFIGS)
def test_config_builds_its_model(name):
    import tensorflow as tf

    from keras_gans.training import build_dataset, build_model

    config = load_config(name)
    if models.get_model_class(config.model).family != "latent":  # their datasets are built offline
        model = build_model(config, build_dataset(config, config.conditional).element_spec)
        assert type(model).__name__ == config.model
        return
    native = {"mnist": (28, 28), "mnist32_idx": (32, 32)}.get(config.dataset, (8, 8))
    size = tuple(config.dataset_args.get("image_size", native))
    images = tf.TensorSpec((None, *size, 1), tf.float32)
    spec = (images, tf.TensorSpec((None,), tf.int32)) if config.conditional else images
    model = build_model(config, spec)
    assert type(model).__name__ == config.model
    assert model.image_shape == (*size, 1)
    assert (getattr(model, "num_classes", None) is not None) == config.conditional
