"""`compile`, `get_compile_config` and `compile_from_config`: a model's training configuration."""

from torchkeras import losses, optimizers
from torchkeras import metrics as metrics_module
from torchkeras.saving.serialization import deserialize_keras_object, serialize_keras_object
from torchkeras.trainer import jit
from torchkeras.trainer.compiled import CompiledLoss, CompiledMetrics, CompileMetricsView
from torchkeras.trainer.steps import with_loss_scaling
from torchkeras.trainer.weight_paths import label_weight_paths
from torchkeras.utils import nest


class Compiling:
    """Keras' `compile` family; `Trainer` runs what it configures."""

    jit_compile = False  # until `compile` resolves it

    def compile(
        self,
        optimizer="rmsprop",
        loss=None,
        loss_weights=None,
        metrics=None,
        weighted_metrics=None,
        run_eagerly=False,
        steps_per_execution=1,
        jit_compile="auto",
        auto_scale_loss=True,
    ):
        """Configures training: optimizer, loss(es) per output, metrics per output.

        Loss and metric names are checked here (with "did you mean" hints); which accuracy or
        crossentropy `"accuracy"` means is decided from the shapes of the first batch.
        `jit_compile` runs the default steps' forward pass, loss and metric updates through
        `torch.compile` (`"auto"`: on CUDA only; see `trainer/jit.py`); `run_eagerly=True`
        turns it off, as in Keras.
        """
        self.optimizer = with_loss_scaling(self, optimizers.get(optimizer), auto_scale_loss)
        if self.built:  # Keras' `variable.path`, for a custom loop's `optimizer.apply` too
            label_weight_paths(self)
        _check_names(loss, losses.get, skip=("crossentropy", "ce"))
        _check_names(metrics, metrics_module.get, skip=("accuracy", "acc", "crossentropy", "ce"))
        _check_names(weighted_metrics, metrics_module.get, skip=("accuracy", "acc"))
        self._compiled_loss = CompiledLoss(loss, loss_weights) if loss is not None else None
        self._compiled_metrics = CompiledMetrics(metrics, weighted_metrics)
        self.__dict__["_compile_metrics_view"] = CompileMetricsView(self)
        self._loss_tracker = metrics_module.Mean(name="loss")
        self._metrics_built = False
        for key in (
            "_output_trackers", "_params_cache", "_regularized_cache", "_metrics_device",
        ):
            self.__dict__.pop(key, None)
        self._refresh_log_sources()
        self.run_eagerly = run_eagerly
        self.steps_per_execution = steps_per_execution
        self.jit_compile = jit.configure(self, jit_compile, run_eagerly)
        self.compiled = True
        self._compile_arguments = {
            "loss": loss, "loss_weights": loss_weights, "metrics": metrics,
            "weighted_metrics": weighted_metrics,
        }

    def get_compile_config(self):
        """`compile`'s arguments as Keras writes them in `.keras` files (`{}` if not compiled)."""
        if not self.compiled:
            return {}
        return serialize_keras_object({
            "optimizer": self.__dict__.get("_unwrapped_optimizer", self.optimizer),
            **self._compile_arguments,
            "run_eagerly": self.run_eagerly,
            "steps_per_execution": self.steps_per_execution,
            "jit_compile": self.jit_compile,
        })

    def compile_from_config(self, config):
        """Compiles the model again from `get_compile_config()`'s output; a built model's
        optimizer is built too, as Keras does, so saved optimizer state can load into it."""
        if not config:
            return
        arguments = deserialize_keras_object(dict(config))
        if isinstance(config.get("optimizer"), dict):
            arguments["optimizer"] = optimizers.get(config["optimizer"])
        self.compile(**arguments)
        if self.built and hasattr(self.optimizer, "build"):
            label_weight_paths(self)
            self.optimizer.build(self.trainable_weights)


def _check_names(spec, getter, skip):
    for identifier in nest.flatten(spec):
        if isinstance(identifier, str) and identifier not in skip:
            getter(identifier)
