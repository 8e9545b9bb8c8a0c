"""The walk from a model to the HDF5 group path of every layer, as Keras 3 names them.

One function, `saveable_paths`, is shared by `.weights.h5` saving and loading (and the
`.keras` archive, whose `model.weights.h5` member has the same layout). Layout rules, checked
against files written by Keras 3.15.1:

- The model's own weights go to `vars/<i>`; every visited object gets a `<path>/vars` group
  (empty if it has no weights) whose `name` attribute is the object's user-visible name.
- A `Sequential` or functional model lists `model.layers` first, under `layers/`. A
  subclassed model's `layers` property (its direct sublayers, assignment order) is walked like
  an attribute named `layers`, at its sorted place: sublayers whose attributes sort before
  "layers" keep their attribute path, later ones become `layers/<class>[_N]`.
- Layers in a list (or the values of a dict, in insertion order) are named
  `<snake_case(ClassName)>`, `<..._1>`, ... counting per class in list order, counting items
  already saved elsewhere too; a plain functional model's class name is `Functional`.
- Any other sublayer is nested under its attribute name (`emb/vars`, `lstm/cell/vars`,
  `multi_head_attention/_softmax/vars`), attributes in natural sort order.
- A layer reached twice (shared) is saved once, at the first path met.
- A layer's own weights are `vars/0`, `vars/1`, ...: trainable-kind weights in creation order,
  then non-trainable ones. A `TorchModuleWrapper` (or a plain `torch.nn.Module`, which Keras'
  torch backend wraps in one) stores its module's `state_dict` under its keys instead.
"""

import re

from torch import nn

from torchkeras.layers.core.torch_module_wrapper import TorchModuleWrapper
from torchkeras.layers.layer import Layer
from torchkeras.utils import naming

_CONTAINERS = (nn.ModuleList, nn.ModuleDict, nn.Sequential)


def saveable_paths(model):
    """Every object with a `vars` group, as `(path, obj)` pairs in Keras' walk order.

    The root model has path `""`; the others look like `"layers/dense_1"` or
    `"blocks/dense"`. Each object appears once.
    """
    found, visited = [], set()
    _visit(model, "", found, visited)
    return found


def vars_path(path):
    """The group holding an object's weights: `"vars"` at the root, else `"<path>/vars"`."""
    return f"{path}/vars" if path else "vars"


def own_variables(obj):
    """The object's own weights as `(dataset_name, tensor)` pairs, in Keras' order."""
    if isinstance(obj, TorchModuleWrapper):
        return _state_items(obj.module)
    if isinstance(obj, Layer):
        return [(str(i), weight) for i, weight in enumerate(obj._own_weights())]
    return _state_items(obj)


def display_name(obj):
    """The `name` attribute written on an object's `vars` group."""
    return getattr(obj, "name", None) or naming.to_snake_case(type(obj).__name__)


def class_path_name(obj):
    """The snake-case class name Keras uses for an object inside a list of layers."""
    if not isinstance(obj, Layer):
        return "torch_module_wrapper"  # Keras' torch backend wraps plain modules
    if getattr(obj, "_plain_functional", False):
        return "functional"
    return obj._default_name()  # the snake-case class name, or Keras' (GroupedQueryAttention)


def _visit(obj, path, found, visited):
    if id(obj) in visited:
        return
    visited.add(id(obj))
    found.append((path, obj))
    if isinstance(obj, TorchModuleWrapper) or not isinstance(obj, Layer):
        return  # the wrapped module's tensors are the wrapper's own variables
    for attribute, child in _children(obj):
        child_path = f"{path}/{attribute}" if path else attribute
        if isinstance(child, (list, *_CONTAINERS)) and not isinstance(child, Layer):
            _visit_container(child, child_path, found, visited)
        else:
            _visit(child, child_path, found, visited)


def _visit_container(container, path, found, visited):
    """Items named by class, counting every item, including ones already saved elsewhere."""
    counts = {}
    items = container.values() if isinstance(container, nn.ModuleDict) else container
    for item in items:
        if isinstance(item, _CONTAINERS) and not isinstance(item, Layer):
            continue  # Keras does not descend into nested plain lists of layers
        base = class_path_name(item)
        count = counts.get(base, -1) + 1
        counts[base] = count
        _visit(item, f"{path}/{base}" if count == 0 else f"{path}/{base}_{count}", found, visited)


def _children(layer):
    """Attribute sublayers in natural name order, with a model's `layers` list among them.

    A Sequential or functional model lists `layers` first. A subclassed model's `layers`
    property (its direct sublayers) is walked like any attribute, at its sorted place, so
    sublayers in attributes sorting after "layers" are saved as `layers/<class>_N`.
    """
    modules = {name: m for name, m in layer._modules.items() if m is not None}
    ordered = []
    if isinstance(getattr(type(layer), "layers", None), property):
        if "layers" in modules:  # Sequential / functional: `layers` lives in `_modules`
            ordered.append(("layers", modules.pop("layers")))
        else:
            modules["layers"] = list(layer.layers)
    ordered.extend(sorted(modules.items(), key=lambda item: _natural_key(item[0])))
    return ordered


def _natural_key(name):
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


def _state_items(module):
    state = module.state_dict(keep_vars=True)
    return [(key, tensor) for key, tensor in state.items()]
