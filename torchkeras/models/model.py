"""Model: a Layer that is either functional (built from `keras.Input`) or subclassed."""

import json
import warnings

from torch import nn

from torchkeras.layers import symbolic
from torchkeras.layers.layer import Layer
from torchkeras.models import summary
from torchkeras.models.functional_config import functional_config, functional_from_config
from torchkeras.models.graph import Graph
from torchkeras.registry import LAYERS
from torchkeras.saving import api as saving_api
from torchkeras.saving.serialization import serialize_keras_object
from torchkeras.trainer import Trainer
from torchkeras.trainer.legacy import GeneratorMethods
from torchkeras.utils import nest


def _rename_keras1_arguments(kwargs):
    """Keras 1's `Model(input=..., output=...)`: accepted with a DeprecationWarning."""
    for old, new in (("input", "inputs"), ("output", "outputs")):
        if old not in kwargs:
            continue
        if new in kwargs:
            raise ValueError(f"Model got both `{old}` (the Keras 1 spelling) and `{new}`.")
        warnings.warn(
            f"`Model({old}=...)` is the Keras 1 spelling: use `Model({new}=...)`.",
            DeprecationWarning,
            stacklevel=4,  # the user's line: above `__init__` and its argument recorder
        )
        kwargs[new] = kwargs.pop(old)


@LAYERS.register("Functional")
class Model(Trainer, GeneratorMethods, Layer):
    """A layer with the model API: `layers`, `get_layer`, `summary`, and Keras' training loop.

    `Model(inputs, outputs)` makes a functional model whose graph is traced once from the
    symbolic tensors; its layers live in the `layers` module list, so `state_dict` keys read
    `layers.1.kernel`. A subclass that defines `call` instead tracks the layers assigned to its
    attributes, like any `torch.nn.Module`.

    Args:
        inputs: For a functional model, the `keras.Input` tensor(s): one, a list, or a dict.
        outputs: For a functional model, the output tensor(s): one, a list, or a dict.
        name: Model name; `functional` (or the snake-case subclass name) by default.
    """

    def __init__(self, *args, **kwargs):
        _rename_keras1_arguments(kwargs)
        inputs = kwargs.pop("inputs", args[0] if args else None)
        outputs = kwargs.pop("outputs", args[1] if len(args) > 1 else None)
        if (inputs is None) != (outputs is None):
            raise ValueError(
                "A functional Model needs both `inputs` and `outputs`; got "
                f"inputs={inputs!r}, outputs={outputs!r}."
            )
        self.__dict__["_graph"] = None
        self.__dict__["_plain_functional"] = inputs is not None and type(self) is Model
        super().__init__(**kwargs)
        if inputs is not None:
            self._graph = Graph(inputs, outputs)
            self._modules["layers"] = nn.ModuleList(self._graph.layers)  # beside the property
            self._build_shapes = nest.map_structure(lambda t: t.shape, inputs)
            self.built = True

    def _default_name(self):
        return "functional" if self._plain_functional else super()._default_name()

    def call(self, inputs, mask=None):
        """Runs the functional graph (`mask`: the inputs' Keras masks); subclasses override it."""
        if self._graph is None:
            raise ValueError(
                f"Model '{self.name}' has no `call` method and no functional graph: subclass "
                "Model and define `call`, or create it as `Model(inputs, outputs)`."
            )
        return self._graph.run(self._graph.flatten_inputs(inputs, self.name), mask)

    def _build_for(self, args, kwargs, device):
        """First call of a subclassed model: its sublayers build themselves as `call` runs."""
        if type(self).build is not Model.build:
            super()._build_for(args, kwargs, device)
            return
        self._build_device = device
        self._build_shapes = symbolic.unbatched_shapes(args[0] if args else None)
        self.built = True

    def build(self, input_shape=None):
        """Builds a subclassed model's layers by running `call` once on zeros of `input_shape`."""
        if self._graph is not None or input_shape is None or self.built:
            return
        self.built = True
        self._build_shapes = input_shape
        symbolic.probe_output_spec(self, (symbolic.placeholders(input_shape, self.dtype),), {})

    # ---- config --------------------------------------------------------------------------
    def get_config(self):
        """Functional models: layers with their `inbound_nodes`; subclasses: constructor args."""
        if self._graph is not None and type(self).get_config is Model.get_config:
            return functional_config(self)
        return super().get_config()

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuilds a functional model from its layers' configs, or calls `cls(**config)`."""
        if "input_layers" in config and "layers" in config:
            return functional_from_config(cls, config, custom_objects)
        return super().from_config(config)

    def save(self, filepath, overwrite=True, zipped=None, **kwargs):
        """Saves the model (config, weights, optimizer state) as `.keras` or legacy `.h5`."""
        saving_api.save_model(self, filepath, overwrite=overwrite, zipped=zipped, **kwargs)

    def save_weights(self, filepath, overwrite=True):
        """Saves the weights as `.weights.h5` (Keras layout) or `.safetensors`."""
        saving_api.save_weights(self, filepath, overwrite=overwrite)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Loads weights from `.weights.h5`, `.safetensors`, `.keras` or legacy `.h5`."""
        saving_api.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def to_json(self, **kwargs):
        """The model's config as a JSON string (architecture only, no weights)."""
        return json.dumps(serialize_keras_object(self), **kwargs)

    # ---- structure -----------------------------------------------------------------------
    @property
    def layers(self):
        """The model's layers: functional ones in graph order, else the attribute sublayers."""
        if "layers" in self._modules:
            return list(self._modules["layers"])
        return [child for child in self._child_layers() if isinstance(child, Layer)]

    @property
    def operations(self):
        """The layers and the recorded `keras.ops` operations (`inputs * 2`), in graph order."""
        return list(self._graph.operations) if self._graph is not None else self.layers

    def get_layer(self, name=None, index=None):
        """Returns a layer by `name` or by position `index` in `model.layers`."""
        if index is not None and name is not None:
            raise ValueError(
                f"Provide only a layer name or a layer index at `get_layer`, got name={name!r} "
                f"and index={index!r}."
            )
        layers = self.layers
        if index is not None:
            if not -len(layers) <= index < len(layers):
                raise ValueError(
                    f"Was asked to retrieve layer at index {index} but model '{self.name}' only "
                    f"has {len(layers)} layers."
                )
            return layers[index]
        if name is None:
            raise ValueError("Provide either a layer name or layer index at `get_layer`.")
        for layer in layers:
            if layer.name == name:
                return layer
        raise ValueError(
            f"No such layer: {name}. Existing layers are: {[layer.name for layer in layers]}."
        )

    @property
    def inputs(self):
        """The functional model's input tensors, as a list."""
        return list(self._graph.inputs) if self._graph is not None else None

    @property
    def outputs(self):
        """The functional model's output tensors, as a list."""
        return list(self._graph.outputs) if self._graph is not None else None

    @property
    def input(self):
        """The functional model's inputs in the structure they were given (tensor, list, dict)."""
        if self._graph is None:
            return super().input
        return self._graph.input_structure

    @property
    def output(self):
        """The functional model's outputs in the structure they were given."""
        if self._graph is None:
            return super().output
        return self._graph.output_structure

    def summary(
        self,
        line_length=None,
        positions=None,
        print_fn=None,
        expand_nested=False,
        show_trainable=False,
        layer_range=None,
    ):
        """Prints Keras' table of layers, output shapes and parameter counts."""
        summary.print_summary(
            self,
            line_length=line_length,
            positions=positions,
            print_fn=print_fn,
            expand_nested=expand_nested,
            show_trainable=show_trainable,
            layer_range=layer_range,
        )

