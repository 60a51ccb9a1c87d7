"""keras_gans turns TensorFlow's oneDNN CPU kernels on when it loads first, respects the user's choice, and warns
when TensorFlow was loaded before it with oneDNN off."""

import os
import subprocess
import sys

import pytest

from keras_gans.utils import runtime


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if k != runtime.ONEDNN_VARIABLE}
    full_env.update(env)
    return subprocess.run(
        [sys.executable, "-W", "always", "-c", code], env=full_env, capture_output=True, text=True, timeout=300
    )


REPORT = "import keras_gans.utils.runtime as r, os; print(r.onednn_enabled(), os.environ.get('TF_ENABLE_ONEDNN_OPTS'))"


def test_prefer_onednn_respects_choice_and_loaded_tensorflow(monkeypatch):
    monkeypatch.setenv(runtime.ONEDNN_VARIABLE, "0")
    assert runtime.prefer_onednn() is False and os.environ[runtime.ONEDNN_VARIABLE] == "0"
    monkeypatch.delenv(runtime.ONEDNN_VARIABLE)
    import tensorflow  # noqa: F401  (loaded: setting the variable now would change nothing)

    assert runtime.prefer_onednn() is False and runtime.ONEDNN_VARIABLE not in os.environ


@pytest.mark.parametrize(
    "first,env,enabled,warns",
    [
        ("import keras_gans", {}, "True 1", False),
        ("import keras_gans", {"TF_ENABLE_ONEDNN_OPTS": "0"}, "False 0", False),
        ("import tensorflow; import keras_gans", {}, None, True),
        ("import tensorflow; import keras_gans", {"TF_ENABLE_ONEDNN_OPTS": "0"}, "False 0", False),
    ],
    ids=["keras_gans_first", "user_off", "tensorflow_first", "tensorflow_first_user_off"],
)
def test_onednn_default_in_a_fresh_process(first, env, enabled, warns):
    result = run_python(f"{first}; {REPORT}", **env)
    assert result.returncode == 0, result.stderr
    if enabled is not None:
        assert result.stdout.split() == enabled.split()
    warned = "imported before keras_gans with its oneDNN CPU kernels off" in result.stderr
    # With TensorFlow first and no choice made, oneDNN is TensorFlow's per-CPU default: warn exactly when it is off.
    expected_warning = warns and result.stdout.split()[0] == "False"
    assert warned == expected_warning, (result.stdout, result.stderr[-2000:])
    if warned:
        assert "TF_ENABLE_ONEDNN_OPTS=1" in result.stderr
