"""Keras' categorical encodings of integer indices (`one_hot`, `multi_hot`, `count`) on torch."""

import torch
import torch.nn.functional as F

from torchkeras import config

OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count")


def encode_categorical(indices, output_mode, depth, dtype, count_weights=None):
    """Encodes integer `indices` as Keras' `encode_categorical_inputs` does.

    A scalar counts as one sample. `one_hot` encodes every index (a trailing axis of size 1 is
    replaced); `multi_hot` and `count` reduce axis 1 (axis 0 of a 1-D input), the sample axis.
    Indices outside `[0, depth)` encode to zeros, as TensorFlow's `one_hot`/`bincount` treat
    them (Keras' lookup and hashing layers run there); on the torch backend Keras'
    `CategoryEncoding` would raise instead.

    Args:
        indices: Integer tensor.
        output_mode: One of `"int"`, `"one_hot"`, `"multi_hot"`, `"count"`.
        depth: Size of the encoded axis.
        dtype: Output dtype (name or torch dtype); `count_weights`' dtype wins in `count` mode.
        count_weights: Optional per-index weights summed in `count` mode, shaped like `indices`.

    Shapes: `(batch, n)` -> `(batch, depth)`; `one_hot`: `(batch, ...)` -> `(batch, ..., depth)`.
    """
    dtype = config.standardize_dtype(dtype)
    if output_mode == "int":
        return indices.to(dtype)
    indices = indices.long()
    if indices.ndim == 0:
        indices = indices.unsqueeze(-1)
    valid = (indices >= 0) & (indices < depth)
    safe = torch.where(valid, indices, torch.zeros_like(indices))
    if output_mode == "one_hot":
        if indices.ndim > 1 and indices.shape[-1] == 1:
            safe, valid = safe.squeeze(-1), valid.squeeze(-1)
        return F.one_hot(safe, depth).mul_(valid.unsqueeze(-1)).to(dtype)
    axis = 1 if indices.ndim > 1 else 0
    if count_weights is not None and output_mode == "count":
        dtype = count_weights.dtype
        values = count_weights.to(indices.device) * valid
    else:
        values = valid.to(dtype)
    safe, values = safe.movedim(axis, -1), values.movedim(axis, -1)  # sample axis last
    out = torch.zeros((*safe.shape[:-1], depth), dtype=values.dtype, device=indices.device)
    out.scatter_add_(-1, safe, values)
    if output_mode == "multi_hot":
        out = out.clamp_(max=1)
    return out.to(dtype)


def encoded_shape(input_shape, output_mode, depth):
    """Output shape of `encode_categorical` for an input shape (batch axis may be `None`)."""
    shape = tuple(input_shape)
    if output_mode == "int":
        return shape
    if not shape:
        return (depth,)
    if output_mode == "one_hot":
        if len(shape) > 1 and shape[-1] == 1:
            return (*shape[:-1], depth)
        return (*shape, depth)
    if len(shape) == 1:
        return (depth,)
    return (shape[0], *shape[2:], depth)
