"""`model.summary()`: Keras' table of layers, output shapes, parameter counts and connections."""

import textwrap

from torchkeras.layers.symbolic import KerasTensor, placeholders
from torchkeras.utils import nest

# Column boundaries as fractions of the line, Keras' default look at 76 characters.
_SEQUENTIAL_POSITIONS = (0.458, 0.792, 1.0)
_GRAPH_POSITIONS = (0.296, 0.563, 0.732, 1.0)
_DEFAULT_LINE_LENGTH = 76
_NESTED_INDENT = "   "


def print_summary(
    model,
    line_length=None,
    positions=None,
    print_fn=None,
    expand_nested=False,
    show_trainable=False,
    layer_range=None,
):
    """Prints `model`'s summary through `print_fn` (default `print`), one line per call."""
    graph_like = _shows_connections(model)
    columns = ["Layer (type)", "Output Shape", "Param #"] + (["Connected to"] if graph_like else [])
    if show_trainable:
        columns.append("Trainable")
    rows = _rows(model, graph_like, expand_nested, show_trainable, depth=0)
    if layer_range is not None:
        rows = _slice_rows(rows, layer_range)
    widths = _column_widths(
        len(columns),
        line_length or _DEFAULT_LINE_LENGTH,
        positions or (_GRAPH_POSITIONS if graph_like else _SEQUENTIAL_POSITIONS),
    )
    lines = [f'Model: "{model.name}"']
    lines += _table(columns, rows, widths)
    lines += _totals(model)
    emit = print_fn or print
    for line in lines:
        emit(line)


def _shows_connections(model):
    """Keras adds 'Connected to' unless the graph is a single chain of single-input nodes."""
    graph = getattr(model, "_graph", None)
    if graph is None:
        return False
    by_depth = {}
    for node in graph.nodes:
        by_depth.setdefault(graph.depth[node], []).append(node)
    for nodes in by_depth.values():
        if len(nodes) > 1 or len(nodes[0].input_tensors) > 1:
            return True
    return any(len(graph.nodes_of(layer)) > 1 for layer in graph.operations)


def _rows(model, graph_like, expand_nested, show_trainable, depth):
    rows = []
    graph = getattr(model, "_graph", None)
    for layer in model.layers if graph is None else graph.operations:  # with keras.ops' nodes
        prefix = _NESTED_INDENT * depth + ("└ " if depth else "")
        row = [
            f"{prefix}{layer.name} ({_class_name(layer)})",
            _output_shape(model, layer),
            _param_cell(layer),
        ]
        if graph_like:
            row.append(_connections(model, layer))
        if show_trainable:
            row.append("Y" if layer.trainable else "N")
        rows.append(row)
        if expand_nested and hasattr(layer, "layers") and hasattr(layer, "summary"):
            inner_graph_like = graph_like and _shows_connections(layer)
            nested = _rows(layer, inner_graph_like, True, show_trainable, depth + 1)
            width = len(row)
            rows.extend(r + [""] * (width - len(r)) for r in nested)
    return rows


def _class_name(layer):
    if getattr(layer, "_plain_functional", False):
        return "Functional"
    return getattr(layer, "keras_class_name", type(layer).__name__)  # an Operation: `Multiply`


def _output_shape(model, layer):
    graph = getattr(model, "_graph", None)
    if graph is not None:
        spec = graph.nodes_of(layer)[0].outputs  # Keras shows a shared layer's first call
    elif hasattr(model, "layer_output_spec") and model.layer_output_spec(layer) is not None:
        spec = model.layer_output_spec(layer)
    elif getattr(layer, "built", False) and layer._build_shapes is not None:
        spec = layer.compute_output_spec(placeholders(layer._build_shapes, layer.dtype))
    else:
        return "?"
    return _format_spec(spec)


def _format_spec(spec):
    if isinstance(spec, KerasTensor):
        return str(spec.shape).replace(",)", ")")
    flat = [t for t in nest.flatten(spec) if isinstance(t, KerasTensor)]
    return "[" + ", ".join(_format_spec(t) for t in flat) + "]"


def _param_cell(layer):
    if not getattr(layer, "built", True):
        return "0 (unbuilt)"
    return f"{layer.count_params():,}"


def _connections(model, layer):
    inbound = []
    for node in model._graph.nodes_of(layer):
        for tensor in node.input_tensors:
            source, node_index, tensor_index = tensor.history
            inbound.append(f"{source.name}[{node_index}][{tensor_index}]")
    return ", ".join(inbound) or "-"


def _slice_rows(rows, layer_range):
    names = [row[0].split(" (")[0].strip(" └") for row in rows]
    start, end = names.index(layer_range[0]), names.index(layer_range[1])
    return rows[start : end + 1]


def _column_widths(count, line_length, positions):
    inner = line_length - (count + 1)
    bounds = [0] + [round(p * inner) for p in positions[:count]]
    bounds[-1] = inner
    return [max(b - a, 4) for a, b in zip(bounds, bounds[1:])]


def _table(columns, rows, widths):
    def rule(left, fill, join, right):
        return left + join.join(fill * w for w in widths) + right

    def lines_of(cells, bar, align_right):
        wrapped = [
            textwrap.wrap(cell, width=w - 2, break_on_hyphens=False) or [""]
            for cell, w in zip(cells, widths)
        ]
        height = max(len(parts) for parts in wrapped)
        out = []
        for i in range(height):
            parts = []
            for column, (cell_lines, w) in enumerate(zip(wrapped, widths)):
                text = cell_lines[i] if i < len(cell_lines) else ""
                text = text.rjust(w - 2) if column in align_right else text.ljust(w - 2)
                parts.append(f" {text} ")
            out.append(bar + bar.join(parts) + bar)
        return out

    lines = [rule("┏", "━", "┳", "┓")]
    lines += lines_of(columns, "┃", align_right={2})
    lines.append(rule("┡", "━", "╇", "┩"))
    for index, row in enumerate(rows):
        if index:
            lines.append(rule("├", "─", "┼", "┤"))
        lines += lines_of(row, "│", align_right={2})
    lines.append(rule("└", "─", "┴", "┘"))
    return lines


def _totals(model):
    weights = model.weights
    trainable = model.trainable_weights
    trainable_ids = {id(w) for w in trainable}
    frozen = [w for w in weights if id(w) not in trainable_ids]
    return [
        f" {label}: {sum(w.numel() for w in group):,} ({_memory(group)})"
        for label, group in (
            ("Total params", weights),
            ("Trainable params", trainable),
            ("Non-trainable params", frozen),
        )
    ]


def _memory(weights):
    size = float(sum(w.numel() * w.element_size() for w in weights))
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if size < 1024:
            return f"{size:.2f} {unit}"
        size /= 1024
    return f"{size:.2f} PB"
