"""DCGAN networks (Radford et al., 2016), for any image size whose sides are multiples of 4.

Generator: a dense projection to a small feature map, then stride-2 transposed convolutions, batch norm and ReLU,
tanh on the output and no batch norm there. Discriminator: stride-2 convolutions with LeakyReLU(0.2), no
normalisation on the input layer, and a linear output (a logit, or a critic value for WGAN).

The number of stride-2 stages is the number of times both sides halve while staying >= 4: 28 -> 7 (2 stages),
32 -> 4 (3), 64 -> 4 (4). Kernel size 5 and weight init N(0, 0.02) follow the TensorFlow DCGAN tutorial and the
paper. Both networks take ``[inputs, labels]`` when ``num_classes`` is given (conditional GAN).

Batch norm is synchronized across replicas under a ``tf.distribute`` strategy (``synchronized=True``; without a
strategy it is ordinary batch norm), so N replicas normalise with the global batch's statistics and train exactly
like one device on the global batch.
"""

from __future__ import annotations

import keras

from keras_gans.networks.layers import MinibatchStdDev, label_channel, label_embedding

__all__ = ["CONDITIONINGS", "build_dcgan_discriminator", "build_dcgan_generator", "num_upsamplings"]

NORMALIZATIONS = ("batch", "layer", None)
#: How a conditional discriminator takes the label: one-hot maps concatenated to the image channels (Mirza &
#: Osindero, 2014), or a projection of D's features onto a learned class embedding (Miyato & Koyama, 2018).
CONDITIONINGS = ("concat", "projection")


def num_upsamplings(image_shape: tuple[int, ...]) -> int:
    """How many stride-2 stages fit an image of ``image_shape`` (H, W, C); both sides must be multiples of 4."""
    height, width = image_shape[:2]
    if height % 4 or width % 4:
        raise ValueError(
            f"DCGAN networks need image sides that are multiples of 4, got {height}x{width}; "
            "resize the data (e.g. keras_gans.data loaders' image_size=) to 28, 32 or 64."
        )
    stages = 0
    while height % 2 == 0 and width % 2 == 0 and height // 2 >= 4 and width // 2 >= 4:
        height, width, stages = height // 2, width // 2, stages + 1
    if stages == 0:
        raise ValueError(
            f"DCGAN networks need image sides of at least 8 (one stride-2 stage to 4x4), got {image_shape[0]}x"
            f"{image_shape[1]}; resize the data or bring your own generator= and discriminator=."
        )
    return stages


def _check_filters(filters) -> int:
    if isinstance(filters, bool) or not isinstance(filters, int) or filters < 1:
        raise ValueError(f"filters must be an integer >= 1 (64 in the paper), got {filters!r}.")
    return filters


def _init():
    return keras.initializers.RandomNormal(stddev=0.02)


def build_dcgan_generator(
    latent_dim: int,
    image_shape: tuple[int, int, int],
    filters: int = 64,
    kernel_size: int = 5,
    num_classes: int | None = None,
    batch_norm: bool = True,
    name: str = "generator",
) -> keras.Model:
    """The DCGAN generator: z (and labels) -> images in [-1, 1] of ``image_shape``.

    Channel widths halve per stage from ``filters * 2**stages`` down to ``filters``. ``batch_norm=False`` drops
    the batch norms (e.g. for per-sample determinism, or XLA under a strategy with exact global statistics).
    """

    _check_filters(filters)

    def normalize(x, name):
        return keras.layers.BatchNormalization(synchronized=True, name=name)(x) if batch_norm else x

    stages = num_upsamplings(image_shape)
    height, width, channels = image_shape
    start_h, start_w = height // 2**stages, width // 2**stages
    z = keras.Input((latent_dim,), name="z")
    inputs, x = [z], z
    if num_classes is not None:
        labels = keras.Input((), dtype="int32", name="labels")
        inputs.append(labels)
        embedded = label_embedding(labels, num_classes, None, "g_label")
        x = keras.layers.Concatenate(name="z_and_label")([z, embedded])
    width_now = filters * 2**stages
    x = keras.layers.Dense(start_h * start_w * width_now, use_bias=False, kernel_initializer=_init(), name="project")(x)
    x = normalize(x, "project_bn")
    x = keras.layers.ReLU()(x)
    x = keras.layers.Reshape((start_h, start_w, width_now))(x)
    strides = [1] + [2] * (stages - 1)
    for i, stride in enumerate(strides):
        width_now //= 2
        x = keras.layers.Conv2DTranspose(
            width_now,
            kernel_size,
            strides=stride,
            padding="same",
            use_bias=False,
            kernel_initializer=_init(),
            name=f"deconv{i}",
        )(x)
        x = normalize(x, f"deconv{i}_bn")
        x = keras.layers.ReLU()(x)
    outputs = keras.layers.Conv2DTranspose(
        channels,
        kernel_size,
        strides=2,
        padding="same",
        activation="tanh",
        kernel_initializer=_init(),
        dtype="float32",
        name="to_image",
    )(x)
    return keras.Model(inputs if num_classes is not None else z, outputs, name=name)


