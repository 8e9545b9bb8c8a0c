"""Hostile `.keras` containers: unsafe ZIP paths, links and bombs; HDF5 links, external data and
shape bombs; truncated and corrupted archives (KERAS_NOTES §3; code in configs is in
`test_attacks.py`). Each refusal is a `ValueError`, runs nothing, writes nothing, and memory
stays bounded.
"""

import os
import resource
import time
import tracemalloc
import zipfile
import zlib

import h5py
import numpy as np
import pytest

from tests.saving.attack_helpers import (
    dense_entry,
    deflate,
    edit_weights,
    load,
    no_side_effects,
    raw_zip,
    read_members,
    refused,
    rewrite,
    write_members,
)


# ---- CVE-2026-12479: `../` in names; unsafe member paths, links ------------------------------
@pytest.mark.parametrize("name", ["../../escaped", "/tmp/absolute", "..", "a/../../b"])
def test_traversal_in_layer_names_writes_nothing(tmp_path, good, name):
    def inject(config):
        dense_entry(config)["config"]["name"] = name

    bad = rewrite(good, tmp_path / "bad.keras", config=inject)
    with no_side_effects(tmp_path.parent):
        try:
            model = load(bad)
        except ValueError:
            return
    assert model.layers[0].name == name  # only a string: nothing was written under it


@pytest.mark.parametrize(
    "name, match",
    [
        ("../escape.txt", "unexpected member"),
        ("/etc/passwd", "unexpected member"),
        ("assets/../../escape.txt", "unsafe path"),
        ("assets/./../x", "unsafe path"),
        ("assets\\..\\..\\x", "unexpected member"),
        ("assets/..\\..\\x", "unsafe path"),
        ("C:/windows/x", "unexpected member"),
    ],
)
def test_unsafe_member_paths_arerefused(tmp_path, good, name, match):
    bad = rewrite(good, tmp_path / "bad.keras", extra=[(name, b"x")])
    refused(tmp_path.parent, bad, match)


@pytest.mark.parametrize(
    "mode, match",
    [
        (0o120777, "symbolic link"),
        (0o020644, "not a regular file"),  # character device
        (0o010644, "not a regular file"),  # fifo
        (0o140644, "not a regular file"),  # socket
        (0o060644, "not a regular file"),  # block device
    ],
)
@pytest.mark.parametrize("member", ["assets/link", "config.json"])
def test_links_and_special_files_arerefused(tmp_path, good, mode, match, member):
    members = [(info.filename, data) for info, data in read_members(good)]
    entries = [{"name": name, "data": data} for name, data in members if name != member]
    target = b"/etc/passwd" if member != "config.json" else members[1][1]
    entries.append({"name": member, "data": target, "mode": mode})
    bad = tmp_path / "bad.keras"
    bad.write_bytes(raw_zip(entries))
    refused(tmp_path.parent, bad, match)


def test_hard_link_style_aliases_and_duplicates_arerefused(tmp_path, good):
    """ZIP has no hard links; the equivalent is one data record listed under two names."""
    members = [{"name": info.filename, "data": data} for info, data in read_members(good)]
    alias = {**members[1], "name": "assets/alias", "alias": 1}
    bad = tmp_path / "alias.keras"
    bad.write_bytes(raw_zip(members + [alias]))
    refused(tmp_path, bad, "overlap")
    config = next(m for m in members if m["name"] == "config.json")
    evil = {"name": "config.json", "data": b'{"class_name": "Evil"}'}
    duplicate = tmp_path / "duplicate.keras"
    duplicate.write_bytes(raw_zip([config, *[m for m in members if m is not config], evil]))
    refused(tmp_path, duplicate, "twice")


# ---- zip bombs -------------------------------------------------------------------------------
def _peak_traced(function):
    tracemalloc.start()
    try:
        function()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def test_high_ratio_member_is_refused_before_inflating(tmp_path, good):
    members = [(info.filename, data) for info, data in read_members(good)]
    bomb = write_members(tmp_path / "bomb.keras",
                         members + [("assets/zeros", b"\0" * 20_000_000)], zipfile.ZIP_DEFLATED)
    peak = _peak_traced(lambda: refused(tmp_path, bomb, "zip bomb"))
    assert peak < 8 * 2**20


