"""InterpolationGIF: spherical interpolation (against its closed form) and the GIF it writes for a latent model."""

import numpy as np
from PIL import Image

import keras_gans as kg
from keras_gans.callbacks.interpolation_gif import InterpolationGIF, interpolation_latents, slerp


def test_slerp_follows_the_great_circle():
    a, b = np.array([[1.0, 0.0, 0.0]]), np.array([[0.0, 2.0, 0.0]])
    np.testing.assert_allclose(slerp(a, b, 0.0), a, atol=1e-12)
    np.testing.assert_allclose(slerp(a, b, 1.0), b, atol=1e-12)
    # Ω = 90°: at t the point is sin((1-t)Ω)·a + sin(tΩ)·b.
    t = 0.3
    np.testing.assert_allclose(slerp(a, b, t), np.sin(0.7 * np.pi / 2) * a + np.sin(0.3 * np.pi / 2) * b, atol=1e-12)
    # Parallel vectors fall back to the straight line.
    np.testing.assert_allclose(slerp(a, 3 * a, 0.5), 2 * a, atol=1e-12)


def test_latent_paths_are_closed_loops_through_the_keyframes():
    keyframes = np.random.default_rng(0).normal(size=(3, 2, 5))
    latents = interpolation_latents(keyframes, 4)
    assert latents.shape == (12, 2, 5)
    np.testing.assert_allclose(latents[::4], keyframes, atol=1e-6)  # every keyframe is a frame, in order


def test_callback_writes_an_animation_of_the_model(tmp_path):
    model = kg.GAN(image_shape=(8, 8, 1), latent_dim=4, hidden_units=((8,), (8,)), seed=0)
    callback = InterpolationGIF(tmp_path, num_paths=3, num_keyframes=2, frames_per_transition=3, scale=2)
    path = callback.write(model, str(tmp_path / "walk.gif"))
    with Image.open(path) as gif:
        assert gif.n_frames == 6
        # One row of 3 cells of 8 pixels, 2-pixel padding, upscaled x2.
        assert gif.size == ((3 * (8 + 2) + 2) * 2, (8 + 2 + 2) * 2)
    frames = callback.frames(model)
    assert frames.dtype == np.uint8 and len(frames) == 6
    assert np.abs(frames[1].astype(int) - frames[0].astype(int)).max() > 0  # the samples move
