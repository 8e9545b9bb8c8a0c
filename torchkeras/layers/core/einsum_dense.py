"""EinsumDense: a dense layer written as one einsum, `activation(einsum(eq, x, kernel) + bias)`."""

import re

import torch

from torchkeras import activations, constraints, initializers, regularizers
from torchkeras.initializers import VarianceScaling
from torchkeras.layers.core import cpu_affine
from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS

_FORMS = (  # (pattern on the equation with "..." written as "0", left_elided)
    (r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$", False),
    (r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$", True),
    (r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$", False),
)


@LAYERS.register()
class EinsumDense(Layer):
    """A dense layer of any rank: `einsum(equation, inputs, kernel)`, plus a bias, activated.

    The kernel's shape is read from the equation, the input shape and `output_shape`, in
    Keras' layout (the kernel's axes in the equation's weight-spec order), so weights and
    `.keras` files carry over unchanged. A variance-scaling kernel initializer (Glorot, He,
    ...) takes its fans from the equation's input and output axes, as in Keras.

    Args:
        equation: `"ab,bc->ac"`-style equation: input spec, kernel spec, output spec; `...`
            may stand for leading (or, after two letters, trailing) input axes.
        output_shape: Output shape without the batch axis (an int for one axis); `None`
            entries are read from the input.
        activation: Activation name or callable; `None` means linear.
        bias_axes: Output-spec letters that get a bias, or `None` for no bias.
        kernel_initializer, bias_initializer: Initializer names, configs or callables.
        kernel_regularizer, bias_regularizer: Regularizers of the weights (added to `losses`).
        activity_regularizer: Regularizer of the output (added to `losses`).
        kernel_constraint, bias_constraint: Constraints applied to the weights after updates.
        lora_rank, lora_alpha, gptq_unpacked_column_size, quantization_config: Keras' LoRA
            and quantization options; torchkeras has neither feature, so only `None` is taken.

    Shapes: as the equation says, e.g. `"abc,cde->abde"`: `(batch, t, c)` -> `(batch, t, d, e)`.
    """

    def __init__(
        self,
        equation,
        output_shape,
        activation=None,
        bias_axes=None,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        kernel_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        bias_constraint=None,
        lora_rank=None,
        lora_alpha=None,
        gptq_unpacked_column_size=None,
        quantization_config=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        for argument, value in {
            "lora_rank": lora_rank,
            "lora_alpha": lora_alpha,
            "gptq_unpacked_column_size": gptq_unpacked_column_size,
            "quantization_config": quantization_config,
        }.items():
            if value is not None:
                raise ValueError(
                    f"EinsumDense '{self.name}': torchkeras does not implement LoRA or "
                    f"quantization, so `{argument}` must be None, got {argument}={value!r}."
                )
        if not isinstance(equation, str) or _split(equation) is None:
            raise ValueError(
                f"EinsumDense '{self.name}': invalid einsum `equation` {equation!r}. Equations "
                "must be in the form [X],[Y]->[Z], ...[X],[Y]->...[Z], or [X]...,[Y]->[Z]...."
            )
        self.equation = equation
        self.partial_output_shape = (
            (output_shape,) if isinstance(output_shape, int) else tuple(output_shape)
        )
        self.bias_axes = bias_axes
        self.activation = activations.get(activation)
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape):
        kernel_shape, bias_shape, _, input_axes, output_axes = self._analyze(input_shape)
        self.kernel = self.add_weight(
            name="kernel",
            shape=kernel_shape,
            initializer=self._kernel_initializer_for(input_axes, output_axes),
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        if bias_shape is None:
            self.register_parameter("bias", None)
        else:
            self.bias = self.add_weight(
                name="bias",
                shape=bias_shape,
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def _kernel_initializer_for(self, input_axes, output_axes):
        """Keras gives a variance-scaling initializer without axes the equation's fan axes."""
        initializer = self.kernel_initializer
        if not isinstance(initializer, VarianceScaling) or (
            initializer.input_axes is not None and initializer.output_axes is not None
        ):
            return initializer
        config = {**initializer.get_config(), "input_axes": input_axes}
        return type(initializer).from_config({**config, "output_axes": output_axes})

    def call(self, inputs):
        autocasting = inputs.is_floating_point() and torch.is_autocast_enabled(inputs.device.type)
        if inputs.dtype != self.kernel.dtype and not autocasting:
            inputs = inputs.to(self.kernel.dtype)  # Keras promotes ints and other floats
        outputs = self._as_affine(inputs)
        if outputs is None:
            outputs = torch.einsum(self.equation, inputs, self.kernel)
        if self.bias is not None:
            outputs = outputs + self.bias
        return self.activation(outputs)

    def _as_affine(self, inputs):
        """The einsum as one `(rows, contracted) @ (contracted, rest)` product where it is one
        (MultiHeadAttention's projections) and `cpu_affine` would run it on oneDNN; else None."""
        contracted = _trailing_contraction(self.equation)
        if contracted is None:
            return None
        kernel = self.kernel
        rows = inputs.reshape(*inputs.shape[: inputs.ndim - contracted], -1)
        matrix = kernel.reshape(rows.shape[-1], -1)  # a view of the contiguous Keras kernel
        if not cpu_affine.uses_onednn(rows, matrix):
            return None
        outputs = cpu_affine.affine(rows, matrix, None)
        return outputs.reshape(*rows.shape[:-1], *kernel.shape[contracted:])

    def compute_output_shape(self, input_shape):
        return tuple(self._analyze(input_shape)[2])

    def _analyze(self, input_shape):
        """`(kernel_shape, bias_shape, output_shape, input_axes, output_axes)`; see `analyze`."""
        try:
            return analyze(self.equation, self.bias_axes, input_shape, self.partial_output_shape)
        except ValueError as error:
            raise ValueError(
                f"EinsumDense '{self.name}' (equation {self.equation!r}, output_shape "
                f"{self.partial_output_shape}, input shape {tuple(input_shape)}): {error}"
            ) from None

    def get_config(self):
        return {
            **super().get_config(),
            "output_shape": self.partial_output_shape,
            "equation": self.equation,
            "activation": activations.serialize(self.activation),
            "bias_axes": self.bias_axes,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "quantization_config": None,
        }


def _split(equation):
    """`(input_spec, weight_spec, output_spec, left_elided)`, or None for an unknown form."""
    replaced = equation.replace("...", "0")
    for pattern, left_elided in _FORMS:
        match = re.match(pattern, replaced)
        if match:
            return (*match.groups(), left_elided)
    return None


def analyze(equation, bias_axes, input_shape, output_shape):
    """Weight and output shapes of an EinsumDense, by Keras' rules.

    Returns `(kernel_shape, bias_shape or None, full_output_shape, input_axes, output_axes)`,
    the last two being the kernel axes that count into its fan-in and fan-out.
    """
    input_spec, weight_spec, output_spec, left_elided = _split(equation)
    input_shape = tuple(input_shape)
    elided = len(input_shape) - len(input_spec)
    if elided < 0 or (elided and "..." not in equation):
        raise ValueError(
            f"the input spec '{input_spec}' needs an input of rank {len(input_spec)}"
            f"{' or more' if '...' in equation else ''}, got rank {len(input_shape)}."
        )
    full = [input_shape[0], *output_shape]
    if elided > 0 and left_elided:
        full[1:1] = input_shape[1:elided]
    elif elided > 0:
        full.extend(input_shape[len(input_shape) - elided :])
    shift = elided if left_elided else 0
    input_dims = {dim: i + shift for i, dim in enumerate(input_spec)}
    output_dims = {dim: i + shift for i, dim in enumerate(output_spec)}
    for dim in input_spec:
        if dim in output_dims and full[output_dims[dim]] not in (
            None,
            input_shape[input_dims[dim]],
        ):
            raise ValueError(
                f"input and output shapes differ at shared dimension '{dim}': input size "
                f"{input_shape[input_dims[dim]]}, output size {full[output_dims[dim]]}."
            )
    for dim in output_spec:
        if dim not in input_spec and dim not in weight_spec:
            raise ValueError(
                f"output dimension '{dim}' is in neither the input spec '{input_spec}' nor "
                f"the weight spec '{weight_spec}'."
            )
    kernel_shape, input_axes, output_axes = [], [], []
    for i, dim in enumerate(weight_spec):
        if dim in output_dims:
            kernel_shape.append(full[output_dims[dim]])
            output_axes.append(i)
        elif dim in input_dims:
            kernel_shape.append(input_shape[input_dims[dim]])
            input_axes.append(i)
        else:
            raise ValueError(
                f"weight dimension '{dim}' is in neither the input spec '{input_spec}' nor the "
                f"output spec '{output_spec}'; the weight must be fully specified."
            )
    bias_shape = _bias_shape(bias_axes, output_spec, full, shift, elided, left_elided)
    return kernel_shape, bias_shape, full, input_axes, output_axes


def _bias_shape(bias_axes, output_spec, full, shift, elided, left_elided):
    """The bias spans the output from its first biased axis on (1 where not biased)."""
    if bias_axes is None:
        return None
    for char in bias_axes:
        if char not in output_spec:
            raise ValueError(
                f"bias dimension '{char}' was requested, but is not part of the output spec "
                f"'{output_spec}'."
            )
    first = min(output_spec.find(char) for char in bias_axes)
    shape = [
        full[i + shift] if char in bias_axes else 1
        for i, char in enumerate(output_spec)
        if i >= first
    ]
    return shape + ([] if left_elided else [1] * max(elided, 0))


def _trailing_contraction(equation):
    """How many trailing input axes the equation contracts with the kernel's leading axes, when
    it is `P C, C R -> P R` (a matrix product after flattening), else None."""
    inputs, rest = equation.replace("...", "0").split(",")
    kernel, outputs = rest.split("->")
    for count in range(1, len(kernel) + 1):
        shared, kept = kernel[:count], kernel[count:]
        if inputs.endswith(shared) and outputs == inputs[:-count] + kept:
            return count if not set(shared) & set(outputs) else None
    return None
