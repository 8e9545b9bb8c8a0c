"""The `Loss` base class and Keras' reduction rules (sample weights, masks, `sum_over_batch_size`).

Per-sample losses come from `call`; `reduce_weighted_values` turns them into the scalar Keras
reports, so the trainer reuses the same rules for losses it computes itself.
"""

import numpy as np
import torch

from torchkeras import config
from torchkeras.registry import LOSSES
from torchkeras.utils import naming, nest

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)
_MEAN_REDUCTIONS = ("sum_over_batch_size", "mean")
# {loss function: function with its arguments returning the mean loss from fused kernels}
_FUSED_FORMS = {}


def fused_form(fn):
    """Decorator recording its function as the fused mean of loss function `fn`.

    The fused form takes `fn`'s arguments (after Keras' rank fix) and returns the mean of
    `fn`'s losses, e.g. `F.cross_entropy(..., reduction="mean")`, or None when it does not
    apply to these inputs. Every `LossFunctionWrapper` of `fn` then uses it for unweighted,
    unmasked `"sum_over_batch_size"` and `"mean"` reductions.

    Args:
        fn: The per-sample loss function.
    """

    def decorate(fused):
        _FUSED_FORMS[fn] = fused
        return fused

    return decorate


def standardize_reduction(reduction):
    """Returns `reduction` when Keras accepts it, else raises Keras' ValueError."""
    if reduction not in REDUCTIONS:
        raise ValueError(
            "Invalid value for argument `reduction`. Expected one of "
            f"{list(REDUCTIONS)}. Received: reduction={reduction!r}"
        )
    return reduction


def squeeze_or_expand_to_same_rank(x1, x2, expand_rank_1=True):
    """Makes ranks equal when they differ by one and the longer tensor ends in a size-1 axis.

    Keras' rule: `(batch,)` against `(batch, 1)` expands the rank-1 tensor (or squeezes the
    other when `expand_rank_1` is False); any other pair is returned unchanged.

    Args:
        x1, x2: Tensors, typically `y_true` and `y_pred` or losses and sample weights.
        expand_rank_1: Whether a rank-1 tensor is expanded rather than the other squeezed.
    """
    rank1, rank2 = x1.ndim, x2.ndim
    if rank1 == rank2:
        return x1, x2
    if rank1 == rank2 + 1 and x1.shape[-1] == 1:
        if rank2 == 1 and expand_rank_1:
            return x1, x2.unsqueeze(-1)
        return x1.squeeze(-1), x2
    if rank2 == rank1 + 1 and x2.shape[-1] == 1:
        if rank1 == 1 and expand_rank_1:
            return x1.unsqueeze(-1), x2
        return x1, x2.squeeze(-1)
    return x1, x2


def _divide_no_nan(numerator, denominator):
    """`numerator / denominator`, 0 where the denominator is 0, with finite gradients there."""
    nonzero = denominator != 0
    safe = torch.where(nonzero, denominator, torch.ones_like(denominator))
    return torch.where(nonzero, numerator / safe, torch.zeros_like(numerator))


def _as_weights(weights, values):
    """`weights` as a tensor of the losses' dtype and device (a no-op for matching tensors)."""
    if isinstance(weights, torch.Tensor):
        return weights if weights.dtype == values.dtype else weights.to(values.dtype)
    return torch.as_tensor(np.asarray(weights), dtype=values.dtype, device=values.device)


def apply_mask(sample_weight, mask, dtype, reduction):
    """Folds a boolean mask into the sample weights, as Keras does for masked outputs.

    For `"sum_over_batch_size"` and `"mean"` the valid entries get weight `total / valid`, so
    the reduced loss is the mean over valid entries only; other reductions use the 0/1 mask.

    Args:
        sample_weight: `None` or weights broadcastable to the mask.
        mask: Boolean (or 0/1) tensor, `True` where the loss counts.
        dtype: Float dtype of the losses.
        reduction: The reduction the weights will be used with.
    """
    if mask is None:
        return sample_weight
    if reduction in ("mean", "sum_over_batch_size"):
        valid = mask.to(dtype).sum()  # may be 0; a device tensor, never read back
        nonzero = valid != 0
        scale = mask.numel() / torch.where(nonzero, valid, torch.ones_like(valid))
        float_mask = torch.where(mask.bool() & nonzero, scale, 0.0)  # total / valid, or 0
    else:
        float_mask = mask.to(dtype)
    if sample_weight is None:
        return float_mask
    sample_weight = _as_weights(sample_weight, float_mask)
    float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
    return sample_weight * float_mask


