"""Every script in `examples/` runs with `--quick` in a fresh interpreter, printing what Keras does.

The seeds' programs must run on torchkeras with only their import lines changed; each example
exits 0, prints its History keys in Keras' structure (checked against what Keras 3.15 prints for
the same program) and writes its files under `--out`. The scripts run two at a time (each is a
separate process), so the whole file takes about as long as the slowest half of them.
"""

import concurrent.futures
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
# What Keras 3.15 prints for the news model: functional outputs are named after their layers,
# a subclass' tuple outputs after their losses and metrics.
NEWS_KEYS = ["department_accuracy", "department_loss", "loss", "priority_loss",
             "priority_mean_absolute_error"]
NEWS_SUBCLASS_KEYS = ["accuracy", "categorical_crossentropy_loss", "loss", "mean_absolute_error",
                      "mean_squared_error_loss"]
CHECKS = {  # script: (lines its stdout must contain, files it must write under --out)
    "quickstart.py": (["history keys: ['accuracy', 'loss', 'val_accuracy', 'val_loss']"], []),
    "simple_dense.py": (
        ["SimpleDense output shape: (2, 32)",
         "history keys: ['binary_accuracy', 'loss', 'val_binary_accuracy', 'val_loss']"],
        [],
    ),
    "linear_regression.py": (
        ["history keys: ['loss', 'mean_absolute_error', 'val_loss', 'val_mean_absolute_error']"],
        ["loss.png", "keras_*.h5"],
    ),
    "keras_basics.py": (
        ["history keys: ['loss', 'mae']", "fit_generator history keys: ['loss', 'mae']",
         "metrics_names: ['loss', 'compile_metrics']", "predict: (5, 3)"],
        [],
    ),
    "linear_classifier.py": (
        ["d(x^2)/dx at 3: 6.0", "watched constant gradient: 6.0", "Loss at step 4:"],
        ["point_clouds.png", "decision_line.png"],
    ),
    "news_model.py": (
        [f"list history keys: {NEWS_KEYS}", f"dict history keys: {NEWS_KEYS}",
         f"NewsModel history keys: {NEWS_SUBCLASS_KEYS}",
         "functional with subclass: (2, 10)", "subclass with functional: (2, 1)"],
        ["news_classifier.*", "new_news_classifier.*"],
    ),
    "mnist.py": (["history keys: ['accuracy', 'loss', 'val_accuracy', 'val_loss']"], []),
    "custom_metric.py": (
        ["history keys: ['accuracy', 'loss', 'rmse', 'val_accuracy', 'val_loss', 'val_rmse']"],
        [],
    ),
    "callbacks.py": (
        ["history keys: ['accuracy', 'loss', 'val_accuracy', 'val_loss']"],
        ["checkpoint_path.keras", "plot_at_epoch_1.png", "tensor_board_log/train/*"],
    ),
    "custom_layer.py": (
        ["compute_output_shape: (None, 32)",
         "history keys: ['accuracy', 'loss', 'val_accuracy', 'val_loss']",
         "custom model history keys: ['accuracy', 'loss']",
         "reloaded with custom_objects, same predictions: True"],
        ["custom_layer_model.keras", "logs/train/*"],
    ),
    "layer_options.py": (
        ["regularization losses after a call: 5", "orthogonal kernel: K^T K = I: True",
         "history keys: ['categorical_accuracy', 'loss', 'val_categorical_accuracy', 'val_loss']"],
        [],
    ),
    "save_and_load.py": (
        ["my_model.keras: reloaded, same predictions: True",
         "my_model.h5: reloaded, same predictions: True",
         "json + weights: same predictions: True"],
        ["my_model.json", "my_model.weights.h5"],
    ),
    "text_classification.py": (
        ["history keys: ['accuracy', 'loss', 'val_accuracy', 'val_loss']",
         "reloaded, same predictions on raw text: True"],
        ["text_classifier.keras"],
    ),
    "sequential_and_functional.py": (
        ["(None, 3)\nfloat32\n(None, 64)\nfloat32", "history keys: ['accuracy', 'loss']"],
        [],
    ),
}


def _run(script, out):
    command = [sys.executable, str(EXAMPLES / script), "--quick"]
    if script != "quickstart.py":  # it writes no files
        command += ["--out", str(out)]
    env = {**os.environ, "MPLBACKEND": "Agg", "PYTHONWARNINGS": "default::DeprecationWarning"}
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=300,
                          check=False)


def _selected_scripts(session):
    """The examples that the selected tests of this file run."""
    scripts = []
    for item in session.items:
        if item.path != Path(__file__):
            continue
        callspec = getattr(item, "callspec", None)
        if callspec is not None and "script" in callspec.params:
            scripts.append(callspec.params["script"])
        elif item.name.startswith("test_old_spellings"):
            scripts.append("keras_basics.py")
    return dict.fromkeys(scripts)


@pytest.fixture(scope="module")
def runs(request, tmp_path_factory):
    """Starts the selected examples at once, two processes at a time; a test waits for its own."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)
    started = {}
    for script in _selected_scripts(request.session):
        out = tmp_path_factory.mktemp(script.removesuffix(".py"))
        started[script] = (pool.submit(_run, script, out), out)
    yield started
    pool.shutdown(wait=True, cancel_futures=True)


def test_every_example_is_checked():
    assert sorted(CHECKS) == sorted(path.name for path in EXAMPLES.glob("*.py"))


@pytest.mark.parametrize("script", sorted(CHECKS))
def test_example_runs(script, runs):
    future, out = runs[script]
    result = future.result()
    assert result.returncode == 0, (
        f"{script} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )
    lines, files = CHECKS[script]
    for line in lines:
        assert line in result.stdout, f"{script}: {line!r} not printed:\n{result.stdout[-3000:]}"
    for pattern in files:
        assert list(out.glob(pattern)), f"{script} wrote no {pattern} under --out"
    assert "Traceback" not in result.stderr, result.stderr[-3000:]


def test_old_spellings_in_the_seed_warn_with_the_keras_3_spelling(runs):
    result = runs["keras_basics.py"][0].result()
    assert "`Model(input=...)` is the Keras 1 spelling: use `Model(inputs=...)`" in result.stderr
    assert "use `Model.fit`, which accepts generators" in result.stderr
