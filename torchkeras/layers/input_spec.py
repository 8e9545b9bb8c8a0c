"""InputSpec: what a layer accepts (rank, dtype, sizes of given axes), checked on every call.

A custom layer sets `self.input_spec = keras.layers.InputSpec(ndim=2, axes={-1: 3})` (or a list,
one per input) and calls that do not fit fail with Keras' message, before `call` runs.
"""

from torchkeras import config
from torchkeras.utils import nest


class InputSpec:
    """The rank, dtype and axis sizes a layer's input must have; `None` leaves a part unchecked.

    Args:
        dtype: Required dtype name (e.g. `"int32"`).
        shape: Required shape; `None` entries match any size (sets `ndim`).
        ndim: Required rank.
        max_ndim, min_ndim: Bounds of the rank.
        axes: `{axis: size}` for the sizes of given axes.
        allow_last_axis_squeeze: Whether a trailing axis of size 1 may be added or left out.
        name: The input's name (for calls with a dict of inputs).
        optional: Whether the input may be `None`.
    """

    def __init__(
        self, dtype=None, shape=None, ndim=None, max_ndim=None, min_ndim=None, axes=None,
        allow_last_axis_squeeze=False, name=None, optional=False,
    ):  # fmt: skip
        self.dtype = None if dtype is None else config.dtype_name(config.standardize_dtype(dtype))
        self.shape = None if shape is None else tuple(shape)
        self.ndim = len(self.shape) if shape is not None else ndim
        self.max_ndim = max_ndim
        self.min_ndim = min_ndim
        self.allow_last_axis_squeeze = allow_last_axis_squeeze
        self.name = name
        self.optional = optional
        self.axes = {int(axis): size for axis, size in (axes or {}).items()}
        for axis in self.axes:
            if self.ndim is not None and not -self.ndim <= axis < self.ndim:
                raise ValueError(
                    f"InputSpec: axis {axis} of `axes` is out of range for ndim={self.ndim}."
                )

    def __repr__(self):
        parts = (
            f"{key}={value}" for key, value in (
                ("dtype", self.dtype), ("shape", self.shape), ("ndim", self.ndim),
                ("max_ndim", self.max_ndim), ("min_ndim", self.min_ndim),
                ("axes", self.axes or None),
            ) if value is not None
        )  # fmt: skip
        return f"InputSpec({', '.join(parts)})"

    def get_config(self):
        return {
            "dtype": self.dtype, "shape": self.shape, "ndim": self.ndim,
            "max_ndim": self.max_ndim, "min_ndim": self.min_ndim, "axes": self.axes,
            "optional": self.optional,
        }  # fmt: skip

    @classmethod
    def from_config(cls, config):
        return cls(**config)


def assert_input_compatibility(input_spec, inputs, layer_name):
    """Raises Keras' `ValueError` unless `inputs` fit `input_spec` (a spec or a list of them)."""
    specs = nest.flatten(input_spec)
    flat = list(inputs.values()) if isinstance(inputs, dict) else nest.flatten(inputs)
    if len(specs) > 1 and len(flat) != len(specs):
        raise ValueError(
            f'Layer "{layer_name}" expects {len(specs)} input(s), but it received {len(flat)} '
            f"input tensors."
        )
    for index, (spec, tensor) in enumerate(zip(specs, flat)):
        if spec is None or (tensor is None and spec.optional):
            continue
        problem = _problem(spec, tuple(tensor.shape), config.dtype_name(tensor.dtype))
        if problem:
            raise ValueError(
                f"Input {index} of layer '{layer_name}' is incompatible with the layer: {problem}"
            )


def _problem(spec, shape, dtype):
    """What about an input of `shape` and `dtype` breaks `spec` (Keras' wording), or None."""
    received = f"Full shape received: {shape}"
    if spec.allow_last_axis_squeeze:
        shape = shape[:-1] if shape and shape[-1] == 1 else shape
    expected_ndim = spec.ndim
    if spec.allow_last_axis_squeeze and spec.shape and spec.shape[-1] == 1:
        expected_ndim -= 1
    if expected_ndim is not None and len(shape) != expected_ndim and not (
        spec.allow_last_axis_squeeze and abs(len(shape) - expected_ndim) <= 1
    ):
        return f"expected ndim={spec.ndim}, found ndim={len(shape)}. {received}"
    if spec.max_ndim is not None and len(shape) > spec.max_ndim:
        return f"expected max_ndim={spec.max_ndim}, found ndim={len(shape)}. {received}"
    if spec.min_ndim is not None and len(shape) < spec.min_ndim:
        return f"expected min_ndim={spec.min_ndim}, found ndim={len(shape)}. {received}"
    if spec.dtype is not None and dtype != spec.dtype:
        return f"expected dtype={spec.dtype}, found dtype={dtype}"
    for axis, size in spec.axes.items():
        if size is not None and -len(shape) <= axis < len(shape) and shape[axis] not in (size, None):
            return (
                f"expected axis {axis} of input shape to have value {size}, but received input "
                f"with shape {shape}"
            )
    if spec.shape is not None and any(
        want is not None and got is not None and want != got
        for want, got in zip(spec.shape, shape)
    ):
        return f"expected shape={spec.shape}, found shape={shape}"
    return None
