"""Pipeline: a plain layer that applies a list of layers in order (e.g. data augmentation)."""

from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS
from torchkeras.utils import nest


@LAYERS.register()
class Pipeline(Layer):
    """Calls each layer of `layers` on the previous one's output, passing `training` on.

    Unlike `Sequential` it is a layer, not a model (no `fit`, no input declaration). A mask
    given to the call goes to the first layer whose `call` takes `mask`, and each layer's
    output mask to the next, as in Keras. Keras' `Pipeline` runs in training mode when called
    with no `training` argument (its augmentation layers then transform); here, as for every
    layer, the mode is the module's: inference until `train()` or `fit`.

    The layers live in the `nn.ModuleList` `layers`, so `state_dict` keys read
    `layers.0.kernel` and `.keras` files store them under `layers/<class name>`, as Keras does.

    Args:
        layers: A list of Keras layers.
        name: The layer's name.

    Shapes: those of the chained layers.
    """

    def __init__(self, layers, name=None):
        super().__init__(name=name)
        if not isinstance(layers, (list, tuple)) or not all(isinstance(x, Layer) for x in layers):
            raise ValueError(
                f"Pipeline '{self.name}': `layers` must be a list of Keras layers, got "
                f"layers={layers!r}."
            )
        self.layers = list(layers)

    def call(self, inputs, training=None, mask=None):
        outputs = inputs
        for layer in self.layers:
            kwargs = {"training": training} if training is not None else {}
            if layer._call_has_mask_arg:
                kwargs["mask"] = mask
            outputs = layer(inputs, **kwargs)
            mask = nest.map_structure(lambda tensor: getattr(tensor, "_keras_mask", None), outputs)
            inputs = outputs
        return outputs

    def get_config(self):
        return {"layers": [LAYERS.serialize(layer) for layer in self.layers], "name": self.name}

    @classmethod
    def from_config(cls, config, custom_objects=None):
        layers = config.get("layers")
        if not isinstance(layers, (list, tuple)):
            raise ValueError(
                "Pipeline: the config must map `layers` to a list of serialized layers, got "
                f"layers={layers!r}."
            )
        layers = [LAYERS.get(layer, custom_objects) for layer in layers]
        return cls(layers, **{key: value for key, value in config.items() if key != "layers"})
