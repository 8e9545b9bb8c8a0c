"""A model's layer graph as boxes and edges, written as DOT text or drawn as SVG, no Graphviz."""

import html

_CHAR_WIDTH, _LINE_HEIGHT, _GAP_X, _GAP_Y = 7.2, 18, 30, 44


def _shape_text(tensors):
    shapes = [str(tuple(t.shape)).replace(",)", ")") for t in tensors]
    return shapes[0] if len(shapes) == 1 else "[" + ", ".join(shapes) + "]"


def _label(layer, inputs, outputs, options):
    """The lines of one layer's box, as Keras writes them."""
    kind = type(layer).__name__
    lines = [f"{layer.name} ({kind})" if options["show_layer_names"] else kind]
    activation = getattr(layer, "activation", None)
    if options["show_layer_activations"] and activation is not None:
        lines.append(f"Activation: {getattr(activation, '__name__', activation)}")
    if options["show_shapes"]:
        if inputs:
            lines.append(f"Input shape: {_shape_text(inputs)}")
        lines.append(f"Output shape: {_shape_text(outputs)}")
    if options["show_dtype"]:
        lines.append(f"Output dtype: {outputs[0].dtype}")
    if options["show_trainable"] and layer.weights:
        lines.append("Trainable" if layer.trainable else "Non-trainable")
    return lines


def layer_graph(model, options):
    """`(boxes, edges)`: `boxes` maps a layer id to its label lines, in graph order; `edges`
    are `(from id, to id)` pairs."""
    graph = getattr(model, "_graph", None)
    if graph is not None:
        boxes, edges = {}, []
        for node in graph.nodes:
            boxes.setdefault(id(node.layer), _label(node.layer, node.input_tensors,
                                                    node.output_tensors, options))
            for tensor in node.input_tensors:
                edge = (id(tensor.history[0]), id(node.layer))
                if edge not in edges:
                    edges.append(edge)
        return boxes, edges
    if getattr(model, "_input_tensor", None) is not None:  # a built Sequential
        previous = model._input_tensor
        first = previous.history[0]
        boxes, edges = {id(first): _label(first, [], [previous], options)}, []
        for layer, output in zip(model.layers, model._layer_outputs):
            boxes[id(layer)] = _label(layer, [previous], [output], options)
            edges.append((id(previous.history[0]), id(layer)))
            previous = output
        return boxes, edges
    raise ValueError(
        f"plot_model needs a functional model or a built Sequential model; model "
        f"'{model.name}' ({type(model).__name__}) has no layer graph. Call it on a "
        "`keras.Input` or build it with an input shape first."
    )


def to_dot_source(boxes, edges, rankdir="TB", dpi=200, splines="ortho"):
    """The graph in Graphviz's DOT language."""
    index = {key: i for i, key in enumerate(boxes)}  # stable node names: n0, n1, ...
    lines = [
        "digraph G {",
        f'  graph [rankdir={rankdir}, dpi={dpi}, splines={splines}];',
        '  node [shape=record, fontname="Helvetica", fontsize=11];',
    ]
    for key, label in boxes.items():
        text = "\\n".join(line.replace('"', '\\"').replace("{", "\\{").replace("}", "\\}")
                         .replace("|", "\\|").replace("<", "\\<").replace(">", "\\>")
                         for line in label)
        lines.append(f'  n{index[key]} [label="{text}"];')
    lines.extend(f"  n{index[a]} -> n{index[b]};" for a, b in edges)
    lines.append("}")
    return "\n".join(lines) + "\n"


