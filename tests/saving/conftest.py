"""Fixtures of the hostile-file tests: a valid archive to edit, a sentinel a payload would make."""

import pytest

from tests.saving.attack_helpers import load, save_valid


@pytest.fixture
def good(tmp_path):
    path = save_valid(tmp_path / "good.keras")
    load(path)  # warm-up: lazy imports (and .pyc writes) happen outside the guarded loads
    return path


@pytest.fixture
def sentinel(tmp_path):
    path = tmp_path / "pwned"
    yield path
    assert not path.exists(), "a payload ran"
