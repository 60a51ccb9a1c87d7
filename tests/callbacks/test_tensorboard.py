"""TensorBoardLogger writes scalars with the core summary ops (no ``tensorboard`` package needed)."""

import glob
import importlib.util
import os

import keras
import numpy as np
import pytest
import tensorflow as tf

from keras_gans.callbacks import TensorBoardLogger


def scalars(directory):
    found = {}
    for path in sorted(glob.glob(os.path.join(directory, "events.out.tfevents.*"))):
        for event in tf.compat.v1.train.summary_iterator(path):
            for value in event.summary.value:
                if value.metadata.plugin_data.plugin_name == "scalars":
                    found.setdefault(value.tag, []).append((event.step, float(tf.make_ndarray(value.tensor))))
    return found


def test_training_and_validation_logs_go_to_their_folders(stand_in_gan, tmp_path):
    callback = TensorBoardLogger(tmp_path / "tb", write_graph=False)
    callback.set_model(stand_in_gan(image_shape=(8, 8, 1)))
    callback.on_train_begin()
    callback.on_epoch_end(0, {"psnr": 20.5, "val_psnr": 19.0, "note": "skipped", "nan_loss": float("nan")})
    callback.on_epoch_end(1, {"psnr": 21.5, "val_psnr": 19.5})
    callback.on_train_end()
    train = scalars(tmp_path / "tb" / "train")
    assert train["epoch_psnr"] == [(1, 20.5), (2, 21.5)]
    assert np.isnan(train["epoch_nan_loss"][0][1])  # kept: it shows where a run diverged
    assert "learning_rate/optimizer" in train  # the compiled SGD(0.1)
    assert train["learning_rate/optimizer"][0][1] == pytest.approx(0.1)
    assert scalars(tmp_path / "tb" / "validation") == {"epoch_psnr": [(1, 19.0), (2, 19.5)]}


def test_batch_logging_every_n_steps(stand_in_gan, tmp_path):
    model = stand_in_gan(image_shape=(8, 8, 1))
    callback = TensorBoardLogger(tmp_path, update_freq=2, write_graph=False)
    model.fit(np.zeros((64, 8, 8, 1), np.float32), batch_size=16, epochs=2, verbose=0, callbacks=[callback])
    steps = [step for step, _ in scalars(tmp_path / "train")["batch_match_loss"]]
    assert steps == [2, 4, 6, 8]


def test_the_graph_is_recorded_once_and_tracing_is_switched_off(stand_in_gan, tmp_path):
    model = stand_in_gan(image_shape=(8, 8, 1))
    callback = TensorBoardLogger(tmp_path)
    model.fit(np.zeros((32, 8, 8, 1), np.float32), batch_size=16, epochs=2, verbose=0, callbacks=[callback])
    tags = [
        (value.tag, value.metadata.plugin_data.plugin_name)
        for path in glob.glob(str(tmp_path / "train" / "events.out.tfevents.*"))
        for event in tf.compat.v1.train.summary_iterator(path)
        for value in event.summary.value
    ]
    assert tags.count(("train_step", "graph_run_metadata_graph")) == 1
    from tensorflow.python.ops import summary_ops_v2

    assert summary_ops_v2._current_trace_context is None


def test_bad_update_freq_is_refused(tmp_path):
    with pytest.raises(ValueError, match="update_freq"):
        TensorBoardLogger(tmp_path, update_freq=0)


@pytest.mark.skipif(importlib.util.find_spec("tensorboard") is not None, reason="the tensorboard package is installed")
def test_why_keras_tensorboard_is_not_used_here(stand_in_gan, tmp_path):
    """Without the ``tensorboard`` package (tensorflow-cpu), Keras' callback fails at the first epoch end."""
    callback = keras.callbacks.TensorBoard(tmp_path, write_graph=False)
    callback.set_model(stand_in_gan(image_shape=(8, 8, 1)))
    callback.on_train_begin()
    with pytest.raises(Exception, match="TensorBoard is not installed"):
        callback.on_epoch_end(0, {"loss": 1.0})
    callback.on_train_end()
