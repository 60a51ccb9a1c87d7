"""keras_gans.saving: every kind of damaged or wrong model file gives one ModelFileError naming the file and damage."""

from __future__ import annotations

import gzip
import json
import shutil
import zipfile
from pathlib import Path

import h5py
import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans.saving import ModelFileError, check_save_path, load_model


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A tiny DCGAN, saved as a .keras file and as a Keras model folder."""
    gan = kg.DCGAN(image_shape=(8, 8, 1), latent_dim=4, filters=4, seed=1)
    gan.compile()
    folder = tmp_path_factory.mktemp("tiny")
    gan.save(folder / "good.keras")
    keras.saving.save_model(gan, str(folder / "model_dir"), zipped=False)
    return gan, folder / "good.keras", folder / "model_dir"


def _rezip(source: Path, target: Path, drop=(), replace=None, compression=zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", compression) as dst:
        for name in src.namelist():
            if name not in drop:
                dst.writestr(name, (replace or {}).get(name, src.read(name)))
    return target


def _flip_member_byte(path: Path, member: str) -> Path:
    """Flips one byte inside a stored member's data: the zip stays readable but that member fails its CRC."""
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    data = bytearray(path.read_bytes())
    header = info.header_offset
    start = header + 30 + int.from_bytes(data[header + 26 : header + 28], "little")
    start += int.from_bytes(data[header + 28 : header + 30], "little")
    data[start + info.compress_size // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def _config_with(good: Path, **changes) -> bytes:
    config = json.loads(zipfile.ZipFile(good).read("config.json"))
    config.update(changes)
    return json.dumps(config).encode()


def _make(kind: str, good: Path, folder: Path, tmp: Path) -> Path:
    """The damaged (or wrong) file or folder of each kind, made from the good ones."""
    data = good.read_bytes()
    if kind == "missing":
        return tmp / "missing.keras"
    if kind == "empty":
        (tmp / "m.keras").write_bytes(b"")
    elif kind == "truncated":
        (tmp / "m.keras").write_bytes(data[: len(data) // 2])
    elif kind == "text":
        (tmp / "m.keras").write_text("hello, not a model\n")
    elif kind == "hdf5_named_keras":
        with h5py.File(tmp / "m.keras", "w") as f:
            f["x"] = np.zeros(3)
    elif kind == "gzip_named_keras":
        (tmp / "m.keras").write_bytes(gzip.compress(b"x" * 100))
    elif kind == "zip_without_config":
        _rezip(good, tmp / "m.keras", drop=("config.json",))
    elif kind == "zip_without_weights":
        _rezip(good, tmp / "m.keras", drop=("model.weights.h5",))
    elif kind == "config_not_json":
        _rezip(good, tmp / "m.keras", replace={"config.json": b"{not json"})
    elif kind == "config_not_object":
        _rezip(good, tmp / "m.keras", replace={"config.json": b"[1, 2]"})
    elif kind == "weights_not_hdf5":
        _rezip(good, tmp / "m.keras", replace={"model.weights.h5": b"garbage" * 100})
    elif kind == "corrupt_member":
        _flip_member_byte(_rezip(good, tmp / "m.keras"), "model.weights.h5")
    elif kind == "unknown_class":
        replace = {"config.json": _config_with(good, class_name="BigGAN", registered_name="keras_gans>BigGAN")}
        _rezip(good, tmp / "m.keras", replace=replace)
    elif kind == "empty_folder":
        (tmp / "m").mkdir()
        return tmp / "m"
    elif kind == "run_folder":
        (tmp / "m").mkdir()
        shutil.copy(good, tmp / "m" / "model.keras")
        return tmp / "m"
    elif kind == "saved_model_folder":
        (tmp / "m").mkdir()
        (tmp / "m" / "saved_model.pb").write_bytes(b"")
        return tmp / "m"
    elif kind == "folder_without_weights":
        shutil.copytree(folder, tmp / "m")
        (tmp / "m" / "model.weights.h5").unlink()
        return tmp / "m"
    elif kind == "folder_config_not_json":
        shutil.copytree(folder, tmp / "m")
        (tmp / "m" / "config.json").write_text("{oops")
        return tmp / "m"
    elif kind == "folder_named_keras":
        shutil.copytree(folder, tmp / "m.keras")
    elif kind == "wrong_suffix":
        shutil.copy(good, tmp / "m.txt")
        return tmp / "m.txt"
    elif kind == "keras_zip_named_zip":
        shutil.copy(good, tmp / "m.zip")
        return tmp / "m.zip"
    elif kind == "weights_only_h5":
        with h5py.File(tmp / "m.h5", "w") as f:
            f["layers/dense/vars/0"] = np.zeros(3)
        return tmp / "m.h5"
    else:
        raise AssertionError(kind)
    return tmp / "m.keras"


DAMAGE = {
    "missing": "no such file or folder",
    "empty": "empty \\(0 bytes\\)",
    "truncated": "truncated or damaged .keras file .*cut short",
    "text": "not a .keras file: it is a text file",
    "hdf5_named_keras": "not a .keras file: it is an HDF5 file",
    "gzip_named_keras": "not a .keras file: it is a gzip file .*hub.load_gan",
    "zip_without_config": "not a Keras model: it has no config.json",
    "zip_without_weights": "has config.json but no model.weights.h5",
    "config_not_json": "config.json is not valid JSON \\(.* at line 1, column 2\\)",
    "config_not_object": "does not describe a Keras model",
    "weights_not_hdf5": "model.weights.h5 is not an HDF5 file",
    "corrupt_member": "'model.weights.h5' fails the CRC check",
    "unknown_class": "class 'BigGAN' .* not registered .*import keras_gans.*custom_objects",
    "empty_folder": "not a Keras model folder: it has no config.json; it holds nothing",
    "run_folder": "train` output folder: load .*model.keras",
    "saved_model_folder": "TensorFlow SavedModel .*tf.saved_model.load",
    "folder_without_weights": "has config.json but no model.weights.h5 .*weights are missing",
    "folder_config_not_json": "config.json in the folder is not valid JSON",
    "folder_named_keras": "ends in .keras: Keras reads such a name as a zip file",
    "wrong_suffix": "not a Keras model file \\(suffix '.txt'\\)",
    "keras_zip_named_zip": "rename it to .keras",
    "weights_only_h5": "an HDF5 weights file, not a model: .*load_weights",
}


@pytest.mark.parametrize("kind", sorted(DAMAGE))
def test_damaged_files_name_the_file_and_the_damage(kind, tiny, tmp_path):
    _, good, folder = tiny
    path = _make(kind, good, folder, tmp_path)
    with pytest.raises(ModelFileError, match=DAMAGE[kind]) as raised:
        load_model(path)
    assert isinstance(raised.value, ValueError)
    assert str(raised.value).startswith(str(path)) and raised.value.path == str(path)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("source", ["file", "folder"])
def test_good_files_load(tiny, source):
    gan, good, folder = tiny
    loaded = load_model(good if source == "file" else folder)
    np.testing.assert_array_equal(loaded.generate(3, seed=2), gan.generate(3, seed=2))


def test_custom_objects_resolve_an_unregistered_class(tiny, tmp_path):
    _, good, _ = tiny
    path = _rezip(good, tmp_path / "m.keras", replace={"config.json": _config_with(good, registered_name="mine>Mine")})
    with pytest.raises(ModelFileError, match="'DCGAN'"):
        load_model(path)
    assert isinstance(load_model(path, custom_objects={"mine>Mine": kg.DCGAN}), kg.DCGAN)


def test_a_keras_failure_after_the_checks_is_a_model_file_error(tiny, tmp_path):
    """Weights of another model under a valid config: Keras' own error, wrapped with the file's name."""
    _, good, _ = tiny
    other = kg.DCGAN(image_shape=(8, 8, 1), latent_dim=4, filters=8)
    other.save(tmp_path / "other.keras")
    weights = zipfile.ZipFile(tmp_path / "other.keras").read("model.weights.h5")
    path = _rezip(good, tmp_path / "m.keras", replace={"model.weights.h5": weights})
    with pytest.raises(ModelFileError, match="Keras could not load it") as raised:
        load_model(path)
    assert str(raised.value).startswith(str(path))


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("m.h5", "legacy HDF5 format .* not supported .*m.keras"),
        ("m.hdf5", "legacy HDF5 format"),
        ("m", "must end in .keras \\(got 'no suffix'\\)"),
        ("m.txt", "must end in .keras \\(got '.txt'\\)"),
        ("a_folder.keras", "it is a folder"),
        ("no_such_folder/m.keras", "no_such_folder does not exist"),
        ("a_file/m.keras", "a_file is a file, not a folder"),
    ],
)
def test_check_save_path_refuses_what_keras_cannot_write(name, message, tmp_path):
    (tmp_path / "a_folder.keras").mkdir()
    (tmp_path / "a_file").write_text("x")
    with pytest.raises(ModelFileError, match=message):
        check_save_path(tmp_path / name)


def test_check_save_path_accepts_a_keras_file(tmp_path):
    assert check_save_path(tmp_path / "m.keras") == str(tmp_path / "m.keras")
    (tmp_path / "m.keras").write_bytes(b"old")  # overwriting an existing file is fine
    assert check_save_path(str(tmp_path / "m.keras")) == str(tmp_path / "m.keras")
