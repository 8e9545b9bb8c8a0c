"""The Keras weights API of a layer (weights lists, `trainable`, get/set_weights) on nn.Module state."""

import numpy as np
import torch
from torch import nn

from torchkeras.distribution.sharded_values import assign, full_value


class WeightsMixin:
    """Keras' view of a module's parameters and buffers, in Keras' order and layout.

    A layer's own weights come first (trainable-kind in creation order, then non-trainable),
    then those of its sublayers in attribute order; shared weights are listed once. Plain
    `torch.nn` children (e.g. in `TorchModuleWrapper`) contribute their parameters and buffers.
    """

    def __setattr__(self, name, value):
        keys = self.__dict__.get("_weight_keys")
        if keys and isinstance(value, torch.Tensor) and name not in keys:
            for index, key in enumerate(keys):
                if self._weight(key) is value:
                    self._rekey_weight(index, key, name, value)
                    return
        if _is_layer_collection(value):
            value = nn.ModuleDict(value) if isinstance(value, dict) else nn.ModuleList(value)
        super().__setattr__(name, value)

    def _rekey_weight(self, index, old, new, value):
        """Moves a weight made by `add_weight` to the attribute name it was assigned to."""
        self._weight_keys[index] = new
        self.__dict__.pop(new, None)  # a placeholder such as `self.bias = None` set earlier
        for table in (self._weight_regularizers, self._weight_constraints):
            if old in table:
                table[new] = table.pop(old)
        if old in self._parameters:
            del self._parameters[old]
            self.register_parameter(new, value)
        else:
            del self._buffers[old]
            self.register_buffer(new, value)

    def _weight(self, key):
        return self._parameters[key] if key in self._parameters else self._buffers[key]

    def _own_weights(self):
        own = [self._weight(key) for key in self._weight_keys]
        own += [p for p in self._parameters.values() if p is not None and _not_in(p, own)]
        own += [
            b
            for key, b in self._buffers.items()
            if b is not None and key not in self._non_persistent_buffers_set and _not_in(b, own)
        ]
        return [w for w in own if isinstance(w, nn.Parameter)] + [
            w for w in own if not isinstance(w, nn.Parameter)
        ]

    def _child_layers(self):
        """Direct sublayers (Keras layers or plain torch modules), looking inside containers."""
        children = []
        for module in self._modules.values():
            if isinstance(module, (nn.ModuleList, nn.ModuleDict, nn.Sequential)) and not hasattr(
                module, "_weight_keys"
            ):
                children.extend(m for m in module.children() if _not_in(m, children))
            elif module is not None and _not_in(module, children):
                children.append(module)
        return children

    def _flat_layers(self):
        """This layer and every Keras sublayer below it, each once, parents first."""
        found, stack = [], [self]
        while stack:
            layer = stack.pop(0)
            if _not_in(layer, found):
                found.append(layer)
                stack.extend(c for c in layer._child_layers() if hasattr(c, "_weight_keys"))
        return found

    @property
    def weights(self):
        """All weights: own first, then sublayers', each once (Keras' order)."""
        found = list(self._own_weights())
        for child in self._child_layers():
            child_weights = (
                child.weights
                if hasattr(child, "_weight_keys")
                else [*child.parameters(), *child.buffers()]
            )
            found.extend(w for w in child_weights if _not_in(w, found))
        return found

    @property
    def trainable_weights(self):
        """Weights that training updates: parameters with `requires_grad`."""
        return [w for w in self.weights if isinstance(w, nn.Parameter) and w.requires_grad]

    @property
    def non_trainable_weights(self):
        """Frozen parameters and buffers (e.g. BatchNorm's moving statistics)."""
        return [w for w in self.weights if not (isinstance(w, nn.Parameter) and w.requires_grad)]

    @property
    def variables(self):
        """Alias of `weights`, as in Keras 3."""
        return self.weights

    @property
    def trainable(self):
        """Whether training updates this layer; setting it freezes or unfreezes all sublayers."""
        return self._trainable

    @trainable.setter
    def trainable(self, value):
        value = bool(value)
        for layer in self._flat_layers():
            layer.__dict__["_trainable"] = value
            for weight in layer._parameters.values():
                if weight is not None:
                    weight.requires_grad_(value)
        for child in self._child_layers():
            if not hasattr(child, "_weight_keys"):
                child.requires_grad_(value)

    def get_weights(self):
        """The weights as numpy arrays, in Keras layout and order."""
        # copies, as Keras; a sharded (ModelParallel) weight is gathered whole first
        return [full_value(w).detach().cpu().numpy().copy() for w in self.weights]

    def set_weights(self, weights):
        """Copies numpy arrays (Keras layout, `get_weights()` order) into the weights."""
        own = self.weights
        if len(weights) != len(own):
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a weight list "
                f"of length {len(weights)}, but the layer was expecting {len(own)} weights."
            )
        names = self._weight_names()
        for index, (weight, value) in enumerate(zip(own, weights)):
            value = np.asarray(value)
            if tuple(value.shape) != tuple(weight.shape):
                raise ValueError(
                    f"Layer '{self.name}': weight {index} ('{names.get(id(weight), '?')}') has "
                    f"shape {tuple(weight.shape)}, but the value given for it has shape "
                    f"{tuple(value.shape)}."
                )
        with torch.no_grad():
            for weight, value in zip(own, weights):
                assign(weight, np.asarray(value))  # a sharded weight keeps its own slice

    def _weight_names(self):
        names = {id(t): key for key, t in self.named_parameters()}
        names.update({id(t): key for key, t in self.named_buffers()})
        return names

    def count_params(self):
        """Number of scalars in all weights; the layer must be built."""
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't "
                "built. You can build it manually via: `layer.build(input_shape)`."
            )
        return sum(w.numel() for w in self.weights)


def _not_in(item, items):
    return all(item is not other for other in items)


def _is_layer_collection(value):
    """A non-empty list/tuple/dict made only of modules: Keras tracks these, torch would not."""
    if isinstance(value, dict):
        value = list(value.values()) if all(isinstance(k, str) for k in value) else []
    return (
        isinstance(value, (list, tuple))
        and len(value) > 0
        and all(isinstance(v, nn.Module) for v in value)
    )
