"""Content (perceptual) networks: the feature spaces SRGAN's and ESRGAN's content losses compare images in.

:func:`vgg19_features` truncates ``keras.applications.VGG19`` at one convolution (``block5_conv4`` is the papers'
phi_5,4), after its ReLU (SRGAN) or before it (ESRGAN). The ImageNet weights cannot be downloaded here: pass
``weights=`` a local ``.h5`` file of them (``vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5``), or ``None`` for
random weights (tests; a random VGG's features still weigh edges and textures, but the papers' perceptual quality
needs the trained ones). Any other Keras model can be the content network (for digits, the package's classifier
cut at its ``features`` layer: :func:`feature_network`).
"""

from __future__ import annotations

import keras
import tensorflow as tf

__all__ = ["VGG_LAYERS", "ImageNetCaffeInput", "feature_network", "minimum_input_size", "vgg19_features"]

#: The convolutions of VGG19 one may cut at.
VGG_LAYERS = tuple(f"block{b}_conv{c}" for b, n in ((1, 2), (2, 2), (3, 4), (4, 4), (5, 4)) for c in range(1, n + 1))

_VGG19_BLOCKS = ((1, 2), (2, 2), (3, 4), (4, 4), (5, 4))
#: Caffe's BGR means of ImageNet, which VGG19's weights were trained with (keras.applications.vgg19.preprocess_input).
_BGR_MEAN = (103.939, 116.779, 123.68)


@keras.saving.register_keras_serializable(package="keras_gans")
class ImageNetCaffeInput(keras.layers.Layer):
    """[-1, 1] images with 1 or 3 channels -> VGG's input: RGB on [0, 255], flipped to BGR, ImageNet means removed
    (grey images are repeated over the three channels)."""

    def __init__(self, channels: int = 3, **kwargs):
        super().__init__(**kwargs)
        if channels not in (1, 3):
            raise ValueError(f"VGG19 features take 1 (grey) or 3 (RGB) channels, got {channels}.")
        self.channels = int(channels)

    def call(self, inputs):
        x = (tf.cast(inputs, self.compute_dtype) + 1.0) * 127.5
        if self.channels == 1:
            x = tf.concat([x, x, x], axis=-1)
        return x[..., ::-1] - tf.constant(_BGR_MEAN, dtype=x.dtype)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], 3)

    def get_config(self):
        return {**super().get_config(), "channels": self.channels}


def vgg19_features(
    channels: int = 3,
    layer: str = "block5_conv4",
    weights: str | None = None,
    before_activation: bool = False,
    name: str = "vgg19_content",
) -> keras.Model:
    """VGG19 cut at convolution ``layer``: [-1, 1] images (any size) -> its feature maps.

    Args:
        channels: 1 or 3 (grey images are repeated over RGB).
        layer: one of :data:`VGG_LAYERS` (``block5_conv4``: SRGAN's VGG54, ESRGAN's perceptual layer).
        weights: a local file of ImageNet weights (no download), ``"imagenet"`` where Keras can download, or None.
        before_activation: the convolution's output before its ReLU (ESRGAN: denser, brighter-consistent features).
    """
    if layer not in VGG_LAYERS:
        raise ValueError(f"layer must be one of VGG19's convolutions {VGG_LAYERS}, got {layer!r}.")
    inputs = keras.Input((None, None, channels), name="images")
    x = ImageNetCaffeInput(channels, name="imagenet_caffe_input")(inputs)
    convolutions = []
    for block, count in _VGG19_BLOCKS:
        for index in range(1, count + 1):
            conv_name = f"block{block}_conv{index}"
            last = conv_name == layer
            activation = "linear" if last and before_activation else "relu"
            # Seeded: random-weight content networks (weights=None) are the same in every model built.
            conv = keras.layers.Conv2D(
                min(64 * 2 ** (block - 1), 512),
                3,
                padding="same",
                activation=activation,
                kernel_initializer=keras.initializers.GlorotUniform(seed=len(convolutions)),
                name=conv_name,
            )
            x = conv(x)
            convolutions.append(conv)
            if last:
                break
        else:
            x = keras.layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
            continue
        break
    if weights is not None:
        # The same layers as keras.applications.VGG19's, so its weights (a local file) copy over by name.
        vgg = keras.applications.VGG19(include_top=False, weights=weights, input_shape=(None, None, 3))
        for conv in convolutions:
            conv.set_weights(vgg.get_layer(conv.name).get_weights())
    network = keras.Model(inputs, x, name=name)
    network.trainable = False
    return network


def feature_network(model: keras.Model, layer: str | int | None = None, name: str | None = None) -> keras.Model:
    """``model`` cut at ``layer`` (a name or index; None: its output), frozen: a content network from any model, e.g.
    ``feature_network(classifier, "features")`` for the digit classifier of :mod:`keras_gans.metrics.classifier`."""
    output = (
        model.output
        if layer is None
        else model.get_layer(**({"name": layer} if isinstance(layer, str) else {"index": layer})).output
    )
    network = keras.Model(model.input, output, name=name or f"{model.name}_features")
    network.trainable = False
    return network


def minimum_input_size(network: keras.Model) -> int:
    """The smallest side a network of unknown input size takes: 2 to the power of its halvings (pools, strides 2)."""
    halvings = 0
    for layer in network._flatten_layers(include_self=False, recursive=True):
        if isinstance(layer, (keras.layers.MaxPooling2D, keras.layers.AveragePooling2D)):
            halvings += 1
        elif isinstance(layer, keras.layers.Conv2D) and max(layer.strides) > 1 and layer.padding == "valid":
            halvings += 1
    return 2**halvings
