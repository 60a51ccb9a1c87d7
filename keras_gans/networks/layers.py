"""Layers used by the networks: a minibatch standard-deviation feature and label conditioning (one-hot, as in
Mirza & Osindero, 2014, or a learned embedding)."""

from __future__ import annotations

import keras
from keras import ops

__all__ = ["MinibatchStdDev", "label_channel", "label_embedding"]


@keras.saving.register_keras_serializable(package="keras_gans")
class MinibatchStdDev(keras.layers.Layer):
    """Appends the average standard deviation over the minibatch as an extra feature map (Karras et al., 2018).

    For groups of ``group_size`` samples, the per-feature standard deviation across the group is averaged over all
    features and pixels, and broadcast as one constant channel. A collapsed generator (all samples alike) gives
    this channel a value near 0, which the discriminator can see. The batch size must be divisible by the group
    size; ``group_size=None`` uses the whole batch.
    """

    def __init__(self, group_size: int | None = 4, epsilon: float = 1e-8, **kwargs):
        super().__init__(**kwargs)
        self.group_size = group_size
        self.epsilon = epsilon

    def call(self, inputs):
        shape = ops.shape(inputs)
        batch, height, width, channels = shape[0], shape[1], shape[2], shape[3]
        group = batch if self.group_size is None else ops.minimum(self.group_size, batch)
        x = ops.reshape(ops.cast(inputs, "float32"), (group, -1, height, width, channels))
        std = ops.sqrt(ops.var(x, axis=0) + self.epsilon)
        std = ops.mean(std, axis=(1, 2, 3), keepdims=True)
        std = ops.tile(std, (group, 1, 1, 1))
        feature = ops.broadcast_to(ops.reshape(std, (-1, 1, 1, 1)), (batch, height, width, 1))
        return ops.concatenate([inputs, ops.cast(feature, inputs.dtype)], axis=-1)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], input_shape[-1] + 1)

    def get_config(self):
        return {**super().get_config(), "group_size": self.group_size, "epsilon": self.epsilon}


def label_embedding(labels, num_classes: int, dim: int | None, name: str):
    """Class labels (shape (N,)) as features (N, dim): one-hot when ``dim`` is None, else a learned embedding."""
    if dim is None:
        return keras.layers.CategoryEncoding(num_classes, output_mode="one_hot", name=f"{name}_one_hot")(labels)
    x = keras.layers.Embedding(num_classes, dim, name=f"{name}_embedding")(labels)
    return keras.layers.Flatten(name=f"{name}_flatten")(x)


def label_channel(labels, num_classes: int, spatial_shape: tuple[int, int], name: str):
    """One-hot labels broadcast to (N, H, W, num_classes) maps, concatenated to the images of a conditional D.

    This is the input concatenation of Mirza & Osindero (2014) for convolutional discriminators.
    """
    height, width = spatial_shape
    one_hot = label_embedding(labels, num_classes, None, name)
    x = keras.layers.Reshape((1, 1, num_classes), name=f"{name}_reshape")(one_hot)
    return keras.layers.UpSampling2D((height, width), name=f"{name}_map")(x)
