"""`keras.utils.get_source_inputs`: the model inputs a symbolic tensor was computed from."""

from torchkeras.layers.symbolic import KerasTensor


def get_source_inputs(tensor):
    """Returns the input tensors (the `keras.Input`s) needed to compute `tensor`.

    It walks the recorded graph back from the layer call that produced `tensor`, listing
    each input once, in the order first reached. It lives in `layers` (not `utils`) because it
    reads the graph's `KerasTensor` and `Node` records.

    Args:
        tensor: A `KerasTensor`; anything else is returned unchanged, as in Keras.

    Returns:
        A list of `KerasTensor`s (`[tensor]` for an input itself).
    """
    if not isinstance(tensor, KerasTensor):
        return tensor
    if tensor.history is None:
        return [tensor]
    layer, node_index, _ = tensor.history
    node = layer._inbound_nodes[node_index]
    if not node.input_tensors:  # an input node: the graph starts here
        return list(node.output_tensors)
    sources = []
    for parent in node.input_tensors:
        for source in get_source_inputs(parent):
            if all(source is not known for known in sources):
                sources.append(source)
    return sources
