"""What `compile(loss=..., metrics=...)` means for a model's outputs, resolved at the first batch."""

import copy

import torch

from torchkeras import losses, metrics
from torchkeras.utils import nest

_ACCURACY = ("accuracy", "acc")
_CROSSENTROPY = ("crossentropy", "ce")


def flat_outputs(y_pred):
    """A model's outputs as a flat list (a single tensor becomes a one-item list)."""
    return nest.flatten(y_pred)


def match_targets(y_true, count, output_names, what="y"):
    """Targets as a flat list aligned with the outputs; dicts are keyed by output name."""
    if isinstance(y_true, dict):
        missing = [name for name in output_names if name not in y_true]
        if missing and len(y_true) < count:
            raise ValueError(
                f"`{what}` is a dict with keys {sorted(y_true)}, but the model's outputs are "
                f"{output_names}; missing {missing}."
            )
        return [y_true.get(name) for name in output_names]
    if count == 1:
        return [y_true[0] if isinstance(y_true, (list, tuple)) and len(y_true) == 1 else y_true]
    if not isinstance(y_true, (list, tuple)) or len(y_true) != count:
        received = len(y_true) if isinstance(y_true, (list, tuple)) else 1
        raise ValueError(
            f"The model has {count} outputs {output_names}, so `{what}` must be a list of "
            f"{count} arrays or a dict keyed by output name; got {received} array(s)."
        )
    return list(y_true)


def _per_output(spec, count, output_names, what):
    """Spreads a compile argument over outputs: one for all, a list in order, or a dict by name."""
    if isinstance(spec, dict):
        unknown = sorted(set(spec) - set(output_names))
        if unknown:
            raise ValueError(
                f"`{what}` has keys {unknown} that are not output names; outputs are {output_names}."
            )
        return [spec.get(name) for name in output_names]
    if isinstance(spec, (list, tuple)) and count > 1:
        if len(spec) != count:
            raise ValueError(
                f"`{what}` is a list of {len(spec)} items, but the model has {count} outputs "
                f"{output_names}."
            )
        return list(spec)
    if isinstance(spec, (list, tuple)) and count == 1 and len(spec) == 1 and what == "loss":
        return list(spec)
    return [spec] * count


def _by_shape(y_true, y_pred):
    """Keras' rule for "accuracy"/"crossentropy": binary, sparse or categorical from shapes."""
    if y_pred.shape[-1:] == (1,) or y_pred.ndim == 1:
        return "binary"
    if y_true.ndim < y_pred.ndim or (y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1):
        return "sparse"
    return "categorical"


def resolve_loss(identifier, y_true, y_pred):
    """A loss callable `(y_true, y_pred, sample_weight) -> scalar` and its name."""
    if isinstance(identifier, str) and identifier in _CROSSENTROPY:
        kind = _by_shape(y_true, y_pred)
        identifier = {
            "binary": "binary_crossentropy",
            "sparse": "sparse_categorical_crossentropy",
            "categorical": "categorical_crossentropy",
        }[kind]
    loss = losses.get(identifier)
    if isinstance(loss, losses.Loss):
        return loss, loss.name
    if callable(loss):
        name = identifier if isinstance(identifier, str) else getattr(loss, "__name__", "loss")
        return losses.LossFunctionWrapper(loss, name=name), name
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}.")


def resolve_metric(identifier, y_true, y_pred):
    """A fresh Metric object for a compile metric identifier (name, function or Metric)."""
    if isinstance(identifier, str) and identifier in _ACCURACY + _CROSSENTROPY:
        kind = _by_shape(y_true, y_pred)
        family = "accuracy" if identifier in _ACCURACY else "crossentropy"
        cls = {
            ("accuracy", "binary"): metrics.BinaryAccuracy,
            ("accuracy", "sparse"): metrics.SparseCategoricalAccuracy,
            ("accuracy", "categorical"): metrics.CategoricalAccuracy,
            ("crossentropy", "binary"): metrics.BinaryCrossentropy,
            ("crossentropy", "sparse"): metrics.SparseCategoricalCrossentropy,
            ("crossentropy", "categorical"): metrics.CategoricalCrossentropy,
        }[(family, kind)]
        return cls(name=identifier)
    if isinstance(identifier, metrics.Metric):
        return identifier  # Keras updates the user's own object
    metric = metrics.get(identifier)
    if isinstance(metric, metrics.Metric):
        if isinstance(identifier, str):
            metric.name = identifier  # Keras logs a metric under the string it was given
        return metric
    if callable(metric):
        name = identifier if isinstance(identifier, str) else getattr(metric, "__name__", "metric")
        return metrics.MeanMetricWrapper(metric, name=name)
    raise ValueError(f"Could not interpret metric identifier: {identifier!r}.")


