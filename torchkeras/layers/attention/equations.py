"""The einsum equations of multi-head attention, spelled as Keras spells them (so the projection
kernels have Keras' shapes and the attention scores Keras' axis order)."""

import string

_LETTERS = string.ascii_lowercase


def projection_equation(free_dims, bound_dims, output_dims):
    """`(equation, bias_axes, output_rank)` of a projection over the last `bound_dims` axes.

    The input keeps its first `free_dims` axes, contracts the next `bound_dims` with the kernel
    and gains `output_dims` new axes, which also carry the bias: e.g. `(2, 1, 2)` gives
    `"abc,cde->abde"` with bias axes `"de"` (a `(dim, heads, key_dim)` kernel).
    """
    free = _LETTERS[:free_dims]
    bound = _LETTERS[free_dims : free_dims + bound_dims]
    new = _LETTERS[free_dims + bound_dims : free_dims + bound_dims + output_dims]
    return f"{free}{bound},{bound}{new}->{free}{new}", new, free_dims + output_dims


def attention_equations(rank, attention_axes):
    """`(dot_product_equation, combine_equation, scores_rank)` for projected tensors of `rank`.

    Projected tensors are `(batch, <other axes>, <attention axes>, heads, channels)`. The
    scores are `(<batch and other axes>, heads, <query attention axes>, <key attention axes>)`;
    the dot product reads `(key, query)`, the combination `(scores, value)`.
    """
    target = _LETTERS[:rank]
    kept = [i for i in range(rank) if i not in attention_axes and i != rank - 1]
    source, fresh = list(target), iter(_LETTERS[rank:])
    for axis in attention_axes:
        source[axis] = next(fresh)
    source = "".join(source)
    scores = "".join(
        [target[i] for i in kept]
        + [target[i] for i in attention_axes]
        + [source[i] for i in attention_axes]
    )
    return f"{source},{target}->{scores}", f"{scores},{source}->{target}", len(scores)
