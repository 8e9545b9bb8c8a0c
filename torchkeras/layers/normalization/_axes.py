"""Axis helpers shared by the normalization layers: normalize, validate and broadcast axes."""


def positive_axes(axis, ndim, layer):
    """`axis` (an int or a list of ints) as a sorted list of non-negative axes of an `ndim` input."""
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    result = []
    for a in axes:
        if isinstance(a, bool) or not isinstance(a, int) or not -ndim <= a < ndim or a % ndim == 0:
            raise ValueError(
                f"{type(layer).__name__} '{layer.name}': invalid `axis` {axis!r} for an input of "
                f"rank {ndim} (the batch axis 0 cannot be normalized)."
            )
        result.append(a % ndim)
    return sorted(set(result))


def is_trailing(axes, ndim):
    """Whether `axes` are the last `len(axes)` axes, so torch's fused kernels apply."""
    return axes == list(range(ndim - len(axes), ndim))


def broadcast(weight, axes, ndim):
    """Reshapes a weight of shape `[shape[a] for a in axes]` so it broadcasts over the input."""
    if weight is None or is_trailing(axes, ndim):
        return weight
    shape = [1] * ndim
    for a, size in zip(axes, weight.shape):
        shape[a] = size
    return weight.reshape(shape)


def check_axis_arg(axis, layer):
    """Raises Keras' ValueError unless `axis` is an int or a list/tuple of ints."""
    axes = axis if isinstance(axis, (list, tuple)) else [axis]
    if not axes or any(isinstance(a, bool) or not isinstance(a, int) for a in axes):
        raise TypeError(
            f"{type(layer).__name__} '{layer.name}': `axis` must be an int or a list/tuple of "
            f"ints, got axis={axis!r}."
        )
    return list(axis) if isinstance(axis, (list, tuple)) else axis