class CompiledLoss:
    """The total training loss: Σ loss_weight · loss(y_true, y_pred) over the outputs.

    Args:
        loss: As given to `compile`: one loss, a list in output order, or a dict by output name.
        loss_weights: None, a list, or a dict of floats, one per output.
    """

    def __init__(self, loss, loss_weights=None):
        self.loss = loss
        self.loss_weights = loss_weights
        self.entries = None  # [(output index, loss callable, weight, tracker name)]

    def build(self, y_true, y_pred, output_names):
        count = len(y_pred)
        names = output_names or [f"output_{i}" for i in range(count)]
        specs = _per_output(self.loss, count, names, "loss")
        weights = _per_output(self.loss_weights, count, names, "loss_weights")
        self.entries = []
        for index, (spec, weight) in enumerate(zip(specs, weights)):
            if spec is None:
                continue
            loss, loss_name = resolve_loss(spec, y_true[index], y_pred[index])
            prefix = output_names[index] if output_names else loss_name
            self.entries.append((index, loss, 1.0 if weight is None else float(weight), prefix))
        if not self.entries:
            raise ValueError("`compile` was given no loss for any of the model's outputs.")

    def __call__(self, y_true, y_pred, sample_weight):
        """Total loss and the unweighted per-output losses (for `<output>_loss` logs)."""
        total, parts = None, []
        for index, loss, weight, _ in self.entries:
            value = loss(y_true[index], y_pred[index], sample_weight[index])
            parts.append(value)
            value = value * weight if weight != 1.0 else value
            total = value if total is None else total + value
        return total, parts

    @property
    def tracker_names(self):
        """`<output>_loss` names, reported only when the model has several outputs with losses."""
        if len(self.entries) < 2:
            return []
        return [f"{prefix}_loss" for *_, prefix in self.entries]


class CompiledMetrics:
    """The metrics of `compile(metrics=..., weighted_metrics=...)`, one object per output.

    Args:
        metrics: As given to `compile`: a list, a list of lists (per output) or a dict.
        weighted_metrics: The same forms; these metrics use `sample_weight`.
    """

    def __init__(self, metrics_spec, weighted_metrics=None):
        self.metrics_spec = metrics_spec
        self.weighted_spec = weighted_metrics
        self.entries = []  # [(output index, Metric, log key, weighted)]

    def build(self, y_true, y_pred, output_names):
        count = len(y_pred)
        names = output_names or [f"output_{i}" for i in range(count)]
        plain = self._resolve(self.metrics_spec, y_true, y_pred, names, output_names, False)
        taken = {key for _, _, key, _ in plain}
        weighted = self._resolve(self.weighted_spec, y_true, y_pred, names, output_names, True)
        # A weighted metric named like a plain one is logged as `weighted_<name>` (its object
        # keeps its name, which is how Keras orders evaluate's list).
        self.entries = plain + [
            (index, metric, f"weighted_{key}" if key in taken else key, True)
            for index, metric, key, _ in weighted
        ]

    def _resolve(self, spec, y_true, y_pred, names, output_names, weighted):
        if spec is None:
            return []
        count = len(y_pred)
        if count > 1 and isinstance(spec, (list, tuple)) and not _is_nested_list(spec):
            per_output = [list(spec)] * count
        else:
            per_output = _per_output(spec, count, names, "metrics")
        entries, used = [], set()
        order = sorted(range(count), key=lambda i: names[i]) if output_names else range(count)
        for index in order:
            for identifier in _as_list(per_output[index]):
                metric = resolve_metric(identifier, y_true[index], y_pred[index])
                if id(metric) in used:  # one object listed for several outputs: one per output
                    metric = copy.deepcopy(metric)
                used.add(id(metric))
                entries.append((index, metric, _key(metric.name, index, output_names), weighted))
        return entries

    @property
    def has_metrics(self):
        """Whether `compile` was given any metric at all."""
        return any(m is not None for m in nest.flatten([self.metrics_spec, self.weighted_spec]))

    def update_state(self, y_true, y_pred, sample_weight):
        for index, metric, _, weighted in self.entries:
            weight = sample_weight[index] if weighted else None
            metric.update_state(y_true[index], y_pred[index], sample_weight=weight)

    @property
    def metrics(self):
        return [metric for _, metric, _, _ in self.entries]

    def results(self):
        """`{log key: function returning the metric's current result}`."""
        return {key: metric.result for _, metric, key, _ in self.entries}


def _key(name, index, output_names):
    if output_names and len(output_names) > 1:
        return f"{output_names[index]}_{name}"
    return name


def _is_nested_list(spec):
    return all(isinstance(item, (list, tuple)) or item is None for item in spec)


def _as_list(spec):
    if spec is None:
        return []
    return list(spec) if isinstance(spec, (list, tuple)) else [spec]


def sample_weights_per_output(sample_weight, count, output_names):
    """One sample-weight tensor (or None) per output."""
    if isinstance(sample_weight, dict):
        return [sample_weight.get(name) for name in output_names]
    if isinstance(sample_weight, (list, tuple)) and not isinstance(sample_weight, torch.Tensor):
        return list(sample_weight)
    return [sample_weight] * count


class CompileMetricsView:
    """`model.metrics`' entry for the compiled metrics, as Keras' `compile_metrics` object.

    Custom `train_step`s call `update_state(y, y_pred)` on every metric of `model.metrics`;
    this one aligns the structures to the outputs and updates every compiled metric.
    """

    name = "compile_metrics"

    def __init__(self, model):
        self._model = model

    def update_state(self, y_true, y_pred, sample_weight=None):
        self._model._update_compiled_metrics(y_true, y_pred, sample_weight)

    def result(self):
        compiled = self._model._compiled_metrics
        return {key: source() for key, source in compiled.results().items()}

    def reset_state(self):
        for metric in self._model._compiled_metric_objects():
            metric.reset_state()

    def to(self, device):
        for metric in self._model._compiled_metric_objects():
            metric.to(device)
        return self
