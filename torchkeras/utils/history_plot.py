"""`plot_history`: loss and metrics per epoch, training against validation, in one figure.

Not Keras API: the plot every training script draws by hand from `history.history`.
"""

import os

from torchkeras.utils.atomic_io import atomic_write


def _series(logs):
    """`{base name: {"training": values, "validation": values}}` in the logs' order."""
    grouped = {}
    for key, values in logs.items():
        base = key.removeprefix("val_")
        grouped.setdefault(base, {})["validation" if key.startswith("val_") else "training"] = values
    return grouped


def plot_history(history, metrics=None, to_file=None, figsize=None):
    """Draws one panel per metric (loss first) with its training and validation curves.

    Args:
        history: The `History` that `fit` returns, or its `history` dict.
        metrics: Names to draw (e.g. `["loss", "accuracy"]`); all logged ones by default.
        to_file: Optional image path (its extension gives the format); written atomically.
        figsize: Optional matplotlib figure size in inches.

    Returns:
        The matplotlib `Figure` (matplotlib is needed: `pip install matplotlib`).
    """
    import matplotlib  # optional dependency, only for this helper

    if to_file is not None:
        matplotlib.use("Agg")
    from matplotlib import pyplot

    logs = getattr(history, "history", history)
    grouped = _series(logs)
    names = list(metrics) if metrics is not None else sorted(grouped, key=lambda n: n != "loss")
    missing = [name for name in names if name not in grouped]
    if missing or not names:
        raise ValueError(f"plot_history: no logs for {missing or names}; logged: {sorted(logs)}.")
    figure, axes = pyplot.subplots(1, len(names), figsize=figsize or (4.5 * len(names), 3.5),
                                   squeeze=False)
    for axis, name in zip(axes[0], names):
        for label, values in grouped[name].items():
            axis.plot(range(1, len(values) + 1), values, marker="o", label=label)
        axis.set_xlabel("epoch")
        axis.set_title(name)
        axis.legend()
    figure.tight_layout()
    if to_file is not None:
        extension = os.path.splitext(to_file)[1].lstrip(".") or "png"
        with atomic_write(to_file) as file:
            figure.savefig(file, format=extension)
    return figure
