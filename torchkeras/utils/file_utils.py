"""`get_file`: fetch a file into Keras' cache (`~/.keras/<cache_subdir>`), verify it, extract it.

The cache layout is Keras' own, so files a Keras user already downloaded are found and not
fetched again. Downloads go to a temporary name and are renamed only once complete and
verified; archives are extracted only when every member stays inside the target folder.
"""

import hashlib
import os
import shutil
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile

from torchkeras.utils.atomic_io import atomic_write

_CHUNK = 1 << 20


def keras_home():
    """Keras' cache root: `$KERAS_HOME`, else `~/.keras`."""
    return os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")


def _hasher(algorithm, file_hash):
    if algorithm == "auto":
        algorithm = "sha256" if file_hash and len(file_hash) == 64 else "md5"
    if algorithm not in ("sha256", "md5"):
        raise ValueError(f"`hash_algorithm` must be 'sha256', 'md5' or 'auto', got {algorithm!r}.")
    return hashlib.new(algorithm)


def validate_file(fpath, file_hash, algorithm="auto", chunk_size=65535):
    """Whether the file at `fpath` has the sha256 or md5 digest `file_hash`."""
    hasher = _hasher(algorithm, file_hash)
    with open(fpath, "rb") as file:
        for chunk in iter(lambda: file.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest() == str(file_hash)


def _targets(datadir, fname, provided, extract):
    """`(download path, extraction folder or None)`, named as Keras names them."""
    if not extract:
        return os.path.join(datadir, fname), None
    if provided and "." in fname:
        stem = fname[: fname.find(".")]
        return os.path.join(datadir, fname), os.path.join(datadir, f"{stem}_extracted")
    return os.path.join(datadir, f"{fname}_archive"), os.path.join(datadir, fname)


def _download(origin, target):
    """Streams `origin` into `target` atomically; a clear error when it cannot be reached."""
    try:
        with urllib.request.urlopen(origin, timeout=60) as response, atomic_write(target) as out:
            shutil.copyfileobj(response, out, _CHUNK)
    except (urllib.error.URLError, OSError) as error:
        raise OSError(
            f"Could not download {origin!r} ({error}). If this machine is offline, copy the "
            f"file to {target!r} (Keras' cache, shared with Keras) and call again."
        ) from error


def _inside(root, member_name):
    destination = os.path.realpath(os.path.join(root, member_name))
    return os.path.commonpath([os.path.realpath(root), destination]) == os.path.realpath(root)


def _safe_tar_members(archive, root):
    for member in archive.getmembers():
        if member.issym() or member.islnk() or member.isdev() or not _inside(root, member.name):
            raise ValueError(f"Refusing to extract {member.name!r}: it would leave {root!r}.")
        yield member


def extract_archive(file_path, path=".", archive_format="auto"):
    """Extracts a tar or zip archive into `path`; refuses members that would land outside it.

    Returns True when the file was an archive of an accepted format and was extracted.
    """
    named = {"auto": ("tar", "zip"), "tar": ("tar",), "zip": ("zip",), None: ()}
    kinds = archive_format if isinstance(archive_format, (list, tuple)) else named[archive_format]
    for kind in kinds:
        if kind == "tar" and tarfile.is_tarfile(file_path):
            with tarfile.open(file_path) as archive:
                archive.extractall(path, members=list(_safe_tar_members(archive, path)))
            return True
        if kind == "zip" and zipfile.is_zipfile(file_path):
            with zipfile.ZipFile(file_path) as archive:
                for name in archive.namelist():
                    if not _inside(path, name):
                        raise ValueError(f"Refusing to extract {name!r}: it would leave {path!r}.")
                archive.extractall(path)
            return True
    return False


def get_file(
    fname=None,
    origin=None,
    untar=False,
    md5_hash=None,
    file_hash=None,
    cache_subdir="datasets",
    hash_algorithm="auto",
    extract=False,
    archive_format="auto",
    cache_dir=None,
    force_download=False,
):
    """Returns the local path of `origin`'s file, downloading it into the cache when missing.

    Args:
        fname: File name in the cache (default: the last part of `origin`'s path); no folders.
        origin: URL of the file.
        untar: Deprecated form of `extract=True` for tar archives.
        md5_hash: Deprecated form of `file_hash` with an md5 digest.
        file_hash: Expected sha256 or md5 digest; a cached file that differs is fetched again.
        cache_subdir: Sub-folder of the cache (may be absolute).
        hash_algorithm: 'sha256', 'md5' or 'auto' (by the digest's length).
        extract: Whether to extract the archive; then the extraction folder is returned.
        archive_format: 'auto', 'tar', 'zip' or None.
        cache_dir: Cache root (default `$KERAS_HOME` or `~/.keras`).
        force_download: Fetch again even when cached.
    """
    if origin is None:
        raise ValueError('Please specify the "origin" argument (URL of the file to download).')
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    base = os.path.expanduser(cache_dir or keras_home())
    if not os.access(base, os.W_OK) and os.path.exists(base):
        base = os.path.join(tempfile.gettempdir(), ".keras")
    datadir = os.path.join(base, cache_subdir)
    os.makedirs(datadir, exist_ok=True)
    provided = bool(fname)
    fname = os.fspath(fname) if fname else os.path.basename(urllib.parse.urlsplit(origin).path)
    if not fname:
        raise ValueError(f"Can't parse the file name from the origin {origin!r}: pass `fname`.")
    if os.sep in fname or (os.altsep and os.altsep in fname):
        raise ValueError(
            f"`fname` must be a file name, not a path: got fname={fname!r}. "
            "Use `cache_dir`/`cache_subdir` to choose the folder."
        )
    target, extraction_dir = _targets(datadir, fname, provided, extract or untar)
    cached = os.path.exists(target) and not force_download
    stale = cached and file_hash is not None and not validate_file(target, file_hash, hash_algorithm)
    if not cached or stale:
        _download(origin, target)
        if file_hash is not None and not validate_file(target, file_hash, hash_algorithm):
            os.remove(target)
            raise ValueError(
                f"Incomplete or corrupted file downloaded from {origin!r}: its hash does not "
                f"match {file_hash}."
            )
    if extraction_dir is None:
        return target
    if not os.path.isdir(extraction_dir) or not cached:
        extract_archive(target, extraction_dir, "tar" if untar else archive_format)
    return extraction_dir
