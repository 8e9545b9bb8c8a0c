"""ConvLSTMCell: one step of the convolutional LSTM, gates in Keras order (i, f, c, o)."""

import torch

from torchkeras import activations, initializers
from torchkeras.layers.convolutional import conv_ops, conv_utils
from torchkeras.layers.recurrent.base_cell import RecurrentCell
from torchkeras.registry import LAYERS


@LAYERS.register()
class ConvLSTMCell(RecurrentCell):
    """One ConvLSTM step: an LSTM step whose input and recurrent products are convolutions.

    `z = conv(x, kernel) + bias + conv_same(h, recurrent_kernel)` (the recurrent convolution has
    stride 1 and `'same'` padding), split into the gates `(i, f, c, o)`; then `c = f * c + i *
    act(z_c)` and `h = o * act(c)`. Weights in Keras layout: `kernel (*kernel_size, in, 4 *
    filters)`, `recurrent_kernel (*kernel_size, filters, 4 * filters)`, `bias (4 * filters,)`.
    A permuted view of each kernel is torch's layout, and (with dropout while training) also
    the layout of a 4-group convolution, one group per gate: the four masked copies of the input
    run as one grouped `F.convNd`. As in Keras, four dropout masks are drawn per sequence and a
    rate of exactly 1 drops nothing. `call` is `project_inputs` (which the `ConvLSTM` layers run
    for every step at once) then `recurrent_step`. Keras' own cell is internal (not in
    `keras.layers`).

    Args:
        rank: Number of spatial axes (1, 2 or 3).
        filters: Channels of the states and output; a positive int.
        kernel_size, strides, dilation_rate: An int or `rank` ints each (the input convolution;
            strides and dilation cannot both exceed 1).
        padding: `"valid"` or `"same"` (the input convolution).
        data_format: `"channels_last"` or `"channels_first"`; `None` reads the config.
        recurrent_activation: Activation of the gates (default `"sigmoid"`).
        unit_forget_bias: Whether the forget gate's bias starts at 1.
        (the other arguments: see `RecurrentCell`.)

    Shapes: `inputs (batch, *spatial, in)` (channels_last), `states [h, c]` each
        `(batch, *new_spatial, filters)` -> `(h, [h, c])`.
    """

    gates = 4

    def __init__(
        self,
        rank,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        recurrent_activation="sigmoid",
        unit_forget_bias=True,
        **kwargs,
    ):
        if isinstance(filters, bool) or not isinstance(filters, int) or filters <= 0:
            raise ValueError(
                f"{type(self).__name__} '{kwargs.get('name') or 'conv_lstm_cell'}': `filters` "
                f"must be a positive int, got filters={filters!r}."
            )
        super().__init__(filters, **kwargs)
        if rank not in (1, 2, 3):
            raise ValueError(f"ConvLSTMCell '{self.name}': `rank` must be 1, 2 or 3, got {rank!r}.")
        self.rank = rank
        self.filters = filters
        self.kernel_size = conv_utils.normalize_tuple(kernel_size, rank, "kernel_size", self)
        self.strides = conv_utils.normalize_tuple(strides, rank, "strides", self)
        self.dilation_rate = conv_utils.normalize_tuple(dilation_rate, rank, "dilation_rate", self)
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"ConvLSTMCell '{self.name}': `dilation_rate` > 1 cannot be combined with "
                f"`strides` > 1, got strides={strides!r}, dilation_rate={dilation_rate!r}."
            )
        self.padding = conv_utils.normalize_padding(padding, ("valid", "same"), self)
        self.data_format = conv_utils.normalize_data_format(data_format, self)
        self.recurrent_activation = activations.get(recurrent_activation)
        self.unit_forget_bias = unit_forget_bias
        self.spatial_dims = None  # the input's spatial shape, fixed at build
        self.input_dim = None

    @property
    def state_size(self):
        return [self.filters, self.filters]

    def build(self, input_shape):
        input_shape = tuple(input_shape)
        conv_utils.check_rank(input_shape, self.rank, self)
        spatial = conv_utils.spatial_shape(input_shape, self.data_format)
        channels = conv_utils.channel_dim(input_shape, self.data_format)
        if None in spatial or channels is None:
            raise ValueError(
                f"ConvLSTMCell '{self.name}': the spatial and channel axes of the input must be "
                f"known (ConvLSTM layers need static spatial shapes), got input shape "
                f"{input_shape}."
            )
        self.spatial_dims, self.input_dim = tuple(spatial), channels
        width = 4 * self.filters
        self.kernel = self.add_weight(
            shape=(*self.kernel_size, channels, width),
            name="kernel",
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
        )
        self.recurrent_kernel = self.add_weight(
            shape=(*self.kernel_size, self.filters, width),
            name="recurrent_kernel",
            initializer=self.recurrent_initializer,
            regularizer=self.recurrent_regularizer,
            constraint=self.recurrent_constraint,
        )
        self.bias = None
        if self.use_bias:
            forget = self.unit_forget_bias
            self.bias = self.add_weight(
                shape=(width,),
                name="bias",
                initializer=self._forget_bias_initializer if forget else self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )

    def _forget_bias_initializer(self, shape, dtype=None):
        filters = self.filters
        parts = [
            self.bias_initializer((filters,), dtype=dtype),
            initializers.get("ones")((filters,), dtype=dtype),
            self.bias_initializer((2 * filters,), dtype=dtype),
        ]
        return torch.cat([torch.as_tensor(part) for part in parts])

    def output_spatial_shape(self, spatial):
        """The states' spatial shape for an input of spatial shape `spatial`."""
        return tuple(
            conv_utils.output_length(n, k, s, self.padding, d)
            for n, k, s, d in zip(spatial, self.kernel_size, self.strides, self.dilation_rate)
        )

    def state_shape(self, batch_size):
        """The shape of each state, `(batch, *new_spatial, filters)` in channels_last."""
        spatial = self.output_spatial_shape(self.spatial_dims)
        if self.data_format == "channels_last":
            return (batch_size, *spatial, self.filters)
        return (batch_size, self.filters, *spatial)

    def get_initial_state(self, batch_size=None, device=None):
        """Zero `h` and `c`, each of `state_shape(batch_size)`, in the compute dtype (as Keras:
        `bfloat16` under `"mixed_bfloat16"`)."""
        device = device or self.weight_device()
        shape = self.state_shape(batch_size)
        return [torch.zeros(shape, dtype=self._compute_torch_dtype, device=device) for _ in "hc"]

    def _mask_count(self):
        return 4  # Keras' ConvLSTM cell always draws one mask per gate

    def call(self, inputs, states, training=False):
        z_x = self.project_inputs(inputs.unsqueeze(1), training)[:, 0]
        return self.recurrent_step(z_x, states, training)

    def project_inputs(self, sequences, training=False):
        """The input convolution (plus bias) of every step at once, time folded into the batch:
        `(batch, time, *step)` -> `(batch, time, *new_spatial, 4 * filters)` (channels_last).

        Dropout's four input masks (one per sequence, shared by every step) make it one
        4-group convolution over the masked copies."""
        groups = 1
        if training and 0.0 < self.dropout < 1.0:
            masks = self.get_dropout_mask(sequences[:, 0])  # (4, batch, *step)
            sequences, groups = self._per_gate(sequences, masks.unsqueeze(2)), 4
        z = self._conv(sequences.flatten(0, 1), self.kernel, groups, self.strides,
                       self.padding, self.dilation_rate)
        if self.bias is not None:  # added after the convolution, in Keras' order
            z = z + self._channels(self.bias).to(z.dtype)  # a mixed policy's compute dtype
        return z.unflatten(0, tuple(sequences.shape[:2]))

    def recurrent_step(self, z_x, states, training=False):
        """One step from its projected input `z_x`: the recurrent convolution and the gates."""
        h_tm1, c_tm1 = states[0], states[1]
        groups = 1
        if training and 0.0 < self.recurrent_dropout < 1.0:
            mask = self.get_recurrent_dropout_mask(h_tm1)
            h_tm1, groups = self._per_gate(h_tm1, mask), 4
        ones = (1,) * self.rank
        z = z_x + self._conv(h_tm1, self.recurrent_kernel, groups, ones, "same", ones)
        z_i, z_f, z_c, z_o = z.chunk(4, dim=-1 if self.data_format == "channels_last" else 1)
        i = self.recurrent_activation(z_i)
        f = self.recurrent_activation(z_f)
        c = f * c_tm1 + i * self.activation(z_c)
        h = self.recurrent_activation(z_o) * self.activation(c)
        return h, [h, c]

    def _per_gate(self, tensor, masks):
        """The four masked copies `(4, *tensor.shape)` of `tensor` side by side on its channel
        axis (gate-major): the input of a 4-group convolution."""
        copies = tensor * masks
        if self.data_format == "channels_last":
            return copies.movedim(0, -2).flatten(-2)  # (..., *spatial, 4 * channels)
        axis = tensor.ndim - self.rank - 1  # the channel axis, just before the spatial ones
        return copies.movedim(0, axis).flatten(axis, axis + 1)  # (..., 4 * channels, *spatial)

    def _conv(self, inputs, kernel, groups, strides, padding, dilation_rate):
        outputs = conv_ops.convolve(
            conv_ops.cast_inputs(inputs, kernel),
            conv_ops.keras_kernel_to_torch(kernel),  # (4 * filters, in, *k) view
            None,
            strides=strides,
            padding=padding,
            dilation_rate=dilation_rate,
            groups=groups,
            data_format=self.data_format,
        )
        return conv_utils.from_channels_first(outputs, self.data_format)

    def _channels(self, vector):
        """A `(channels,)` vector shaped to broadcast over the channel axis of a state."""
        if self.data_format == "channels_last":
            return vector
        return vector.view(-1, *[1] * self.rank)

    def get_config(self):
        base = super().get_config()
        base.pop("units")
        return {
            **base,
            "rank": self.rank,
            "filters": self.filters,
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "recurrent_activation": activations.serialize(self.recurrent_activation),
            "unit_forget_bias": self.unit_forget_bias,
        }
