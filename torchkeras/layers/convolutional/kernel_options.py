"""The activation, bias and kernel/bias initializer, regularizer and constraint options that
Conv and ConvTranspose layers share: set from arguments, turned into weights, written to config."""

from torchkeras import activations, constraints, initializers, regularizers


def set_options(layer, activation, use_bias, kernel_initializer, bias_initializer,
                kernel_regularizer, bias_regularizer, kernel_constraint, bias_constraint):
    """Resolves the options (names, configs or objects) onto `layer`'s attributes."""
    layer.activation = activations.get(activation)
    layer.use_bias = bool(use_bias)
    layer.kernel_initializer = initializers.get(kernel_initializer)
    layer.bias_initializer = initializers.get(bias_initializer)
    layer.kernel_regularizer = regularizers.get(kernel_regularizer)
    layer.bias_regularizer = regularizers.get(bias_regularizer)
    layer.kernel_constraint = constraints.get(kernel_constraint)
    layer.bias_constraint = constraints.get(bias_constraint)


def add_kernel_and_bias(layer, kernel_shape):
    """Creates `layer.kernel` (Keras layout `kernel_shape`) and `layer.bias` (`(filters,)`, or
    None without `use_bias`)."""
    layer.kernel = layer.add_weight(
        name="kernel",
        shape=kernel_shape,
        initializer=layer.kernel_initializer,
        regularizer=layer.kernel_regularizer,
        constraint=layer.kernel_constraint,
    )
    if layer.use_bias:
        layer.bias = layer.add_weight(
            name="bias",
            shape=(layer.filters,),
            initializer=layer.bias_initializer,
            regularizer=layer.bias_regularizer,
            constraint=layer.bias_constraint,
        )
    else:
        layer.register_parameter("bias", None)


def options_config(layer):
    """The options as Keras writes them in a layer's config."""
    return {
        "activation": activations.serialize(layer.activation),
        "use_bias": layer.use_bias,
        "kernel_initializer": initializers.serialize(layer.kernel_initializer),
        "bias_initializer": initializers.serialize(layer.bias_initializer),
        "kernel_regularizer": regularizers.serialize(layer.kernel_regularizer),
        "bias_regularizer": regularizers.serialize(layer.bias_regularizer),
        "activity_regularizer": regularizers.serialize(layer.activity_regularizer),
        "kernel_constraint": constraints.serialize(layer.kernel_constraint),
        "bias_constraint": constraints.serialize(layer.bias_constraint),
    }


def output_shape(layer, input_shape, lengths):
    """`(batch, *lengths, filters)`, or channels first under that data format."""
    if layer.data_format == "channels_last":
        return (input_shape[0], *lengths, layer.filters)
    return (input_shape[0], layer.filters, *lengths)
