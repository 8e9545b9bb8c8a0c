"""ConvLSTM: the shared base of ConvLSTM1D/2D/3D, a `ConvLSTMCell` run over the time axis."""

from torchkeras.layers.convolutional import conv_utils
from torchkeras.layers.recurrent import rnn_loop
from torchkeras.layers.recurrent.cell_rnn import CellRNN
from torchkeras.layers.recurrent.conv_lstm_cell import ConvLSTMCell


class ConvLSTM(CellRNN):
    """Convolutional LSTM over `(batch, time, *spatial, channels)` sequences (rank from the
    subclass).

    The input convolutions of all steps run first, as one convolution over `batch * time`
    images (they do not depend on the state); the `RNN` step loop then runs only the recurrent
    convolution and the gates (`unroll=True` keeps the plain per-step `ConvLSTMCell` call).
    Masks, `go_backwards`, `stateful`, `initial_state` and `return_state` behave as in `RNN`.
    The config is flat, as Keras writes it. Weights live under `cell.` in `state_dict`.

    Args:
        filters: Channels of the states and output; a positive int.
        kernel_size, strides, dilation_rate: An int or `rank` ints each (the input convolution;
            the recurrent one has stride 1 and `'same'` padding).
        padding: `"valid"` or `"same"`.
        data_format: `"channels_last"` (`(batch, time, *spatial, channels)`) or
            `"channels_first"` (`(batch, time, channels, *spatial)`); `None` reads the config.
        **kwargs: The other cell arguments (`activation`, `recurrent_activation`, `use_bias`,
            initializers, `unit_forget_bias`, regularizers, constraints, `dropout`,
            `recurrent_dropout`, `seed`) and the `RNN` options (`return_sequences`,
            `return_state`, `go_backwards`, `stateful`, `unroll`), as Keras names them.

    Shapes: `(batch, time, *spatial, channels)` -> `(batch, *new_spatial, filters)`, or
        `(batch, time, *new_spatial, filters)` with `return_sequences`; states `h` and `c` are
        `(batch, *new_spatial, filters)` (channels_first: the channel axis after batch/time).
    """

    cell_class = ConvLSTMCell
    config_skip = ("rank",)  # given by the class
    rank = None

    def __init__(
        self,
        filters,
        kernel_size,
        strides=1,
        padding="valid",
        data_format=None,
        dilation_rate=1,
        **kwargs,
    ):
        super().__init__(  # CellRNN hands its first argument to the cell first: the rank
            self.rank,
            filters=filters,
            kernel_size=kernel_size,
            strides=strides,
            padding=padding,
            data_format=data_format,
            dilation_rate=dilation_rate,
            **kwargs,
        )

    @property
    def exact_ndim(self):
        return self.rank + 3

    @property
    def filters(self):
        return self.cell.filters

    @property
    def kernel_size(self):
        return self.cell.kernel_size

    @property
    def strides(self):
        return self.cell.strides

    @property
    def padding(self):
        return self.cell.padding

    @property
    def data_format(self):
        return self.cell.data_format

    @property
    def dilation_rate(self):
        return self.cell.dilation_rate

    @property
    def recurrent_activation(self):
        return self.cell.recurrent_activation

    @property
    def unit_forget_bias(self):
        return self.cell.unit_forget_bias

    def _fused_run(self, sequences, states, mask, training):
        if self.unroll:
            return None
        projected = self.cell.project_inputs(sequences, training)  # (batch, time, ..., 4f)
        return rnn_loop.run_steps(
            _RecurrentHalf(self.cell),
            projected,
            states,
            mask,
            self.go_backwards,
            training,
            self.zero_output_for_mask,
            self.return_sequences,
        )

    def _check_sequences(self, shape):
        super()._check_sequences(shape)
        built = self.cell.spatial_dims
        if built is None:
            return
        step = (shape[0], *shape[2:])
        spatial = conv_utils.spatial_shape(step, self.data_format)
        channels = conv_utils.channel_dim(step, self.data_format)
        if tuple(spatial) != built or channels != self.cell.input_dim:
            raise ValueError(
                f"Layer '{self.name}' ({type(self).__name__}) was built for steps of spatial "
                f"shape {built} with {self.cell.input_dim} channels, got input shape "
                f"{tuple(shape)}."
            )

    def compute_output_shape(self, sequences_shape):
        batch, time = sequences_shape[0], sequences_shape[1]
        step = (batch, *sequences_shape[2:])
        spatial = self.cell.output_spatial_shape(
            conv_utils.spatial_shape(step, self.data_format)
        )
        if self.data_format == "channels_last":
            state = (batch, *spatial, self.filters)
        else:
            state = (batch, self.filters, *spatial)
        output = (batch, time, *state[1:]) if self.return_sequences else state
        return (output, state, state) if self.return_state else output


class _RecurrentHalf:
    """The step loop's view of a `ConvLSTMCell` whose inputs are already projected."""

    def __init__(self, cell):
        self.call = cell.recurrent_step
