"""Shared pytest setup: the `cuda` marker skips without a GPU; each test starts a fresh session."""

import pytest
import torch

import torchkeras


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if "cuda" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def fresh_session():
    """Auto names restart at `dense`, `dense_1` ... and random draws repeat, in every test."""
    torchkeras.backend.clear_session(free_memory=False)
    torchkeras.utils.set_random_seed(0)
    yield