def build_dcgan_discriminator(
    image_shape: tuple[int, int, int],
    filters: int = 64,
    kernel_size: int = 5,
    normalization: str | None = "batch",
    spectral_normalization: bool = False,
    minibatch_std: bool = False,
    dropout: float = 0.0,
    num_classes: int | None = None,
    auxiliary_heads: dict[str, int] | None = None,
    conditioning: str = "concat",
    name: str = "discriminator",
) -> keras.Model:
    """The DCGAN discriminator: images (and labels) -> one unbounded output per image.

    ``normalization``: "batch" (DCGAN), "layer" or None (WGAN-GP critics must not use batch norm, since the
    gradient penalty is per sample). ``spectral_normalization`` wraps every conv/dense in
    ``keras.layers.SpectralNormalization`` (Miyato et al., 2018); ``minibatch_std`` adds a
    :class:`MinibatchStdDev` feature before the output layer. ``auxiliary_heads`` (name -> units) adds linear
    heads on the shared features after the adversarial output (ACGAN's classifier, InfoGAN's Q network); the
    model then returns ``[adversarial, *heads]``.

    With ``num_classes``, ``conditioning`` says how the label enters: ``"concat"``, one-hot maps concatenated to the
    image channels; ``"projection"``, D(x, y) = w·φ(x) + b + e_y·φ(x) with φ(x) the flattened features and e_y a
    learned class embedding (Miyato & Koyama, 2018, eq. 3; the embedding is not spectrally normalised here).
    """
    _check_filters(filters)
    if normalization not in NORMALIZATIONS:
        raise ValueError(f"normalization must be one of {NORMALIZATIONS}, got {normalization!r}")
    if conditioning not in CONDITIONINGS:
        raise ValueError(f"conditioning must be one of {CONDITIONINGS}, got {conditioning!r}")
    stages = max(num_upsamplings(image_shape), 1)

    def maybe_sn(layer):
        return keras.layers.SpectralNormalization(layer, name=f"sn_{layer.name}") if spectral_normalization else layer

    images = keras.Input(image_shape, name="images")
    inputs, x = [images], images
    if num_classes is not None:
        labels = keras.Input((), dtype="int32", name="labels")
        inputs.append(labels)
    if num_classes is not None and conditioning == "concat":
        x = keras.layers.Concatenate(name="image_and_label")(
            [images, label_channel(labels, num_classes, image_shape[:2], "d_label")]
        )
    width_now = filters
    for i in range(stages):
        x = maybe_sn(
            keras.layers.Conv2D(
                width_now, kernel_size, strides=2, padding="same", kernel_initializer=_init(), name=f"conv{i}"
            )
        )(x)
        if i > 0 and normalization == "batch":
            x = keras.layers.BatchNormalization(synchronized=True, name=f"conv{i}_bn")(x)
        elif i > 0 and normalization == "layer":
            x = keras.layers.LayerNormalization(name=f"conv{i}_ln")(x)
        x = keras.layers.LeakyReLU(0.2)(x)
        if dropout:
            x = keras.layers.Dropout(dropout)(x)
        width_now *= 2
    if minibatch_std:
        x = MinibatchStdDev(name="minibatch_std")(x)
    x = keras.layers.Flatten()(x)
    outputs = maybe_sn(keras.layers.Dense(1, kernel_initializer=_init(), dtype="float32", name="output"))(x)
    if num_classes is not None and conditioning == "projection":
        embedded = keras.layers.Embedding(num_classes, x.shape[-1], embeddings_initializer=_init(), name="d_label")
        class_vectors = keras.layers.Flatten(name="d_label_flatten")(embedded(labels))
        projection = keras.layers.Dot(axes=1, dtype="float32", name="label_projection")([class_vectors, x])
        outputs = keras.layers.Add(dtype="float32", name="output_and_projection")([outputs, projection])
    if auxiliary_heads:
        heads = [
            maybe_sn(keras.layers.Dense(units, kernel_initializer=_init(), dtype="float32", name=head))(x)
            for head, units in auxiliary_heads.items()
        ]
        outputs = [outputs, *heads]
    return keras.Model(inputs if num_classes is not None else images, outputs, name=name)
