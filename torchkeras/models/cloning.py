"""`keras.models.clone_model`: the same architecture with new weights."""

from torchkeras.models.model import Model
from torchkeras.models.sequential import Sequential
from torchkeras.saving.serialization import deserialize_keras_object, serialize_keras_object


def clone_model(model, input_tensors=None, clone_function=None, **kwargs):
    """A new model with the same layers' configs and freshly initialized weights.

    Args:
        model: A functional or Sequential model (or any layer with a config).
        input_tensors: Not supported beyond None: the clone gets new `Input`s.
        clone_function: Optional `layer -> new layer`, applied to each layer of a Sequential;
            by default each layer is rebuilt from its config.
    """
    if input_tensors is not None or kwargs:
        raise ValueError(
            "clone_model supports only `model` and `clone_function`; got "
            f"input_tensors={input_tensors!r} and {sorted(kwargs)}."
        )
    if clone_function is not None and isinstance(model, Sequential):
        clone = Sequential([clone_function(layer) for layer in model.layers], name=model.name)
        if model.input is not None:
            clone.build(model.input.shape)
        return clone
    if clone_function is not None:
        raise ValueError("`clone_function` is supported for Sequential models only.")
    if not isinstance(model, Model):
        return deserialize_keras_object(serialize_keras_object(model))
    config = serialize_keras_object(model)
    config.pop("compile_config", None)
    return deserialize_keras_object(config)
