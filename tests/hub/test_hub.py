"""keras_gans.hub: presets saved, packed, served from a local HTTP server, cached, verified and loaded."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import shutil
import socket
import sys
import tarfile
import threading
import types
import urllib.request
from pathlib import Path

import keras
import numpy as np
import pytest

import keras_gans as kg
from keras_gans import hub
from keras_gans.hub import download as download_lib
from keras_gans.hub import registry as registry_lib
from keras_gans.saving import ModelFileError

# ---------------------------------------------------------------------------------------------------------------
# Fixtures: two tiny models, their preset archives, and a local HTTP server


@pytest.fixture(scope="module")
def tiny_dcgan():
    gan = kg.DCGAN(image_shape=(8, 8, 1), latent_dim=8, filters=8, seed=3, ema_decay=0.9)
    gan.compile()
    return gan


@pytest.fixture(scope="module")
def tiny_cgan():
    gan = kg.CGAN(image_shape=(8, 8, 1), latent_dim=8, filters=8, num_classes=10, seed=4)
    gan.compile()
    return gan


@pytest.fixture(scope="module")
def archive(tiny_dcgan, tmp_path_factory) -> tuple[bytes, str]:
    """The tiny DCGAN as a .tar.gz preset: (bytes, sha256)."""
    path = hub.save_preset(tiny_dcgan, tmp_path_factory.mktemp("archive") / "tiny.tar.gz", {"dataset": "none"})
    data = path.read_bytes()
    return data, hashlib.sha256(data).hexdigest()


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch) -> Path:
    """A fresh cache and an empty registry for every test."""
    monkeypatch.setenv("KERAS_GANS_HOME", str(tmp_path / "home"))
    registry = tmp_path / "presets.yaml"
    registry.write_text("presets: {}\n")
    monkeypatch.setenv("KERAS_GANS_PRESET_REGISTRY", str(registry))
    monkeypatch.setattr(registry_lib, "_RUNTIME_ENTRIES", {})
    return tmp_path / "home"


class _Server:
    """Serves ``files`` (path -> bytes) on 127.0.0.1; ``/truncated/<name>`` announces the full length, sends half."""

    def __init__(self, files: dict[str, bytes]):
        self.files = files
        self.requests: list[str] = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                server.requests.append(self.path)
                truncated = self.path.startswith("/truncated/")
                data = server.files.get(self.path.removeprefix("/truncated"))
                if data is None:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2] if truncated else data)
                if truncated:
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def server(archive):
    srv = _Server({"/tiny.tar.gz": archive[0]})
    yield srv
    srv.close()


def _cache_files(home: Path) -> list[Path]:
    return sorted(p for p in home.rglob("*") if p.is_file()) if home.exists() else []


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------------------------------------------------------
# save_preset / load round trips


def test_save_and_load_folder_round_trip(tiny_dcgan, tmp_path):
    folder = hub.save_preset(tiny_dcgan, tmp_path / "mine", {"dataset": "digits", "metrics": {"fid": 1.25}})
    assert {"config.json", "model.weights.h5", "metadata.json", "README.md", "samples.png"} <= {
        p.name for p in folder.iterdir()
    }
    loaded = hub.load_gan(folder)
    assert type(loaded) is kg.DCGAN
    np.testing.assert_array_equal(loaded.generate(6, seed=7), tiny_dcgan.generate(6, seed=7))
    metadata = hub.load_metadata(folder)
    assert metadata["format"] == "keras_gans.preset" and metadata["format_version"] == 1
    assert metadata["name"] == "mine" and metadata["model_class"] == "DCGAN"
    assert metadata["image_shape"] == [8, 8, 1] and metadata["latent_dim"] == 8 and metadata["ema"] is True
    assert metadata["dataset"] == "digits" and metadata["metrics"] == {"fid": 1.25}
    assert metadata["keras_gans_version"] == kg.__version__ and "keras_version" in metadata
    assert "# mine" in (folder / "README.md").read_text()
    with pytest.raises(FileExistsError):
        hub.save_preset(tiny_dcgan, folder)


@pytest.mark.parametrize("suffix", [".tar.gz", ".zip"])
def test_archive_round_trip_conditional(tiny_cgan, tmp_path, suffix):
    path = hub.save_preset(tiny_cgan, tmp_path / f"cond{suffix}", samples=False)
    assert path.is_file()
    loaded = kg.CGAN.from_preset(str(path))
    labels = [0, 3, 9, 9]
    np.testing.assert_array_equal(loaded.generate(labels=labels, seed=1), tiny_cgan.generate(labels=labels, seed=1))
    generator = hub.load_generator(path)
    z = tiny_cgan.latents(4, seed=1)
    np.testing.assert_allclose(generator([z, np.array(labels)]).numpy(), tiny_cgan.generate(labels=labels, z=z))


def _weight_groups(path) -> set[str]:
    import h5py

    with h5py.File(path, "r") as f:
        return set(f)


def test_optimizer_state_kept_or_dropped(tmp_path, recwarn):
    gan = kg.DCGAN(image_shape=(8, 8, 1), latent_dim=8, filters=8, seed=9)
    gan.compile()
    gan.g_optimizer.iterations.assign(7)
    gan.step_counter.assign(7)  # training_steps is the model's step counter
    full = hub.save_preset(gan, tmp_path / "full", samples=False)
    light = hub.save_preset(gan, tmp_path / "light", samples=False, include_optimizer=False)
    assert hub.load_metadata(full)["training_steps"] == 7 and hub.load_metadata(light)["optimizer_state"] is False
    groups = {name: _weight_groups(folder / "model.weights.h5") for name, folder in (("full", full), ("light", light))}
    assert {"d_optimizer", "g_optimizer"} <= groups["full"] and not {"d_optimizer", "g_optimizer"} & groups["light"]
    assert groups["full"] - groups["light"] == {"d_optimizer", "g_optimizer"}  # the networks and the EMA copy stay
    assert (light / "model.weights.h5").stat().st_size < (full / "model.weights.h5").stat().st_size
    assert int(hub.load_gan(full).g_optimizer.iterations) == 7
    recwarn.clear()
    reloaded = hub.load_gan(light)
    assert reloaded.g_optimizer is not None and int(reloaded.g_optimizer.iterations) == 0
    assert not [w for w in recwarn if "optimizer" in str(w.message)]
    np.testing.assert_array_equal(reloaded.generate(4, seed=2), gan.generate(4, seed=2))


def test_from_preset_refuses_another_class(tiny_dcgan, tmp_path):
    folder = hub.save_preset(tiny_dcgan, tmp_path / "d", samples=False)
    assert isinstance(kg.GANModel.from_preset(str(folder)), kg.DCGAN)
    with pytest.raises(TypeError, match="not a CGAN"):
        kg.CGAN.from_preset(str(folder))


def test_keras_file_and_training_folder(tiny_dcgan, tmp_path):
    (tmp_path / "run").mkdir()
    tiny_dcgan.save(tmp_path / "run" / "model.keras")
    for source in (tmp_path / "run", tmp_path / "run" / "model.keras"):
        np.testing.assert_array_equal(hub.load_gan(source).generate(2, seed=0), tiny_dcgan.generate(2, seed=0))
    assert hub.load_metadata(tmp_path / "run") == {}


def test_file_url_and_local_archive_hash(archive, tmp_path, home):
    data, sha = archive
    path = tmp_path / "tiny.tar.gz"
    path.write_bytes(data)
    assert hub.load_gan(path.as_uri(), sha256=sha, progress=False).latent_dim == 8
    with pytest.raises(hub.HashMismatchError):
        hub.load_gan(path, sha256="0" * 64)


def test_unknown_name_lists_presets():
    with pytest.raises(hub.PresetNotFoundError, match="Known presets"):
        hub.load_gan("no_such_preset")


def test_a_non_preset_folder_named_like_a_preset(tmp_path, monkeypatch):
    (tmp_path / "dcgan_digits").mkdir()  # e.g. an empty run folder in the working directory
    monkeypatch.chdir(tmp_path)
    assert hub.load_metadata("dcgan_digits")["name"] == "dcgan_digits"
    (tmp_path / "not_a_preset").mkdir()
    with pytest.raises(hub.PresetError, match="not a preset"):
        hub.load_gan("not_a_preset")


def test_unsafe_archive_refused(tmp_path, home):
    path = tmp_path / "evil.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        info = tarfile.TarInfo("../evil.txt")
        info.size = 4
        tf.addfile(info, io.BytesIO(b"evil"))
    with pytest.raises(hub.PresetError, match="unsafe path"):
        hub.load_gan(path)
    assert not (tmp_path / "evil.txt").exists()
    assert not [p for p in _cache_files(home) if "evil.txt" in p.name]


# ---------------------------------------------------------------------------------------------------------------
# Downloads from a local HTTP server


def test_download_then_cache_hit(server, archive, tiny_dcgan, home):
    hub.register_preset("remote_tiny", server.url("/tiny.tar.gz"), archive[1], "the tiny DCGAN")
    assert hub.list_presets()["remote_tiny"]["source"] == server.url("/tiny.tar.gz")
    first = hub.load_gan("remote_tiny", progress=False)
    np.testing.assert_array_equal(first.generate(3, seed=5), tiny_dcgan.generate(3, seed=5))
    assert server.requests == ["/tiny.tar.gz"]
    second = hub.load_gan("remote_tiny", progress=False)
    np.testing.assert_array_equal(second.generate(3, seed=5), tiny_dcgan.generate(3, seed=5))
    assert len(server.requests) == 1  # the cache answered
    assert not [p for p in _cache_files(home) if p.name.startswith(".tmp-")]
    hub.download_file(server.url("/tiny.tar.gz"), archive[1], force=True, progress=True)  # with the progress bar
    assert len(server.requests) == 2


def test_registry_file_entry(server, archive, home, monkeypatch, tmp_path):
    registry = tmp_path / "presets.yaml"
    registry.write_text(
        f"presets:\n  from_yaml:\n    url: {server.url('/tiny.tar.gz')}\n    sha256: {archive[1]}\n"
        "    description: served locally\n"
    )
    assert hub.list_presets()["from_yaml"]["description"] == "served locally"
    assert hub.load_metadata("from_yaml", progress=False)["dataset"] == "none"
    registry.write_text("presets:\n  bad:\n    url: https://example.invalid/x.tar.gz\n")
    with pytest.warns(hub.RegistryWarning, match="presets.yaml:2: preset 'bad' needs the sha256"):
        assert "bad" not in hub.list_presets()


def test_hash_mismatch_removes_the_file(server, home):
    hub.register_preset("corrupt", server.url("/tiny.tar.gz"), "ab" * 32)
    with pytest.raises(hub.HashMismatchError, match="sha256 mismatch"):
        hub.load_gan("corrupt", progress=False)
    assert _cache_files(home) == []


def test_truncated_download_leaves_nothing(server, archive, home):
    with pytest.raises(hub.DownloadError, match="closed"):
        hub.download_file(server.url("/truncated/tiny.tar.gz"), archive[1], progress=False)
    with pytest.raises(hub.DownloadError):  # no hash known: the length check alone catches it
        hub.download_file(server.url("/truncated/tiny.tar.gz"), progress=False)
    assert _cache_files(home) == []


def test_http_error(server, home):
    with pytest.raises(hub.DownloadError, match="HTTP 404"):
        hub.load_gan(server.url("/missing.tar.gz"), progress=False)
    assert _cache_files(home) == []


def test_unreachable_host(home):
    url = f"http://127.0.0.1:{_closed_port()}/tiny.tar.gz"
    with pytest.raises(hub.DownloadError, match="unreachable or you are offline"):
        hub.load_gan(url, sha256="ab" * 32, progress=False)
    assert _cache_files(home) == []


def test_interrupted_download_leaves_nothing(server, archive, home, monkeypatch):
    def interrupted(url, out, progress, timeout):
        out.write(b"partial")
        raise KeyboardInterrupt

    monkeypatch.setattr(download_lib, "_stream", interrupted)
    with pytest.raises(KeyboardInterrupt):
        hub.download_file(server.url("/tiny.tar.gz"), archive[1], progress=False)
    assert _cache_files(home) == []


def test_hf_needs_huggingface_hub():
    pytest.importorskip("keras")
    try:
        import huggingface_hub  # noqa: F401

        pytest.skip("huggingface_hub is installed")
    except ImportError:
        pass
    with pytest.raises(ImportError, match="pip install huggingface_hub"):
        hub.load_gan("hf://keras-gans/dcgan_digits")


def test_hf_source_uses_snapshot_download(tiny_dcgan, tmp_path, home, monkeypatch):
    """hf://org/name goes through huggingface_hub.snapshot_download into the cache (a stand-in module here)."""
    folder = hub.save_preset(tiny_dcgan, tmp_path / "hf_repo", samples=False)
    calls = []

    def snapshot_download(repo_id, revision=None, cache_dir=None, **kwargs):
        calls.append((repo_id, revision, cache_dir))
        return str(folder)

    monkeypatch.setitem(sys.modules, "huggingface_hub", types.SimpleNamespace(snapshot_download=snapshot_download))
    loaded = hub.load_gan("hf://keras-gans/tiny@v1")
    np.testing.assert_array_equal(loaded.generate(2, seed=1), tiny_dcgan.generate(2, seed=1))
    assert calls == [("keras-gans/tiny", "v1", str(home / "huggingface"))]


