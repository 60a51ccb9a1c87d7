"""``InterpolationGIF``: an animation of a latent model's samples along closed paths through its latent space."""

from __future__ import annotations

import os

import keras
import numpy as np
from PIL import Image

from keras_gans.utils.images import make_grid

__all__ = ["InterpolationGIF", "interpolation_latents", "slerp"]


def slerp(a: np.ndarray, b: np.ndarray, t: float) -> np.ndarray:
    """Spherical interpolation between rows of ``a`` and ``b``: sin((1-t)Ω)/sin Ω · a + sin(tΩ)/sin Ω · b, Ω the
    angle between them (White, 2016); linear where they are (anti)parallel. Keeps Gaussian latents' norms typical."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    cos = np.sum(a * b, axis=-1, keepdims=True) / (
        np.linalg.norm(a, axis=-1, keepdims=True) * np.linalg.norm(b, axis=-1, keepdims=True) + 1e-12
    )
    omega = np.arccos(np.clip(cos, -1.0, 1.0))
    sin = np.sin(omega)
    linear = sin < 1e-6
    safe = np.where(linear, 1.0, sin)
    spherical = (np.sin((1.0 - t) * omega) * a + np.sin(t * omega) * b) / safe
    return np.where(linear, (1.0 - t) * a + t * b, spherical)


def interpolation_latents(keyframes: np.ndarray, frames_per_transition: int) -> np.ndarray:
    """``(num_frames, num_paths, latent_dim)`` latents visiting ``keyframes`` (K, num_paths, latent_dim) in order
    and back to the first (a seamless loop): K · ``frames_per_transition`` frames, keyframes included."""
    keyframes = np.asarray(keyframes, np.float64)
    count = len(keyframes)
    frames = []
    for k in range(count):
        start, end = keyframes[k], keyframes[(k + 1) % count]
        for i in range(frames_per_transition):
            frames.append(slerp(start, end, i / frames_per_transition))
    return np.stack(frames).astype("float32")


class InterpolationGIF(keras.callbacks.Callback):
    """Writes ``directory/interpolation_{epoch:04d}.gif`` every ``every_n_epochs`` epochs (1-based) and
    ``directory/interpolation.gif`` at the end of training: ``num_paths`` samples side by side, each moving along a
    closed path through ``num_keyframes`` fixed latent points (spherical interpolation), drawn with ``seed``.

    Works with every latent model (its ``generate(z=...)``; conditional models get the classes 0, 1, ... per
    path). The same latents are used at every epoch, so successive GIFs show how the same paths evolve.

    Args:
        directory: where the GIF files go (created).
        num_paths: samples per frame (one row).
        num_keyframes: latent points each path visits (>= 2).
        frames_per_transition: frames between two keyframes.
        frame_duration_ms: display time of a frame.
        every_n_epochs: also write a GIF after epochs n, 2n, ... (0: only at the end).
        seed: seed of the keyframe latents.
        scale: nearest-neighbour upscaling of the frames; ``max(1, 64 // height)`` by default.
    """

    def __init__(
        self,
        directory: str | os.PathLike,
        num_paths: int = 4,
        num_keyframes: int = 4,
        frames_per_transition: int = 8,
        frame_duration_ms: int = 80,
        every_n_epochs: int = 0,
        seed: int = 0,
        scale: int | None = None,
    ) -> None:
        super().__init__()
        for name, value, low in (
            ("num_paths", num_paths, 1),
            ("num_keyframes", num_keyframes, 2),
            ("frames_per_transition", frames_per_transition, 1),
            ("frame_duration_ms", frame_duration_ms, 1),
            ("every_n_epochs", every_n_epochs, 0),
        ):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
        self.directory = os.fspath(directory)
        self.num_paths = num_paths
        self.num_keyframes = num_keyframes
        self.frames_per_transition = frames_per_transition
        self.frame_duration_ms = frame_duration_ms
        self.every_n_epochs = every_n_epochs
        self.seed = int(seed)
        self.scale = scale
        self.written: list[str] = []

    def frames(self, model) -> np.ndarray:
        """The animation's frames, uint8 (num_frames, H', W', C) grids of ``num_paths`` samples."""
        if not hasattr(model, "latents") or not hasattr(model, "generate"):
            raise ValueError(
                "InterpolationGIF needs a latent model (with latents() and generate(z=...)); got "
                f"{type(model).__name__}."
            )
        count = self.num_keyframes * self.num_paths
        keyframes = model.latents(count, seed=self.seed).reshape(self.num_keyframes, self.num_paths, -1)
        latents = interpolation_latents(keyframes, self.frames_per_transition)
        flat = latents.reshape(-1, latents.shape[-1])
        kwargs = {}
        if getattr(model, "num_classes", None):
            kwargs["labels"] = np.tile(np.arange(self.num_paths) % model.num_classes, len(latents))
        images = model.generate(z=flat, **kwargs).reshape(len(latents), self.num_paths, *model.image_shape)
        return np.stack([make_grid(frame, num_rows=1) for frame in images])

    def write(self, model, path: str) -> str:
        """Writes the animation of ``model``'s current generator to ``path`` (a GIF); returns the path."""
        frames = self.frames(model)
        scale = self.scale or max(1, 64 // int(model.image_shape[0]))
        pictures = []
        for frame in frames:
            array = np.asarray(frame)
            if array.ndim == 3 and array.shape[-1] == 1:
                array = array[..., 0]
            picture = Image.fromarray(array)
            if scale > 1:
                picture = picture.resize((picture.width * scale, picture.height * scale), Image.NEAREST)
            pictures.append(picture)
        os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
        pictures[0].save(path, save_all=True, append_images=pictures[1:], duration=self.frame_duration_ms, loop=0)
        self.written.append(path)
        return path

    def on_epoch_end(self, epoch: int, logs=None) -> None:
        if self.every_n_epochs and (epoch + 1) % self.every_n_epochs == 0:
            self.write(self.model, os.path.join(self.directory, f"interpolation_{epoch + 1:04d}.gif"))

    def on_train_end(self, logs=None) -> None:
        self.write(self.model, os.path.join(self.directory, "interpolation.gif"))
