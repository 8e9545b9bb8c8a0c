"""Helpers for hostile-file tests: valid archives to start from, raw ZIP writing, payloads, and a
guard that records anything a load must never do (run code, unpickle, connect, write files).

The guard is a `sys.addaudithook` hook (installed once per process, active only inside
`no_side_effects`): CPython raises audit events for `marshal.loads`, `pickle.find_class`,
`os.system`, `subprocess.Popen`, sockets and every `open`, so a payload that would run code,
unpickle or touch a file is caught even when its own sentinel file is never written.
"""

import base64
import contextlib
import io
import json
import marshal
import os
import pickle
import struct
import sys
import types
import zipfile
import zlib

import h5py
import pytest
import torch

import torchkeras as keras
from torchkeras.saving import api
from torchkeras.saving.keras_file import save_keras_file

FORBIDDEN_EVENTS = {
    "os.system", "subprocess.Popen", "os.exec", "os.posix_spawn", "os.spawn", "os.fork",
    "os.forkpty", "pty.spawn", "marshal.loads", "marshal.load", "pickle.find_class",
    "socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "urllib.Request",
    "webbrowser.open", "os.remove", "os.rename", "os.rmdir", "os.mkdir", "os.symlink",
    "os.link", "os.truncate", "os.chmod", "shutil.rmtree", "shutil.copyfile", "shutil.move",
    "exec", "ctypes.dlopen",
}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND
_recorder = {"active": False, "events": [], "opened": []}


def _audit(event, args):
    if not _recorder["active"]:
        return
    if event in FORBIDDEN_EVENTS:
        _recorder["events"].append((event, repr(args)[:200]))
    elif event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        path, mode, flags = args
        _recorder["opened"].append(os.fsdecode(path))
        writing = any(c in mode for c in "wax+") if isinstance(mode, str) else flags & _WRITE_FLAGS
        if writing:
            _recorder["events"].append(("open for writing", os.fsdecode(path)))


sys.addaudithook(_audit)


def load(path, **kwargs):
    """The public `load_model` once wired into `keras.models`, else `saving.api.load_model`."""
    loader = getattr(keras.models, "load_model", None) or api.load_model
    return loader(path, **kwargs)


def _snapshot(root):
    found = {}
    for folder, _, files in os.walk(root):
        for name in files:
            full = os.path.join(folder, name)
            st = os.lstat(full)
            found[os.path.relpath(full, root)] = (st.st_size, st.st_mtime_ns)
    return found


@contextlib.contextmanager
def no_side_effects(root, forbidden_paths=()):
    """Asserts the block ran no code from a file: no forbidden audit event, no write anywhere,
    no file opened among `forbidden_paths`, and the tree under `root` unchanged."""
    before = _snapshot(root)
    _recorder.update(active=True, events=[], opened=[])
    try:
        yield
    finally:
        _recorder["active"] = False
    assert _recorder["events"] == [], f"loading did something it must not: {_recorder['events']}"
    touched = set(_recorder["opened"]) & {os.fspath(p) for p in forbidden_paths}
    assert not touched, f"loading opened {touched}"
    assert _snapshot(root) == before, "loading changed files under the test directory"


# ---- valid files to start from -------------------------------------------------------------
def small_model(compiled=True):
    model = keras.Sequential(
        [keras.Input((4,)), keras.layers.Dense(3, activation="relu"), keras.layers.Dense(2)]
    )
    if compiled:
        model.compile(optimizer="adam", loss="mse")
    return model


def save_valid(path, model=None):
    save_keras_file(model if model is not None else small_model(), path)
    return path


def read_members(path):
    with zipfile.ZipFile(path) as archive:
        return [(info, archive.read(info)) for info in archive.infolist()]


def write_members(path, members, compression=zipfile.ZIP_STORED):
    """Writes `[(name or ZipInfo, bytes)]` as a well-formed archive (correct sizes and CRCs)."""
    with zipfile.ZipFile(path, "w", compression=compression) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return path


def rewrite(source, target, config=None, replace=None, extra=()):
    """Copies `source` to `target`, editing config.json with `config(dict)` (in place or
    returning a new one), replacing members by `replace={name: bytes}` and adding `extra`."""
    members = []
    for info, data in read_members(source):
        if info.filename == "config.json" and config is not None:
            parsed = json.loads(data)
            parsed = config(parsed) or parsed
            data = json.dumps(parsed).encode()
        if replace and info.filename in replace:
            data = replace[info.filename]
        members.append((info.filename, data))
    return write_members(target, members + list(extra))


