"""Bidirectional: runs a recurrent layer forwards and a copy backwards, and merges the outputs."""

import torch

from torchkeras.layers.layer import Layer
from torchkeras.layers.recurrent.rnn import _spec
from torchkeras.layers.symbolic import KerasTensor
from torchkeras.registry import LAYERS

_MERGE_MODES = ("sum", "mul", "ave", "concat", None)


@LAYERS.register()
class Bidirectional(Layer):
    """Bidirectional wrapper: a fresh copy of `layer` reads the sequence forwards and another
    (or `backward_layer`) reads it backwards; their outputs are merged.

    As in Keras, `layer` itself is not used: its config makes `forward_layer` (new weights)
    and, unless `backward_layer` is given, a `go_backwards=True` `backward_layer`. The backward
    output sequence is flipped back to time order before merging; with `return_sequences`,
    masked steps output zeros (Keras forces `zero_output_for_mask` then).

    Args:
        layer: A recurrent layer (`RNN`, `LSTM`, `GRU`, `SimpleRNN`, or one with their API).
        merge_mode: `"concat"`, `"sum"`, `"mul"`, `"ave"`, or None (a list of both outputs).
        weights: Optional initial weights (forward half, then backward half), set at build.
        backward_layer: Optional recurrent layer for the backward direction.

    Call arguments: `sequences`, `initial_state` (forward states then backward states), `mask`,
        `training`.

    Shapes: `(batch, time, features)` -> as `layer`'s output, last axis doubled with `"concat"`.
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        super().__init__(**kwargs)
        for argument, value in (("layer", layer), ("backward_layer", backward_layer)):
            if value is not None and not isinstance(value, Layer):
                raise ValueError(
                    f"Bidirectional '{self.name}': `{argument}` must be a Keras layer instance, "
                    f"got {argument}={value!r}."
                )
        if merge_mode not in _MERGE_MODES:
            raise ValueError(
                f"Bidirectional '{self.name}': `merge_mode` must be one of {_MERGE_MODES}, "
                f"got merge_mode={merge_mode!r}."
            )
        self.forward_layer = _copy(layer, name=f"forward_{layer.name.removeprefix('forward_')}")
        if backward_layer is None:
            name = f"backward_{layer.name.removeprefix('backward_')}"
            backward_layer = _copy(layer, name=name, go_backwards=True)
        self.backward_layer = backward_layer
        if hasattr(layer, "use_cudnn"):
            self.forward_layer.use_cudnn = self.backward_layer.use_cudnn = layer.use_cudnn
        self._verify_directions()
        for direction in (self.forward_layer, self.backward_layer):
            if getattr(direction, "zero_output_for_mask", None) is not None:
                direction.zero_output_for_mask = direction.return_sequences
        self.merge_mode = merge_mode
        self._initial_weights = list(weights) if weights else None
        self.stateful = layer.stateful
        self.return_sequences = layer.return_sequences
        self.return_state = layer.return_state
        self.supports_masking = True

    def _verify_directions(self):
        forward, backward = self.forward_layer, self.backward_layer
        if forward.go_backwards == backward.go_backwards:
            raise ValueError(
                f"Bidirectional '{self.name}': `backward_layer.go_backwards` must be the opposite "
                f"of `layer.go_backwards`, got {backward.go_backwards} for both."
            )
        for attribute in ("stateful", "return_sequences", "return_state"):
            values = getattr(forward, attribute), getattr(backward, attribute)
            if values[0] != values[1]:
                raise ValueError(
                    f"Bidirectional '{self.name}': the forward and backward layers must have the "
                    f"same `{attribute}`, got {values[0]} (forward) and {values[1]} (backward)."
                )

    def build(self, sequences_shape):
        for direction in (self.forward_layer, self.backward_layer):
            if not direction.built:
                direction.build(sequences_shape)
        if self._initial_weights is not None:
            half = len(self._initial_weights) // 2
            self.forward_layer.set_weights(self._initial_weights[:half])
            self.backward_layer.set_weights(self._initial_weights[half:])
            self._initial_weights = None

    def call(self, sequences, initial_state=None, mask=None, training=None):
        forward_state = backward_state = None
        if initial_state is not None:
            half = len(initial_state) // 2
            forward_state, backward_state = initial_state[:half], initial_state[half:]
        kwargs = {"mask": mask, "training": training}
        y = self.forward_layer(sequences, initial_state=forward_state, **kwargs)
        y_rev = self.backward_layer(sequences, initial_state=backward_state, **kwargs)
        states = ()
        if self.return_state:
            states = tuple(y[1:]) + tuple(y_rev[1:])
            y, y_rev = y[0], y_rev[0]
        if self.return_sequences:
            y_rev = torch.flip(y_rev, dims=[1])  # back to time order
        output = self._merge(y, y_rev)
        if not self.return_state:
            return output
        return (*output, *states) if self.merge_mode is None else (output, *states)

    def _merge(self, y, y_rev):
        if self.merge_mode == "concat":
            return torch.cat([y, y_rev], dim=-1)
        if self.merge_mode == "sum":
            return y + y_rev
        if self.merge_mode == "ave":
            return (y + y_rev) / 2
        if self.merge_mode == "mul":
            return y * y_rev
        return (y, y_rev)

    def compute_output_shape(self, sequences_shape):
        shape = self.forward_layer.compute_output_shape(sequences_shape)
        states = ()
        if self.return_state:
            shape, states = shape[0], tuple(shape[1:])
        if self.merge_mode == "concat":
            shape = (*shape[:-1], shape[-1] * 2)
        outputs = (shape, shape) if self.merge_mode is None else (shape,)
        if self.return_state:
            return (*outputs, *states, *states)
        return outputs if self.merge_mode is None else shape

    def compute_output_spec(self, sequences, initial_state=None, mask=None, training=None):
        shapes = self.compute_output_shape(tuple(sequences.shape))
        if isinstance(shapes, tuple) and isinstance(shapes[0], tuple):
            return tuple(_spec(shape, self._dtype) for shape in shapes)
        return KerasTensor(shapes, self._dtype)

    def compute_mask(self, inputs, mask=None):
        """The input mask on each output sequence (`return_sequences`), else None; states: None."""
        if isinstance(mask, (list, tuple)):
            mask = mask[0]
        if self.return_sequences:
            output_mask = mask if self.merge_mode else (mask, mask)
        else:
            output_mask = None if self.merge_mode else (None, None)
        if not self.return_state:
            return output_mask
        outputs = output_mask if self.merge_mode is None else (output_mask,)
        state_count = len(self.forward_layer.state_size) * 2
        return (*outputs, *([None] * state_count))

    @property
    def states(self):
        """Both directions' stored states (stateful layers), forward first, or None."""
        if self.forward_layer.states and self.backward_layer.states:
            return tuple(self.forward_layer.states + self.backward_layer.states)
        return None

    def reset_state(self):
        """Zeroes both directions' states; only for a stateful layer."""
        if not self.stateful:
            raise AttributeError(f"Bidirectional '{self.name}': the layer must be stateful.")
        self.forward_layer.reset_state()
        self.backward_layer.reset_state()

    def reset_states(self):
        """Alias of `reset_state`, as in Keras."""
        self.reset_state()

    def get_config(self):
        return {
            **super().get_config(),
            "merge_mode": self.merge_mode,
            "layer": LAYERS.serialize(self.forward_layer),
            "backward_layer": LAYERS.serialize(self.backward_layer),
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        config["layer"] = LAYERS.get(config["layer"], custom_objects)
        if config.get("backward_layer") is not None:
            config["backward_layer"] = LAYERS.get(config["backward_layer"], custom_objects)
        return cls(**config)


def _copy(layer, **changes):
    """A new layer of `layer`'s class from its config with `changes` (fresh weights)."""
    return type(layer).from_config({**layer.get_config(), **changes})
