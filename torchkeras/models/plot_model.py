"""`keras.utils.plot_model` and `model_to_dot`: draw a model's layer graph to a file.

Graphviz's `dot` program renders the picture when it is on the PATH (any format it knows), as in
Keras; without it an SVG is drawn here, and other formats go through matplotlib when installed.
"""

import os
import shutil
import subprocess

from torchkeras.models import plotting
from torchkeras.utils.atomic_io import atomic_write


class DotGraph:
    """The DOT text of a model's graph; `create(format=...)` renders it with Graphviz."""

    def __init__(self, source):
        self.source = source

    def to_string(self):
        return self.source

    def create(self, prog="dot", format="png"):
        """The rendered bytes (needs Graphviz's `prog` on the PATH)."""
        executable = shutil.which(prog)
        if executable is None:
            raise OSError(f"Graphviz's `{prog}` program is not installed (or not on the PATH).")
        done = subprocess.run([executable, f"-T{format}"], input=self.source.encode(),
                              capture_output=True, check=True)
        return done.stdout


def _options(show_shapes, show_dtype, show_layer_names, show_layer_activations, show_trainable):
    return {"show_shapes": show_shapes, "show_dtype": show_dtype,
            "show_layer_names": show_layer_names,
            "show_layer_activations": show_layer_activations, "show_trainable": show_trainable}


def _check_rankdir(rankdir):
    if rankdir not in ("TB", "LR"):
        raise ValueError(f"`rankdir` must be 'TB' or 'LR', got rankdir={rankdir!r}.")


def model_to_dot(model, show_shapes=False, show_dtype=False, show_layer_names=True, rankdir="TB",
                 expand_nested=False, dpi=200, subgraph=False, show_layer_activations=False,
                 show_trainable=False, splines="ortho", **kwargs):
    """The model's layer graph as a `DotGraph` (DOT text; Keras returns a `pydot.Dot`).

    Args: as `plot_model`; `expand_nested` and `subgraph` are accepted and draw nested models
    as single boxes.
    """
    _check_rankdir(rankdir)
    options = _options(show_shapes, show_dtype, show_layer_names, show_layer_activations,
                       show_trainable)
    boxes, edges = plotting.layer_graph(model, options)
    return DotGraph(plotting.to_dot_source(boxes, edges, rankdir, dpi, splines))


def plot_model(model, to_file="model.png", show_shapes=False, show_dtype=False,
               show_layer_names=False, rankdir="TB", expand_nested=False, dpi=200,
               show_layer_activations=False, show_trainable=False, splines="ortho", **kwargs):
    """Draws the model's layers and connections into `to_file` (format from its extension).

    Args:
        model: A functional model or a built Sequential model.
        to_file: Output path: `.svg` always works; `.png`/`.pdf`/`.jpg` need Graphviz or
            matplotlib.
        show_shapes, show_dtype: Whether boxes list input/output shapes and the output dtype.
        show_layer_names: Whether boxes start with the layer's name, not just its class.
        rankdir: `"TB"` (top to bottom) or `"LR"` (left to right).
        expand_nested: Accepted; nested models are drawn as single boxes.
        dpi: Resolution of raster formats.
        show_layer_activations, show_trainable: Whether boxes show them.
        splines: Graphviz edge style (used only when Graphviz draws).
    """
    _check_rankdir(rankdir)
    options = _options(show_shapes, show_dtype, show_layer_names, show_layer_activations,
                       show_trainable)
    boxes, edges = plotting.layer_graph(model, options)
    extension = os.path.splitext(to_file)[1].lower().lstrip(".") or "png"
    if shutil.which("dot") is not None:
        source = plotting.to_dot_source(boxes, edges, rankdir, dpi, splines)
        image = DotGraph(source).create(format=extension)
        with atomic_write(to_file) as file:
            file.write(image)
    elif extension == "svg":
        with atomic_write(to_file, "w") as file:
            file.write(plotting.to_svg(boxes, edges, rankdir))
    else:
        _draw_raster(boxes, edges, rankdir, to_file, dpi, extension)


def _draw_raster(boxes, edges, rankdir, to_file, dpi, extension):
    try:
        plotting.draw_with_matplotlib(boxes, edges, rankdir, to_file, dpi)
    except ImportError as error:
        raise ImportError(
            f"plot_model: writing '.{extension}' needs Graphviz (`dot` on the PATH) or "
            "matplotlib, and neither is installed. Use to_file='model.svg', or install one."
        ) from error
