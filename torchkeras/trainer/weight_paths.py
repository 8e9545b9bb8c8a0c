"""Keras' variable paths on a model's weights, for optimizers that select variables by path.

Keras records a path when a variable is created, from the names of the layers being built:
`"sequential/dense/kernel"` in a Sequential model or a subclassed model, but `"dense/kernel"` for
a layer of a functional model (its layers are built while the graph is traced, before the model
exists). Torch tensors have no such scope, so `label_weight_paths` sets the same string as a
`path` attribute on each weight that has none, before an optimizer is built on them.
"""


def label_weight_paths(model):
    """Sets `weight.path` (Keras' path) on every weight of `model` that has no path yet."""
    _label_layer(model, "", set())


def _label_layer(layer, scope, seen):
    """Labels `layer`'s weights as `scope + name/key`, then its sublayers'."""
    seen.add(id(layer))
    own = f"{scope}{layer.name}/"
    for key in layer._weight_keys:
        weight = layer._weight(key)
        if weight is not None and getattr(weight, "path", None) is None:
            weight.path = f"{own}{key}"
    # A functional model's layers were built before it existed: in the model's own scope.
    inner = scope if layer.__dict__.get("_plain_functional", False) else own
    for child in layer._child_layers():
        if hasattr(child, "_weight_keys") and id(child) not in seen:
            _label_layer(child, inner, seen)
