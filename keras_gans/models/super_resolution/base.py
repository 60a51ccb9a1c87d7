"""Super-resolution GANs: a generator G(low_res) -> high_res and a discriminator D(high_res) -> one logit per image.

The family on the engine (:class:`keras_gans.engine.AdversarialModel`). It trains on high-res images, whose
low-res inputs it makes on the fly (:mod:`.data`: bicubic or area downsampling), or on ``(low_res, high_res)``
pairs. One step is a D update then a G update. The first ``pretrain_steps`` steps are the PSNR-oriented phase
(SRGAN's MSE-trained SRResNet, ESRGAN's L1-trained RRDBNet): G minimises the pixel loss alone and D is not
trained (its gradients are zeros, so its Adam moments stay zero and its weights do not move); after them the GAN
phase's losses take over. The phase follows the model's step counter, which is saved with it, so a resumed model
continues in the right phase; the ``pretraining`` log is 1 during it and 0 after.

A family member chooses its networks, its pixel/content/adversarial losses and their weights (:mod:`.srgan`,
:mod:`.esrgan`). Samplers: :meth:`upscale` (batches) and :meth:`upscale_image` (one image of any size, tiled).
"""

from __future__ import annotations

from typing import Any

import keras
import numpy as np
import tensorflow as tf

from keras_gans.engine.model import AdversarialModel
from keras_gans.engine.options import EngineOptions, check_number
from keras_gans.engine.players import Player
from keras_gans.models.super_resolution import losses
from keras_gans.models.super_resolution.content import minimum_input_size
from keras_gans.models.super_resolution.data import DOWNSAMPLINGS, SuperResolutionData, downsample
from keras_gans.models.super_resolution.tiling import upscale_tiled
from keras_gans.networks.srresnet import check_scale, receptive_radius

__all__ = ["GRID_EXAMPLES", "SuperResolutionGAN"]

#: Examples the model keeps from its first training batch for :meth:`SuperResolutionGAN.grid_samples`.
GRID_EXAMPLES = 8
#: Default tile side (low-res pixels) of :meth:`SuperResolutionGAN.upscale_image`.
DEFAULT_TILE_SIZE = 128


def _as_images(images, channels: int, what: str) -> np.ndarray:
    array = np.asarray(images)
    if array.dtype == np.uint8:
        array = array.astype(np.float32) / 127.5 - 1.0
    if not np.issubdtype(array.dtype, np.floating):
        raise ValueError(f"{what} must be floats in [-1, 1] (or uint8), got dtype {array.dtype}.")
    return array.astype(np.float32)


