"""LinearDecay: the authors' factor, applied to every optimizer each epoch, continued on resume."""

import keras
import numpy as np
import pytest

from keras_gans.callbacks import LinearDecay
from keras_gans.callbacks.lr_decay import linear_decay_factor


def test_factor_is_the_authors_formula():
    # 3 constant epochs, then 4 decaying: 1 - (e + 1 - 3) / 5 for e >= 2, the last decayed epoch at 1/5.
    got = [linear_decay_factor(e, 3, 4) for e in range(9)]
    np.testing.assert_allclose(got, [1, 1, 1, 0.8, 0.6, 0.4, 0.2, 0.0, 0.0])


def _model():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(0.1), "mse")
    return model


def test_rates_follow_the_schedule_and_resume():
    x, y = np.zeros((4, 2), "float32"), np.zeros((4, 1), "float32")
    model, decay = _model(), LinearDecay(2, 3)
    model.fit(x, y, epochs=4, verbose=0, callbacks=[decay])
    np.testing.assert_allclose([h["optimizer"] for h in decay.history], [0.1, 0.1, 0.075, 0.05], rtol=1e-6)
    resumed = LinearDecay(2, 3)  # a new run from the saved rate (0.05 at epoch 3) continues the schedule
    model.fit(x, y, epochs=5, initial_epoch=4, verbose=0, callbacks=[resumed])
    np.testing.assert_allclose(resumed.history[0]["optimizer"], 0.025, rtol=1e-5)


def test_gan_models_decay_every_optimizer():
    import keras_gans as kg

    model = kg.CycleGAN(shape_a=(8, 8, 1), shape_b=(8, 8, 1), filters=2, residual_blocks=0, discriminator_filters=2)
    model.compile()
    decay = LinearDecay(0, 1, initial_learning_rate=2e-4)
    decay.set_model(model)
    decay.on_epoch_begin(0)
    assert set(decay.history[0]) == {"epoch", "g_optimizer", "d_optimizer"}
    np.testing.assert_allclose(float(model.g_optimizer.learning_rate), 1e-4, rtol=1e-6)


def test_bad_arguments_and_schedules_are_refused():
    with pytest.raises(ValueError, match="constant_epochs"):
        LinearDecay(-1, 10)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(keras.optimizers.SGD(keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9)), "mse")
    with pytest.raises(ValueError, match="LearningRateSchedule"):
        model.fit(np.zeros((2, 2)), np.zeros((2, 1)), verbose=0, callbacks=[LinearDecay(1, 1)])
