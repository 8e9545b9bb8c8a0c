"""The per-batch work of fit/evaluate/predict: the hot path that subclasses may override."""

import torch

from torchkeras import distribution
from torchkeras import metrics as metrics_module
from torchkeras.layers import call_context
from torchkeras.optimizers.loss_scale_optimizer import LossScaleOptimizer
from torchkeras.optimizers.optimizer import Optimizer
from torchkeras.trainer import jit
from torchkeras.trainer.compiled import (
    flat_outputs,
    match_targets,
    sample_weights_per_output,
)
from torchkeras.trainer.data import unpack_x_y_sample_weight
from torchkeras.trainer.logs import LazyLogs
from torchkeras.trainer.weight_paths import label_weight_paths
from torchkeras.utils import nest


class Steps:
    """`train_step`, `test_step`, `predict_step` and what they use, in Keras' names.

    The default train step is forward, loss, backward, one optimizer update, metric updates:
    every value stays a device tensor, and the returned logs are read only on demand.
    """

    # ---- the steps -----------------------------------------------------------------------
    def train_step(self, data):
        """One optimizer update on `data = (x, y, sample_weight)`; returns the running logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        forward = jit.step_function(self, "train", self._train_forward, self._built_for_jit)
        self._apply_gradients(forward(x, y, sample_weight))
        return LazyLogs(self._log_sources)

    def _train_forward(self, x, y, sample_weight):
        """Forward pass, loss and metric updates of a train step (what `jit_compile` compiles);
        the metrics see the predictions made before this step's update, as in Keras."""
        y_pred = self(x, training=True)
        loss = self.compute_loss(x=x, y=y, y_pred=y_pred, sample_weight=sample_weight)
        self._loss_tracker.update_state(loss.detach(), sample_weight=_batch_size(x))
        with torch.no_grad():
            self._update_compiled_metrics(y, y_pred, sample_weight)
        return loss

    def test_step(self, data):
        """Loss and metrics of `data` in inference mode; returns the running logs."""
        x, y, sample_weight = unpack_x_y_sample_weight(data)
        jit.step_function(self, "test", self._test_update, self._built_for_jit)(
            x, y, sample_weight
        )
        return LazyLogs(self._log_sources)

    def _test_update(self, x, y, sample_weight):
        """Forward pass, loss and metric updates of a test step (what `jit_compile` compiles)."""
        y_pred = self(x, training=False)
        loss = self.compute_loss(
            x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=False
        )
        self._loss_tracker.update_state(loss, sample_weight=_batch_size(x))
        self._update_compiled_metrics(y, y_pred, sample_weight)

    def predict_step(self, data):
        """The model's outputs for the `x` of `data`."""
        x, _, _ = unpack_x_y_sample_weight(data)
        return jit.step_function(self, "predict", self._predict_forward, self._is_built)(x)

    def _predict_forward(self, x):
        return self(x, training=False)

    def _is_built(self):
        """Whether the model's weights exist (all a compiled predict step needs)."""
        return self.built

    def _built_for_jit(self):
        """Whether the model, its loss and its metrics are built (by a first, eager step), so
        that a compiled step finds them as they will stay."""
        loss_built = self._compiled_loss is None or self._compiled_loss.entries is not None
        return self.built and loss_built and self._metrics_built

    # ---- losses and metrics ----------------------------------------------------------------
    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        """Compiled losses (weighted, summed over outputs) plus `model.losses` regularization."""
        total = None
        if self._compiled_loss is not None:
            outputs = flat_outputs(y_pred)
            targets, weights = self._aligned(y, sample_weight, outputs)
            if self._compiled_loss.entries is None:
                self._compiled_loss.build(targets, outputs, self._output_names(len(outputs)))
            total, parts = self._compiled_loss(targets, outputs, weights)
            for tracker, part in zip(self._output_loss_trackers(), parts):
                tracker.update_state(part.detach(), sample_weight=_batch_size(x, y_pred))
        extra = self._additional_losses()
        if extra:
            added = torch.stack([loss.reshape(()) for loss in extra]).sum()
            total = added if total is None else total + added
        if total is None:
            raise ValueError(
                f"Model '{self.name}' has no loss to optimize: pass `loss=` to `compile()` or "
                "add losses with `add_loss()`."
            )
        return total

    def _additional_losses(self):
        """Regularization penalties and `add_loss` values, gathered cheaply."""
        regularized = self._regularized_weights()
        found = [  # a sharded (ModelParallel) weight's penalty is summed over its shards
            distribution.full_value(regularizer(layer._weight(key)))
            for layer, key, regularizer in regularized
        ]
        for owner in call_context.loss_owners:
            found.extend(owner._losses)
        return found

    def _regularized_weights(self):
        cache = self.__dict__.get("_regularized_cache")
        if cache is None:
            cache = [
                (layer, key, regularizer)
                for layer in self._flat_layers()
                for key, regularizer in layer._weight_regularizers.items()
            ]
            self.__dict__["_regularized_cache"] = cache
        return cache

    def compute_metrics(self, x, y, y_pred, sample_weight=None):
        """Updates the compiled metrics and returns all metric results as a dict."""
        self._update_compiled_metrics(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def _update_compiled_metrics(self, y, y_pred, sample_weight):
        if self._compiled_metrics is None:
            return
        outputs = flat_outputs(y_pred)
        targets, weights = self._aligned(y, sample_weight, outputs)
        if not self._metrics_built:
            self._compiled_metrics.build(targets, outputs, self._output_names(len(outputs)))
            for metric in self._compiled_metrics.metrics:
                metric.to(outputs[0].device)
            self._metrics_built = True
            self._refresh_log_sources()
        self._compiled_metrics.update_state(targets, outputs, weights)

    def _aligned(self, y, sample_weight, outputs):
        if len(outputs) == 1 and isinstance(y, torch.Tensor):  # the common case, kept cheap
            if sample_weight is None or isinstance(sample_weight, torch.Tensor):
                return [y], [sample_weight]
        names = self._output_names(len(outputs)) or [f"output_{i}" for i in range(len(outputs))]
        targets = match_targets(y, len(outputs), names)
        weights = sample_weights_per_output(sample_weight, len(outputs), names)
        return targets, weights

    def _output_names(self, count):
        """Output layer names of a functional model (dict keys for dict outputs), else None."""
        graph = getattr(self, "_graph", None)
        if graph is None:
            return None
        if isinstance(graph.output_structure, dict):
            return list(graph.output_structure)
        names = [tensor.history[0].name for tensor in graph.outputs]
        return names if len(set(names)) == count else None

    def _output_loss_trackers(self):
        trackers = self.__dict__.get("_output_trackers")
        if trackers is None:
            names = self._compiled_loss.tracker_names
            trackers = [metrics_module.Mean(name=name) for name in names]
            for tracker in trackers:
                tracker.to(self._loss_tracker.device)
            self.__dict__["_output_trackers"] = trackers
            self._refresh_log_sources()
        return trackers

    def _refresh_log_sources(self):
        sources = {"loss": self._loss_tracker.result}
        for tracker in self._output_loss_tracker_list():
            sources[tracker.name] = tracker.result
        if self._metrics_built:
            sources.update(self._compiled_metrics.results())
        self.__dict__["_log_sources"] = {key: sources[key] for key in sorted(sources)}

    @property
    def metrics(self):
        """The loss tracker, the compiled metrics (as one `compile_metrics` entry, as Keras
        lists them) and the per-output loss trackers, then metrics set as attributes."""
        found = [self._loss_tracker] if self._loss_tracker is not None else []
        if self._compiled_metrics is not None and self._compiled_metrics.has_metrics:
            found.append(self.__dict__["_compile_metrics_view"])
        found += self._output_loss_tracker_list()
        for value in vars(self).values():
            if isinstance(value, metrics_module.Metric) and all(value is not m for m in found):
                found.append(value)
        return found

    @property
    def metrics_names(self):
        """Names of `model.metrics`."""
        return [metric.name for metric in self.metrics]

    def reset_metrics(self):
        """Resets the state of every metric (done at the start of each epoch and evaluation)."""
        for metric in self.metrics:
            metric.reset_state()

    def get_metrics_result(self):
        """Current results of all metrics, keyed as in the logs (tensors)."""
        results = {key: source() for key, source in self._log_sources.items()}
        known = {id(m) for m in self._compiled_metric_objects()}
        known.update(id(m) for m in [self._loss_tracker, *self._output_loss_tracker_list()])
        known.add(id(self.__dict__.get("_compile_metrics_view")))
        for metric in self.metrics:
            if id(metric) not in known:
                value = metric.result()
                results.update(value if isinstance(value, dict) else {metric.name: value})
        return results

    def _compiled_metric_objects(self):
        if self._compiled_metrics is None or not self._metrics_built:
            return []
        return self._compiled_metrics.metrics

    def _output_loss_tracker_list(self):
        return self.__dict__.get("_output_trackers") or []

    # ---- the update ------------------------------------------------------------------------
    def _apply_gradients(self, loss):
        """Backward pass, then one optimizer update and the weights' constraints."""
        params = self._trainable_params()
        for param in params:
            param.grad = None
        if getattr(self.optimizer, "_scales_loss", False):  # a LossScaleOptimizer, or a factor
            loss = self.optimizer.scale_loss(loss)
        loss.backward()
        if isinstance(self.optimizer, torch.optim.Optimizer):
            self.optimizer.step()
        else:
            with torch.no_grad():
                self.optimizer.apply([param.grad for param in params], params)
        if self._constrained:
            with torch.no_grad():
                for weight, constraint in self._constrained:
                    weight.copy_(constraint(weight))

    def _trainable_params(self):
        params = self.__dict__.get("_params_cache")
        if params is None:
            params = self.trainable_weights
            label_weight_paths(self)  # Keras' `variable.path`, before the optimizer is built
            self.__dict__["_params_cache"] = params
            self.__dict__["_constrained"] = [
                (layer._weight(key), constraint)
                for layer in self._flat_layers()
                for key, constraint in layer._weight_constraints.items()
                if layer._weight(key).requires_grad
            ]
        return params


def with_loss_scaling(model, optimizer, auto_scale_loss):
    """`optimizer` in a `LossScaleOptimizer` if the model's policy is mixed_float16, as Keras'
    `compile(auto_scale_loss=True)` does; the optimizer passed is kept for `get_compile_config`."""
    model.__dict__.pop("_unwrapped_optimizer", None)
    if (
        auto_scale_loss
        and model.dtype_policy.name == "mixed_float16"
        and isinstance(optimizer, Optimizer)
        and not isinstance(optimizer, LossScaleOptimizer)
    ):
        model.__dict__["_unwrapped_optimizer"] = optimizer
        return LossScaleOptimizer(optimizer, name="loss_scale_optimizer")
    return optimizer


def _batch_size(x, fallback=None):
    if isinstance(x, torch.Tensor):
        return x.shape[0] if x.ndim else 1
    leaf = nest.first_leaf(x if x is not None else fallback)
    return leaf.shape[0] if isinstance(leaf, torch.Tensor) and leaf.ndim else 1
