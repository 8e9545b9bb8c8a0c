"""atomic_write: write a file in full or not at all (temporary file, fsync, rename)."""

import contextlib
import os
import secrets


@contextlib.contextmanager
def atomic_write(path, mode="wb"):
    """Opens a temporary file beside `path`; on success it replaces `path` in one rename.

    The temporary file lives in the target's directory (so `os.replace` is atomic), is
    flushed and fsynced before the rename, and is removed if the block raises, leaving any
    previous file at `path` untouched. It is created with the usual `0o666 & ~umask` mode.

    Args:
        path: Destination file path (str or `os.PathLike`).
        mode: A writing mode for `open`: "w", "wb", "w+b", ... (text modes use UTF-8).

    Yields:
        The open temporary file object.
    """
    if not isinstance(mode, str) or not mode.startswith("w"):
        raise ValueError(f"atomic_write needs a mode starting with 'w', got mode={mode!r}.")
    path = os.fspath(path)
    directory, base = os.path.split(os.path.abspath(path))
    temp = os.path.join(directory, f".{base}.{secrets.token_hex(8)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        encoding = None if "b" in mode else "utf-8"
        with os.fdopen(fd, mode, encoding=encoding) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(temp)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory):
    """Makes the rename durable where the platform allows opening directories (POSIX)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
