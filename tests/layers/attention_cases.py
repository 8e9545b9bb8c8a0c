"""Layer cases of the attention family (see layer_case.py for the fields).

MultiHeadAttention is called positionally, `mha(query, value[, key])`; `return_attention_scores`
makes a tuple output. Masks given in `call_kwargs` have a batch axis of 1 so that they
broadcast over any batch (the symbolic test probes other batch sizes). Masks travelling on the
inputs (`_keras_mask`) are tested in test_attention.py.
"""

import torch

from layer_case import LayerCase

from torchkeras.layers.attention import (
    AdditiveAttention,
    Attention,
    GroupQueryAttention,
    MultiHeadAttention,
)
from torchkeras.layers.core.einsum_dense import EinsumDense

_PROJECTIONS = ("query_dense", "key_dense", "value_dense", "output_dense")
MHA_KEYS = tuple(f"{layer}.{weight}" for layer in _PROJECTIONS for weight in ("kernel", "bias"))
MHA_KERNELS = tuple(f"{layer}.kernel" for layer in _PROJECTIONS)
GQA_KEYS = tuple(f"_{key}" for key in MHA_KEYS)  # Keras' GQA has no public sublayer names
GQA_KERNELS = tuple(f"_{key}" for key in MHA_KERNELS)
# Fused grouped-query attention (`enable_gqa`) sums the key/value gradients over each group of
# query heads in another order than Keras' repeated heads: up to 5e-7 absolute, 2e-6 relative.
GQA_TOLERANCE = {"rtol": 1e-5, "grad_atol": 1e-6}

# (1, T=4, S=6): query row 2 may attend nowhere (Keras: mean of the values on its fused path,
# zeros on its softmax path); the other rows see some positions.
ATTENTION_MASK = torch.tensor(
    [
        [
            [True, False, True, True, False, True],
            [False, True, False, False, True, True],
            [False, False, False, False, False, False],
            [True, True, True, False, False, False],
        ]
    ]
)
VALUE_MASK = torch.tensor([[True, True, False, True, False, True]])  # (1, S=6)
QUERY_MASK = torch.tensor([[True, False, True]])  # (1, Tq=3)
SCORES_MASK = torch.tensor([[True, False, True, True, False]])  # (1, Tv=5)


def _mha(kwargs, shapes, output, call_kwargs=None, keys=MHA_KEYS, cls=MultiHeadAttention, **extra):
    return LayerCase(
        cls,
        kwargs,
        shapes,
        output,
        state_keys=keys,
        positional=True,
        call_kwargs=call_kwargs,
        **extra,
    )