# ---------------------------------------------------------------------------------------------------------------
# Bundled presets


@pytest.mark.parametrize("name", ["dcgan_digits", "cgan_digits"])
def test_bundled_presets_load_offline(name, monkeypatch):
    def offline(*args, **kwargs):
        raise AssertionError("a bundled preset must not touch the network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    presets = hub.list_presets()
    assert presets[name]["source"] == "bundled"
    gan = hub.load_gan(name)
    metadata = hub.load_metadata(name)
    assert metadata["dataset"].startswith("digits") and metadata["training_steps"] > 0
    assert np.isfinite(metadata["metrics"]["fid"])
    if gan.num_classes:
        images = gan.generate(labels=np.arange(10), seed=0)
    else:
        images = gan.generate(10, seed=0)
    assert images.shape == (10, *metadata["image_shape"])
    assert images.min() >= -1.0 and images.max() <= 1.0 and images.std() > 0.1
    size = sum(p.stat().st_size for p in Path(presets[name]["path"]).iterdir())
    assert size < 5 * 2**20


def test_shipped_registry_lists_the_bundled_presets(monkeypatch):
    monkeypatch.delenv("KERAS_GANS_PRESET_REGISTRY")
    monkeypatch.delenv("KERAS_GANS_CONFIGS", raising=False)
    path = registry_lib.registry_path()
    assert path is not None and path.name == "presets.yaml"
    presets = hub.list_presets()
    for name in ("dcgan_digits", "cgan_digits"):
        assert presets[name]["source"] == "bundled" and "zoo_configs" in presets[name]["description"]


# ---------------------------------------------------------------------------------------------------------------
# Damaged presets: the preset, the file and the damage are named (never Keras' UnboundLocalError or "File not found")


def _damage(folder: Path, kind: str) -> None:
    if kind == "no_weights":
        (folder / "model.weights.h5").unlink()
    elif kind == "no_config":
        (folder / "config.json").unlink()
    elif kind == "config_not_json":
        (folder / "config.json").write_text("{oops")
    elif kind == "weights_not_hdf5":
        (folder / "model.weights.h5").write_bytes(b"not hdf5" * 64)
    elif kind == "unknown_class":
        config = json.loads((folder / "config.json").read_text())
        config.update(class_name="BigGAN", registered_name="keras_gans>BigGAN")
        (folder / "config.json").write_text(json.dumps(config))


PRESET_DAMAGE = {
    "no_weights": "no model.weights.h5",
    "no_config": "no config.json .*config is missing",
    "config_not_json": "config.json in the folder is not valid JSON",
    "weights_not_hdf5": "model.weights.h5 is not an HDF5 file",
    "unknown_class": "class 'BigGAN'.*import keras_gans",
}


@pytest.fixture(scope="module")
def tiny_folder(tiny_dcgan, tmp_path_factory) -> Path:
    return hub.save_preset(tiny_dcgan, tmp_path_factory.mktemp("good") / "tiny", samples=False)


@pytest.mark.parametrize("kind", sorted(PRESET_DAMAGE))
def test_damaged_preset_folder(kind, tiny_folder, tmp_path):
    folder = tmp_path / "broken"
    shutil.copytree(tiny_folder, folder)
    _damage(folder, kind)
    with pytest.raises(hub.PresetFileError, match=PRESET_DAMAGE[kind]) as raised:
        hub.load_gan(folder)
    assert isinstance(raised.value, (hub.PresetError, ModelFileError, ValueError))
    assert str(folder) in str(raised.value)


@pytest.mark.parametrize("kind", ["no_weights", "config_not_json"])
def test_damaged_preset_archive_by_name(kind, tiny_folder, tmp_path, home):
    """A registry name whose archive holds a damaged preset: the error names the preset and points at the cache."""
    folder = tmp_path / "broken"
    shutil.copytree(tiny_folder, folder)
    _damage(folder, kind)
    archive = tmp_path / "broken.tar.gz"
    with tarfile.open(archive, "w:gz") as tf:
        tf.add(folder, "broken")
    hub.register_preset("broken_preset", archive.as_uri(), hashlib.sha256(archive.read_bytes()).hexdigest())
    with pytest.raises(hub.PresetFileError, match=PRESET_DAMAGE[kind]) as raised:
        hub.load_gan("broken_preset", progress=False)
    assert "'broken_preset'" in str(raised.value) and "force_download=True" in str(raised.value)


@pytest.mark.parametrize("cut", ["truncated", "text"])
def test_damaged_keras_file_preset(tiny_dcgan, tmp_path, cut):
    path = tmp_path / "m.keras"
    tiny_dcgan.save(path)
    path.write_bytes(path.read_bytes()[:1000] if cut == "truncated" else b"not a zip")
    expected = "truncated or damaged" if cut == "truncated" else "not a .keras file"
    with pytest.raises(hub.PresetFileError, match=expected):
        hub.load_gan(path)


def test_preset_without_metadata_still_loads(tiny_folder, tmp_path):
    folder = tmp_path / "no_meta"
    shutil.copytree(tiny_folder, folder)
    (folder / "metadata.json").unlink()
    assert isinstance(hub.load_gan(folder), kg.DCGAN)
    with pytest.raises(hub.PresetError, match="has no metadata.json"):
        hub.load_metadata(folder)
    (folder / "metadata.json").write_text("{oops")
    with pytest.raises(hub.PresetError, match="metadata.json is not valid JSON"):
        hub.load_metadata(folder)


# ---------------------------------------------------------------------------------------------------------------
# A broken registry never hides the bundled presets


REGISTRY_FILE_ERRORS = {
    "yaml_syntax": ("presets:\n  a:\n    url: [x\n", r"presets.yaml:\d+: YAML error"),
    "tab_indent": ("presets:\n\ta: {}\n", r"presets.yaml:2: YAML error"),
    "duplicate_name": (
        "presets:\n  a:\n    bundled: true\n  a:\n    bundled: true\n",
        r"presets.yaml:4: YAML error .*'a' twice \(first at line 2\)",
    ),
    "not_a_mapping": ("- a\n- b\n", "must be a mapping with a 'presets' key"),
    "unknown_top_key": ("preset:\n  a: {}\n", r"unknown top-level key\(s\) \['preset'\] \(did you mean 'presets'\?\)"),
    "presets_not_a_mapping": ("presets: [a, b]\n", "'presets' must map names to entries"),
    "missing_file": (None, "does not exist"),
    "not_utf8": (b"presets:\n  a: \xff\xfe\n", "cannot be read"),
}


@pytest.mark.parametrize("kind", sorted(REGISTRY_FILE_ERRORS))
def test_broken_registry_file_is_skipped_with_a_warning(kind, tmp_path, monkeypatch):
    text, message = REGISTRY_FILE_ERRORS[kind]
    registry = tmp_path / "presets.yaml"
    if text is None:
        registry.unlink()
    elif isinstance(text, bytes):
        registry.write_bytes(text)
    else:
        registry.write_text(text)
    with pytest.warns(hub.RegistryWarning, match=message):
        presets = hub.list_presets()
    assert {"dcgan_digits", "cgan_digits"} <= set(presets)
    with pytest.warns(hub.RegistryWarning):
        assert hub.resolve_preset("dcgan_digits") == Path(presets["dcgan_digits"]["path"])
    with pytest.warns(hub.RegistryWarning), pytest.raises(hub.PresetNotFoundError, match="registry was skipped"):
        hub.resolve_preset("a")


GOOD_SHA = "ab" * 32
ENTRY_ERRORS = {
    "unknown_key": ("urll: https://e.org/a.tgz", r"unknown key\(s\) \['urll'\] \(did you mean 'url'\?\)"),
    "no_url": ("description: nothing else", "needs a url"),
    "bad_scheme": (f"url: ftp://e.org/a.tgz\n    sha256: {GOOD_SHA}", "url must start with https://"),
    "no_sha256": ("url: https://e.org/a.tgz", "needs the sha256"),
    "short_sha256": ("url: https://e.org/a.tgz\n    sha256: abc123", r"64 hex digits .*\(6 characters\)"),
    "non_hex_sha256": (f"url: https://e.org/a.tgz\n    sha256: {'z' * 64}", r"non-hex characters \['z'\]"),
    "bundled_not_bool": ("bundled: maybe", "bundled must be true or false"),
    "description_list": (f"url: https://e.org/a.tgz\n    sha256: {GOOD_SHA}\n    description: [a]", "description"),
}


@pytest.mark.parametrize("kind", sorted(ENTRY_ERRORS))
def test_bad_registry_entry_is_skipped_and_explained(kind, tmp_path):
    body, message = ENTRY_ERRORS[kind]
    registry = tmp_path / "presets.yaml"
    registry.write_text(
        f"presets:\n  good:\n    url: https://e.org/good.tgz\n    sha256: {GOOD_SHA}\n  bad:\n    {body}\n"
    )
    with pytest.warns(hub.RegistryWarning, match=f"presets.yaml:5: preset 'bad'.*{message}"):
        presets = hub.list_presets()
    assert "good" in presets and "bad" not in presets and "dcgan_digits" in presets
    with pytest.warns(hub.RegistryWarning), pytest.raises(hub.PresetError, match=f"'bad' cannot be used: .*{message}"):
        hub.load_gan("bad")


@pytest.mark.parametrize("entry", ["https://e.org/a.tgz", "", "[1, 2]"])
def test_registry_entry_that_is_not_a_mapping(entry, tmp_path):
    (tmp_path / "presets.yaml").write_text(f"presets:\n  bad: {entry}\n")
    with pytest.warns(hub.RegistryWarning, match="preset 'bad' (must be a mapping|is empty)"):
        assert "bad" not in hub.list_presets()


@pytest.mark.parametrize(
    "digest",
    [
        "1234567890123456789012345678901234567890123456789012345678901234",  # an int for YAML's safe loader
        "0123456701234567012345670123456701234567012345670123456701234567",  # an octal int for it
        "1e10000000000000000000000000000000000000000000000000000000000000",  # hex that reads like a float
    ],
)
def test_unquoted_all_digit_sha256_stays_a_string(digest, tmp_path):
    (tmp_path / "presets.yaml").write_text(f"presets:\n  digits:\n    url: https://e.org/d.tgz\n    sha256: {digest}\n")
    assert registry_lib.registry_entry("digits")["sha256"] == digest


@pytest.mark.parametrize(
    ("sha256", "message"),
    [
        (1234, "must be a string of 64 hex digits, got int .*quote it"),
        ("abc", r"\(3 characters\)"),
        ("g" * 64, "non-hex"),
    ],
)
def test_bad_sha256_arguments_are_refused(sha256, message, tmp_path):
    with pytest.raises(ValueError, match=message):
        hub.register_preset("x", "https://e.org/x.tgz", sha256)
    with pytest.raises(ValueError, match=message):
        hub.download_file("https://e.org/x.tgz", sha256)
    path = tmp_path / "x.tar.gz"
    path.write_bytes(b"x")
    with pytest.raises(ValueError, match=message):
        hub.load_gan(path, sha256=sha256)


def test_register_preset_refuses_bad_urls():
    with pytest.raises(ValueError, match="url must start with"):
        hub.register_preset("x", "e.org/x.tgz", GOOD_SHA)
    with pytest.raises(ValueError, match="needs the sha256"):
        hub.register_preset("x", "https://e.org/x.tgz")
    hub.register_preset("x", "hf://org/x")  # the Hub checks its own files


# ---------------------------------------------------------------------------------------------------------------
# save_preset: only folders and .tar.gz/.tgz/.zip


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("x.rar", "cannot write a preset as '.rar'"),
        ("x.7z", "cannot write a preset as '.7z'"),
        ("x.tar", "cannot write a preset as '.tar'"),
        ("x.tar.bz2", "cannot write a preset as '.bz2'"),
        ("m.keras", r"not a .keras file; .*gan.save\("),
        ("m.h5", "cannot write a preset as '.h5'"),
        (".zip", "needs a name before its suffix"),
    ],
)
def test_save_preset_refuses_other_suffixes(name, message, tiny_dcgan, tmp_path):
    (tmp_path / "out").mkdir()
    with pytest.raises(ValueError, match=message):
        hub.save_preset(tiny_dcgan, tmp_path / "out" / name, samples=False)
    assert list((tmp_path / "out").iterdir()) == []  # nothing written, not even a temporary folder


@pytest.mark.parametrize(
    ("metadata", "error", "message"),
    [
        ({"name": "../escape"}, ValueError, "plain folder name"),
        ({"name": "a/b"}, ValueError, "plain folder name"),
        ({"name": "  "}, ValueError, "must be a non-empty string"),
        (["not", "a", "dict"], TypeError, "metadata must be a dict"),
    ],
)
def test_save_preset_refuses_bad_names_and_metadata(metadata, error, message, tiny_dcgan, tmp_path):
    (tmp_path / "out").mkdir()
    with pytest.raises(error, match=message):
        hub.save_preset(tiny_dcgan, tmp_path / "out" / "p", metadata, samples=False)
    assert list((tmp_path / "out").iterdir()) == []


def test_save_preset_accepts_folders_with_dots_in_versions(tiny_dcgan, tmp_path):
    assert hub.save_preset(tiny_dcgan, tmp_path / "dcgan_v1.2", samples=False).is_dir()
    with pytest.raises(TypeError, match="takes a keras_gans model .* got Sequential"):
        hub.save_preset(keras.Sequential([keras.layers.Dense(1)]), tmp_path / "x")
