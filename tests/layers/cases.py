"""The first layer case table (core, merging, conv, pooling, normalization, reshaping …).

Other families keep their rows in `<family>_cases.py`; `case_families.py` joins them.

`input_shape` has a concrete batch size; merging layers take a list of shapes. `kwargs` may be
a zero-argument callable when a case needs fresh objects per layer (a torch module).
"""

from torch import nn

from layer_case import LayerCase
from torchkeras.layers.activations import ELU, LeakyReLU, PReLU, ReLU, Softmax
from torchkeras.layers.convolutional import Conv1D, Conv2D, Conv3D
from torchkeras.layers.core import (
    Activation,
    Dense,
    Embedding,
    Identity,
    Lambda,
    TorchModuleWrapper,
)
from torchkeras.layers.merging import (
    Add,
    Average,
    Concatenate,
    Dot,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
)
from torchkeras.layers.normalization import (
    BatchNormalization,
    GroupNormalization,
    LayerNormalization,
    RMSNormalization,
    UnitNormalization,
)
from torchkeras.layers.pooling import (
    AveragePooling1D,
    AveragePooling2D,
    AveragePooling3D,
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    GlobalMaxPooling3D,
    MaxPooling1D,
    MaxPooling2D,
    MaxPooling3D,
)
from torchkeras.layers.regularization import (
    ActivityRegularization,
    AlphaDropout,
    Dropout,
    GaussianDropout,
    GaussianNoise,
    SpatialDropout1D,
    SpatialDropout2D,
    SpatialDropout3D,
)
from torchkeras.layers.reshaping import (
    Cropping1D,
    Cropping2D,
    Cropping3D,
    Flatten,
    Permute,
    RepeatVector,
    Reshape,
    UpSampling1D,
    UpSampling2D,
    UpSampling3D,
    ZeroPadding1D,
    ZeroPadding2D,
    ZeroPadding3D,
)


def double(x):
    """A named function for the Lambda cases (named functions serialize by name)."""
    return x * 2.0


def scale(x, factor=1.0):
    return x * factor


def _linear_module():
    return {"module": nn.Linear(3, 4)}


