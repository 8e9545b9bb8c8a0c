"""A bounded fuzz run over loading: mutated `.keras` archives and `.weights.h5` files.

The mutants (fixed seed) are byte flips, truncations, insertions and overwritten runs of
(a) the raw archive bytes, (b) `config.json` and (c) `model.weights.h5` re-zipped with valid
CRCs (so the mutation reaches the JSON and HDF5 parsers, not only the ZIP CRC check), and
(d) a raw `.weights.h5` file; half the `config.json` mutants instead replace or delete one
node of the parsed JSON (so they reach deserialization rather than the JSON parser). They run
in a child process so a crash in libhdf5 is reported (with the mutant kept) instead of killing
pytest; each load has a time limit.

What counts as a clean outcome:
- a successful load (a flip can land in padding or in a weight value);
- for `.keras` archives: `ValueError` (and subclasses: `json.JSONDecodeError`,
  `UnicodeDecodeError`, `UnsafeH5Error`), `TypeError` and `KeyError`, the errors Keras itself
  raises for a config with missing, extra or mistyped arguments;
- for `.weights.h5` files, additionally `OSError`: h5py's error for a file that is not HDF5.
Anything else (AttributeError, IndexError, RuntimeError, RecursionError, MemoryError ...), a
crash, a timeout, or an audit event from `attack_helpers.FORBIDDEN_EVENTS` is a failure.
"""

import collections
import json
import os
import pathlib
import random
import signal
import subprocess
import sys

SEED = 1234
MUTANTS = 300
PER_MUTANT_S = 5
ROOT = pathlib.Path(__file__).resolve().parents[2]
KERAS_CLEAN = ("ValueError", "TypeError", "KeyError")
H5_CLEAN = KERAS_CLEAN + ("OSError",)
TARGETS = ("archive", "config", "weights-member", "weights-file")


