"""The package's layering rules (STYLE.md §3): imports go down, never up; files stay small."""

import ast
import pathlib

import pytest

PACKAGE = pathlib.Path(__file__).resolve().parents[1] / "torchkeras"
MAX_LINES = 400
# Level of each top-level part of the package: a module may import only its level or below.
LEVELS = {
    "config": 0,
    "utils": 0,
    "registry": 1,
    "backend": 1,
    "ops": 1,
    "random": 1,
    "gradient_tape": 2,
    "variables": 1,
    "distribution": 1,  # torch.distributed data parallelism; used by callbacks and the trainer
    "activations": 2,
    "initializers": 2,
    "regularizers": 2,
    "constraints": 2,
    "mixed_precision": 2,
    "layers": 3,
    "losses": 3,
    "metrics": 3,
    "optimizers": 3,
    "saving": 4,
    "callbacks": 4,
    "trainer": 5,
    "models": 6,
    "datasets": 7,
    "__init__": 7,
    "namespaces": 7,
}
# Parts of one level that may import each other (everything else in a level stays independent).
SAME_LEVEL_ALLOWED = {
    ("utils", "config"),
    ("metrics", "losses"),
    ("backend", "registry"),
    ("__init__", "namespaces"),  # the public package completes its namespaces once
}
# Optional dependencies that may be imported inside a function, where they are needed.
OPTIONAL_MODULES = {"h5py", "tensorboard", "matplotlib", "torch.utils.tensorboard", "PIL"}


def _modules():
    return sorted(PACKAGE.rglob("*.py"))


def _part(path):
    relative = path.relative_to(PACKAGE)
    return relative.parts[0].removesuffix(".py")


def _imported_parts(tree):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] == "torchkeras" and len(parts) > 1 and parts[1] in LEVELS:
                yield node.lineno, parts[1]
                break


def test_layers_are_known():
    unknown = {_part(path) for path in _modules()} - set(LEVELS)
    assert not unknown, f"add these to LEVELS in tests/test_architecture.py: {unknown}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_go_down_only(path):
    own = _part(path)
    tree = ast.parse(path.read_text(), filename=str(path))
    for lineno, part in _imported_parts(tree):
        if part == own:
            continue
        assert LEVELS[part] <= LEVELS[own], (
            f"{path.name}:{lineno} imports torchkeras.{part} (level {LEVELS[part]}) "
            f"from level {LEVELS[own]}"
        )
        if LEVELS[part] == LEVELS[own]:
            assert (own, part) in SAME_LEVEL_ALLOWED, (
                f"{path.name}:{lineno}: siblings torchkeras.{own} and torchkeras.{part} "
                "must stay independent"
            )


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_function_local_imports(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in inner.names] if isinstance(inner, ast.Import) else [
                    inner.module or ""
                ]
                top = {name if name in OPTIONAL_MODULES else name.split(".")[0] for name in names}
                assert top <= OPTIONAL_MODULES, (
                    f"{path.name}:{inner.lineno} imports {names} inside {node.name}()"
                )


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_files_are_small(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"{path} has {lines} lines (limit {MAX_LINES})"


def test_no_relative_imports():
    for path in _modules():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                assert node.level == 0, f"{path}:{node.lineno} uses a relative import"
