"""MultiOptimizer and OptimizerMap: Keras' way to update groups of variables with different
optimizers, chosen per variable by a regular expression on its path or by a function.

Each inner optimizer is built on, and updates, only its own group, so its multi-tensor
(`torch._foreach_*`) update stays one call per group. Paths are read from `variable.path`;
`compile`/`fit` label a model's weights with Keras' paths (`"sequential/dense/kernel"`) first.
"""

import collections.abc
import re
import warnings

from torchkeras.optimizers.loss_scale_optimizer import LossScaleOptimizer
from torchkeras.optimizers.optimizer import Optimizer
from torchkeras.registry import OPTIMIZERS, merged_custom_objects


class OptimizerMap(collections.abc.MutableMapping):
    """Maps variable paths (exact keys, else `re.fullmatch` patterns) to optimizers.

    As in Keras, `map["encoder/.*"] = opt` matches every path under `encoder/` while a key
    `"encoder"` matches only that exact path; unmatched paths get `default_optimizer`.

    Args:
        default_optimizer: The `Optimizer` for variables no key matches.
        optimizer_map: Optional dict of path or pattern -> `Optimizer`.
    """

    def __init__(self, default_optimizer, optimizer_map=None):
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError(
                "OptimizerMap: `default_optimizer` must be a Keras Optimizer instance. "
                f"Received: {default_optimizer!r}"
            )
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError(
                f"OptimizerMap: `optimizer_map` must be a dictionary. Received: {optimizer_map!r}"
            )
        self._default_optimizer = default_optimizer
        self._optimizer_map = optimizer_map or {}

    @property
    def default_optimizer(self):
        """The optimizer of variables that no key matches."""
        return self._default_optimizer

    def __getitem__(self, key):
        """The optimizer for path `key`: an exact key first, else the one fully matching pattern.

        Raises:
            ValueError: If several patterns match `key`.
        """
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matching = [pattern for pattern in self._optimizer_map if re.fullmatch(pattern, key)]
        if len(matching) > 1:
            raise ValueError(
                f"Multiple optimizers assigned to variable {key}: patterns {matching} all match."
            )
        if matching:
            return self._optimizer_map[matching[0]]
        return self._default_optimizer

    def __setitem__(self, key, optimizer):
        if key in self._optimizer_map:
            raise ValueError(
                f"'{key}' already exists in the OptimizerMap with value "
                f"{self._optimizer_map[key]}. Please make sure to not use duplicated keys."
            )
        if not isinstance(key, str):
            raise ValueError(f"OptimizerMap: a key must be a string. Received: {key!r}")
        _check_inner(optimizer, f"the optimizer for '{key}'")
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key):
        del self._optimizer_map[key]

    def __len__(self):
        return len(self._optimizer_map)

    def __iter__(self):
        return iter(self._optimizer_map)

    def __call__(self, variable):
        """The optimizer for `variable`, by its `path` (`""` when it has none)."""
        return self[getattr(variable, "path", None) or ""]

    def get_config(self):
        """Keras' config: the serialized default optimizer and dict of serialized optimizers."""
        return {
            "default_optimizer": OPTIMIZERS.serialize(self._default_optimizer),
            "optimizer_map": {
                key: OPTIMIZERS.serialize(optimizer)
                for key, optimizer in self._optimizer_map.items()
            },
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """The map of `get_config()`'s output (Keras' output works too)."""
        default = _deserialize_optimizer(config["default_optimizer"], custom_objects)
        mapping = {
            key: _deserialize_optimizer(value, custom_objects)
            for key, value in (config.get("optimizer_map") or {}).items()
        }
        return cls(default, mapping)


@OPTIMIZERS.register()
class MultiOptimizer(Optimizer):
    """Delegates each variable to the optimizer an `OptimizerMap` (or a function) picks for it.

    The inner optimizers keep their own learning rates, step counts and state; `optimizers`
    lists them (the map's values in order, then its default, then any a function returned).
    As in Keras, `learning_rate` cannot be read or set on the wrapper, `iterations` counts the
    wrapper's own calls, and `loss_scale_factor` overrides the inner optimizers'. Unlike
    Keras, a model's weights carry a `path` only once `compile`/`fit` has labelled them (a
    torch tensor has no path of its own); tensors without one are matched as `""`.

    Args:
        optimizer_map: An `OptimizerMap`, or a callable `variable -> Optimizer`.
        loss_scale_factor: Set on every inner optimizer (see `Optimizer`).
        name: Name of the optimizer; defaults to `"multi_optimizer"`.
    """

    def __init__(self, optimizer_map, loss_scale_factor=None, name=None):
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        if not callable(optimizer_map):
            raise ValueError(
                "MultiOptimizer: `optimizer_map` must be an OptimizerMap or a callable "
                f"returning an optimizer for a variable. Received: {optimizer_map!r}"
            )
        self._optimizer_map = optimizer_map
        self._inner_optimizers = []
        candidates = list(optimizer_map.values()) if hasattr(optimizer_map, "values") else []
        candidates.append(getattr(optimizer_map, "default_optimizer", None))
        for optimizer in candidates:
            if optimizer is not None and all(optimizer is not o for o in self._inner_optimizers):
                self._add_inner(optimizer)

    def _add_inner(self, optimizer):
        optimizer.loss_scale_factor = self.loss_scale_factor
        self._inner_optimizers.append(optimizer)
        return len(self._inner_optimizers) - 1

    def _index_of(self, optimizer):
        for index, inner in enumerate(self._inner_optimizers):
            if inner is optimizer:
                return index
        return self._add_inner(optimizer)

    def build(self, variables):
        """Asks the map for each variable's optimizer and builds each on its own group."""
        if self.built:
            return
        variables = list(variables)
        if self._optimizer_map_has_patterns() and not any(
            getattr(variable, "path", None) for variable in variables
        ):
            warnings.warn(
                "MultiOptimizer: none of the variables has a `path`, so every one goes to the "
                "default optimizer. `compile()` (of a built model) and `fit()` label a model's "
                "weights; in a custom loop on a model that was never compiled, compile it first "
                "or set `variable.path` yourself.",
                stacklevel=2,
            )
        self._groups = {}
        for variable in variables:
            optimizer = self._optimizer_map(variable)
            _check_inner(optimizer, f"the optimizer for variable {getattr(variable, 'path', '')!r}")
            self._groups[id(variable)] = self._index_of(optimizer)
        for index, optimizer in enumerate(self._inner_optimizers):
            group = [v for v in variables if self._groups[id(v)] == index]
            if group:
                optimizer.build(group)
        super().build(variables)

    def _optimizer_map_has_patterns(self):
        return isinstance(self._optimizer_map, OptimizerMap) and len(self._optimizer_map) > 0

    @property
    def optimizers(self):
        """The inner optimizers, in the order their state is saved."""
        return self._inner_optimizers

    @property
    def variables(self):
        """Own state (iterations, learning rate), then each inner optimizer's, as Keras saves."""
        state = super().variables
        for optimizer in self._inner_optimizers:
            state = state + list(optimizer.variables)
        return state

    @property
    def learning_rate(self):
        """Not available: each inner optimizer has its own (`optimizers[i].learning_rate`)."""
        raise AttributeError(
            "Learning rate cannot be accessed on a MultiOptimizer. Access the learning rate on "
            "the individual sub-optimizers instead."
        )

    @learning_rate.setter
    def learning_rate(self, value):
        raise AttributeError(
            "Learning rate cannot be set on a MultiOptimizer. Set the learning rate on the "
            "individual sub-optimizers instead."
        )

    @property
    def loss_scale_factor(self):
        """The loss scale factor, shared by every inner optimizer."""
        return self.__dict__.get("_loss_scale_factor")

    @loss_scale_factor.setter
    def loss_scale_factor(self, value):
        self._loss_scale_factor = value
        for optimizer in self.__dict__.get("_inner_optimizers", ()):
            optimizer.loss_scale_factor = value

    def apply(self, grads, trainable_variables=None):
        """Splits `grads` by group and lets each inner optimizer apply its own (then counts)."""
        grads = list(grads)
        if not grads:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError(
                    "When passing `grads` without `variables`, the optimizer must already be "
                    "built on a list of variables. Call `optimizer.build(trainable_variables)` "
                    "first."
                )
            trainable_variables = self._trainable_variables
        trainable_variables = list(trainable_variables)
        self.build(trainable_variables)
        if len(grads) != len(self._groups) or len(grads) != len(trainable_variables):
            raise ValueError(
                "MultiOptimizer: gradients must match trainable variables one-to-one. Received "
                f"{len(grads)} gradients and {len(self._groups)} variables."
            )
        for index, (sub_grads, sub_variables) in enumerate(
            self._split(grads, trainable_variables)
        ):
            if sub_variables:
                self._inner_optimizers[index].apply(sub_grads, sub_variables)
        self._iterations.add_(1)

    def _split(self, items, variables):
        """`(items, variables)` per inner optimizer, in the order of `variables`."""
        groups = [([], []) for _ in self._inner_optimizers]
        for item, variable in zip(items, variables):
            index = self._groups.get(id(variable))
            if index is None:
                raise ValueError(
                    f"MultiOptimizer: unknown variable of shape {tuple(variable.shape)}; it was "
                    "not among the variables the optimizer was built with."
                )
            groups[index][0].append(item)
            groups[index][1].append(variable)
        return groups

    def finalize_variable_values(self, var_list):
        """Each inner optimizer's EMA (where it keeps one) into its own variables."""
        if not self.built:
            return
        var_list = list(var_list)
        for index, (_, group) in enumerate(self._split(var_list, var_list)):
            if group:
                self._inner_optimizers[index].finalize_variable_values(group)

    def set_weights(self, weights):
        """Loads `variables`' values: own first, then each inner optimizer's slice."""
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been built. "
                "Please call `optimizer.build(trainable_variables)` to create the optimizer "
                "weights before calling `set_weights()`."
            )
        weights = list(weights)
        own = len(Optimizer.variables.fget(self))
        Optimizer.set_weights(self, weights[:own])
        start = own
        for optimizer in self._inner_optimizers:
            count = len(optimizer.variables)
            if count and optimizer.built:
                optimizer.set_weights(weights[start:start + count])
            start += count

    def get_config(self):
        """Keras' config: the serialized map (or function), the loss scale factor, the name."""
        optimizer_map = self._optimizer_map
        if isinstance(optimizer_map, OptimizerMap):
            serialized = {
                "module": "keras.optimizers",
                "class_name": "OptimizerMap",
                "config": optimizer_map.get_config(),
                "registered_name": None,
            }
        else:
            serialized = _serialize_function(optimizer_map)
        return {
            "optimizer_map": serialized,
            "loss_scale_factor": self.loss_scale_factor,
            "name": self.name,
        }

    @classmethod
    def from_config(cls, config, custom_objects=None):
        """The optimizer of `get_config()`'s output (Keras' output works too)."""
        config = dict(config)
        optimizer_map = config["optimizer_map"]
        if isinstance(optimizer_map, dict):
            if optimizer_map.get("class_name") == "OptimizerMap":
                optimizer_map = OptimizerMap.from_config(optimizer_map["config"], custom_objects)
            else:
                optimizer_map = _deserialize_function(optimizer_map, custom_objects)
        config["optimizer_map"] = optimizer_map
        return cls(**config)