def test_fuzzed_files_load_or_fail_cleanly(tmp_path):
    result = subprocess.run(
        [sys.executable, __file__, str(tmp_path), str(SEED), str(MUTANTS)],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    log = tmp_path / "log.jsonl"
    lines = [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []
    done = [line for line in lines if "outcome" in line]
    started = [line for line in lines if "outcome" not in line]
    if result.returncode != 0:
        last = started[-1] if len(started) > len(done) else None
        raise AssertionError(
            f"the fuzz worker died (rc={result.returncode}) during mutant {last}; it is kept as "
            f"{tmp_path}/mutant-*.\n{result.stderr[-3000:]}"
        )
    assert len(done) == MUTANTS
    bad = [line for line in done if not line["clean"]]
    stats = collections.Counter((line["target"], line["outcome"]) for line in done)
    print("fuzz outcomes:", dict(sorted(stats.items())))
    assert not bad, f"unclean outcomes: {bad[:10]}"


# ---- the worker, run as `python test_fuzz_loading.py WORKDIR SEED COUNT` -------------------
# Values a structural mutant puts in place of a random node of config.json. No huge numbers:
# a config declaring a giant layer is a memory bomb torchkeras does not guard against yet.
_JSON_VALUES = [
    None, True, -1, 0, 3, 2**16, 1.5, "", "relu", "../x", "Dense", [], {}, [None], [3, None],
    {"class_name": "Dense"}, {"class_name": "Dense", "config": []},
    {"module": "os", "class_name": "function", "config": "system"},
    {"class_name": "__lambda__", "config": {"code": "AAAA"}}, {"class_name": None},
]


def _json_mutate(rng, data):
    """Replaces (or deletes) one random node of the JSON document."""
    config = json.loads(data)
    nodes = []

    def visit(node):
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in items:
            nodes.append((node, key))
            if isinstance(child, (dict, list)):
                visit(child)

    visit(config)
    parent, key = rng.choice(nodes)
    if isinstance(parent, dict) and rng.random() < 0.25:
        del parent[key]
        return "json-delete", json.dumps(config).encode()
    parent[key] = json.loads(json.dumps(rng.choice(_JSON_VALUES)))
    return "json-replace", json.dumps(config).encode()


def _mutate(rng, data, structural=False):
    if structural and rng.random() < 0.5:
        return _json_mutate(rng, data)
    data = bytearray(data)
    op = rng.choice(["flip", "flip", "truncate", "insert", "overwrite"])
    at = rng.randrange(len(data)) if data else 0
    if op == "flip":
        for _ in range(rng.randint(1, 8)):
            data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
    elif op == "truncate":
        del data[at:]
    elif op == "insert":
        data[at:at] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
    else:
        run = rng.choice([b"\0", b"\xff", b"9", b"{", b"["]) * rng.randint(1, 64)
        data[at:at + len(run)] = run
    return op, bytes(data)


def _worker(workdir, seed, count):
    import io
    import zipfile

    from tests.saving import attack_helpers as helpers
    from torchkeras.saving.keras_file import load_keras_file
    from torchkeras.saving.weights_h5 import load_weights_h5, save_weights_h5

    workdir = pathlib.Path(workdir)
    archive = helpers.save_valid(workdir / "valid.keras")
    save_weights_h5(helpers.small_model(), workdir / "valid.weights.h5")
    members = {info.filename: data for info, data in helpers.read_members(archive)}
    sources = {"archive": archive.read_bytes(), "config": members["config.json"],
               "weights-member": members["model.weights.h5"],
               "weights-file": (workdir / "valid.weights.h5").read_bytes()}
    load_keras_file(archive)  # warm-up: lazy imports happen before the guarded loads

    def timeout(signum, frame):
        raise TimeoutError(f"load took over {PER_MUTANT_S} s")

    signal.signal(signal.SIGALRM, timeout)
    rng = random.Random(seed)
    with open(workdir / "log.jsonl", "w") as log:
        for index in range(count):
            target = TARGETS[index % len(TARGETS)]
            op, data = _mutate(rng, sources[target], structural=target == "config")
            path = workdir / (f"mutant-{index}.weights.h5" if target == "weights-file"
                              else f"mutant-{index}.keras")
            if target in ("config", "weights-member"):
                name = "config.json" if target == "config" else "model.weights.h5"
                buffer = io.BytesIO()
                with zipfile.ZipFile(buffer, "w") as out:
                    for member, content in members.items():
                        out.writestr(member, data if member == name else content)
                data = buffer.getvalue()
            path.write_bytes(data)
            entry = {"index": index, "target": target, "op": op}
            log.write(json.dumps(entry) + "\n")
            log.flush()
            outcome, guard = "ok", None
            signal.alarm(PER_MUTANT_S)
            try:
                with helpers.no_side_effects(workdir / "none"):
                    if target == "weights-file":
                        load_weights_h5(helpers.small_model(), path)
                    else:
                        load_keras_file(path)
            except AssertionError as exc:  # the guard saw a side effect
                guard = str(exc)[:300]
                outcome = "side effect"
            except Exception as exc:  # noqa: BLE001 - classified below
                outcome = type(exc).__name__
                detail = str(exc)[:200]
            finally:
                signal.alarm(0)
            allowed = H5_CLEAN if target == "weights-file" else KERAS_CLEAN
            clean = outcome == "ok" or _family(outcome, allowed)
            entry.update(outcome=outcome, clean=clean)
            if outcome != "ok":
                entry["detail"] = guard or detail
            if clean:
                path.unlink()
            log.write(json.dumps(entry) + "\n")
            log.flush()


def _family(name, allowed):
    import builtins
    import json as json_module
    import zipfile

    from torchkeras.saving.h5_safety import UnsafeH5Error

    known = {"JSONDecodeError": json_module.JSONDecodeError, "UnsafeH5Error": UnsafeH5Error,
             "BadZipFile": zipfile.BadZipFile}
    cls = known.get(name) or getattr(builtins, name, None)
    return cls is not None and issubclass(cls, tuple(getattr(builtins, a) for a in allowed))


if __name__ == "__main__":
    _worker(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
