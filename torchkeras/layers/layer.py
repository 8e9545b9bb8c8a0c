"""Layer: a `torch.nn.Module` with Keras' lazy `build`, weights API, `training` flag and config."""

import inspect
import math

import numpy as np
import torch
from torch import nn

from torchkeras import config, constraints, initializers, regularizers
from torchkeras import mixed_precision as dtype_policies
from torchkeras.layers import autocasting, call_context, layer_config, masking_support, symbolic
from torchkeras.layers.input_spec import assert_input_compatibility
from torchkeras.layers.weight_parameter import WeightBuffer, WeightParameter
from torchkeras.layers.weights import WeightsMixin
from torchkeras.utils import naming, nest

_LAYER_KWARGS = ("input_shape", "batch_input_shape", "input_dim", "batch_size")


class Layer(WeightsMixin, autocasting.DTypePolicyMixin, nn.Module):
    """Base class of every layer and model: state in `build`, math in `call`.

    Weights are created by `build(input_shape)` on the first call, on the device of that call's
    input, with the batch axis given as `None`. Trainable weights are `nn.Parameter`s and
    non-trainable ones are buffers, so optimizers, `state_dict`, DDP and `torch.compile` see an
    ordinary module. Unlike a fresh `nn.Module`, a layer starts in inference mode, as a Keras
    layer called outside `fit` does; `fit` switches it to training mode for its duration.

    Args:
        name: Unique name; defaults to the snake-case class name (`dense`, `dense_1`, ...).
        trainable: Whether the layer's weights are updated by training.
        dtype: A dtype policy or its name: `"float32"`, `"mixed_bfloat16"`, ... (by default the
            global policy, `keras.config.dtype_policy()`). A mixed policy keeps the weights in
            float32 and computes under `torch.autocast` (see `layers/autocasting.py`).
        activity_regularizer: Regularizer applied to the layer's output, added to `losses`.
        input_shape: Shape of one sample; on the first layer of a `Sequential` it declares the
            model's input, as in Keras (`batch_input_shape`, `input_dim` likewise).
    """

    _call_args = ("inputs",)
    input_spec = None  # a custom layer's `InputSpec` (or list), checked before every call
    _call_takes_training = False
    _call_takes_mask = False
    # Masks (see masking_support): Keras' `supports_masking` defaults to whether the class
    # overrides `compute_mask`; instances may set it.
    supports_masking = False
    _call_has_mask_arg = False
    _mask_arg_names = ()
    _computes_mask = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "build" in cls.__dict__:
            cls.build = layer_config.marks_built(cls.__dict__["build"])
        if "__init__" in cls.__dict__:
            cls.__init__ = layer_config.records_arguments(cls.__dict__["__init__"])
        cls._call_args = tuple(inspect.signature(cls.call).parameters)[1:]
        cls._call_takes_training = "training" in cls._call_args
        cls._call_takes_mask = "mask" in cls._call_args or layer_config.has_var_keyword(cls.call)
        cls._call_has_mask_arg = "mask" in cls._call_args
        cls._mask_arg_names = tuple(a for a in cls._call_args if a.endswith("_mask"))
        cls._computes_mask = cls.compute_mask is not Layer.compute_mask
        if "compute_mask" in cls.__dict__ and "supports_masking" not in cls.__dict__:
            cls.supports_masking = True

    def __init__(
        self, *, activity_regularizer=None, trainable=True, dtype=None, name=None, **kwargs
    ):
        nn.Module.__init__(self)
        unknown = set(kwargs) - set(_LAYER_KWARGS)
        if unknown:
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                f"{ {key: kwargs[key] for key in sorted(unknown)} }"
            )
        self.name = name or naming.unique_name(self._default_name())
        self.dtype_policy = dtype
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self.built = False
        self._trainable = bool(trainable)
        self._weight_keys = []
        self._weight_regularizers = {}
        self._weight_constraints = {}
        self._losses = []
        self._inbound_nodes = []
        self._build_shapes = None
        self._build_device = None
        self._input_shape_arg = layer_config.declared_input_shape(kwargs)
        self.training = False

    def _default_name(self):
        return naming.to_snake_case(type(self).__name__)

    # ---- the call path ------------------------------------------------------------------
    def __call__(self, *args, **kwargs):
        if self.input_spec is not None and args:
            assert_input_compatibility(self.input_spec, args[0], self.name)
        if args and not isinstance(args[0], torch.Tensor):
            if symbolic.is_symbolic((args, kwargs)):
                return self._symbolic_call(args, kwargs)
            args = (self._to_tensors(args[0]), *args[1:])
        if call_context.depth == 0 and call_context.loss_owners:
            call_context.clear_losses()
        call_context.depth += 1
        try:
            if call_context.needs_module_call(self):  # hooks, `module.compile()`, jit tracing: torch's path
                return nn.Module.__call__(self, *args, **kwargs)
            return self.forward(*args, **kwargs)  # what nn.Module.__call__ does without them
        finally:
            call_context.depth -= 1

    def forward(self, *args, **kwargs):
        """Builds on the first call, then runs `call` with Keras' `training` semantics."""
        if not self.built:
            self._build_for(args, kwargs, device=_device_of(args))
        if not self._call_takes_mask:
            kwargs.pop("mask", None)  # Keras passes masks only to calls that accept them
        training = kwargs.pop("training", None)
        if training is None:  # inherit an enclosing call's explicit value, else the module mode
            if self._call_takes_training:
                inherited = call_context.current_training()
                kwargs["training"] = self.training if inherited is None else inherited
            return self._checked_call(args, kwargs)
        with call_context.TrainingScope(training):
            if self._call_takes_training:
                kwargs["training"] = bool(training)
            return self._checked_call(args, kwargs)

    def _checked_call(self, args, kwargs):
        first = args[0] if args else kwargs.get(self._call_args[0]) if self._call_args else None
        if (  # the hot path: no mask in, none to compute, no mask arguments to fill
            isinstance(first, torch.Tensor)
            and getattr(first, "_keras_mask", None) is None
            and not self._mask_arg_names
            and not (self._computes_mask and self.supports_masking)
        ):
            return self._run_call(args, kwargs)
        return masking_support.call_with_masks(self, first, args, kwargs)

    def _run_call(self, args, kwargs):
        try:
            if self._autocast_dtype is None and autocasting.active[0] is None:
                outputs = self.call(*args, **kwargs)
            else:  # a mixed policy, or a layer inside a mixed one
                outputs = autocasting.call_under_policy(self, args, kwargs)
        except RuntimeError as error:
            self._raise_incompatible_input(args, error)
            error.add_note(f"(raised in layer '{self.name}' of type {type(self).__name__})")
            raise
        if self.activity_regularizer is not None:
            for output in nest.flatten(outputs):  # Keras averages the penalty over the batch
                self.add_loss(self.activity_regularizer(output) / output.shape[0])
        return outputs

    def call(self, inputs, *args, **kwargs):
        """The layer's computation; the base layer returns its input unchanged."""
        return inputs

    def compute_mask(self, inputs, previous_mask):
        """The output mask; by default the input's (used only when `supports_masking`)."""
        return previous_mask

    def _raise_incompatible_input(self, args, error):
        expected, received = self._build_shapes, _shape_or_none(args[0] if args else None)
        if not isinstance(expected, tuple) or received is None:
            return
        if len(expected) != len(received) or any(
            e is not None and e != r for e, r in zip(expected, received)
        ):
            raise ValueError(
                f"Input 0 of layer '{self.name}' is incompatible with the layer: it was built "
                f"for inputs of shape {expected}, but received an input of shape {received}."
            ) from error

    def _to_tensors(self, inputs):
        """numpy arrays -> tensors on this layer's device (float64 becomes floatx, as Keras does)."""
        device = self.weight_device()

        def convert(x):
            if not isinstance(x, np.ndarray) or x.dtype.kind in "USO":  # strings stay numpy
                return x
            tensor = torch.as_tensor(x, device=device)
            if tensor.dtype == torch.float64:
                tensor = tensor.to(config.standardize_dtype(config.floatx()))
            return tensor

        return nest.map_structure(convert, inputs)

    def _symbolic_call(self, args, kwargs):
        if not self.built:
            self._build_for(args, kwargs, device=self.weight_device())
        with autocasting.PoliciesEnforced():
            outputs = self.compute_output_spec(*args, **kwargs)
        if type(self).compute_output_spec is not Layer.compute_output_spec:
            symbolic.add_mask_specs(self, args, kwargs, outputs)  # the probe did it otherwise
        symbolic.Node(self, args, kwargs, outputs)
        return outputs

    def compute_output_spec(self, *args, **kwargs):
        """Output KerasTensors for symbolic inputs; by default found by running the layer."""
        return symbolic.probe_output_spec(self, args, kwargs)

    def compute_output_shape(self, input_shape):
        """Output shape (batch axis `None`) for an input shape, found by running the layer."""
        spec = self.compute_output_spec(symbolic.placeholders(input_shape, self._dtype))
        return nest.map_structure(lambda t: t.shape, spec)

    # ---- building ------------------------------------------------------------------------
    def build(self, input_shape=None):
        """Creates the layer's weights for `input_shape`; the base layer has none."""

    def _build_for(self, args, kwargs, device):
        """Calls `build` with the shapes of the call's arguments (batch axis `None`)."""
        self._build_device = device or call_context.build_device
        shapes = [symbolic.unbatched_shapes(args[0] if args else None)]
        params = list(inspect.signature(self.build).parameters)
        if len(params) > 1 and all(p.endswith("_shape") for p in params):
            bound = dict(zip(self._call_args, args), **kwargs)
            shapes = [symbolic.unbatched_shapes(bound.get(p[: -len("_shape")])) for p in params]
        self._build_shapes = shapes[0] if len(shapes) == 1 else shapes
        outer_device, call_context.build_device = call_context.build_device, self._build_device
        try:
            self.build(*shapes)
        finally:
            call_context.build_device = outer_device
        self.built = True

    def weight_device(self):
        """Device of the layer's first weight, else where its weights will be built (CPU default)."""
        for tensor in self._tensors():
            return tensor.device
        return self._build_device or call_context.build_device or torch.device("cpu")

    def _tensors(self):
        yield from self.parameters()
        yield from self.buffers()

    # ---- weights ---------------------------------------------------------------------------
    def add_weight(
        self,
        shape=None,
        initializer=None,
        dtype=None,
        trainable=True,
        autocast=True,
        regularizer=None,
        constraint=None,
        aggregation="none",
        overwrite_with_gradient=False,
        name=None,
    ):
        """Creates a weight: a `nn.Parameter` (a `WeightParameter`, which also has Keras'
        `numpy()`/`assign()`) if trainable, else a (persistent) buffer (a `WeightBuffer`, alike).

        It is registered under `name` until assigned to an attribute, whose name it then takes
        (so `self.kernel = self.add_weight(name="kernel", ...)` has `state_dict` key `kernel`).
        """
        shape = tuple(int(d) for d in (shape or ()))
        call_context.spend_weights(math.prod(shape), self.name)
        torch_dtype = config.standardize_dtype(dtype or self._dtype)
        if initializer is None:
            initializer = "glorot_uniform" if torch_dtype.is_floating_point else "zeros"
        value = torch.as_tensor(
            initializers.get(initializer)(shape, dtype=config.dtype_name(torch_dtype))
        )
        value = value.to(device=self.weight_device(), dtype=torch_dtype)
        if tuple(value.shape) != shape:
            raise ValueError(
                f"Layer '{self.name}': initializer for weight {name!r} returned shape "
                f"{tuple(value.shape)}, expected {shape}."
            )
        key = self._free_key(name or "variable")
        if trainable and torch_dtype.is_floating_point:
            weight = WeightParameter(value, requires_grad=self.trainable)
            self.register_parameter(key, weight)
        else:
            weight = WeightBuffer.wrap(value)
            self.register_buffer(key, weight)
        self._weight_keys.append(key)
        if regularizer is not None:
            self._weight_regularizers[key] = regularizers.get(regularizer)
        if constraint is not None:
            self._weight_constraints[key] = constraints.get(constraint)
        return weight

    def _free_key(self, name):
        key, count = name, 0
        while key in self._parameters or key in self._buffers or key in self.__dict__:
            count += 1
            key = f"{name}_{count}"
        return key

    # ---- losses ----------------------------------------------------------------------------
    def add_loss(self, loss):
        """Adds a loss tensor (e.g. an activity penalty) for the current call to `losses`."""
        self._losses.append(loss)
        call_context.loss_owners.add(self)

    @property
    def losses(self):
        """Losses added during the last call plus weight-regularization penalties, own and nested."""
        found = []
        for layer in self._flat_layers():
            found.extend(layer._losses)
            for key, regularizer in layer._weight_regularizers.items():
                found.append(regularizer(layer._weight(key)))
        return found

    # ---- config --------------------------------------------------------------------------
    def get_config(self):
        """Constructor arguments as plain Python values (Keras' config dict)."""
        config = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": dtype_policies.serialize(self._dtype_policy),
        }
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(
                self.activity_regularizer
            )
        if layer_config.uses_base_get_config(self):  # a user subclass without get_config
            config = {**layer_config.constructor_config(self), **config}
        return config

    @classmethod
    def from_config(cls, config):
        """Creates a layer from `get_config()`'s output."""
        return cls(**layer_config.accepted(cls, config))

    def get_build_config(self):
        """The input shape the layer was built with, as Keras stores it in `.keras` files."""
        return {"input_shape": self._build_shapes} if self.built else None

    def build_from_config(self, config):
        """Builds the layer (creating its weights) from `get_build_config()`'s output."""
        shape = (config or {}).get("input_shape")
        if shape is None or self.built:
            return
        shape = layer_config.as_shape(shape)
        self._build_shapes = shape
        self.build(shape)
        self.built = True

    @property
    def input(self):
        """The symbolic input of the layer's first call on a KerasTensor (`[]` for an
        `InputLayer`, which has none, as in Keras)."""
        call_args = self._first_node("input").call_args
        return call_args[0] if call_args else []

    @property
    def output(self):
        """The symbolic output of the layer's first call on a KerasTensor."""
        return self._first_node("output").outputs

    def _first_node(self, what):
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer '{self.name}' has never been called on a symbolic input (keras.Input), "
                f"so it has no defined {what}."
            )
        return self._inbound_nodes[0]

    def extra_repr(self):
        return f"name={self.name}, built={self.built}"

    def _apply(self, fn, recurse=True):
        """`nn.Module._apply` (`.to()`, `.double()` ...), keeping `add_weight` buffers WeightBuffers
        (torch replaces a buffer by `fn(buffer)`, a plain tensor)."""
        super()._apply(fn, recurse)
        for key in self._weight_keys:
            buffer = self._buffers.get(key)
            if buffer is not None and not isinstance(buffer, WeightBuffer):
                self._buffers[key] = WeightBuffer.wrap(buffer)
        return self


def _shape_or_none(x):
    return tuple(x.shape) if isinstance(x, torch.Tensor) else None


def _device_of(args):
    leaf = nest.first_leaf(args)
    return leaf.device if isinstance(leaf, torch.Tensor) else None
