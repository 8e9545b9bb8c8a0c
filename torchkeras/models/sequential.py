"""Sequential: a plain stack of layers, each feeding the next."""

import torch
from torch import nn

from torchkeras import config
from torchkeras.layers import masking_support, symbolic
from torchkeras.layers.core.input_layer import InputLayer
from torchkeras.models.model import Model
from torchkeras.registry import LAYERS
from torchkeras.saving.serialization import deserialize_keras_object, serialize_keras_object


@LAYERS.register()
class Sequential(Model):
    """A model made of a list of layers with one input and one output.

    Its weights are created lazily: when the input shape is known (an `Input` added first,
    `input_shape=` on the first layer, `build(input_shape)`, or the first call), every layer is
    traced once symbolically, which builds it and records the output shapes `summary` shows.
    A call then runs the layers in a straight loop.

    Args:
        layers: Optional list of layers (an `Input` tensor or `InputLayer` may come first).
        trainable: Whether the model's weights are trained.
        name: Model name; `sequential`, `sequential_1`, ... by default.
    """

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(trainable=trainable, name=name)
        self._modules["layers"] = nn.ModuleList()  # `layers` is also a property
        self._input_tensor = None
        self._layer_outputs = []
        for layer in layers or ():
            self.add(layer, rebuild=False)
        self._rebuild()

    def add(self, layer, rebuild=True):
        """Appends a layer; an `Input` tensor or `InputLayer` sets the model's input instead."""
        if isinstance(layer, symbolic.KerasTensor):
            layer = layer.history[0]
        if isinstance(layer, InputLayer):
            if len(self._modules["layers"]) or self._input_tensor is not None:
                raise ValueError(
                    f"Sequential '{self.name}': an Input can only be the first layer; it was "
                    f"added after {len(self._modules['layers'])} layer(s)."
                )
            self._input_tensor = layer.output
        elif isinstance(layer, nn.Module):
            if not self._modules["layers"] and getattr(layer, "_input_shape_arg", None):
                self._input_tensor = InputLayer(batch_shape=layer._input_shape_arg).output
            self._modules["layers"].append(layer)
        else:
            raise ValueError(
                f"Sequential '{self.name}': only layers can be added, got "
                f"{type(layer).__name__}: {layer!r}."
            )
        if rebuild:
            self._rebuild()

    def pop(self, rebuild=True):
        """Removes and returns the last layer."""
        layers = self._modules["layers"]
        if not len(layers):
            raise ValueError(f"Sequential '{self.name}' has no layers to pop.")
        layer = layers[-1]
        del layers[-1]
        self.built = False
        if rebuild:
            self._rebuild()
        return layer

    def build(self, input_shape=None):
        """Builds every layer for inputs of `input_shape` (batch axis first, may be None)."""
        if input_shape is None:
            if self._input_tensor is None:
                raise ValueError(
                    f"Sequential '{self.name}' cannot be built without an input shape: call "
                    "`build(input_shape)`, add a `keras.Input` first, or call the model on data."
                )
        elif self._input_tensor is None or self._input_tensor.shape != tuple(input_shape):
            self._input_tensor = InputLayer(batch_shape=tuple(input_shape)).output
        self._rebuild()

    def _rebuild(self):
        """Traces the layers symbolically from the known input, which builds them."""
        self._layer_outputs = []
        if self._input_tensor is None:
            return
        outputs = self._input_tensor
        for layer in self._modules["layers"]:
            outputs = layer(outputs)
            self._layer_outputs.append(outputs)
        self._input_dtype = config.standardize_dtype(self._input_tensor.dtype)
        self._build_shapes = self._input_tensor.shape
        self.built = True

    def _build_for(self, args, kwargs, device):
        """Lazy build on the first call: the input takes that call's shape and dtype."""
        first = args[0]
        self._input_tensor = InputLayer(
            batch_shape=(None, *first.shape[1:]), dtype=first.dtype
        ).output
        super()._build_for(args, kwargs, device)

    def call(self, inputs, mask=None):
        outputs = inputs
        if mask is not None:  # Keras attaches a given mask to the input; layers pass it on
            masking_support.set_mask(outputs, mask)
        if isinstance(outputs, torch.Tensor) and outputs.dtype != self._input_dtype:
            mask = masking_support.get_mask(outputs)
            outputs = outputs.to(self._input_dtype)
            if mask is not None:
                masking_support.set_mask(outputs, mask)
        for layer in self._modules["layers"]:
            outputs = layer(outputs)
        return outputs

    @property
    def inputs(self):
        return [self._input_tensor] if self._input_tensor is not None else None

    @property
    def outputs(self):
        return [self._layer_outputs[-1]] if self._layer_outputs else None

    @property
    def input(self):
        return self._input_tensor

    @property
    def output(self):
        return self._layer_outputs[-1] if self._layer_outputs else None

    def layer_output_spec(self, layer):
        """The symbolic output of `layer` in this model's trace, or None before building."""
        for candidate, output in zip(self._modules["layers"], self._layer_outputs):
            if candidate is layer:
                return output
        return None

    def get_config(self):
        layers = [serialize_keras_object(layer) for layer in self._modules["layers"]]
        if self._input_tensor is not None:
            layers.insert(0, serialize_keras_object(self._input_tensor.history[0]))
        config = {**Model.get_config(self), "layers": layers}
        if self._input_tensor is not None:
            config["build_input_shape"] = self._input_tensor.shape
        return config

    @classmethod
    def from_config(cls, config, custom_objects=None):
        model = cls(name=config.get("name"), trainable=config.get("trainable", True))
        for entry in config.get("layers", []):
            model.add(deserialize_keras_object(entry, custom_objects), rebuild=False)
        shape = config.get("build_input_shape")
        if shape is not None and model._input_tensor is None:
            model.build(tuple(shape))
        else:
            model._rebuild()
        return model
