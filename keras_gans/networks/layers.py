"""Layers used by the networks: a minibatch standard-deviation feature and label conditioning."""

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


def label_embedding(labels, num_classes: int, dim: int, name: str):
    """Embeds integer class labels (shape (N,) or (N, 1)) into ``dim`` features, shape (N, dim)."""
    x = keras.layers.Embedding(num_classes, dim, name=f"{name}_embedding")(labels)
    return keras.layers.Flatten(name=f"{name}_flatten")(x)


def label_channel(labels, num_classes: int, spatial_shape: tuple[int, int], name: str):
    """A learned per-class feature map of shape (N, H, W, 1), concatenated to the images of a conditional D."""
    height, width = spatial_shape
    x = label_embedding(labels, num_classes, height * width, name)
    return keras.layers.Reshape((height, width, 1), name=f"{name}_map")(x)
