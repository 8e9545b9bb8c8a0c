"""RecurrentCell: the arguments, weights, dropout masks and config shared by the built-in cells."""

import torch
import torch.nn.functional as F

from torchkeras import activations, config, constraints, initializers, regularizers
from torchkeras.layers.layer import Layer


class RecurrentCell(Layer):
    """Base of `SimpleRNNCell`, `LSTMCell` and `GRUCell`: one time step, `call(inputs, states)`.

    Weights are in Keras layout: `kernel (input_dim, gates * units)`, `recurrent_kernel
    (units, gates * units)`, gates in Keras order. Dropout masks are drawn once per sequence (on
    the first step seen while training) and reused at every step until `reset_dropout_mask()`,
    as Keras' `DropoutRNNCell` does; the `RNN` layer resets them after each sequence.

    Args:
        units: Size of the state (and output); a positive int.
        activation: Activation of the candidate state (and output).
        use_bias: Whether the cell has a `bias`.
        kernel_initializer, recurrent_initializer, bias_initializer: Initializers.
        kernel_regularizer, recurrent_regularizer, bias_regularizer: Regularizers or None.
        kernel_constraint, recurrent_constraint, bias_constraint: Constraints or None.
        dropout: Fraction of the input units dropped while training, in [0, 1].
        recurrent_dropout: Fraction of the recurrent state's units dropped while training.
        seed: Optional int seed of the cell's own dropout generator.
    """

    gates = 1

    def __init__(
        self,
        units,
        activation="tanh",
        use_bias=True,
        kernel_initializer="glorot_uniform",
        recurrent_initializer="orthogonal",
        bias_initializer="zeros",
        kernel_regularizer=None,
        recurrent_regularizer=None,
        bias_regularizer=None,
        kernel_constraint=None,
        recurrent_constraint=None,
        bias_constraint=None,
        dropout=0.0,
        recurrent_dropout=0.0,
        seed=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if isinstance(units, bool) or not isinstance(units, int) or units <= 0:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': `units` must be a positive int, "
                f"got units={units!r}."
            )
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError(
                f"{type(self).__name__} '{self.name}': `seed` must be an int, got seed={seed!r}."
            )
        self.units = units
        self.activation = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.recurrent_initializer = initializers.get(recurrent_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.recurrent_regularizer = regularizers.get(recurrent_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.recurrent_constraint = constraints.get(recurrent_constraint)
        self.bias_constraint = constraints.get(bias_constraint)
        self.dropout = min(1.0, max(0.0, float(dropout)))  # Keras clips the rates to [0, 1]
        self.recurrent_dropout = min(1.0, max(0.0, float(recurrent_dropout)))
        self.seed = seed
        self._generators = {}
        self._dropout_mask = None
        self._recurrent_dropout_mask = None

    @property
    def state_size(self):
        """Size of the state (an int), or a list of sizes for a cell with several states."""
        return self.units

    @property
    def output_size(self):
        return self.units

    def _build_kernels(self, input_dim, bias_shape, bias_initializer=None):
        """Creates `kernel`, `recurrent_kernel` and (with `use_bias`) `bias` in Keras layout."""
        width = self.gates * self.units
        self.kernel = self.add_weight(
            shape=(input_dim, width),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, width),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight(
                shape=bias_shape,
                name="bias",
                initializer=bias_initializer or self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    # ---- dropout masks, one per sequence ----------------------------------------------------
    def _mask_count(self):
        """Masks per step: one per gate when the recurrent state is dropped (Keras'
        `implementation=1`), else one."""
        return self.gates if self.recurrent_dropout > 0 else 1

    def get_dropout_mask(self, step_input):
        """The cached input dropout mask(s) (scaled by `1 / (1 - rate)`), drawn if missing."""
        if self._dropout_mask is None and self.dropout > 0:
            self._dropout_mask = self._draw_masks(step_input, self.dropout)
        return self._dropout_mask

    def get_recurrent_dropout_mask(self, step_state):
        """The cached recurrent dropout mask(s), drawn if missing."""
        if self._recurrent_dropout_mask is None and self.recurrent_dropout > 0:
            self._recurrent_dropout_mask = self._draw_masks(step_state, self.recurrent_dropout)
        return self._recurrent_dropout_mask

    def reset_dropout_mask(self):
        self._dropout_mask = None

    def reset_recurrent_dropout_mask(self):
        self._recurrent_dropout_mask = None

    def _draw_masks(self, like, rate):
        shape = (self._mask_count(), *like.shape)  # (masks, batch, features)
        ones = torch.ones(shape, dtype=like.dtype, device=like.device)
        if self.seed is None:
            return F.dropout(ones, p=rate, training=True)
        device = like.device
        if device not in self._generators:
            self._generators[device] = torch.Generator(device=device).manual_seed(self.seed)
        noise = torch.rand(shape, generator=self._generators[device], device=device)
        return (noise >= rate).to(like.dtype) / (1.0 - rate)

    def _dropped(self, tensor, rate, mask):
        """`tensor` times its mask(s) while training: shape (masks, batch, features)."""
        if mask is None or not 0.0 < rate < 1.0:
            return tensor.unsqueeze(0)
        return tensor * mask

    def get_initial_state(self, batch_size=None, device=None):
        """Zero states, one `(batch_size, size)` tensor per entry of `state_size`."""
        dtype = config.standardize_dtype(self.compute_dtype)  # Keras: states in the compute dtype
        device = device or self.weight_device()
        sizes = [self.state_size] if isinstance(self.state_size, int) else self.state_size
        return [torch.zeros(batch_size, size, dtype=dtype, device=device) for size in sizes]

    def get_config(self):
        return {
            **super().get_config(),
            "units": self.units,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "recurrent_initializer": initializers.serialize(self.recurrent_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "recurrent_regularizer": regularizers.serialize(self.recurrent_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "recurrent_constraint": constraints.serialize(self.recurrent_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
            "dropout": self.dropout,
            "recurrent_dropout": self.recurrent_dropout,
            "seed": self.seed,
        }
