"""Argument forms and shape arithmetic shared by the padding, cropping and upsampling layers."""


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _as_pair(value):
    """An int -> `(v, v)`; 2 ints -> a tuple of them; anything else -> `None`."""
    if _is_count(value):
        return (value, value)
    try:
        pair = tuple(value)
    except TypeError:
        return None
    if len(pair) == 2 and all(_is_count(v) for v in pair):
        return pair
    return None


def normalize_pairs(value, rank, argument, layer):
    """Keras' padding/cropping forms as `rank` `(before, after)` pairs of non-negative ints.

    Rank 1 takes an int or 2 ints (`(before, after)`) and returns one pair, as Keras stores it.
    Ranks 2 and 3 take an int (every side), `rank` ints (symmetric per axis) or `rank` pairs.
    """
    if rank == 1:
        pair = _as_pair(value)
        if pair is not None:
            return pair
        expected = "a non-negative int or a tuple of 2 non-negative ints"
    else:
        if _is_count(value):
            return ((value, value),) * rank
        try:
            pairs = tuple(_as_pair(entry) for entry in value)
        except TypeError:
            pairs = ()
        if len(pairs) == rank and None not in pairs:
            return pairs
        expected = (
            f"a non-negative int, a tuple of {rank} non-negative ints or a tuple of {rank} "
            "tuples of 2 non-negative ints"
        )
    raise ValueError(
        f"{type(layer).__name__} '{layer.name}': `{argument}` must be {expected}, "
        f"got {argument}={value!r}."
    )


def spatial_axes(rank, data_format):
    """Indices of the spatial axes of a `(batch, ...)` tensor with `rank` spatial axes."""
    first = 1 if data_format == "channels_last" else 2
    return tuple(range(first, first + rank))


def repeat_spatial(inputs, sizes, axes):
    """Nearest-neighbour upsampling: each cell along `axes[i]` repeated `sizes[i]` times.

    A broadcast view `(…, n, 1, …) -> (…, n, s, …)` reshaped once: one copy in all, where a
    `repeat_interleave` per axis would copy once per axis.
    """
    view_shape, out_shape, expanded = [], [], []
    for axis, n in enumerate(inputs.shape):
        if axis in axes:
            size = sizes[axes.index(axis)]
            view_shape += [n, 1]
            expanded += [n, size]
            out_shape.append(n * size)
        else:
            view_shape.append(n)
            expanded.append(n)
            out_shape.append(n)
    return inputs.reshape(view_shape).expand(expanded).reshape(out_shape)