@pytest.mark.parametrize("member", ["config.json", "model.weights.h5", "assets/big"])
@pytest.mark.parametrize(
    "csize, usize",
    [(None, 10 * 2**30), (10 * 2**30, 10 * 2**30), (0, 2**20), (2**32 - 2, 2**32 - 2),
     (2**40, 2**40)],
)
def test_declared_huge_sizes_fail_fast(tmp_path, good, member, csize, usize):
    members = {info.filename: data for info, data in read_members(good)}
    data = members.pop(member, b"x" * 1000)
    entries = [{"name": n, "data": d} for n, d in members.items()]
    entries.append({"name": member, "data": data, "csize": len(data) if csize is None else csize,
                    "usize": usize})
    bad = tmp_path / "huge.keras"
    bad.write_bytes(raw_zip(entries))
    start = time.perf_counter()
    peak = _peak_traced(lambda: refused(tmp_path, bad, "zip bomb|past the end"))
    assert time.perf_counter() - start < 2 and peak < 8 * 2**20


def test_lying_deflate_stream_is_inflated_in_bounded_steps(tmp_path, good):
    """Sizes in the headers look sane, but the stream inflates to 256 MiB: read in chunks,
    only the declared bytes are ever produced."""
    members = {info.filename: data for info, data in read_members(good)}
    weights = members.pop("model.weights.h5")
    stream = deflate([weights] + [b"\0" * 2**20] * 256)
    entries = [{"name": n, "data": d} for n, d in members.items()]
    entries.append({"name": "model.weights.h5", "data": stream, "method": zipfile.ZIP_DEFLATED,
                    "usize": len(weights), "crc": zlib.crc32(weights)})
    bad = tmp_path / "lying.keras"
    bad.write_bytes(raw_zip(entries))
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with no_side_effects(tmp_path):
        peak = _peak_traced(lambda: load(bad))  # the declared bytes are a valid file
    assert peak < 32 * 2**20
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before < 128 * 2**10  # KiB


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_other_compressions_arerefused(tmp_path, good, method):
    members = [(info.filename, data) for info, data in read_members(good)]
    bad = write_members(tmp_path / "bad.keras", members, compression=method)
    refused(tmp_path, bad, "compression method")


def test_encrypted_member_isrefused(tmp_path, good):
    members = [{"name": info.filename, "data": data} for info, data in read_members(good)]
    raw = bytearray(raw_zip(members))
    central = raw.find(b"PK\x01\x02")
    raw[central + 8] |= 1  # general-purpose flag bit 0: encrypted
    bad = tmp_path / "bad.keras"
    bad.write_bytes(bytes(raw))
    refused(tmp_path, bad, "encrypted or patched")


# ---- HDF5 inside the archive: links, external data, shape bombs ------------------------------
def _other_h5(tmp_path):
    secret = tmp_path / "secret.h5"
    with h5py.File(secret, "w") as other:
        other["data"] = np.full((4, 3), 7, "float32")
    return secret


HDF5_ATTACKS = {
    "external link": (lambda g, s: g.__setitem__("0", h5py.ExternalLink(os.fspath(s), "/data")),
                      "ExternalLink"),
    "soft link": (lambda g, s: g.__setitem__("0", h5py.SoftLink("/layers/dense_1/vars/0")),
                  "SoftLink"),
    "virtual dataset": (lambda g, s: _virtual(g, s), "virtual"),
    "external storage": (lambda g, s: g.create_dataset(
        "0", shape=(4, 3), dtype="float32", external=[(os.fspath(s), 0, 48)]), "external files"),
    "hard-link cycle": (lambda g, s: (g.create_dataset("0", data=np.zeros((4, 3), "float32")),
                                      g.__setitem__("loop", g.parent.parent)), "nested more than"),
    "string dataset": (lambda g, s: g.create_dataset("0", data=["x" * 8] * 4), "dtype"),
    "compound dataset": (lambda g, s: g.create_dataset(
        "0", shape=(4,), dtype=[("a", "f4"), ("b", "f4", (2,))]), "dtype"),
    "object references": (lambda g, s: g.create_dataset(
        "0", shape=(4,), dtype=h5py.ref_dtype), "dtype"),
    "long double": (lambda g, s: g.create_dataset("0", shape=(4, 3), dtype=np.longdouble),
                    "dtype"),
}


def _virtual(group, source):
    layout = h5py.VirtualLayout(shape=(4, 3), dtype="float32")
    layout[:] = h5py.VirtualSource(os.fspath(source), "data", shape=(4, 3))
    group.create_virtual_dataset("0", layout)