@keras.saving.register_keras_serializable(package="keras_gans")
class SuperResolutionGAN(AdversarialModel):
    """A super-resolution GAN trained with ``fit``.

    Args:
        generator: low-res images ``(None, None, C)`` in [-1, 1] -> ``scale`` x larger images in [-1, 1].
        discriminator: high-res images -> one logit per image.
        scale: 2, 4 or 8.
        content_network: the feature space of the content loss (frozen); ``None``: the content loss is taken on
            the pixels themselves.
        downsampling: ``"bicubic"`` or ``"area"``: how low-res inputs are made from high-res batches.
        pretrain_steps: steps of the pixel-loss phase before the GAN phase.
        pixel_weight, content_weight, adversarial_weight: the GAN phase's generator loss is
            ``pixel_weight * pixel + content_weight * content + adversarial_weight * adversarial``.
        seed: seed of the model's noise streams.
        **options: the engine's options (:class:`keras_gans.engine.options.EngineOptions`: ``ema_decay``...).
    """

    family = "super_resolution"
    #: precision="auto" keeps float32 until the family's bfloat16 sample quality is measured (issue 13).
    auto_bfloat16 = False
    sampled_networks = ("generator",)
    primary_metric = ("psnr", "max")
    #: Loss functions of the family member (pure functions of :mod:`.losses`).
    pixel_loss = staticmethod(losses.mse_loss)
    content_loss = staticmethod(losses.mse_loss)
    #: Whether the adversarial losses compare each image with the mean of the other kind (ESRGAN's relativistic D).
    relativistic = False

    def __init__(
        self,
        generator: keras.Model,
        discriminator: keras.Model,
        scale: int,
        content_network: keras.Model | None = None,
        downsampling: str = "bicubic",
        pretrain_steps: int = 0,
        pixel_weight: float = 0.0,
        content_weight: float = 1.0,
        adversarial_weight: float = 1e-3,
        seed: int | None = None,
        name: str | None = None,
        **options: Any,
    ):
        engine_options, base_kwargs = EngineOptions.from_model_kwargs(type(self).__name__, options)
        self.scale = check_scale(scale)
        if downsampling not in DOWNSAMPLINGS:
            raise ValueError(f"downsampling must be one of {DOWNSAMPLINGS}, got {downsampling!r}.")
        self.downsampling = downsampling
        self.pretrain_steps = check_number("pretrain_steps", pretrain_steps, low=0, integer=True)
        self.pixel_weight = check_number("pixel_weight", pixel_weight, low=0)
        self.content_weight = check_number("content_weight", content_weight, low=0)
        self.adversarial_weight = check_number("adversarial_weight", adversarial_weight, low=0)
        self.channels = self._check_networks(generator, discriminator, content_network)
        networks = {"generator": generator, "discriminator": discriminator}
        min_size, fixed_size = 1, None
        if content_network is not None:
            content_network.trainable = False
            size = tuple(content_network.inputs[0].shape[1:3])
            fixed_size = None if None in size else size
            min_size = minimum_input_size(content_network)
        self.data_spec = SuperResolutionData(self.channels, self.scale, downsampling, min_size, fixed_size)
        self.sample_inputs: np.ndarray | None = None
        super().__init__(networks, engine_options, seed=seed, name=name, **base_kwargs)
        # Frozen, so not one of the trained ``networks``; a tracked layer, so its weights are saved with the model.
        self.content_network = content_network

    def _check_networks(self, generator, discriminator, content_network) -> int:
        for key, network in (("generator", generator), ("discriminator", discriminator)):
            if not isinstance(network, keras.Model):
                raise TypeError(f"{key} must be a keras.Model, got {type(network).__name__}.")
        g_in, g_out = generator.inputs[0].shape, generator.outputs[0].shape
        channels = int(g_in[-1])
        if int(g_out[-1]) != channels:
            raise ValueError(
                f"The generator maps {channels}-channel images to {g_out[-1]}-channel ones; they must agree."
            )
        if g_in[1] is not None and g_out[1] is not None and g_out[1] != g_in[1] * self.scale:
            raise ValueError(
                f"The generator maps {g_in[1]} pixels to {g_out[1]}, not {self.scale} x: build it with "
                f"scale={self.scale}."
            )
        if int(discriminator.inputs[0].shape[-1]) != channels:
            raise ValueError(
                f"The discriminator takes {discriminator.inputs[0].shape[-1]} channels but the generator makes "
                f"{channels}."
            )
        if tuple(discriminator.outputs[0].shape[1:]) not in ((1,), ()):
            raise ValueError(
                "The discriminator must give one logit per image (shape (batch, 1)): end it with Dense(1)."
            )
        if content_network is not None:
            if not isinstance(content_network, keras.Model):
                raise TypeError(f"content_network must be a keras.Model, got {type(content_network).__name__}.")
            if int(content_network.inputs[0].shape[-1]) != channels:
                raise ValueError(
                    f"The content network takes {content_network.inputs[0].shape[-1]}-channel images but the model "
                    f"makes {channels}-channel ones."
                )
        return channels

    @classmethod
    def data_arguments(cls, element_spec) -> dict:
        """``{"channels": C}`` from high-res batches; ``scale`` too from ``(low_res, high_res)`` pairs."""
        parts = element_spec if isinstance(element_spec, tuple) else (element_spec,)
        parts = [p["image"] if isinstance(p, dict) else p for p in parts]
        high = parts[-1]
        arguments = {"channels": int(high.shape[-1])}
        if len(parts) == 2 and parts[0].shape[1] and high.shape[1]:
            arguments["scale"] = int(high.shape[1]) // int(parts[0].shape[1])
        return arguments

    # ----------------------------------------------------------------------------------------------------------
    # Logs, players, optimizers

    def log_names(self) -> list[str]:
        return [
            "d_loss",
            "g_loss",
            "pixel_loss",
            "content_loss",
            "adversarial_loss",
            "d_acc_real",
            "d_acc_fake",
            "psnr",
            "pretraining",
            "d_grad_norm",
            "g_grad_norm",
        ]

    def players(self) -> tuple[Player, ...]:
        return (
            Player("discriminator", "d_optimizer", ("discriminator",), self._discriminator_loss, log_prefix="d"),
            Player("generator", "g_optimizer", ("generator",), self._generator_loss, log_prefix="g"),
        )

    def default_optimizers(self) -> dict[str, keras.optimizers.Optimizer]:
        """Adam(1e-4, beta_1=0.9) for both (SRGAN's; the paper lowers it to 1e-5 for its second half)."""
        return {
            "d_optimizer": keras.optimizers.Adam(1e-4, beta_1=0.9, name="d_adam"),
            "g_optimizer": keras.optimizers.Adam(1e-4, beta_1=0.9, name="g_adam"),
        }

    # ----------------------------------------------------------------------------------------------------------
    # Losses

    def _pretraining(self, step) -> tf.Tensor:
        return tf.less(tf.cast(step, tf.int64), self.pretrain_steps)

    def _phase(self, step, pretrain_fn, gan_fn):
        """``gan_fn()``, or ``pretrain_fn()`` while ``step < pretrain_steps`` (no branch when there is none).

        Both are computed and one is selected, not branched with ``tf.cond``: synchronized batch norm and the
        relativistic all-reduce cannot sit inside a cond branch under a strategy, and one device must compute what N
        replicas do. The unselected loss gets zero gradients, so D does not move while G pretrains (its batch-norm
        moving statistics follow the batches); a pretraining step costs as much as a GAN step.
        """
        if not self.pretrain_steps:
            return gan_fn()
        pretraining = self._pretraining(step)
        return tf.nest.map_structure(lambda p, g: tf.where(pretraining, p, g), pretrain_fn(), gan_fn())

    def _generate(self, low_res, training: bool = True):
        return tf.cast(self.generator(low_res, training=training), tf.float32)

    def _discriminate(self, images):
        return tf.cast(self.discriminator(images, training=True), tf.float32)

    def _batch_mean(self, x) -> tf.Tensor:
        """The mean of ``x`` over the global batch: across replicas under a strategy (not inside XLA), so that N
        replicas compute the relativistic terms one device computes."""
        x = tf.cast(x, tf.float32)
        context = tf.distribute.get_replica_context()
        replicas = tf.distribute.get_strategy().num_replicas_in_sync
        if replicas == 1 or context is None or getattr(self, "_xla_inside_step", False):
            return tf.reduce_mean(x)
        # all_gather is differentiable (the gradient reaches every replica's logits), as the unrolled GAN uses it.
        return tf.reduce_mean(context.all_gather(x, axis=0))

    def adversarial_d_loss(self, real, fake) -> tf.Tensor:
        if self.relativistic:
            return losses.relativistic_average_discriminator_loss(
                real, fake, self._batch_mean(real), self._batch_mean(fake)
            )
        return losses.standard_discriminator_loss(real, fake)

    def adversarial_g_loss(self, real, fake) -> tf.Tensor:
        if self.relativistic:
            return losses.relativistic_average_generator_loss(
                real, fake, self._batch_mean(real), self._batch_mean(fake)
            )
        return losses.standard_generator_loss(fake)

    def _features(self, images):
        return tf.cast(self.content_network(images, training=False), tf.float32)

    def content_term(self, sr, hr) -> tf.Tensor:
        """The content loss: in the content network's feature space, or on the pixels without one."""
        if self.content_network is None:
            return self.content_loss(sr, hr)
        return self.content_loss(self._features(sr), self._features(hr))

    def _discriminator_loss(self, batch, step, repeat):
        low, high = batch
        zero = tf.constant(0.0)

        def gan():
            fake = tf.stop_gradient(self._generate(low))
            real_logits, fake_logits = self._discriminate(high), self._discriminate(fake)
            loss = self.adversarial_d_loss(real_logits, fake_logits)
            acc_real = tf.reduce_mean(tf.cast(real_logits > 0, tf.float32))
            acc_fake = tf.reduce_mean(tf.cast(fake_logits < 0, tf.float32))
            return loss, acc_real, acc_fake

        loss, acc_real, acc_fake = self._phase(step, lambda: (zero, zero, zero), gan)
        return loss, {"d_loss": loss, "d_acc_real": acc_real, "d_acc_fake": acc_fake}

    def _generator_loss(self, batch, step, repeat):
        low, high = batch
        high = tf.cast(high, tf.float32)
        sr = self._generate(low)
        pixel = self.pixel_loss(sr, high)
        zero = tf.constant(0.0)

        def gan():
            content = self.content_term(sr, high)
            adversarial = self.adversarial_g_loss(self._discriminate(high), self._discriminate(sr))
            total = self.pixel_weight * pixel + self.content_weight * content + self.adversarial_weight * adversarial
            return total, content, adversarial

        loss, content, adversarial = self._phase(step, lambda: (pixel, zero, zero), gan)
        mse = tf.reduce_mean(tf.square(sr - high), axis=[1, 2, 3])
        psnr = tf.reduce_mean(10.0 * tf.math.log(4.0 / tf.maximum(mse, 1e-10)) / tf.math.log(10.0))
        logs = {
            "g_loss": loss,
            "pixel_loss": pixel,
            "content_loss": content,
            "adversarial_loss": adversarial,
            "psnr": psnr,
            "pretraining": tf.cast(self._pretraining(step), tf.float32),
        }
        return loss, logs

    # ----------------------------------------------------------------------------------------------------------
    # Samplers

    derived_views = ("sampling_generator",)

    @property
    def sampling_generator(self) -> keras.Model:
        """The generator ``upscale`` runs: its EMA copy when ``ema_decay`` is set, else the trained generator."""
        return self.averaged_network("generator")

    def _upscale_function(self):
        functions = self.__dict__.setdefault("_upscale_functions", {})
        generator = self.sampling_generator
        if id(generator) not in functions:
            spec = tf.TensorSpec([None, None, None, self.channels], tf.float32)
            functions[id(generator)] = tf.function(
                lambda x: tf.cast(generator(x, training=False), tf.float32), input_signature=[spec]
            )
        return functions[id(generator)]

    def _check_low_res(self, low_res, what: str = "low_res") -> np.ndarray:
        array = _as_images(low_res, self.channels, what)
        if array.ndim != 4:
            hint = " Pass a batch (n, H, W, C), or one image to upscale_image." if array.ndim == 3 else ""
            raise ValueError(f"{what} must have shape (n, H, W, {self.channels}), got {array.shape}.{hint}")
        if array.shape[-1] != self.channels:
            raise ValueError(
                f"{type(self).__name__} was built for {self.channels}-channel images but {what} has "
                f"{array.shape[-1]} channels: convert the images, or use a model built with channels={array.shape[-1]}."
            )
        if 0 in array.shape[1:3]:
            raise ValueError(f"{what} is empty ({array.shape[1]}x{array.shape[2]} pixels).")
        if not np.all(np.isfinite(array)):
            raise ValueError(f"{what} holds NaN or inf values.")
        return array

    def upscale(self, low_res, batch_size: int = 32) -> np.ndarray:
        """``(n, H, W, C)`` low-res images in [-1, 1] (or uint8) -> ``(n, scale H, scale W, C)`` float32 in [-1, 1]."""
        low_res = self._check_low_res(low_res)
        batch_size = check_number("batch_size", batch_size, low=1, integer=True)
        function = self._upscale_function()
        outputs = [
            function(tf.constant(low_res[i : i + batch_size])).numpy() for i in range(0, len(low_res), batch_size)
        ]
        return np.concatenate(outputs, axis=0)

    @property
    def receptive_radius(self) -> int:
        """How far (low-res pixels) an output pixel of the generator sees: :meth:`upscale_image`'s exact overlap."""
        return receptive_radius(self.generator)

    def upscale_image(
        self, image, tile_size: int = DEFAULT_TILE_SIZE, overlap: int | None = None, tiles_per_call: int = 4
    ) -> np.ndarray:
        """One image ``(H, W, C)`` (or ``(H, W)`` grey) of any size -> ``(scale H, scale W, C)`` float32 in [-1, 1].

        Upscaled tile by tile (``tile_size`` low-res pixels a side, ``tiles_per_call`` tiles per generator call),
        each with ``overlap`` pixels of context (default: the generator's receptive radius, which makes the result
        equal to upscaling the whole image at once); memory is bounded by ``tiles_per_call`` windows of
        ``tile_size + 2 overlap`` pixels a side.
        """
        array = _as_images(image, self.channels, "image")
        if array.ndim == 2 and self.channels == 1:
            array = array[..., None]
        if array.ndim != 3:
            raise ValueError(
                f"upscale_image takes one image (H, W, {self.channels}), got shape {array.shape}; use upscale() for "
                "batches."
            )
        self._check_low_res(array[None], "image")
        tile_size = check_number("tile_size", tile_size, low=1, integer=True)
        overlap = self.receptive_radius if overlap is None else check_number("overlap", overlap, low=0, integer=True)
        tiles_per_call = check_number("tiles_per_call", tiles_per_call, low=1, integer=True)
        function = self._upscale_function()
        return upscale_tiled(
            array, lambda b: function(tf.constant(b)).numpy(), self.scale, tile_size, overlap, tiles_per_call
        )

    def downsample(self, high_res) -> np.ndarray:
        """High-res images -> the low-res inputs the model trains on (its ``downsampling``)."""
        array = _as_images(high_res, self.channels, "high_res")
        return downsample(tf.constant(array), self.scale, self.downsampling).numpy()

    def fit(self, x=None, y=None, *args, **kwargs):
        if self.sample_inputs is None:
            self.sample_inputs = _first_high_res(x, y)
        return super().fit(x, y, *args, **kwargs)

    def grid_samples(self, num_rows: int = 8, seed: int = 0) -> tuple[np.ndarray, int]:
        """Rows of low-res input (nearest-upsampled) | output | high-res, for ``num_rows`` of ``sample_inputs``
        (high-res images: the first training batch's unless set); ``seed`` is unused (upscaling is deterministic)."""
        if self.sample_inputs is None:
            raise ValueError("Set model.sample_inputs to a few high-res images (or fit the model) before grid_samples.")
        high = _as_images(self.sample_inputs, self.channels, "sample_inputs")[:num_rows]
        low = self.downsample(high)
        output = self.upscale(low)
        nearest = np.repeat(np.repeat(low, self.scale, axis=1), self.scale, axis=2)
        rows = np.stack([nearest, output, high], axis=1).reshape(-1, *high.shape[1:])
        return rows.astype(np.float32), len(high)

    def evaluate_quality(self, data, num_samples: int = 1000) -> dict[str, float]:
        """PSNR/SSIM (BasicSR's way: Y channel for colour, ``scale`` pixels cropped) and L1 of the outputs, and the
        bicubic baseline's, on up to ``num_samples`` high-res images of ``data`` (see
        :func:`keras_gans.metrics.super_resolution.super_resolution_scores`)."""
        from keras_gans.metrics.super_resolution import super_resolution_scores

        return super_resolution_scores(self, data, num_samples=num_samples)

    def serving_endpoints(self) -> dict:
        """``serving_default``: ``low_res`` (n, H, W, C) of any size -> images (n, scale H, scale W, C)."""
        generator = self.sampling_generator
        spec = tf.TensorSpec([None, None, None, self.channels], tf.float32, name="low_res")
        return {"serving_default": (lambda low_res: tf.cast(generator(low_res, training=False), tf.float32), [spec])}

    # ----------------------------------------------------------------------------------------------------------
    # Serialisation

    def get_config(self) -> dict:
        content = None if self.content_network is None else keras.saving.serialize_keras_object(self.content_network)
        return {
            "name": self.name,
            **self.network_config(),
            "content_network": content,
            "scale": self.scale,
            "downsampling": self.downsampling,
            "pretrain_steps": self.pretrain_steps,
            "pixel_weight": self.pixel_weight,
            "content_weight": self.content_weight,
            "adversarial_weight": self.adversarial_weight,
            "seed": self.seed,
            **self.options.to_config(),
        }

    @classmethod
    def from_config(cls, config: dict):
        return cls(**cls.deserialize_networks(config, ("generator", "discriminator", "content_network")))


def _first_high_res(x, y) -> np.ndarray | None:
    """Up to :data:`GRID_EXAMPLES` high-res images of what ``fit`` got (None when they cannot be read cheaply)."""
    try:
        if isinstance(x, tf.data.Dataset):
            element = next(iter(x.take(1)))
            parts = element if isinstance(element, (tuple, list)) else (element,)
            parts = [p["image"] if isinstance(p, dict) else p for p in parts if p is not None]
            high = parts[-1]
        else:
            high = x if y is None else y
            if isinstance(high, dict):
                high = high["image"]
        high = np.asarray(high)
        if high.ndim != 4 or not np.issubdtype(high.dtype, np.floating):
            return None
        return high[:GRID_EXAMPLES].astype(np.float32)
    except (TypeError, ValueError, StopIteration, KeyError, tf.errors.OpError):
        return None
