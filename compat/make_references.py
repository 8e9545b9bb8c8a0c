"""Regenerates every reference file of the compat suite with real Keras 3 (torch backend, CPU).

    KERAS_BACKEND=torch python -m compat.make_references            # all families
    KERAS_BACKEND=torch python -m compat.make_references layers fit  # some of them
    KERAS_BACKEND=torch python -m compat.make_references --check    # fail if any byte changed

Each family's generator (`compat/make_<family>_references.py`) runs in its own process, exactly as
when it is run alone, so the bytes do not depend on what ran before it. Every generator sorts its
keys and fixes zip dates, so regenerating gives identical files: `--check` verifies that against
the files already there (run it right after a regeneration, or against the committed files).
"""

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REFERENCES = ROOT / "compat" / "references"
# family -> (generator script, file (or glob of the files) it writes)
GENERATORS = {
    "bottom": ("make_bottom_references.py", "bottom.npz"),
    "layers": ("make_layer_references.py", "layers*.npz"),  # one file per layer family
    "losses": ("make_loss_references.py", "losses.npz"),
    "metrics": ("make_metric_references.py", "metrics.npz"),
    "optimizers": ("make_optimizer_references.py", "optimizers.npz"),
    "models": ("make_model_references.py", "models.json"),
    "fit": ("make_fit_references.py", "fit.npz"),
    "api": ("make_api_references.py", "api.json"),
    "callbacks": ("make_callback_references.py", "callbacks.json"),
    "tensorboard": ("make_tensorboard_references.py", "tensorboard.json"),  # needs TensorFlow
    "timeseries": ("make_timeseries_references.py", "timeseries.json"),  # needs TensorFlow
    "schedule_free": ("make_schedule_free_references.py", "schedule_free.npz"),  # needs JAX
    "random": ("make_random_references.py", "random.npz"),
    "ops": ("make_ops_references.py", "ops.npz"),
}


def digests(pattern):
    """`{file name: sha256}` of the reference files matching `pattern`."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in REFERENCES.glob(pattern)}


def regenerate(families):
    """Runs each family's generator; returns `{file name: (sha256 before, sha256 after)}`."""
    env = {**os.environ, "KERAS_BACKEND": "torch"}
    changes = {}
    for family in families:
        script, pattern = GENERATORS[family]
        before = digests(pattern)
        module = f"compat.{script.removesuffix('.py')}"
        subprocess.run([sys.executable, "-m", module], check=True, env=env, cwd=ROOT)
        after = digests(pattern)
        changes.update({name: (before.get(name), after.get(name)) for name in after})
    return changes


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("families", nargs="*", choices=[[], *GENERATORS], default=[])
    parser.add_argument("--check", action="store_true", help="fail if any file's bytes changed")
    args = parser.parse_args(argv)
    changes = regenerate(args.families or list(GENERATORS))
    changed = [file for file, (before, after) in changes.items() if before != after]
    for file, (_, after) in changes.items():
        print(f"{file}: sha256 {after[:16]} {'CHANGED' if file in changed else 'unchanged'}")
    if args.check and changed:
        sys.exit(f"regenerating changed {', '.join(changed)}: the references are not reproducible")


if __name__ == "__main__":
    main()