@pytest.mark.parametrize("attack", sorted(HDF5_ATTACKS))
def test_hdf5_objects_pointing_elsewhere_arerefused(tmp_path, good, attack):
    secret = _other_h5(tmp_path)
    edit, match = HDF5_ATTACKS[attack]
    bad = edit_weights(good, tmp_path / "bad.keras", lambda group: edit(group, secret))
    refused(tmp_path, bad, match, forbidden=[secret])


@pytest.mark.parametrize("shape", [(1 << 40,), (1 << 20, 1 << 20), (4, 1 << 40)])
def test_hdf5_shape_bomb_fails_before_reading(tmp_path, good, shape):
    def bomb(group):  # terabytes declared, a few bytes on disk (no chunk ever written)
        chunks = tuple(min(n, 1024) for n in shape)
        group.create_dataset("0", shape=shape, dtype="float32", chunks=chunks,
                             compression="gzip", maxshape=shape)

    bad = edit_weights(good, tmp_path / "bad.keras", bomb)
    start = time.perf_counter()
    peak = _peak_traced(lambda: refused(tmp_path, bad, "expected shape \\(4, 3\\)"))
    assert time.perf_counter() - start < 2 and peak < 8 * 2**20


def test_hdf5_dataset_of_the_right_shape_with_a_compression_bomb_is_bounded(tmp_path, good):
    """A dataset can only be as large as the weight it fills: memory follows the model."""
    bad = edit_weights(good, tmp_path / "bad.keras", lambda group: group.create_dataset(
        "0", data=np.zeros((4, 3), "float32"), compression="gzip", chunks=(4, 3)))
    with no_side_effects(tmp_path):
        model = load(bad)
    np.testing.assert_array_equal(model.layers[0].get_weights()[0], 0)


# ---- truncated and corrupted archives --------------------------------------------------------
@pytest.mark.parametrize("fraction", [0.0, 0.001, 0.1, 0.33, 0.5, 0.9, 0.99, 0.999])
def test_truncated_archives_give_a_clear_error(tmp_path, good, fraction):
    data = good.read_bytes()
    bad = tmp_path / "cut.keras"
    bad.write_bytes(data[: int(len(data) * fraction)])
    refused(tmp_path, bad, "not a valid .keras archive|not a zip|past the end")


@pytest.mark.parametrize("member", ["config.json", "model.weights.h5"])
@pytest.mark.parametrize("fraction", [0.0, 0.1, 0.5, 0.9, 0.999])
def test_truncated_members_give_a_clear_error(tmp_path, good, member, fraction):
    members = {info.filename: data for info, data in read_members(good)}
    members[member] = members[member][: int(len(members[member]) * fraction)]
    bad = write_members(tmp_path / "cut.keras", list(members.items()))
    refused(tmp_path, bad, "not valid JSON|not a readable HDF5|damaged|truncated")


@pytest.mark.parametrize("member", ["config.json", "model.weights.h5"])
def test_corrupted_member_bytes_fail_the_crc_check(tmp_path, good, member):
    data = bytearray(good.read_bytes())
    with zipfile.ZipFile(good) as archive:
        info = archive.getinfo(member)
    start = info.header_offset + 30 + len(info.filename)
    data[start + info.compress_size // 2] ^= 0xFF
    bad = tmp_path / "flipped.keras"
    bad.write_bytes(bytes(data))
    refused(tmp_path, bad, "Bad CRC-32")


def test_corrupted_deflate_stream_gives_a_clear_error(tmp_path, good):
    members = [(info.filename, data) for info, data in read_members(good)]
    deflated = write_members(tmp_path / "deflated.keras", members, zipfile.ZIP_DEFLATED)
    data = bytearray(deflated.read_bytes())
    with zipfile.ZipFile(deflated) as archive:
        info = archive.getinfo("model.weights.h5")
    start = info.header_offset + 30 + len(info.filename)
    data[start: start + 16] = b"\xff" * 16
    bad = tmp_path / "bad.keras"
    bad.write_bytes(bytes(data))
    refused(tmp_path, bad, "not a valid .keras archive")


@pytest.mark.parametrize("text", ["[1, 2]", "3", '"Sequential"', "{}", "[" * 100_000,
                                  '{"a":' * 50_000 + "1" + "}" * 50_000, "\udcff"])
def test_malformed_configs_give_a_clear_error(tmp_path, good, text):
    bad = rewrite(good, tmp_path / "bad.keras",
                  replace={"config.json": text.encode("utf-8", "surrogateescape")})
    refused(tmp_path, bad, "config.json")
