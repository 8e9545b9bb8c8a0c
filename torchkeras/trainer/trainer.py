"""Trainer: Keras' compile / fit / evaluate / predict on a torch module, at plain-loop speed."""

import torch

from torchkeras import config, distribution
from torchkeras.callbacks import CallbackList
from torchkeras.trainer import class_weights
from torchkeras.trainer import data as data_utils
from torchkeras.trainer.compiling import Compiling
from torchkeras.trainer.logs import to_python
from torchkeras.trainer.steps import Steps
from torchkeras.utils import nest

_DEFAULT_BATCH_SIZE = 32


class Trainer(Compiling, Steps):
    """The training API of `Model`. In-memory data moves to the device once per call."""

    compiled = False
    optimizer = None
    stop_training = False
    history = None
    _compiled_loss = None
    _compiled_metrics = None
    _loss_tracker = None
    _metrics_built = False

    # ---- fit -------------------------------------------------------------------------------
    def fit(
        self,
        x=None,
        y=None,
        batch_size=None,
        epochs=1,
        verbose="auto",
        callbacks=None,
        validation_split=0.0,
        validation_data=None,
        shuffle=True,
        class_weight=None,
        sample_weight=None,
        initial_epoch=0,
        steps_per_epoch=None,
        validation_steps=None,
        validation_batch_size=None,
        validation_freq=1,
    ):
        """Trains for `epochs` epochs and returns a `History` of per-epoch logs."""
        self._check_compiled("fit")
        device = self._prepare_device()
        train, validation = self._fit_batches(
            x, y, sample_weight, class_weight, batch_size, shuffle, steps_per_epoch,
            validation_split, validation_data, validation_batch_size, validation_steps, device,
        )
        callbacks = CallbackList(
            callbacks, add_history=True, add_progbar=_verbose(verbose) != 0, model=self,
            verbose=_verbose(verbose), epochs=epochs, steps=data_utils.length_or_none(train),
        )
        self.stop_training = False
        self.__dict__.pop("_params_cache", None)
        callbacks.on_train_begin()
        resume = self._take_resume(callbacks.history)
        epoch_logs = {}
        for epoch in range(max(initial_epoch, resume.epoch if resume else 0), epochs):
            self.train()
            self.reset_metrics()
            callbacks.on_epoch_begin(epoch)
            start = resume.step if resume is not None and epoch == resume.epoch else 0
            self._run_epoch(self._resume_epoch(train, resume) if start else train, callbacks, start)
            epoch_logs = self._logs_now()
            if validation is not None and (epoch + 1) % validation_freq == 0:
                val_logs = self._evaluate_batches(validation, callbacks)
                epoch_logs.update({f"val_{key}": value for key, value in val_logs.items()})
                epoch_logs = {key: epoch_logs[key] for key in sorted(epoch_logs)}
            callbacks.on_epoch_end(epoch, epoch_logs)
            if self.stop_training:
                break
        self.eval()
        if hasattr(self.optimizer, "finalize_variable_values"):  # a no-op without an EMA
            self.optimizer.finalize_variable_values(self.trainable_weights)
        callbacks.on_train_end(epoch_logs)
        return callbacks.history

    def _run_epoch(self, batches, callbacks, start=0):
        """One pass over the batches (numbered from `start`); batch hooks run every
        `steps_per_execution` steps."""
        wants_begin = callbacks.wants("on_train_batch_begin")
        wants_end = callbacks.wants("on_train_batch_end")
        every = max(int(self.steps_per_execution), 1)
        step = -1
        for step, batch in enumerate(batches, start):
            if wants_begin and step % every == 0:
                callbacks.on_train_batch_begin(step)
            logs = self.train_step(batch)
            if wants_end and (step + 1) % every == 0:
                callbacks.on_train_batch_end(step, logs)
            if self.stop_training:
                return
        if wants_end and step >= 0 and (step + 1) % every:
            callbacks.on_train_batch_end(step, logs)

    def _take_resume(self, history):
        """Takes a `BackupAndRestore`'s resume point (or None); puts its epochs into History."""
        resume = self.__dict__.pop("_training_resume", None)
        if resume is not None:
            history.history = {key: list(values) for key, values in resume.history.items()}
            history.epoch = list(resume.epochs)
        return resume

    def _resume_epoch(self, batches, resume):
        """The batches of an interrupted epoch after the backed-up one, with the metrics' running
        state and the random generators restored as they were after it."""
        iterator, last = data_utils.skip_batches(batches, resume.step)
        if last is not None and not self._metrics_built:  # metrics build on their first update
            self.eval()
            with torch.no_grad():
                self.test_step(last)  # its values are overwritten just below
            self.train()
        resume.restore_running_state(self)
        return iterator

    @property
    def metrics_variables(self):
        """The state variables of every metric in `model.metrics`, as in Keras."""
        view = self.__dict__.get("_compile_metrics_view")
        found = []
        for metric in self.metrics:
            owners = self._compiled_metric_objects() if metric is view else [metric]
            found += [variable for owner in owners for variable in owner.variables]
        return found

    def _fit_batches(
        self, x, y, sample_weight, class_weight, batch_size, shuffle, steps, validation_split,
        validation_data, validation_batch_size, validation_steps, device,
    ):
        validation = None
        if validation_data is not None:
            val_x, val_y, val_weight = data_utils.unpack_x_y_sample_weight(validation_data)
            validation = self._batches(
                val_x, val_y, val_weight, None, validation_batch_size or batch_size, False,
                validation_steps, device,
            )
        if validation_split:
            if not data_utils.is_array_like(x):
                raise ValueError(
                    "`validation_split` is only supported for arrays and tensors; for a "
                    f"{type(x).__name__}, pass `validation_data` instead."
                )
            data_utils.cardinality(x=x, y=y, sample_weight=sample_weight)
            (x, y, sample_weight), (val_x, val_y, val_weight) = data_utils.split_validation(
                (x, y, sample_weight), validation_split
            )
            validation = self._batches(
                val_x, val_y, val_weight, None, validation_batch_size or batch_size, False,
                validation_steps, device,
            )
        train = self._batches(x, y, sample_weight, class_weight, batch_size, shuffle, steps, device)
        return train, validation

    def _batches(self, x, y, sample_weight, class_weight, batch_size, shuffle, steps, device):
        """Arrays -> device tensors cut into batches; datasets and loaders -> device batches."""
        if x is None:
            raise ValueError(f"Model '{self.name}': `x` is required, got x=None.")
        if data_utils.is_array_like(x):
            data_utils.cardinality(x=x, y=y, sample_weight=sample_weight)
            x, y, sample_weight = data_utils.to_device((x, y, sample_weight), device)
            data_utils.check_finite(x, "x")
            table = class_weights.class_weight_table(class_weight, device)
            if table is not None and y is not None:
                sample_weight = class_weights.merge_weights(
                    sample_weight, class_weights.class_sample_weights(y, table)
                )
            return data_utils.ArrayBatches(
                (x, y, sample_weight), batch_size or _DEFAULT_BATCH_SIZE, shuffle, steps
            )
        if y is not None:
            raise ValueError(
                f"`y` must be None when `x` is a {type(x).__name__}: the data source "
                "itself must yield `(x, y)` or `(x, y, sample_weight)` tuples."
            )
        batches = data_utils.IterableBatches(x, device, batch_size, shuffle, steps)
        if class_weight:
            return class_weights.ClassWeighted(batches, class_weights.class_weight_table(class_weight, device))
        return batches

    # ---- evaluate / predict ----------------------------------------------------------------
    def evaluate(
        self,
        x=None,
        y=None,
        batch_size=None,
        verbose="auto",
        sample_weight=None,
        steps=None,
        callbacks=None,
        return_dict=False,
    ):
        """Loss and metrics on the data: a scalar, a list in Keras' order, or a dict."""
        self._check_compiled("evaluate")
        device = self._prepare_device()
        batches = self._batches(x, y, sample_weight, None, batch_size, False, steps, device)
        callbacks = CallbackList(
            callbacks, add_progbar=_verbose(verbose) != 0, model=self,
            verbose=_verbose(verbose), epochs=1, steps=data_utils.length_or_none(batches),
        )
        logs = self._evaluate_batches(batches, callbacks)
        if return_dict:
            return logs
        values = self._flatten_in_keras_order(logs)
        return values[0] if len(values) == 1 else values

    def _evaluate_batches(self, batches, callbacks):
        self.eval()
        self.reset_metrics()
        callbacks.on_test_begin()
        wants_begin = callbacks.wants("on_test_batch_begin")
        wants_end = callbacks.wants("on_test_batch_end")
        with torch.no_grad():
            for step, batch in enumerate(batches):
                if wants_begin:
                    callbacks.on_test_batch_begin(step)
                logs = self.test_step(batch)
                if wants_end:
                    callbacks.on_test_batch_end(step, logs)
        logs = self._logs_now()
        callbacks.on_test_end(logs)
        return logs

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs for `x` as numpy arrays (a list or dict for several outputs)."""
        device = self._prepare_device()
        if data_utils.is_array_like(x):
            x_only = data_utils.ArrayBatches(
                data_utils.to_device((x,), device), batch_size or _DEFAULT_BATCH_SIZE, False, steps
            )
        else:
            x_only = data_utils.IterableBatches(x, device, batch_size, False, steps)
        callbacks = CallbackList(
            callbacks, add_progbar=_verbose(verbose) != 0, model=self,
            verbose=_verbose(verbose), epochs=1, steps=data_utils.length_or_none(x_only),
        )
        if self.training:  # Keras layers also get `training=False` from `predict_step`
            self.eval()
        callbacks.on_predict_begin()
        wants_begin = callbacks.wants("on_predict_batch_begin")
        wants_end = callbacks.wants("on_predict_batch_end")
        outputs = []
        with torch.no_grad():
            for step, batch in enumerate(x_only):
                if wants_begin:
                    callbacks.on_predict_batch_begin(step)
                outputs.append(self.predict_step(batch))
                if wants_end:
                    callbacks.on_predict_batch_end(step, {"outputs": outputs[-1]})
        callbacks.on_predict_end()
        if not outputs:
            raise ValueError(f"Model '{self.name}': `predict` got no data (0 batches).")
        return data_utils.gather_to_numpy(outputs, x_only)

    # ---- single batches --------------------------------------------------------------------
    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One training step on one batch; returns the running logs like `evaluate`."""
        self._check_compiled("train_on_batch")
        device = self._prepare_device()
        (batch,) = list(self._batches(x, y, sample_weight, class_weight, _len(x), False, 1, device))
        self.train()
        self.train_step(batch)
        self.eval()
        return self._batch_result(return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        """Loss and metrics of one batch (metrics keep accumulating until `reset_metrics`)."""
        self._check_compiled("test_on_batch")
        device = self._prepare_device()
        (batch,) = list(self._batches(x, y, sample_weight, None, _len(x), False, 1, device))
        with torch.no_grad():
            self.test_step(batch)
        return self._batch_result(return_dict)

    def predict_on_batch(self, x):
        """The model's outputs for one batch, as numpy."""
        return self.predict(x, batch_size=_len(x), verbose=0)

    def _batch_result(self, return_dict):
        logs = self._logs_now()
        if return_dict:
            return logs
        values = self._flatten_in_keras_order(logs)
        return values[0] if len(values) == 1 else values

    # ---- helpers -----------------------------------------------------------------------------
    def _check_compiled(self, what):
        if not self.compiled:
            raise RuntimeError(
                f"You must call `compile()` before using the model '{self.name}' in `{what}`."
            )

    def _prepare_device(self):
        """The device to run on (the weights' if not CPU, else `config.default_device()`).

        The model and its metric state move there; both are no-ops once in place.
        """
        distribution.prepare_model(self)  # under torchrun: joins the group, syncs replicas
        first = next(self._tensors(), None)
        device = first.device if first is not None and first.device.type != "cpu" else None
        if device is None:
            device = config.default_device()
            if device.type != "cpu":
                self.to(device)
        if self.__dict__.get("_metrics_device") != device:
            for metric in self.metrics:
                metric.to(device)
            self.__dict__["_metrics_device"] = device
        return device

    def _logs_now(self):
        """All current metric results as Python floats, keys sorted as Keras' logs are."""
        results = distribution.global_metrics_result(self)  # summed over ranks when distributed
        return {key: to_python(results[key]) for key in sorted(results)}

    def _flatten_in_keras_order(self, logs):
        """Keras' evaluate order: loss, compiled metric names, output losses, then the rest."""
        order = ["loss"] + [metric.name for metric in self._compiled_metric_objects()]
        order += [tracker.name for tracker in self._output_loss_tracker_list()]
        values = [logs[name] for name in order if name in logs]  # duplicates kept, as Keras
        values += [logs[key] for key in sorted(logs) if key not in order]
        return values


def _verbose(verbose):
    return 1 if verbose == "auto" else int(verbose)


def _len(x):
    leaf = nest.first_leaf(x)
    return len(leaf)
