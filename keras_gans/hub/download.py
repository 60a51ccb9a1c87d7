"""Downloads into the one keras_gans cache: atomic, hash-verified, with a progress bar and clear errors.

Every file lands in ``cache_dir()/downloads`` and every unpacked archive in ``cache_dir()/presets``. A download is
streamed into a temporary file in the same folder (so the final rename is atomic on one file system), hashed as it
arrives, checked against the expected size and sha256, and only then ``os.replace``-d into place; on any error,
Ctrl-C included, the temporary file is removed, so the cache never holds a half file. Archives are unpacked the
same way, into a temporary folder renamed into place.

``keras.utils.get_file`` is not used because it writes straight to the final path and leaves a file whose hash did
not match in the cache; Keras' ``Progbar`` is the progress bar.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

__all__ = [
    "ARCHIVE_SUFFIXES",
    "DownloadError",
    "HashMismatchError",
    "PresetError",
    "archive_stem",
    "cache_dir",
    "check_sha256",
    "download_file",
    "extract_archive",
    "file_sha256",
    "is_archive",
]

ARCHIVE_SUFFIXES = (".tar.gz", ".tgz", ".tar", ".zip")
_CHUNK = 1 << 16
_USER_AGENT = "keras-gans"


class PresetError(Exception):
    """Base class of the errors of :mod:`keras_gans.hub`."""


class DownloadError(PresetError, OSError):
    """A preset could not be fetched: offline, host unreachable, HTTP error, or an incomplete transfer."""


class HashMismatchError(PresetError, ValueError):
    """A downloaded file's sha256 is not the expected one (the file has been removed)."""


def check_sha256(value: object, where: str = "sha256") -> str | None:
    """``value`` as a lower-case 64-digit hex string (None stays None); ``ValueError`` naming ``where`` otherwise.

    An int is refused with the fix: an unquoted all-digit hash in YAML is read as a number.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str):
        hint = ' (in YAML, quote it: sha256: "0123...")' if isinstance(value, (int, float)) else ""
        raise ValueError(f"{where} must be a string of 64 hex digits, got {type(value).__name__} {value!r}{hint}")
    digest = value.strip().lower()
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        bad = sorted({c for c in digest if c not in "0123456789abcdef"})
        detail = f"{len(digest)} characters" if len(digest) != 64 else f"non-hex characters {bad}"
        raise ValueError(f"{where} must be 64 hex digits (the output of `sha256sum FILE`), got {value!r} ({detail})")
    return digest


def cache_dir() -> Path:
    """The cache folder: ``$KERAS_GANS_HOME``, else ``~/.keras/keras_gans`` (created on first use)."""
    path = Path(os.environ.get("KERAS_GANS_HOME") or Path.home() / ".keras" / "keras_gans").expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_sha256(path: str | os.PathLike) -> str:
    """The hex sha256 of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_archive(path: str | os.PathLike) -> bool:
    """Whether the name ends like a preset archive (``.tar.gz``, ``.tgz``, ``.tar``, ``.zip``)."""
    return str(path).lower().endswith(ARCHIVE_SUFFIXES)


def archive_stem(name: str) -> str:
    """A file name without its archive suffix: ``dcgan_digits.tar.gz`` -> ``dcgan_digits``."""
    for suffix in ARCHIVE_SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return name


def _cache_name(url: str, sha256: str | None) -> str:
    """A cache file name unique to the content (its hash) or, without one, to the URL."""
    basename = os.path.basename(urllib.parse.urlparse(url).path) or "download"
    key = sha256 or hashlib.sha256(url.encode()).hexdigest()
    return f"{key[:16]}-{basename}"


