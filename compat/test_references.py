"""The committed references themselves: small enough to commit and, live, still Keras' values."""

import numpy as np
import pytest

from compat.tables import REFERENCES, SOURCES, load_committed

MAX_BYTES = 5 * 2**20  # the whole folder, so it stays cheap to commit and to clone


def test_references_folder_is_small():
    sizes = {str(p.relative_to(REFERENCES)): p.stat().st_size for p in REFERENCES.rglob("*")}
    assert {file for file, _ in SOURCES.values()} <= set(sizes)
    assert sum(sizes.values()) < MAX_BYTES, sizes


@pytest.mark.parametrize("family", sorted(SOURCES))
def test_committed_reference_is_current(family, references, live):
    """With --live: the committed file holds what Keras computes now (catches Keras drift)."""
    if not live:
        pytest.skip("compares the committed file with live Keras: run with --live")
    fresh, stored = references(family), load_committed(family)
    if family == "models":  # JSON: exact
        assert fresh == stored
        return
    assert sorted(fresh) == sorted(stored)
    for key in sorted(stored):
        want, got = np.asarray(stored[key]), np.asarray(fresh[key])
        if want.dtype.kind not in "biufc":
            assert got.tolist() == want.tolist(), f"{family}: {key}"
            continue
        # Keras against Keras: in-process runs may use more threads than the generator (ulps).
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-7, err_msg=f"{family}: {key}")
