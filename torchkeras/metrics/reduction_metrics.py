"""Mean, Sum and MeanMetricWrapper: running (weighted) reductions of per-sample values."""

import torch
from torchkeras import config
from torchkeras.losses.loss import serialize_function, squeeze_or_expand_to_same_rank
from torchkeras.metrics.metric import FUNCTIONS, Metric, divide_no_nan, to_tensor
from torchkeras.registry import METRICS


def _mean(x, dims):
    return x.mean(dim=dims) if dims else x


def _sum(x, dims):
    return x.sum(dim=dims) if dims else x


def _masked(sample_weight, mask):
    """`sample_weight * mask` (a 0/1 float mask when there are no weights)."""
    mask = to_tensor(mask, device=None if sample_weight is None else sample_weight.device)
    if sample_weight is None:
        return mask.to(config.standardize_dtype(None))
    mask = mask.to(device=sample_weight.device, dtype=sample_weight.dtype)
    mask, sample_weight = squeeze_or_expand_to_same_rank(mask, sample_weight)
    return sample_weight * mask


def reduce_to_samplewise_values(values, sample_weight, reduce_fn, dtype):
    """Keras' reduction of `values` (and weights) to one value per sample.

    Values of higher rank than the weights are first reduced (`reduce_fn`) down to the weights'
    rank; weights are broadcast to the values, multiplied in, and both are then reduced over
    every axis but the first.

    Args:
        values: Tensor of any shape; its first axis is the batch.
        sample_weight: `None`, or weights broadcastable to `values` after rank matching.
        reduce_fn: `_mean` or `_sum`, called as `reduce_fn(x, dims)`.
        dtype: Torch dtype of the computation.

    Returns:
        `(weighted values, weights)` of rank <= 1; weights is `None` when none were given.
    """
    mask = getattr(values, "_keras_mask", None)
    values = to_tensor(values, dtype=dtype)
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, dtype=dtype, device=values.device)
        if mask is not None:  # Keras applies the values' own mask only to given weights
            sample_weight = _masked(sample_weight, mask)
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_rank = sample_weight.dim()
        if values.dim() > weight_rank:
            values = reduce_fn(values, list(range(weight_rank, values.dim())))
        sample_weight = sample_weight.expand(values.shape)
        values = values * sample_weight
        if weight_rank > 1:
            sample_weight = reduce_fn(sample_weight, list(range(1, weight_rank)))
    if values.dim() > 1:
        values = reduce_fn(values, list(range(1, values.dim())))
    return values, sample_weight


def _resolve_function(fn):
    """A callable; a name or Keras' function dict is looked up among the metric functions."""
    if isinstance(fn, dict) and fn.get("class_name") == "function":
        fn = fn.get("config")
    if isinstance(fn, str):
        if fn not in FUNCTIONS:
            raise ValueError(f"Unknown metric function {fn!r}.")
        return FUNCTIONS[fn]
    if not callable(fn):
        raise ValueError(f"`fn` must be a callable or a function name, got fn={fn!r}.")
    return fn


@METRICS.register("sum")
class Sum(Metric):
    """Running (weighted) sum of every value passed to `update_state`.

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.

    Shapes: `update_state(values (batch, ...), sample_weight=None)`; result `()`.
    """

    def __init__(self, name="sum", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_weight(shape=(), initializer="zeros", name="total")

    def update_state(self, values, sample_weight=None):
        """Adds `sum(values * sample_weight)` to the total."""
        values, _ = reduce_to_samplewise_values(
            values, sample_weight, _sum, self.total.value.dtype
        )
        self.total.assign_add(values.sum())

    def result(self):
        """The total."""
        return self.total.value.clone()


@METRICS.register("mean")
class Mean(Metric):
    """Running (weighted) mean: `sum(w * v) / sum(w)` over every sample seen.

    A value of rank > 1 counts as one sample: its non-batch axes are averaged first (after any
    per-element weights are applied).

    Args:
        name: Name of the metric.
        dtype: Dtype of the state.

    Shapes: `update_state(values (batch, ...), sample_weight=None)`; result `()`.
    """

    def __init__(self, name="mean", dtype=None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_weight(shape=(), initializer="zeros", name="total")
        self.count = self.add_weight(shape=(), initializer="zeros", name="count")

    def update_state(self, values, sample_weight=None):
        """Adds the batch's weighted values to the total and its weights to the count."""
        total = self.total.value
        if (  # the trainer's loss tracker: a scalar tensor weighted by the batch size
            isinstance(values, torch.Tensor)
            and values.ndim == 0
            and isinstance(sample_weight, (int, float))
            and values.dtype == total.dtype
            and not values.requires_grad
        ):
            total.add_(values, alpha=sample_weight)
            self.count.value.add_(sample_weight)
            return
        values, sample_weight = reduce_to_samplewise_values(
            values, sample_weight, _mean, self.total.value.dtype
        )
        self.total.assign_add(values.sum())
        if sample_weight is not None:
            self.count.assign_add(sample_weight.sum())
        else:
            self.count.assign_add(values.shape[0] if values.dim() >= 1 else 1)

    def result(self):
        """`total / count`, 0 before any sample."""
        return divide_no_nan(self.total.value, self.count.value)


@METRICS.register("mean_metric_wrapper")
class MeanMetricWrapper(Mean):
    """The running mean of a per-sample function `fn(y_true, y_pred, **kwargs)`.

    Args:
        fn: Callable returning one value per sample (or per element).
        name: Name of the metric; by default a unique `"mean_metric_wrapper"`.
        dtype: Dtype of the state.
        **kwargs: Keyword arguments passed to `fn` on every call.

    Shapes: `update_state(y_true, y_pred, sample_weight=None)`; result `()`.
    """

    def __init__(self, fn, name=None, dtype=None, **kwargs):
        super().__init__(name=name, dtype=dtype)
        self._fn = _resolve_function(fn)
        self._fn_kwargs = kwargs

    def update_state(self, y_true, y_pred, sample_weight=None):
        """Evaluates `fn` on the batch and adds its values to the running mean.

        A `_keras_mask` on `y_pred` (from a masking layer) zeroes the weights of masked entries.
        """
        mask = getattr(y_pred, "_keras_mask", None)
        if mask is not None:
            sample_weight = _masked(
                None if sample_weight is None else to_tensor(sample_weight), mask
            )
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self):
        """Name, dtype, `_config_keys` and, for the wrapper itself, `fn` and its arguments."""
        base = super().get_config()
        if type(self) is not MeanMetricWrapper:
            return base
        return {**base, "fn": serialize_function(self._fn), **self._fn_kwargs}

    @classmethod
    def from_config(cls, config):
        """Builds the metric; a wrapper's `fn` may be a function name or Keras' function dict."""
        if cls is MeanMetricWrapper:
            return cls(**{**config, "fn": _resolve_function(config["fn"])})
        return cls(**config)
