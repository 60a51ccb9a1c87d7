"""The VGG-style discriminator of SRGAN (Ledig et al., 2017), also ESRGAN's.

``conv3(F) -> LReLU -> [conv3 stride 2 -> BN -> LReLU, then conv3(2F) -> BN -> LReLU] ... -> Dense(1024) ->
LReLU -> Dense(1)``: eight convolutions of widths F, F, 2F, 2F, 4F, 4F, 8F, 8F, every second one of stride 2,
LeakyReLU(0.2). The paper flattens its fixed 96x96 patches before the dense layers; here the features are averaged
over the image first (global average pooling), so one discriminator takes high-res patches of any size, and a
patch too small for four halvings (under 16 pixels a side) simply gets fewer (``stages``).
"""

from __future__ import annotations

import keras

__all__ = ["build_sr_discriminator"]


def build_sr_discriminator(
    channels: int = 3,
    filters: int = 64,
    stages: int = 4,
    dense_units: int = 1024,
    batch_norm: bool = True,
    spectral_normalization: bool = False,
    name: str = "sr_discriminator",
) -> keras.Model:
    """High-res images in [-1, 1] (any size, at least ``2**stages`` pixels a side to see every stage) -> one logit.

    Args:
        channels: image channels.
        filters: width of the first convolution (64 in the paper); widths double per stage up to ``8 filters``.
        stages: stride-2 halvings (4 in the paper).
        dense_units: the hidden dense layer (1024).
        batch_norm: batch norm after every convolution but the first (the paper's).
        spectral_normalization: wrap every layer in ``keras.layers.SpectralNormalization`` (Miyato et al., 2018).
    """
    if isinstance(stages, bool) or not isinstance(stages, int) or not 1 <= stages <= 6:
        raise ValueError(f"stages must be an integer in [1, 6] (4 in the paper), got {stages!r}.")

    def wrap(layer):
        return keras.layers.SpectralNormalization(layer) if spectral_normalization else layer

    inputs = keras.Input((None, None, channels), name="high_res")
    x = keras.layers.LeakyReLU(0.2, name="conv0_lrelu")(wrap(keras.layers.Conv2D(filters, 3, padding="same"))(inputs))
    # (width, stride) after the first convolution: F/2, 2F/1, 2F/2, 4F/1, 4F/2, 8F/1, 8F/2 for 4 stages.
    layout = []
    for stage in range(stages):
        layout.append((filters * 2 ** min(stage, 3), 2))
        if stage < stages - 1:
            layout.append((filters * 2 ** min(stage + 1, 3), 1))
    for index, (width, stride) in enumerate(layout, start=1):
        x = wrap(keras.layers.Conv2D(width, 3, strides=stride, padding="same", use_bias=not batch_norm))(x)
        if batch_norm:
            x = keras.layers.BatchNormalization(synchronized=True, name=f"conv{index}_bn")(x)
        x = keras.layers.LeakyReLU(0.2, name=f"conv{index}_lrelu")(x)
    x = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    x = keras.layers.LeakyReLU(0.2, name="dense_lrelu")(wrap(keras.layers.Dense(dense_units))(x))
    outputs = wrap(keras.layers.Dense(1, dtype="float32", name="logit"))(x)
    return keras.Model(inputs, outputs, name=name)
