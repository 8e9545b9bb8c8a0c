"""Wrapper: the base class of layers that wrap another layer (TimeDistributed, custom wrappers)."""

from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS


@LAYERS.register()
class Wrapper(Layer):
    """A layer around `layer`: building it builds `layer`, and its config carries `layer`'s.

    Subclasses define `call` (e.g. TimeDistributed runs `layer` per time step). Keras' base class
    has no `call` of its own; torchkeras' calls the wrapped layer, so a bare `Wrapper(layer)`
    behaves as `layer`.

    Args:
        layer: The wrapped Keras layer.
    """

    def __init__(self, layer, **kwargs):
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise ValueError(
                f"{type(self).__name__} '{self.name}': `layer` must be a Keras layer instance, "
                f"got layer={layer!r}."
            )
        self.layer = layer

    def build(self, input_shape=None):
        if not self.layer.built:
            self.layer.build(input_shape)

    def call(self, *args, **kwargs):
        return self.layer(*args, **kwargs)

    def get_config(self):
        return {**super().get_config(), "layer": LAYERS.serialize(self.layer)}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        config = dict(config)
        return cls(LAYERS.get(config.pop("layer"), custom_objects), **config)
