"""TorchModuleWrapper: puts any `torch.nn.Module` into a Keras model, `module(inputs)`."""

import torch
from torch import nn

from torchkeras import config
from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS


@LAYERS.register()
class TorchModuleWrapper(Layer):
    """Runs a plain `torch.nn.Module` as a Keras layer.

    The module is a child module, so its parameters train, appear in `weights`,
    `trainable_weights` and `state_dict` (keys `module.weight` ...). Lazy modules
    (`nn.LazyLinear` ...) are materialized when the layer is built, by running them once on
    zeros of the input shape with batch size 1 (Keras refuses uninitialized lazy modules).
    `get_config()` records only the module's class name: unlike Keras, which pickles the
    module, torchkeras never unpickles, so `from_config` needs the module in `custom_objects`.

    Args:
        module: The `torch.nn.Module` to wrap.
        name: Layer name; defaults to `torch_module_wrapper`, `torch_module_wrapper_1` ...
        output_shape: Optional full output shape, returned by `compute_output_shape`.

    Shapes: whatever `module` returns.
    """

    def __init__(self, module, name=None, output_shape=None, **kwargs):
        super().__init__(name=name, **kwargs)
        if not isinstance(module, nn.Module):
            raise ValueError(
                f"TorchModuleWrapper '{self.name}': `module` must be a torch.nn.Module, "
                f"got module={module!r}."
            )
        self.module = module
        self.output_shape = output_shape

    def build(self, input_shape):
        if self._build_device is not None:
            self.module.to(self._build_device)
        lazy = isinstance(self.module, nn.modules.lazy.LazyModuleMixin)
        if lazy and self.module.has_uninitialized_params():
            sizes = [1 if d is None else d for d in input_shape]  # batch 1 (and unknown axes)
            zeros = torch.zeros(
                sizes, dtype=config.standardize_dtype(self.dtype), device=self._build_device
            )
            with torch.no_grad():
                self.module(zeros)

    def call(self, *args, training=None, **kwargs):
        if training is not None and self.module.training != training:
            self.module.train(training)  # Keras: eval() when training is False, else train()
        return self.module(*args, **kwargs)

    def compute_output_shape(self, input_shape):
        if self.output_shape is None:
            return super().compute_output_shape(input_shape)
        return tuple(self.output_shape)

    def get_config(self):
        return {
            **super().get_config(),
            "module": type(self.module).__name__,
            "output_shape": self.output_shape,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """Rebuilds the layer around a module passed in `custom_objects` under its class name.

        The config holds only the class name (e.g. `"Linear"`); the module itself is never
        loaded from a file, so the caller supplies an instance of the right architecture.
        """
        config = dict(config)
        module = config["module"]
        if not isinstance(module, nn.Module):
            found = (custom_objects or {}).get(module) if isinstance(module, str) else None
            if not isinstance(found, nn.Module):
                key = module if isinstance(module, str) and module.isidentifier() else "Module"
                raise ValueError(
                    f"TorchModuleWrapper '{config.get('name')}': the config does not contain the "
                    f"torch module itself (found {_short(module)}), and torchkeras never "
                    "unpickles modules. Pass an instance: "
                    f"`custom_objects={{{key!r}: {key}(...)}}`."
                )
            config["module"] = found
        return cls(**config)


def _short(value):
    text = repr(value)
    return text if len(text) <= 60 else f"{text[:40]}... ({len(text)} characters)"
