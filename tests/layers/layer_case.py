"""`LayerCase`: one row of a layer case table, run through every generic layer test and compat."""

import dataclasses
import inspect

import numpy as np


@dataclasses.dataclass(frozen=True)
class LayerCase:
    """One layer configuration and what it must produce.

    Attributes:
        cls: The torchkeras layer class (real Keras' class of the same name is the reference).
        kwargs: Constructor arguments, or a callable returning them.
        input_shape: Input shape with batch size, or a list of them (several inputs).
        expected_output_shape: Output shape for that input, or a list of them when the call
            returns a tuple (`return_state`, `return_attention_scores`).
        input_dtype: numpy dtype of the generated input (ints are drawn from [0, 4)).
        positional: Several inputs go to `call` as positional arguments (`mha(query, value)`),
            not as one list (`Add()([a, b])`).
        input_structure: How the inputs group into `call`'s positional arguments, or None: a
            tuple with one entry per argument, each an input index or a (nested) list of them;
            `(0, [1, 2])` calls `cell(x, [h, c])`. A nested result (`(output, [h, c])`) is
            flattened to its tensors, in order, like `expected_output_shape`.
        call_kwargs: Keyword arguments of every call (`use_causal_mask=True`), or None.
        inputs: A callable `rng -> list of numpy arrays` replacing the drawn inputs (strings,
            masks, indices in a range), or None.
        state_keys: Expected `state_dict` keys.
        custom_objects: What `from_config` needs besides the config, or a callable giving it.
        weights_at_init: Whether the layer has weights before its first call.
        config_skip: Config keys not compared with real Keras (they record code differently).
        id: Test id.
        rtol, grad_atol: Looser compat tolerances, when a case needs them (the reason beside it).
    """

    cls: type
    kwargs: object
    input_shape: object
    expected_output_shape: tuple
    input_dtype: str = "float32"
    state_keys: tuple = ()
    custom_objects: object = None
    weights_at_init: bool = False
    config_skip: tuple = ()
    id: str = ""
    rtol: float = None
    grad_atol: float = None
    positional: bool = False
    call_kwargs: object = None
    inputs: object = None
    input_structure: tuple = None

    def make_kwargs(self, layers=None):
        """The constructor arguments. A callable `kwargs` taking one argument is given `layers`,
        the namespace whose classes it should use (`keras.layers` for the Keras reference; None
        for torchkeras), so wrapper cases can build their inner layers from either library."""
        if not callable(self.kwargs):
            return dict(self.kwargs)
        return self.kwargs(layers) if inspect.signature(self.kwargs).parameters else self.kwargs()

    def make_custom_objects(self):
        objects = self.custom_objects
        return objects() if callable(objects) else objects

    @property
    def several_inputs(self):
        return isinstance(self.input_shape, list)

    @property
    def output_shapes(self):
        """The expected output shapes as a list (one entry for a single output)."""
        shapes = self.expected_output_shape
        return list(shapes) if isinstance(shapes, list) else [shapes]

    def make_inputs(self, seed):
        """The case's seeded inputs as a list of numpy arrays (ints are drawn from [0, 4))."""
        rng = np.random.default_rng(seed)
        if self.inputs is not None:
            return list(self.inputs(rng))
        shapes = self.input_shape if self.several_inputs else [self.input_shape]
        if np.dtype(self.input_dtype).kind in "iu":
            return [rng.integers(0, 4, size=shape).astype(self.input_dtype) for shape in shapes]
        return [rng.standard_normal(shape).astype(self.input_dtype) for shape in shapes]

    def call(self, layer, tensors):
        """Calls `layer` on the list `tensors` the way this case says (list, positional, single)."""
        kwargs = dict(self.call_kwargs or {})
        if self.input_structure is not None:
            args = [_arrange(entry, tensors) for entry in self.input_structure]
            return _flatten(layer(*args, **kwargs))
        if not self.several_inputs:
            return layer(tensors[0], **kwargs)
        return layer(*tensors, **kwargs) if self.positional else layer(list(tensors), **kwargs)


def _arrange(entry, tensors):
    """`entry` of an `input_structure` with each index replaced by its tensor."""
    if isinstance(entry, list):
        return [_arrange(item, tensors) for item in entry]
    return tensors[entry]


def _flatten(result):
    """The tensors of a (nested) call result as one flat list."""
    if isinstance(result, (list, tuple)):
        return [leaf for item in result for leaf in _flatten(item)]
    return [result]
