"""InputLayer and `keras.Input`: the entry points of a functional model's graph."""

from torchkeras import config
from torchkeras.layers.layer import Layer
from torchkeras.layers.symbolic import KerasTensor, Node
from torchkeras.registry import LAYERS


@LAYERS.register()
class InputLayer(Layer):
    """Declares a model input: its shape (batch axis first, `None` when free) and dtype.

    It owns no weights and does no math; its output is the symbolic tensor that `keras.Input`
    returns, from which a functional model is traced.

    Args:
        shape: Shape of one sample, without the batch axis, e.g. `(784,)`.
        batch_size: Fixed batch size, or None.
        dtype: Dtype of the input (floatx by default).
        batch_shape: Full shape including the batch axis; an alternative to `shape`.
        name: Name of the layer (and of its output tensor).

    Shapes: `batch_shape` -> `batch_shape`.
    """

    def __init__(
        self,
        shape=None,
        batch_size=None,
        dtype=None,
        sparse=None,
        batch_shape=None,
        input_tensor=None,
        optional=False,
        name=None,
        **kwargs,
    ):
        kwargs.pop("ragged", None)
        text = dtype in ("string", "str")  # raw strings for a TextVectorization / lookup layer
        super().__init__(name=name, dtype=None if text else dtype, **kwargs)
        if sparse:
            raise ValueError(f"InputLayer '{self.name}': sparse inputs are not supported.")
        if shape is not None and batch_shape is not None:
            raise ValueError(
                f"InputLayer '{self.name}': give `shape` or `batch_shape`, not both "
                f"(got shape={shape!r}, batch_shape={batch_shape!r})."
            )
        if shape is None and batch_shape is None:
            raise ValueError(f"InputLayer '{self.name}': `shape` or `batch_shape` is required.")
        if batch_shape is None:
            shape = (shape,) if isinstance(shape, int) else tuple(shape)
            batch_shape = (batch_size, *shape)
        self.batch_shape = tuple(batch_shape)
        self.optional = optional
        self._input_dtype = "string" if text else config.dtype_name(config.standardize_dtype(dtype))
        tensor = KerasTensor(self.batch_shape, dtype=self._input_dtype, name=name)
        Node(self, (), {}, tensor)
        self.built = True
        self._build_shapes = self.batch_shape

    def _default_name(self):
        return "input_layer"

    @property
    def dtype(self):
        return self._input_dtype

    def get_config(self):
        return {
            "batch_shape": self.batch_shape,
            "dtype": self._input_dtype,
            "sparse": False,
            "ragged": False,
            "name": self.name,
            "optional": self.optional,
        }


def Input(
    shape=None,
    batch_size=None,
    dtype=None,
    sparse=None,
    batch_shape=None,
    name=None,
    tensor=None,
    optional=False,
):
    """A symbolic input tensor of one sample `shape` (batch axis `None`), to build a model from.

    Returns:
        The `KerasTensor` output of a new `InputLayer`; `.shape` and `.dtype` describe it.
    """
    layer = InputLayer(
        shape=shape,
        batch_size=batch_size,
        dtype=dtype,
        sparse=sparse,
        batch_shape=batch_shape,
        name=name,
        optional=optional,
    )
    return layer.output
