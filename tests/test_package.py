"""The installed `torchkeras` is this repository's, not the unrelated PyPI trainer of that name."""

import pathlib

import torchkeras


def test_torchkeras_is_this_repository():
    repository = pathlib.Path(__file__).resolve().parents[1]
    assert pathlib.Path(torchkeras.__file__).resolve().is_relative_to(repository)


def test_public_surface():
    for name in ("Input", "Model", "Sequential", "layers", "models", "backend", "utils"):
        assert hasattr(torchkeras, name), name