def _layout(boxes, edges, rankdir):
    """Box positions: rank = longest path from a graph input; order kept within a rank."""
    rank = dict.fromkeys(boxes, 0)
    for _ in boxes:  # longest-path ranks (graphs are small and acyclic)
        for a, b in edges:
            rank[b] = max(rank[b], rank[a] + 1)
    size = {k: (max(len(s) for s in v) * _CHAR_WIDTH + 20, len(v) * _LINE_HEIGHT + 12)
            for k, v in boxes.items()}
    ranks = [[k for k in boxes if rank[k] == r] for r in range(max(rank.values()) + 1)]

    def across(key):  # a box's extent along a rank
        return size[key][0] if rankdir == "TB" else size[key][1]

    def along(key):  # its extent from rank to rank
        return size[key][1] if rankdir == "TB" else size[key][0]

    extent = max(sum(across(k) for k in row) + _GAP_X * (len(row) - 1) for row in ranks)
    position, offset = {}, 10.0
    for row in ranks:
        start = 10 + (extent - sum(across(k) for k in row) - _GAP_X * (len(row) - 1)) / 2
        depth = max(along(k) for k in row)
        for key in row:
            corner = (start, offset) if rankdir == "TB" else (offset, start)
            position[key] = (*corner, *size[key])
            start += across(key) + _GAP_X
        offset += depth + _GAP_Y
    return position


def to_svg(boxes, edges, rankdir="TB"):
    """The graph drawn as an SVG document (boxes, labels, arrows)."""
    position = _layout(boxes, edges, rankdir)
    width = max(x + w for x, _, w, _ in position.values()) + 10
    height = max(y + h for _, y, _, h in position.values()) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'font-family="Helvetica, Arial, sans-serif" font-size="12">',
        '<defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="7" refY="4" '
        'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#333"/></marker></defs>',
    ]
    for a, b in edges:
        (xa, ya, wa, ha), (xb, yb, wb, hb) = position[a], position[b]
        start = (xa + wa / 2, ya + ha) if rankdir == "TB" else (xa + wa, ya + ha / 2)
        end = (xb + wb / 2, yb) if rankdir == "TB" else (xb, yb + hb / 2)
        parts.append(f'<line x1="{start[0]:.1f}" y1="{start[1]:.1f}" x2="{end[0]:.1f}" '
                     f'y2="{end[1]:.1f}" stroke="#333" marker-end="url(#arrow)"/>')
    for key, label in boxes.items():
        x, y, w, h = position[key]
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" '
                     'rx="4" fill="#f4f6fa" stroke="#333"/>')
        for i, line in enumerate(label):
            parts.append(f'<text x="{x + w / 2:.1f}" y="{y + 6 + (i + 0.75) * _LINE_HEIGHT:.1f}" '
                         f'text-anchor="middle">{html.escape(line)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def draw_with_matplotlib(boxes, edges, rankdir, path, dpi):
    """Draws the graph into `path` (any format matplotlib writes), the SVG's layout."""
    import matplotlib  # optional dependency: only image formats other than SVG need it

    matplotlib.use("Agg")
    from matplotlib import pyplot

    position = _layout(boxes, edges, rankdir)
    width = max(x + w for x, _, w, _ in position.values()) + 10
    height = max(y + h for _, y, _, h in position.values()) + 10
    figure = pyplot.figure(figsize=(width / 72, height / 72))
    axes = figure.add_axes((0, 0, 1, 1), xlim=(0, width), ylim=(height, 0))
    axes.axis("off")
    for a, b in edges:
        (xa, ya, wa, ha), (xb, yb, wb, hb) = position[a], position[b]
        start = (xa + wa / 2, ya + ha) if rankdir == "TB" else (xa + wa, ya + ha / 2)
        end = (xb + wb / 2, yb) if rankdir == "TB" else (xb, yb + hb / 2)
        axes.annotate("", end, start, arrowprops={"arrowstyle": "-|>", "color": "#333"})
    for key, label in boxes.items():
        x, y, w, h = position[key]
        axes.add_patch(matplotlib.patches.FancyBboxPatch(
            (x, y), w, h, boxstyle="round,pad=0,rounding_size=4", fc="#f4f6fa", ec="#333"))
        axes.text(x + w / 2, y + h / 2, "\n".join(label), ha="center", va="center",
                  fontsize=9, linespacing=1.5)
    figure.savefig(path, dpi=dpi)
    pyplot.close(figure)