def reduce_values(values, sample_weight=None, reduction="sum_over_batch_size"):
    """Reduces already weighted losses with Keras' rule; never reads a value back to the host.

    `"sum_over_batch_size"` and `"mean"` divide the sum by the number of elements (not by the
    sum of the weights); `"mean_with_sample_weight"` divides by the sum of `sample_weight`.

    Args:
        values: Weighted per-sample losses.
        sample_weight: The weights used, for `"mean_with_sample_weight"`; else ignored.
        reduction: One of `REDUCTIONS`.
    """
    if reduction is None or reduction == "none" or values.ndim == 0 or values.shape == (0,):
        return values
    if reduction == "sum":
        return values.sum()
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return _divide_no_nan(values.sum(), sample_weight.sum().to(values.dtype))
    if values.numel() == 0:
        return values.sum()  # Keras' divide_no_nan: 0 / 0 -> 0
    return values.mean()  # sum / number of elements, in one kernel


def reduce_weighted_values(
    values, sample_weight=None, mask=None, reduction="sum_over_batch_size", dtype=None
):
    """Applies sample weights and a mask to per-sample losses, then Keras' reduction.

    Weights broadcast against the losses after Keras' rank fix (`(batch,)` against
    `(batch, 1)`); numpy weights become tensors on the losses' device.

    Args:
        values: Per-sample losses, a tensor.
        sample_weight: `None`, or weights (tensor, array or list) broadcastable to `values`.
        mask: `None`, or a boolean tensor; masked-out entries do not count.
        reduction: One of `"sum_over_batch_size"`, `"sum"`, `"mean"`,
            `"mean_with_sample_weight"`, `"none"` or `None`.
        dtype: Optional dtype to cast `values` to first.
    """
    reduction = standardize_reduction(reduction)
    if dtype is not None:
        values = values.to(config.standardize_dtype(dtype))
    sample_weight = apply_mask(sample_weight, mask, values.dtype, reduction)
    if sample_weight is not None:
        sample_weight = _as_weights(sample_weight, values)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


def _to_tensor(value, dtype=None, device=None):
    """A non-tensor leaf (array, list, number) as a tensor; floats take `dtype` when given."""
    array = np.asarray(value)
    if dtype is not None and array.dtype.kind not in "fb":
        dtype = None  # integer labels stay integers; each loss casts what it needs
    return torch.as_tensor(array, dtype=dtype, device=device)


def _prediction(y_pred, dtype):
    """`y_pred` as a tensor of the loss's compute dtype (a no-op for matching tensors)."""
    if isinstance(y_pred, torch.Tensor):
        return y_pred if y_pred.dtype == dtype else y_pred.to(dtype)
    if isinstance(y_pred, dict):
        return nest.map_structure(lambda leaf: _prediction(leaf, dtype), y_pred)
    return torch.as_tensor(np.asarray(y_pred), dtype=dtype)


def _target(y_true, y_pred):
    """Non-tensor `y_true` as a tensor on `y_pred`'s device; float/bool labels take its dtype."""
    if isinstance(y_true, dict):
        return nest.map_structure(lambda leaf: _target(leaf, y_pred), y_true)
    if isinstance(y_true, torch.Tensor):
        return y_true
    like = y_pred if isinstance(y_pred, torch.Tensor) else nest.first_leaf(y_pred)
    return _to_tensor(y_true, like.dtype, like.device)


def _merge_masks(first, second):
    """The logical and of two optional boolean masks."""
    if first is None:
        return second
    if second is None:
        return first
    return first.bool() & second.bool()


