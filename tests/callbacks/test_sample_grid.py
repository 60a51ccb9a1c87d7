import glob
import os

import numpy as np
from PIL import Image

from keras_gans.callbacks import SampleGrid


def test_grids_every_n_epochs_and_a_progress_montage(stand_in_gan, tmp_path):
    model = stand_in_gan()
    data = np.random.default_rng(0).uniform(-1, 1, (64, 28, 28, 1)).astype(np.float32)
    callback = SampleGrid(tmp_path / "grids", num_rows=3, every_n_epochs=2, seed=5)
    model.fit(data, epochs=5, batch_size=32, verbose=0, callbacks=[callback])
    names = sorted(os.listdir(tmp_path / "grids"))
    assert names == ["epoch_0002.png", "epoch_0004.png", "progress.png"]
    grid = np.asarray(Image.open(tmp_path / "grids" / "epoch_0004.png"))
    assert grid.shape == (3 * 30 + 2, 3 * 30 + 2)  # 28 px cells, padding 2, scale 1
    progress = np.asarray(Image.open(tmp_path / "grids" / "progress.png"))
    assert progress.shape[0] > 2 * grid.shape[0]  # two grids, one above the other


def test_the_grid_uses_a_fixed_latent(stand_in_gan, tmp_path):
    model = stand_in_gan()
    callback = SampleGrid(tmp_path, num_rows=2, seed=3)
    callback.set_model(model)
    np.testing.assert_array_equal(callback.samples(), callback.samples())
    np.testing.assert_array_equal(callback.samples(), model.generate(num_samples=4, seed=3))


def test_conditional_grid_has_one_class_per_column_and_small_images_are_upscaled(stand_in_gan, tmp_path):
    model = stand_in_gan(image_shape=(8, 8, 1), num_classes=10)
    callback = SampleGrid(tmp_path, num_rows=2)
    callback.set_model(model)
    np.testing.assert_array_equal(callback.samples(), model.generate(labels=np.tile(np.arange(10), 2), seed=0))
    model.fit(np.zeros((8, 8, 8, 1), np.float32), epochs=1, verbose=0, callbacks=[callback])
    grid = np.asarray(Image.open(tmp_path / "epoch_0001.png"))
    assert grid.shape == (4 * (2 * 10 + 2), 4 * (10 * 10 + 2))  # 8 px cells scaled x4


def test_tensorboard_images_are_written(stand_in_gan, tmp_path):
    model = stand_in_gan()
    callback = SampleGrid(tmp_path / "png", num_rows=2, tensorboard_dir=tmp_path / "tb")
    model.fit(np.zeros((8, 28, 28, 1), np.float32), epochs=2, verbose=0, callbacks=[callback])
    assert glob.glob(str(tmp_path / "tb" / "events.out.tfevents.*"))
    import tensorflow as tf

    values = [
        (event.step, value)
        for path in glob.glob(str(tmp_path / "tb" / "events.out.tfevents.*"))
        for event in tf.compat.v1.train.summary_iterator(path)
        for value in event.summary.value
        if value.tag == "samples"
    ]
    assert [step for step, _ in values] == [1, 2]
    value = values[-1][1]
    assert value.metadata.plugin_data.plugin_name == "images"
    width, height, png = tf.make_ndarray(value.tensor)
    decoded = tf.image.decode_png(png).numpy()
    np.testing.assert_array_equal(decoded[..., 0], np.asarray(Image.open(tmp_path / "png" / "epoch_0002.png")))
    assert (int(width), int(height)) == (decoded.shape[1], decoded.shape[0])