def download_file(
    url: str,
    sha256: str | None = None,
    *,
    force: bool = False,
    progress: bool = True,
    timeout: float = 30.0,
) -> Path:
    """Fetches ``url`` (``https://``, ``http://`` or ``file://``) into ``cache_dir()/downloads``; returns its path.

    A file already in the cache is returned without any request (after checking its hash when ``sha256`` is
    given). Raises :class:`DownloadError` when offline, unreachable, on HTTP errors or an incomplete transfer, and
    :class:`HashMismatchError` when the content's sha256 is not ``sha256``; nothing is left in the cache then.
    """
    sha256 = check_sha256(sha256)
    if not isinstance(url, str) or not url.startswith(("https://", "http://", "file://")):
        raise ValueError(f"download_file needs an https://, http:// or file:// URL, got {url!r}")
    folder = cache_dir() / "downloads"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / _cache_name(url, sha256)
    if target.exists() and not force:
        if sha256 is None or file_sha256(target) == sha256:
            return target
        target.unlink()  # a corrupted cache entry (should not happen): fetch it again
    fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "wb") as out:
            digest = _stream(url, out, progress, timeout)
        if sha256 is not None and digest != sha256:
            raise HashMismatchError(
                f"sha256 mismatch for {url}: expected {sha256}, got {digest}. The file was corrupted or changed on "
                "the server; it has been deleted. Check the registry entry (or the sha256= you passed) and retry."
            )
        os.replace(tmp_name, target)
    except BaseException:
        _remove(tmp_name)
        raise
    return target


def _stream(url: str, out, progress: bool, timeout: float) -> str:
    """Copies ``url`` into the open file ``out``; returns the content's sha256 hex digest."""
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    digest = hashlib.sha256()
    received = 0
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            bar = _progress_bar(url, total) if progress else None
            while True:
                chunk = response.read(_CHUNK)
                if not chunk:
                    break
                out.write(chunk)
                digest.update(chunk)
                received += len(chunk)
                if bar is not None:
                    bar.update(received if total is None else min(received, total))
    except urllib.error.HTTPError as e:
        raise DownloadError(f"Could not download {url}: HTTP {e.code} {e.reason}.") from e
    except urllib.error.URLError as e:
        raise DownloadError(
            f"Could not download {url}: {e.reason}. The host is unreachable or you are offline; bundled presets "
            "(keras_gans.hub.list_presets()) and local paths load without a network."
        ) from e
    except http.client.IncompleteRead as e:
        raise DownloadError(
            f"Could not download {url}: the connection closed after {received + len(e.partial)} bytes, before the "
            "end of the file. Nothing was kept in the cache; retry."
        ) from e
    except (TimeoutError, ConnectionError, http.client.HTTPException) as e:
        raise DownloadError(f"Could not download {url}: {type(e).__name__}: {e}. Nothing was kept; retry.") from e
    if total is not None and received != total:
        raise DownloadError(
            f"Could not download {url}: received {received} of {total} bytes (the connection closed early). "
            "Nothing was kept in the cache; retry."
        )
    return digest.hexdigest()


def _progress_bar(url: str, total: int | None):
    import keras

    print(f"Downloading {url}")
    return keras.utils.Progbar(total, unit_name="B")


def _remove(path: str | os.PathLike) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass


def extract_archive(archive: str | os.PathLike, destination: str | os.PathLike) -> Path:
    """Unpacks a ``.tar.gz``/``.tgz``/``.tar``/``.zip`` into ``destination`` (atomically); returns the folder.

    Members with absolute paths, ``..`` components or links are refused. An existing ``destination`` is reused
    as it is (it was made by an earlier, complete extraction).
    """
    destination = Path(destination)
    if destination.is_dir():
        return destination
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=destination.parent, prefix=".tmp-"))
    try:
        _unpack(Path(archive), tmp)
        try:
            os.replace(tmp, destination)
        except OSError:
            if not destination.is_dir():  # not a concurrent extraction that won the race
                raise
            shutil.rmtree(tmp, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return destination


def _unpack(archive: Path, folder: Path) -> None:
    try:
        if archive.name.lower().endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                for member in zf.infolist():
                    _check_member(member.filename, archive)
                zf.extractall(folder)
            return
        with tarfile.open(archive, "r:*") as tf:
            members = tf.getmembers()
            for member in members:
                _check_member(member.name, archive)
                if not (member.isfile() or member.isdir()):
                    raise PresetError(f"{archive} holds {member.name!r}, which is not a plain file or folder.")
            # The members were checked above; the "data" filter (Python >= 3.11.4) checks again and keeps 3.12+ quiet.
            extra = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}
            tf.extractall(folder, members=members, **extra)
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as e:
        raise PresetError(f"{archive} is not a readable archive ({type(e).__name__}: {e}).") from e


def _check_member(name: str, archive: Path) -> None:
    parts = Path(name).parts
    if name.startswith(("/", "\\")) or os.path.isabs(name) or ".." in parts:
        raise PresetError(f"{archive} holds an unsafe path {name!r}; refusing to unpack it.")