@LOSSES.register()
class Loss:
    """Base class of losses: `call` gives per-sample losses, `__call__` weights and reduces them.

    `y_pred` is cast to the loss's dtype (floatx by default, as Keras) and numpy `y_true` becomes
    a tensor on `y_pred`'s device; tensors that already match are used as they are, so a call
    costs little more than its torch kernels. Unweighted, unmasked mean reductions first try
    `fused_call` (one torch kernel, e.g. `F.cross_entropy`). A `_keras_mask` attribute on
    `y_pred` or on the returned losses masks entries out, as in Keras.

    Args:
        name: Name of the loss; defaults to the snake-case class name, made unique.
        reduction: `"sum_over_batch_size"` (default), `"sum"`, `"mean"`,
            `"mean_with_sample_weight"`, `"none"` or `None`.
        dtype: Compute dtype: a name (`"mixed_float16"` computes in float16, as Keras' policy),
            a numpy or torch dtype, or a policy object with `compute_dtype`.

    Shapes: `call` returns `(batch, ...)`; `__call__` returns `()` unless reduction is none.
    """

    def __init__(self, name=None, reduction="sum_over_batch_size", dtype=None):
        self.name = name or naming.unique_name(naming.to_snake_case(type(self).__name__))
        self.reduction = standardize_reduction(reduction)
        dtype = getattr(dtype, "compute_dtype", dtype)  # a DTypePolicy computes in this
        if isinstance(dtype, str) and dtype.startswith("mixed_"):
            dtype = dtype.removeprefix("mixed_")  # Keras' policy names compute in half precision
        self._torch_dtype = config.standardize_dtype(dtype or config.floatx())

    @property
    def dtype(self):
        """The compute dtype's Keras name, e.g. `"float32"`."""
        return config.dtype_name(self._torch_dtype)

    def __call__(self, y_true, y_pred, sample_weight=None):
        in_mask = getattr(y_pred, "_keras_mask", None)
        y_pred = _prediction(y_pred, self._torch_dtype)
        y_true = _target(y_true, y_pred)
        if sample_weight is None and in_mask is None and self.reduction in _MEAN_REDUCTIONS:
            loss = self.fused_call(y_true, y_pred)
            if loss is not None:
                return loss
        losses = self.call(y_true, y_pred)
        mask = _merge_masks(in_mask, getattr(losses, "_keras_mask", None))
        return reduce_weighted_values(losses, sample_weight, mask, self.reduction)

    def call(self, y_true, y_pred):
        """Per-sample losses; subclasses override this."""
        raise TypeError(
            f"{type(self).__name__} must override `call(y_true, y_pred)` to compute its losses."
        )

    def fused_call(self, y_true, y_pred):
        """The mean of `call`'s losses from one fused kernel, or None to take `call`'s path.

        Used only without sample weights or masks, for `"sum_over_batch_size"` and `"mean"`;
        the base class has no fused form.
        """
        return None

    def get_config(self):
        """Keras' config: `name` and `reduction` (the dtype is not saved, as in Keras)."""
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config):
        """Rebuilds the loss from `get_config()`'s dict."""
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"


def serialize_function(fn):
    """Keras' config form of a plain loss or metric function, e.g. for `mean_squared_error`."""
    return {
        "module": "builtins",
        "class_name": "function",
        "config": fn.__name__,
        "registered_name": "function",
    }


def deserialize_function(config, custom_objects=None):
    """The loss function named by a plain name or by `serialize_function`'s dict."""
    if isinstance(config, dict):
        config = config.get("config")
    if not isinstance(config, str):
        raise ValueError(f"Could not interpret loss function config: {config!r}.")
    return LOSSES.lookup(config, custom_objects)


@LOSSES.register()
class LossFunctionWrapper(Loss):
    """A `Loss` around a function `fn(y_true, y_pred, **kwargs)` returning per-sample losses.

    Before calling `fn`, ranks are fixed as Keras does (`(batch,)` against `(batch, 1)`). When
    `fn` has a `fused_form`, unweighted mean reductions use it instead.

    Args:
        fn: The loss function; a registered one when the loss must be saved.
        reduction: As in `Loss`.
        name: As in `Loss`.
        dtype: As in `Loss`.
        **kwargs: Extra keyword arguments passed to `fn` on every call.
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs
        overrides_call = type(self).call is not LossFunctionWrapper.call
        self._fused_fn = None if overrides_call else _FUSED_FORMS.get(fn)

    def call(self, y_true, y_pred):
        if isinstance(y_true, torch.Tensor) and isinstance(y_pred, torch.Tensor):
            y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def fused_call(self, y_true, y_pred):
        """`fn`'s fused form on rank-fixed tensors, or None when it has none."""
        if self._fused_fn is None or not isinstance(y_true, torch.Tensor):
            return None
        if not isinstance(y_pred, torch.Tensor):
            return None
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self._fused_fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self):
        """Keras' config: name, reduction, the function (`serialize_function`) and its kwargs."""
        return {**super().get_config(), "fn": serialize_function(self.fn), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        """Rebuilds the wrapper; `fn` is resolved only among registered loss functions."""
        config = dict(config)
        if "fn" in config:
            config["fn"] = deserialize_function(config["fn"])
        return cls(**config)

    def __repr__(self):
        return f"<LossFunctionWrapper({self.fn.__name__}, kwargs={self._fn_kwargs})>"


class BuiltinLoss(LossFunctionWrapper):
    """A `LossFunctionWrapper` whose function is fixed by the class (Keras' built-in losses).

    Each keyword argument of the function is also an attribute (`loss.from_logits`) and a
    config entry, so `from_config` is `cls(**config)`.
    """

    def __init__(self, fn, reduction, name, dtype, **kwargs):
        super().__init__(fn, reduction=reduction, name=name, dtype=dtype, **kwargs)
        for key, value in kwargs.items():
            setattr(self, key, value)

    def get_config(self):
        """Name, reduction and the function's keyword arguments."""
        return {**Loss.get_config(self), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        """Rebuilds the loss from `get_config()`'s dict."""
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name!r} kwargs={self._fn_kwargs}>"
