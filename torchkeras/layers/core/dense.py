"""Dense: the fully connected layer, `activation(inputs @ kernel + bias)`."""

import torch

from torchkeras import activations, constraints, initializers, regularizers
from torchkeras.layers.core import cpu_affine
from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS


@LAYERS.register()
class Dense(Layer):
    """Fully connected layer applied over the last axis of its input.

    `kernel` is kept in Keras layout, `(input_dim, units)`, so `get_weights()` and `.keras`
    files carry it unchanged (torch's `nn.Linear` stores `(units, input_dim)`). Inputs of
    another dtype (e.g. int64 arrays) are cast to the kernel's dtype first, as Keras does.

    Args:
        units: Size of the output's last axis; a positive int.
        activation: Activation name or callable; `None` means linear.
        use_bias: Whether to learn an additive `bias` of shape `(units,)`.
        kernel_initializer, bias_initializer: Initializer names, configs or callables.
        kernel_regularizer, bias_regularizer: Regularizers of the weights (added to `losses`).
        activity_regularizer: Regularizer of the output (added to `losses`).
        kernel_constraint, bias_constraint: Constraints applied to the weights after updates.
        lora_rank, lora_alpha, quantization_config: Keras' LoRA and quantization options;
            torchkeras has neither feature, so only `None` is accepted.

    Shapes: `(batch, ..., input_dim)` -> `(batch, ..., units)`.
    """

    supports_masking = True

    def __init__(
        self,
        units,
        activation=None,
        use_bias=True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        activity_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        lora_rank=None,
        lora_alpha=None,
        quantization_config=None,
        **kwargs,
    ):
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        if not isinstance(units, int) or isinstance(units, bool) or units <= 0:
            raise ValueError(
                f"Dense '{self.name}': `units` must be a positive int, got units={units!r}."
            )
        unsupported = {
            "lora_rank": lora_rank,
            "lora_alpha": lora_alpha,
            "quantization_config": quantization_config,
        }
        for argument, value in unsupported.items():
            if value is not None:
                raise ValueError(
                    f"Dense '{self.name}': torchkeras does not implement LoRA or quantization, "
                    f"so `{argument}` must be None, got {argument}={value!r}."
                )
        self.units = units
        self.activation = activations.get(activation)  # None -> activations.linear
        self.use_bias = bool(use_bias)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape):
        self.kernel = self.add_weight(
            name="kernel",
            shape=(input_shape[-1], self.units),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        # Keras' shape, (input_dim, units), in torch.nn.Linear's memory order (a transposed
        # view of units x input_dim rows): BLAS reads it transposed, which is up to 2.7x faster
        # for narrow outputs on CPU and never slower (benchmarks/RESULTS.md).
        with torch.no_grad():
            self.kernel.data = self.kernel.data.t().contiguous().t()
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.units,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.register_parameter("bias", None)  # torch's idiom: `bias` reads as None

    def call(self, inputs):
        kernel = self.kernel
        if inputs.dtype != kernel.dtype and not _autocasting(inputs):
            inputs = inputs.to(kernel.dtype)  # Keras promotes ints and other floats
        return self.activation(cpu_affine.affine(inputs, kernel, self.bias))  # (batch, ..., units)

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1], self.units)

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,
        }


def _autocasting(inputs):
    """Whether torch autocast will pick the matmul dtype itself (mixed precision)."""
    return inputs.is_floating_point() and torch.is_autocast_enabled(inputs.device.type)
