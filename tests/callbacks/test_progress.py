"""EpochLineLogger, progress_callbacks: the bar on a terminal, one line per epoch elsewhere, explicit verbose wins."""

import io
import re

import numpy as np
import pytest

from keras_gans.callbacks import EpochLineLogger, progress_callbacks
from keras_gans.callbacks.progress import format_logs, is_terminal


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_auto_gives_the_bar_on_a_terminal_and_lines_elsewhere():
    assert progress_callbacks("auto", Terminal()) == (1, [])
    verbose, callbacks = progress_callbacks("auto", io.StringIO())
    assert verbose == 0 and len(callbacks) == 1 and isinstance(callbacks[0], EpochLineLogger)
    assert progress_callbacks(None, io.StringIO())[0] == 0


@pytest.mark.parametrize("verbose", [0, 1, 2, "0", "2"])
def test_an_explicit_verbose_wins(verbose):
    for stream in (Terminal(), io.StringIO()):
        assert progress_callbacks(verbose, stream) == (int(verbose), [])


def test_a_bad_verbose_is_refused():
    with pytest.raises(ValueError, match="verbose"):
        progress_callbacks("loud", io.StringIO())


def test_streams_without_isatty_or_closed_are_not_terminals():
    closed = io.StringIO()
    closed.close()
    assert not is_terminal(object()) and not is_terminal(closed) and not is_terminal(io.StringIO())


def test_fit_writes_one_flushed_line_per_epoch_and_nothing_else(stand_in_gan, capsys):
    model = stand_in_gan(image_shape=(8, 8, 1))
    stream = io.StringIO()
    verbose, callbacks = progress_callbacks("auto", stream)
    data = np.zeros((64, 8, 8, 1), np.float32)
    model.fit(data, batch_size=16, epochs=3, verbose=verbose, callbacks=callbacks)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 3 and "\r" not in stream.getvalue()
    for epoch, line in enumerate(lines, start=1):
        assert re.fullmatch(rf"Epoch {epoch}/3 - \d+\.\d+s \(\d+ms/step\) - match_loss: [-\d.e]+", line), line
    assert capsys.readouterr().out == ""  # Keras printed no bar


def test_the_default_stream_is_stdout_at_write_time(stand_in_gan, capsys):
    model = stand_in_gan(image_shape=(8, 8, 1))
    model.fit(np.zeros((16, 8, 8, 1), np.float32), epochs=1, verbose=0, callbacks=[EpochLineLogger(prefix="[x] ")])
    assert capsys.readouterr().out.startswith("[x] Epoch 1/1 - ")


def test_format_logs_is_compact_and_skips_non_numbers():
    logs = {
        "d_loss": 1.38473762,
        "g_loss": np.float32(0.6931),
        "fid": 45.0,
        "lr": 1e-5,
        "note": "x",
        "nan": float("nan"),
    }
    assert format_logs(logs) == "d_loss: 1.3847 - g_loss: 0.6931 - fid: 45 - lr: 1e-05 - nan: nan"