def _check_inner(optimizer, what):
    if not isinstance(optimizer, Optimizer):
        raise ValueError(f"MultiOptimizer: {what} must be a Keras Optimizer instance. "
                         f"Received: {optimizer!r}")
    if isinstance(optimizer, LossScaleOptimizer):
        raise ValueError(f"MultiOptimizer: {what} cannot be a LossScaleOptimizer.")
    if isinstance(optimizer, MultiOptimizer):
        raise ValueError(f"MultiOptimizer: {what} cannot be a MultiOptimizer.")


def _deserialize_optimizer(config, custom_objects):
    if isinstance(config, Optimizer):
        return config
    cls = OPTIMIZERS.lookup(config["class_name"], custom_objects)
    return cls.from_config(config.get("config") or {}, custom_objects=custom_objects)


def _serialize_function(function):
    """Keras' form of a function: its name, looked up again among the custom objects."""
    name = getattr(function, "__name__", None)
    if name is None or name == "<lambda>":
        raise ValueError(
            "MultiOptimizer: cannot serialize the `optimizer_map` callable "
            f"{function!r}; use an OptimizerMap or a named, registered function."
        )
    return {
        "module": function.__module__,
        "class_name": "function",
        "config": name,
        "registered_name": "function",
    }


def _deserialize_function(config, custom_objects):
    name = config.get("config")
    function = merged_custom_objects(custom_objects).get(name)
    if function is None:
        raise ValueError(
            f"MultiOptimizer: could not find the `optimizer_map` function {name!r}; pass it in "
            "`custom_objects` or register it with `register_keras_serializable`."
        )
    return function