def raw_zip(entries):
    """An archive built byte by byte, so sizes, CRCs, modes and offsets can lie.

    Each entry is a dict: `name`, `data` (bytes as stored), and optionally `method`, `crc`,
    `csize`, `usize`, `mode` (unix mode bits) and `alias` (index of an earlier entry whose
    local record this central-directory entry reuses: one data record under two names).
    """
    body, central, offsets = bytearray(), bytearray(), []
    for entry in entries:
        name = entry["name"].encode()
        data = entry.get("data", b"")
        method = entry.get("method", zipfile.ZIP_STORED)
        crc = entry.get("crc", zlib.crc32(data))
        csize = entry.get("csize", len(data))
        usize = entry.get("usize", len(data))
        extra = b""
        if max(csize, usize) >= 0xFFFFFFFF:  # ZIP64: the real sizes go in an extra field
            extra = struct.pack("<2H2Q", 1, 16, usize, csize)
            csize = usize = 0xFFFFFFFF
        if "alias" in entry:
            offset = offsets[entry["alias"]]
        else:
            offset = len(body)
            body += struct.pack("<4s5H3L2H", b"PK\x03\x04", 45, 0, method, 0, 33, crc, csize,
                                usize, len(name), len(extra)) + name + extra + data
        offsets.append(offset)
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 0x032D, 45, 0, method, 0, 33, crc,
                               csize, usize, len(name), len(extra), 0, 0, 0,
                               entry.get("mode", 0o100644) << 16, offset) + name + extra
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central),
                      len(body), 0)
    return bytes(body + central + end)


def deflate(data_chunks):
    """A raw deflate stream (as stored in a ZIP member) of the concatenated chunks."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    parts = [compressor.compress(chunk) for chunk in data_chunks]
    return b"".join(parts) + compressor.flush()


def dense_entry(config, index=1):
    """The config of a saved Sequential's `index`-th layer entry (0 is the InputLayer)."""
    return config["config"]["layers"][index]


def refused(root, path, match, forbidden=(), **kwargs):
    with no_side_effects(root, forbidden):
        with pytest.raises(ValueError, match=match) as info:
            load(path, **kwargs)
    return info.value


def edit_weights(source, target, edit, layer="dense"):
    """Rewrites the archive with `edit(vars_group)` applied after deleting dataset `0`."""
    members = {info.filename: data for info, data in read_members(source)}
    h5_path = target.with_suffix(".weights.h5")
    h5_path.write_bytes(members["model.weights.h5"])
    with h5py.File(h5_path, "r+") as h5:
        group = h5[f"layers/{layer}/vars"]
        del group["0"]
        edit(group)
    members["model.weights.h5"] = h5_path.read_bytes()
    h5_path.unlink()
    return write_members(target, list(members.items()))


# ---- payloads (each proven live by `run_like_keras` in test_attacks) -----------------------
def bytecode_payload(sentinel):
    """Keras' lambda form; its code creates `sentinel` when Keras decodes and calls it."""
    module = compile(f"lambda x: (open({os.fspath(sentinel)!r}, 'w').close(), x)[1]", "p", "eval")
    code = next(c for c in module.co_consts if isinstance(c, types.CodeType))
    encoded = base64.encodebytes(marshal.dumps(code)).decode("ascii")
    return {"class_name": "__lambda__", "config": {"code": encoded, "defaults": None,
                                                   "closure": None}}


def run_like_keras(function_config):
    """What Keras does with `safe_mode=False`: decode the bytecode and call the function."""
    code = marshal.loads(base64.decodebytes(function_config["config"]["code"].encode("ascii")))
    return types.FunctionType(code, {"__builtins__": __builtins__})(1)


class _Creates:
    def __init__(self, path):
        self.path = os.fspath(path)

    def __reduce__(self):  # unpickling calls open(path, "w"): creates the sentinel
        return (open, (self.path, "w"))


def pickle_payload(sentinel):
    return pickle.dumps(_Creates(sentinel))


def torch_save_payload(sentinel):
    """What Keras' TorchModuleWrapper writes: `torch.save` bytes, base64 in the config."""
    buffer = io.BytesIO()
    torch.save(_Creates(sentinel), buffer)
    return buffer.getvalue()


def b64(data):
    return base64.b64encode(data).decode("ascii")