CASES = [
    _mha({"num_heads": 2, "key_dim": 3}, [(2, 4, 5), (2, 4, 5)], (2, 4, 5), id="mha_self"),
    _mha(
        {"num_heads": 2, "key_dim": 3, "value_dim": 4},
        [(2, 4, 5), (2, 6, 7)],
        (2, 4, 5),
        id="mha_cross_value_dim",
    ),
    _mha(
        {"num_heads": 3, "key_dim": 2, "output_shape": (2, 3)},
        [(2, 3, 5), (2, 4, 6), (2, 4, 3)],
        (2, 3, 2, 3),
        id="mha_key_output_shape",
    ),
    _mha(
        {"num_heads": 2, "key_dim": 3, "use_bias": False, "output_shape": 3},
        [(2, 4, 5), (2, 6, 5)],
        [(2, 4, 3), (2, 2, 4, 6)],
        {"return_attention_scores": True},
        keys=MHA_KERNELS,
        id="mha_no_bias_scores",
    ),
    _mha(
        {"num_heads": 2, "key_dim": 3},
        [(2, 4, 5), (2, 4, 5)],
        (2, 4, 5),
        {"use_causal_mask": True},
        id="mha_causal",
    ),
    _mha(
        {"num_heads": 2, "key_dim": 2},
        [(2, 4, 3), (2, 5, 3)],
        [(2, 4, 3), (2, 2, 4, 5)],
        {"use_causal_mask": True, "return_attention_scores": True},
        id="mha_causal_cross_scores",
    ),
    _mha(
        {"num_heads": 2, "key_dim": 3},
        [(2, 4, 5), (2, 6, 5)],
        (2, 4, 5),
        {"attention_mask": ATTENTION_MASK},
        id="mha_attention_mask",
    ),
    _mha(
        {"num_heads": 2, "key_dim": 3},
        [(2, 4, 5), (2, 6, 5)],
        [(2, 4, 5), (2, 2, 4, 6)],
        {"attention_mask": ATTENTION_MASK, "return_attention_scores": True},
        id="mha_attention_mask_scores",
    ),
    _mha(
        {"num_heads": 2, "key_dim": 3},
        [(2, 4, 5), (2, 6, 5)],
        (2, 4, 5),
        {"value_mask": VALUE_MASK, "use_causal_mask": True},
        id="mha_value_mask_causal",
    ),
    # Keras takes its softmax path for dropout > 0 (zeros for the fully masked row); torchkeras
    # the fused kernel (zeroing that row), whose backward sums in another order: input
    # gradients differ by up to 8e-7 absolute (on values near 1), so compared at 1e-5 / 1e-6.
    _mha(
        {"num_heads": 2, "key_dim": 3, "dropout": 0.3},
        [(2, 4, 5), (2, 6, 5)],
        (2, 4, 5),
        {"attention_mask": ATTENTION_MASK},
        rtol=1e-5,
        grad_atol=1e-6,
        id="mha_dropout_inference",
    ),
    _mha(
        {"num_heads": 2, "key_dim": 2, "attention_axes": (1, 2)},
        [(2, 2, 3, 4), (2, 2, 3, 4)],
        (2, 2, 3, 4),
        id="mha_attention_axes_2d",
    ),
    _mha(
        {"num_heads": 2, "key_dim": 2, "attention_axes": -2},
        [(2, 2, 3, 4), (2, 2, 3, 4)],
        [(2, 2, 3, 4), (2, 2, 2, 3, 3)],
        {"return_attention_scores": True},
        id="mha_attention_axes_last",
    ),
    _mha(
        {"num_heads": 2, "key_dim": 3, "use_gate": True, "sliding_window": 2},
        [(2, 4, 5), (2, 4, 5)],
        (2, 4, 5),
        {"use_causal_mask": True},
        keys=(*MHA_KEYS, "_gate_dense.kernel", "_gate_dense.bias"),
        id="mha_gate_sliding_window",
    ),
    _mha(
        {
            "num_heads": 1,
            "key_dim": 4,
            "kernel_initializer": "he_normal",
            "bias_initializer": "ones",
            "kernel_regularizer": "l2",
            "activity_regularizer": "l2",
            "kernel_constraint": "max_norm",
        },
        [(2, 3, 4), (2, 3, 4)],
        (2, 3, 4),
        id="mha_initializers_regularizers",
    ),
    _mha(
        {"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 2},
        [(2, 4, 6), (2, 4, 6)],
        (2, 4, 6),
        keys=GQA_KEYS,
        cls=GroupQueryAttention,
        **GQA_TOLERANCE,
        id="gqa_self",
    ),
    _mha(
        {"head_dim": 3, "num_query_heads": 2, "num_key_value_heads": 1},
        [(2, 4, 5), (2, 5, 5), (2, 5, 3)],
        [(2, 4, 5), (2, 2, 4, 5)],
        {"use_causal_mask": True, "return_attention_scores": True},
        keys=GQA_KEYS,
        cls=GroupQueryAttention,
        id="gqa_key_causal_scores",
    ),
    _mha(
        {"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 2, "use_bias": False},
        [(2, 4, 5), (2, 6, 5)],
        (2, 4, 5),
        {"attention_mask": ATTENTION_MASK, "value_mask": VALUE_MASK},
        keys=GQA_KERNELS,
        cls=GroupQueryAttention,
        **GQA_TOLERANCE,
        id="gqa_masks_no_bias",
    ),
    _mha(
        {
            "head_dim": 2,
            "num_query_heads": 2,
            "num_key_value_heads": 2,
            "use_gate": True,
            "sliding_window": 2,
            "dropout": 0.2,
        },
        [(2, 4, 3), (2, 4, 3)],
        [(2, 4, 3), (2, 2, 4, 4)],
        {"return_attention_scores": True},
        keys=(*GQA_KEYS, "_gate_dense.kernel", "_gate_dense.bias"),
        cls=GroupQueryAttention,
        id="gqa_gate_window_dropout_scores",
    ),
    LayerCase(Attention, {}, [(2, 3, 4), (2, 5, 4)], (2, 3, 4), id="attention_dot"),
    LayerCase(
        Attention,
        {"use_scale": True},
        [(2, 3, 4), (2, 5, 6), (2, 5, 4)],
        (2, 3, 6),
        state_keys=("scale",),
        id="attention_scale_key",
    ),
    LayerCase(
        Attention,
        {"score_mode": "concat", "use_scale": True},
        [(2, 3, 4), (2, 5, 4)],
        [(2, 3, 4), (2, 3, 5)],
        call_kwargs={"return_attention_scores": True},
        state_keys=("scale", "concat_score_weight"),
        id="attention_concat_scale_scores",
    ),
    LayerCase(
        Attention,
        {"score_mode": "concat"},
        [(2, 3, 4), (2, 5, 4)],
        (2, 3, 4),
        call_kwargs={"mask": [QUERY_MASK, SCORES_MASK]},
        state_keys=("concat_score_weight",),
        id="attention_concat_masks",
    ),
    LayerCase(
        Attention,
        {"dropout": 0.5},
        [(2, 3, 4), (2, 5, 4)],
        (2, 3, 4),
        call_kwargs={"mask": [None, SCORES_MASK], "use_causal_mask": True},
        id="attention_value_mask_causal",
    ),
    LayerCase(
        Attention,
        {},
        [(2, 3, 4), (2, 5, 4)],
        [(2, 3, 4), (2, 3, 5)],
        call_kwargs={
            "mask": [QUERY_MASK, SCORES_MASK],
            "return_attention_scores": True,
            "use_causal_mask": True,
        },
        id="attention_masks_causal_scores",
    ),
    LayerCase(
        AdditiveAttention,
        {},
        [(2, 3, 4), (2, 5, 4)],
        (2, 3, 4),
        state_keys=("scale",),
        id="additive_attention",
    ),
    LayerCase(
        AdditiveAttention,
        {"use_scale": False},
        [(2, 3, 4), (2, 5, 6), (2, 5, 4)],
        [(2, 3, 6), (2, 3, 5)],
        call_kwargs={"mask": [QUERY_MASK, SCORES_MASK], "return_attention_scores": True},
        id="additive_attention_no_scale_masks",
    ),
    LayerCase(
        AdditiveAttention,
        {"dropout": 0.2},
        [(2, 4, 3), (2, 4, 3)],
        (2, 4, 3),
        call_kwargs={"use_causal_mask": True},
        state_keys=("scale",),
        id="additive_attention_causal",
    ),
    LayerCase(
        EinsumDense,
        {"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": "c"},
        (2, 3),
        (2, 4),
        state_keys=("kernel", "bias"),
        id="einsum_dense_dense",
    ),
    LayerCase(
        EinsumDense,
        {
            "equation": "abc,cde->abde",
            "output_shape": (None, 2, 3),
            "bias_axes": "de",
            "activation": "relu",
        },
        (2, 4, 5),
        (2, 4, 2, 3),
        state_keys=("kernel", "bias"),
        id="einsum_dense_heads",
    ),
    LayerCase(
        EinsumDense,
        {"equation": "...b,bc->...c", "output_shape": 3},
        (2, 4, 5),
        (2, 4, 3),
        state_keys=("kernel",),
        id="einsum_dense_left_ellipsis",
    ),
    LayerCase(
        EinsumDense,
        {"equation": "ab...,bc->ac...", "output_shape": (3,), "bias_axes": "c"},
        (2, 4, 5),
        (2, 3, 5),
        state_keys=("kernel", "bias"),
        id="einsum_dense_right_ellipsis",
    ),
]