CASES = [
    LayerCase(Dense, {"units": 4}, (2, 3), (2, 4), state_keys=("kernel", "bias"), id="dense"),
    LayerCase(
        Dense,
        {"units": 5, "activation": "relu", "use_bias": False},
        (2, 3, 6),
        (2, 3, 5),
        state_keys=("kernel",),
        id="dense_3d_relu_nobias",
    ),
    LayerCase(
        Dense,
        {"units": 2, "activation": "tanh"},
        (3, 4),
        (3, 2),
        input_dtype="int64",
        state_keys=("kernel", "bias"),
        id="dense_int_input",
    ),
    LayerCase(Activation, {"activation": "softmax"}, (2, 5), (2, 5), id="activation_softmax"),
    LayerCase(Activation, {"activation": "relu"}, (2, 3, 4), (2, 3, 4), id="activation_relu"),
    LayerCase(Identity, {}, (2, 3), (2, 3), id="identity"),
    LayerCase(
        Lambda,
        {"function": double},
        (2, 3),
        (2, 3),
        custom_objects={"double": double},
        id="lambda_named",
    ),
    LayerCase(
        Lambda,
        {"function": scale, "arguments": {"factor": 3.0}, "output_shape": (3,)},
        (2, 3),
        (2, 3),
        custom_objects={"scale": scale},
        id="lambda_arguments",
    ),
    LayerCase(
        Embedding,
        {"input_dim": 6, "output_dim": 3},
        (2, 5),
        (2, 5, 3),
        input_dtype="int64",
        state_keys=("embeddings",),
        id="embedding",
    ),
    LayerCase(
        Embedding,
        {"input_dim": 4, "output_dim": 2, "mask_zero": True},
        (3,),
        (3, 2),
        input_dtype="int32",
        state_keys=("embeddings",),
        id="embedding_mask_zero_1d",
    ),
    LayerCase(Dropout, {"rate": 0.5}, (2, 3), (2, 3), id="dropout"),
    LayerCase(
        Dropout,
        {"rate": 0.2, "noise_shape": (None, 1, 4), "seed": 3},
        (2, 3, 4),
        (2, 3, 4),
        id="dropout_noise_shape",
    ),
    LayerCase(Flatten, {}, (2, 3, 4, 5), (2, 60), id="flatten"),
    LayerCase(Flatten, {"data_format": "channels_first"}, (2, 3, 4, 5), (2, 60), id="flatten_cf"),
    LayerCase(Flatten, {}, (2,), (2, 1), id="flatten_1d"),
    LayerCase(Reshape, {"target_shape": (2, -1)}, (2, 3, 4), (2, 2, 6), id="reshape"),
    LayerCase(Reshape, {"target_shape": (12,)}, (2, 3, 4), (2, 12), id="reshape_flat"),
    LayerCase(Permute, {"dims": (2, 1)}, (2, 3, 4), (2, 4, 3), id="permute"),
    LayerCase(Permute, {"dims": (3, 1, 2)}, (2, 3, 4, 5), (2, 5, 3, 4), id="permute_3d"),
    LayerCase(RepeatVector, {"n": 3}, (2, 4), (2, 3, 4), id="repeat_vector"),
    LayerCase(Add, {}, [(2, 3), (2, 3)], (2, 3), id="add"),
    LayerCase(Add, {}, [(2, 3, 4), (2, 4), (2, 1, 4)], (2, 3, 4), id="add_broadcast"),
    LayerCase(Add, {}, [(2, 3), (2,)], (2, 3), id="add_lower_rank"),
    LayerCase(Subtract, {}, [(2, 3), (2, 3)], (2, 3), id="subtract"),
    LayerCase(Multiply, {}, [(2, 3), (2, 1), (2, 3)], (2, 3), id="multiply"),
    LayerCase(Average, {}, [(2, 3), (2, 3)], (2, 3), id="average"),
    LayerCase(Maximum, {}, [(2, 3, 4), (2, 3, 4)], (2, 3, 4), id="maximum"),
    LayerCase(Minimum, {}, [(2, 3), (2, 3), (2, 3)], (2, 3), id="minimum"),
    LayerCase(Concatenate, {}, [(2, 3), (2, 4)], (2, 7), id="concatenate"),
    LayerCase(Concatenate, {"axis": 1}, [(2, 3, 4), (2, 1, 4)], (2, 4, 4), id="concat_axis1"),
    LayerCase(Dot, {"axes": 1}, [(2, 3), (2, 3)], (2, 1), id="dot_vectors"),
    LayerCase(Dot, {"axes": (1, 2)}, [(2, 3, 5), (2, 4, 3)], (2, 5, 4), id="dot_pair"),
    LayerCase(
        Dot, {"axes": -1, "normalize": True}, [(2, 4, 3), (2, 3)], (2, 4), id="dot_normalize"
    ),
    LayerCase(
        TorchModuleWrapper,
        _linear_module,
        (2, 3),
        (2, 4),
        state_keys=("module.weight", "module.bias"),
        custom_objects=lambda: {"Linear": nn.Linear(3, 4)},
        weights_at_init=True,
        config_skip=("module",),
        id="torch_module_wrapper",
    ),
    # Conv weight gradients sum in another order than Keras' (channels_last views here,
    # contiguous NCHW copies there): compared at 1e-5 relative / 2e-6 absolute.
    LayerCase(Conv2D, {"filters": 4, "kernel_size": 3}, (2, 6, 6, 2), (2, 4, 4, 4),
              state_keys=("kernel", "bias"), rtol=1e-5, grad_atol=2e-6, id="conv2d"),
    LayerCase(Conv2D, {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same",
                       "activation": "relu"}, (2, 7, 7, 2), (2, 4, 4, 3),
              state_keys=("kernel", "bias"), rtol=1e-5, grad_atol=2e-6,
              id="conv2d_same_stride2"),
    LayerCase(Conv1D, {"filters": 3, "kernel_size": 2, "padding": "causal", "use_bias": False},
              (2, 5, 2), (2, 5, 3), state_keys=("kernel",), id="conv1d_causal"),
    LayerCase(MaxPooling2D, {}, (2, 6, 6, 3), (2, 3, 3, 3), id="max_pooling2d"),
    LayerCase(MaxPooling1D, {"pool_size": 2, "padding": "same", "strides": 2}, (2, 5, 3),
              (2, 3, 3), id="max_pooling1d_same"),
    LayerCase(AveragePooling2D, {"pool_size": 2}, (2, 6, 6, 3), (2, 3, 3, 3),
              id="average_pooling2d"),
    LayerCase(GlobalAveragePooling1D, {}, (2, 5, 3), (2, 3), id="global_average_pooling1d"),
    LayerCase(GlobalMaxPooling2D, {"keepdims": True}, (2, 4, 4, 3), (2, 1, 1, 3),
              id="global_max_pooling2d_keepdims"),
    LayerCase(BatchNormalization, {}, (4, 3), (4, 3),
              state_keys=("gamma", "beta", "moving_mean", "moving_variance"),
              id="batch_normalization"),
    LayerCase(LayerNormalization, {}, (2, 3, 4), (2, 3, 4), state_keys=("gamma", "beta"),
              id="layer_normalization"),
    LayerCase(GroupNormalization, {"groups": 2}, (2, 3, 4), (2, 3, 4),
              state_keys=("gamma", "beta"), id="group_normalization"),
    LayerCase(UnitNormalization, {}, (2, 4), (2, 4), id="unit_normalization"),
    LayerCase(ReLU, {"max_value": 1.0}, (2, 4), (2, 4), id="relu_layer"),
    LayerCase(LeakyReLU, {}, (2, 4), (2, 4), id="leaky_relu"),
    LayerCase(PReLU, {}, (2, 4), (2, 4), state_keys=("alpha",), id="prelu"),
    LayerCase(ELU, {}, (2, 4), (2, 4), id="elu"),
    LayerCase(Softmax, {}, (2, 4), (2, 4), id="softmax_layer"),
    LayerCase(Conv3D, {"filters": 2, "kernel_size": 2}, (2, 4, 4, 4, 1), (2, 3, 3, 3, 2),
              state_keys=("kernel", "bias"), rtol=1e-5, grad_atol=2e-6, id="conv3d"),
    LayerCase(MaxPooling3D, {}, (2, 4, 4, 4, 2), (2, 2, 2, 2, 2), id="max_pooling3d"),
    LayerCase(GlobalAveragePooling3D, {}, (2, 3, 3, 3, 2), (2, 2),
              id="global_average_pooling3d"),
    LayerCase(RMSNormalization, {}, (2, 3, 4), (2, 3, 4), state_keys=("scale",),
              id="rms_normalization"),
    LayerCase(ZeroPadding2D, {"padding": ((1, 0), (2, 1))}, (2, 3, 3, 2), (2, 4, 6, 2),
              id="zero_padding2d"),
    LayerCase(Cropping2D, {"cropping": ((1, 0), (0, 1))}, (2, 4, 4, 2), (2, 3, 3, 2),
              id="cropping2d"),
    LayerCase(UpSampling2D, {"size": (2, 3)}, (2, 2, 2, 3), (2, 4, 6, 3), id="up_sampling2d"),
    LayerCase(UpSampling2D, {"interpolation": "bilinear"}, (2, 3, 3, 2), (2, 6, 6, 2),
              id="up_sampling2d_bilinear"),
    LayerCase(SpatialDropout1D, {"rate": 0.5}, (2, 3, 4), (2, 3, 4), id="spatial_dropout1d"),
    LayerCase(GaussianNoise, {"stddev": 0.1}, (2, 4), (2, 4), id="gaussian_noise"),
    LayerCase(ActivityRegularization, {"l1": 0.01}, (2, 4), (2, 4),
              id="activity_regularization"),
    # The 1D/3D variants and the other noise layers (identity at inference, as Keras).
    LayerCase(AveragePooling1D, {"pool_size": 3, "strides": 1}, (2, 6, 2), (2, 4, 2),
              id="average_pooling1d"),
    LayerCase(AveragePooling2D, {"pool_size": 2, "data_format": "channels_first"},
              (2, 3, 4, 4), (2, 3, 2, 2), id="average_pooling2d_cf"),
    LayerCase(AveragePooling3D, {"pool_size": 2}, (2, 4, 4, 4, 2), (2, 2, 2, 2, 2),
              id="average_pooling3d"),
    LayerCase(MaxPooling2D, {"pool_size": 3, "strides": 2, "padding": "same"}, (2, 5, 5, 2),
              (2, 3, 3, 2), id="max_pooling2d_same_stride2"),
    LayerCase(GlobalAveragePooling2D, {}, (2, 3, 4, 2), (2, 2), id="global_average_pooling2d"),
    LayerCase(GlobalAveragePooling2D, {"data_format": "channels_first", "keepdims": True},
              (2, 3, 4, 2), (2, 3, 1, 1), id="global_average_pooling2d_cf_keepdims"),
    LayerCase(GlobalMaxPooling1D, {}, (2, 5, 3), (2, 3), id="global_max_pooling1d"),
    LayerCase(GlobalMaxPooling3D, {"keepdims": True}, (2, 3, 3, 3, 2), (2, 1, 1, 1, 2),
              id="global_max_pooling3d_keepdims"),
    LayerCase(Cropping1D, {"cropping": (1, 2)}, (2, 6, 3), (2, 3, 3), id="cropping1d"),
    LayerCase(Cropping3D, {"cropping": 1}, (2, 4, 4, 4, 2), (2, 2, 2, 2, 2), id="cropping3d"),
    LayerCase(ZeroPadding1D, {"padding": (1, 2)}, (2, 3, 2), (2, 6, 2), id="zero_padding1d"),
    LayerCase(ZeroPadding3D, {"padding": 1}, (2, 2, 2, 2, 1), (2, 4, 4, 4, 1),
              id="zero_padding3d"),
    LayerCase(UpSampling1D, {"size": 3}, (2, 2, 3), (2, 6, 3), id="up_sampling1d"),
    LayerCase(UpSampling3D, {"size": (1, 2, 2)}, (2, 2, 2, 2, 1), (2, 2, 4, 4, 1),
              id="up_sampling3d"),
    LayerCase(SpatialDropout2D, {"rate": 0.3}, (2, 3, 3, 2), (2, 3, 3, 2),
              id="spatial_dropout2d"),
    LayerCase(SpatialDropout3D, {"rate": 0.3}, (2, 2, 2, 2, 2), (2, 2, 2, 2, 2),
              id="spatial_dropout3d"),
    LayerCase(GaussianDropout, {"rate": 0.4}, (2, 4), (2, 4), id="gaussian_dropout"),
    LayerCase(AlphaDropout, {"rate": 0.2}, (2, 4), (2, 4), id="alpha_dropout"),
]
