"""TensorBoard: training logs as TensorBoard event files, written without TensorFlow."""

import os
import time
import warnings

import numpy as np
import torch

from torchkeras import config
from torchkeras.callbacks.callback import Callback
from torchkeras.registry import CALLBACKS

_MISSING_EXTRA = (
    "`keras.callbacks.TensorBoard` writes event files through `torch.utils.tensorboard`, which "
    "needs the `tensorboard` package (TensorFlow is not needed). Install the optional extra: "
    '`pip install "torchkeras-native[tensorboard]"` (or `pip install tensorboard`).'
)


def summary_writer_class():
    """`torch.utils.tensorboard.SummaryWriter`, or an ImportError naming the optional extra."""
    try:
        from torch.utils.tensorboard import SummaryWriter  # optional: needs `tensorboard`
    except ImportError as error:
        raise ImportError(_MISSING_EXTRA) from error
    return SummaryWriter


@CALLBACKS.register()
class TensorBoard(Callback):
    """Logs scalars, the learning rate, weight histograms and the model graph for TensorBoard.

    Keras' layout and tags: `<log_dir>/train` and `<log_dir>/validation` runs; per epoch
    `epoch_<name>` (validation values without their `val_` prefix, in the validation run),
    `epoch_learning_rate` and, if asked, `epoch_steps_per_second`; after every validation pass
    or `evaluate`, `evaluation_<name>_vs_iterations` at step `optimizer.iterations`; with an
    int `update_freq`, `batch_<name>` every `update_freq` batches (1-based global batch
    steps); weight histograms `<model>/<layer>/<weight>/histogram` (images `.../image`).
    Events go through `torch.utils.tensorboard` (the `tensorboard` package, an optional
    extra); the graph is a `torch.jit.trace` of the model on zeros of its build shape, skipped
    with a warning when the model cannot be traced. Batch logging reads the batch's running
    loss and metrics (one host sync) only on the batches it writes; with `update_freq="epoch"`
    this callback has no batch hook at all.

    Args:
        log_dir: Directory of the event files; `train/` and `validation/` are created in it.
        histogram_freq: Epoch frequency of weight histograms; 0 writes none.
        write_graph: Whether to write the model's (traced) graph once, when it is built.
        write_images: Whether to write weights as images when histograms are written.
        write_steps_per_second: Whether to log training steps per second (epoch and batch).
        update_freq: `"epoch"`, `"batch"` (same as 1) or an int: batch scalars every N batches.
        profile_batch: Only 0 is supported (profiling is not available on torch, as in Keras).
        embeddings_freq: Only 0 is supported (no embedding projector).
        embeddings_metadata: Accepted for Keras compatibility; unused.
    """

    def __init__(
        self,
        log_dir="logs",
        histogram_freq=0,
        write_graph=True,
        write_images=False,
        write_steps_per_second=False,
        update_freq="epoch",
        profile_batch=0,
        embeddings_freq=0,
        embeddings_metadata=None,
    ):
        super().__init__()
        _check_unsupported(profile_batch=profile_batch, embeddings_freq=embeddings_freq)
        self.log_dir = os.fspath(log_dir)
        self.histogram_freq = _check_epochs("histogram_freq", histogram_freq)
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = _check_update_freq(update_freq)
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        self._writer_class = summary_writer_class()  # fails here, at once, without the extra
        self._writers = {}
        self._global_train_batch = 0
        self._epoch_base = 0
        self._batch_start = 0.0
        self._epoch_start = 0.0
        self._epoch_iterations = 0
        self._graph_written = False
        self._in_fit = False

    def overrides(self, hook):
        """Batch hooks are live only with an int `update_freq` (the begin hook only for timing)."""
        if hook == "on_train_batch_end":
            return self.update_freq != "epoch"
        if hook == "on_train_batch_begin":
            return self.update_freq != "epoch" and bool(self.write_steps_per_second)
        return super().overrides(hook)

    def set_model(self, model):
        self._close_writers()
        self._graph_written = False
        super().set_model(model)

    def _writer(self, run):
        """The `SummaryWriter` of `run` ("train" or "validation"), created on first use."""
        if run not in self._writers:
            self._writers[run] = self._writer_class(os.path.join(self.log_dir, run))
        return self._writers[run]

    def _close_writers(self):
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # ---- hooks -------------------------------------------------------------------------------
    def on_train_begin(self, logs=None):
        self._in_fit = True
        self._global_train_batch = 0
        self._epoch_base = 0
        if self.write_graph:
            self._write_model_graph()

    def on_epoch_begin(self, epoch, logs=None):
        self._epoch_base = self._global_train_batch
        if self.write_steps_per_second:
            self._epoch_iterations = _iterations(self.model)
            self._epoch_start = time.perf_counter()

    def on_train_batch_begin(self, batch, logs=None):
        self._batch_start = time.perf_counter()

    def on_train_batch_end(self, batch, logs=None):
        step = self._epoch_base + batch + 1  # Keras' global, 1-based batch counter
        self._global_train_batch = step
        if step % self.update_freq:
            return
        writer = self._writer("train")
        if self.write_steps_per_second:
            elapsed = time.perf_counter() - self._batch_start
            writer.add_scalar("batch_steps_per_second", 1.0 / max(elapsed, 1e-12), step)
        for name, value in (logs or {}).items():  # reading the lazy logs syncs, once
            _add_scalar(writer, f"batch_{name}", value, step)

    def on_epoch_end(self, epoch, logs=None):
        if self.write_graph and not self._graph_written:
            self._write_model_graph()
        self._log_epoch_metrics(epoch, logs or {})
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        for writer in self._writers.values():
            writer.flush()

    def on_test_end(self, logs=None):
        optimizer = getattr(self.model, "optimizer", None)
        if not logs or optimizer is None or not hasattr(optimizer, "iterations"):
            return
        writer = self._writer("validation")
        step = _iterations(self.model)
        for name, value in logs.items():
            _add_scalar(writer, f"evaluation_{name}_vs_iterations", value, step)
        writer.flush()
        if not self._in_fit:  # a standalone `evaluate`: no `on_train_end` will close it
            self._close_writers()

    def on_train_end(self, logs=None):
        self._in_fit = False
        self._close_writers()

    # ---- what is written -----------------------------------------------------------------
    def _log_epoch_metrics(self, epoch, logs):
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k[len("val_"):]: v for k, v in logs.items() if k.startswith("val_")}
        train_logs.update(_learning_rates(getattr(self.model, "optimizer", None)))
        if self.write_steps_per_second:
            elapsed = time.perf_counter() - self._epoch_start
            steps = _iterations(self.model) - self._epoch_iterations
            train_logs["steps_per_second"] = steps / max(elapsed, 1e-12)
        for run, run_logs in (("train", train_logs), ("validation", val_logs)):
            if run_logs:
                writer = self._writer(run)
                for name, value in run_logs.items():
                    _add_scalar(writer, f"epoch_{name}", value, epoch)

    def _log_weights(self, epoch):
        """Histograms (and images) of every layer's weights, tagged as Keras 3 paths."""
        writer = self._writer("train")
        for layer in self.model.layers:
            names = {id(t): key for key, t in layer.named_parameters()}
            names.update({id(t): key for key, t in layer.named_buffers()})
            for weight in layer.weights:
                if weight.numel() == 0:
                    continue
                key = names.get(id(weight), "weight").replace(".", "/")
                tag = f"{self.model.name}/{layer.name}/{key}"
                values = weight.detach().float().cpu().numpy()
                writer.add_histogram(f"{tag}/histogram", values, epoch)
                if self.write_images:
                    _add_weight_image(writer, f"{tag}/image", values, epoch)

    def _write_model_graph(self):
        """Traces the built model on zeros and writes its graph; warns and skips on failure."""
        model = self.model
        if self._graph_written or not getattr(model, "built", False):
            return
        self._graph_written = True
        was_training = model.training
        try:
            example = _example_inputs(model)
            model.eval()
            with torch.no_grad(), warnings.catch_warnings():
                warnings.filterwarnings("ignore", r"`torch\.jit\.trace", DeprecationWarning)
                self._writer("train").add_graph(model, example)
        except Exception as error:  # tracing is best effort: the logs matter more
            warnings.warn(
                f"TensorBoard: could not trace model '{model.name}' to write its graph "
                f"({type(error).__name__}: {error}); the graph is not written. Pass "
                "`write_graph=False` to silence this warning.",
                stacklevel=2,
            )
        finally:
            model.train(was_training)


def _check_unsupported(**arguments):
    for name, value in arguments.items():
        if value not in (0, None):
            raise ValueError(
                f"`{name}` is not supported by torchkeras' TensorBoard callback (there is no "
                f"TensorFlow profiler or embedding projector on torch). Received: "
                f"{name}={value!r} (must be 0). For profiling, use `torch.profiler` around `fit`."
            )


def _check_epochs(name, value):
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"`{name}` must be a non-negative int. Received: {name}={value!r}")
    return value


def _check_update_freq(update_freq):
    if update_freq in ("epoch", "batch"):
        return 1 if update_freq == "batch" else "epoch"
    if isinstance(update_freq, bool) or not isinstance(update_freq, int) or update_freq <= 0:
        raise ValueError(
            "`update_freq` must be 'epoch', 'batch' or a positive int (a number of batches). "
            f"Received: update_freq={update_freq!r}"
        )
    return update_freq


def _add_scalar(writer, tag, value, step):
    """Writes `value` if it is a real number (metrics with array results are skipped)."""
    array = np.asarray(value)
    if array.ndim == 0 and np.issubdtype(array.dtype, np.number):
        writer.add_scalar(tag, float(array), step)


def _iterations(model):
    optimizer = getattr(model, "optimizer", None)
    iterations = getattr(optimizer, "iterations", None)
    return 0 if iterations is None else int(iterations)  # a host read, once per epoch or pass


def _learning_rates(optimizer):
    """`{"learning_rate": value}` as Keras logs it (per inner optimizer for a wrapper)."""
    optimizer = getattr(optimizer, "inner_optimizer", optimizer)
    if hasattr(optimizer, "optimizers"):
        return {
            f"learning_rate_{inner.name}": float(inner.learning_rate)
            for inner in optimizer.optimizers
        }
    if optimizer is None or not hasattr(optimizer, "learning_rate"):
        return {}
    return {"learning_rate": float(optimizer.learning_rate)}


def _example_inputs(model):
    """Zeros shaped like the model's inputs (batch 1; unknown sizes 1) on its device."""
    first = next(iter(model.parameters()), None)
    device = first.device if first is not None else torch.device("cpu")
    specs = [(t.shape, t.dtype) for t in model.inputs] if model.inputs else None
    if specs is None:
        shapes = model.get_build_config()["input_shape"]
        several = isinstance(shapes, (list, tuple)) and shapes and not _is_shape(shapes)
        specs = [(shape, None) for shape in (shapes if several else [shapes])]
    tensors = [_zeros(shape, dtype, device) for shape, dtype in specs]
    return tensors[0] if len(tensors) == 1 else (tensors,)  # several: one list argument


def _is_shape(value):
    return all(d is None or isinstance(d, int) for d in value)


def _zeros(shape, dtype, device):
    if shape is None or not _is_shape(shape):
        raise ValueError(f"cannot make an example input for the input shape {shape!r}")
    dtype = getattr(torch, str(dtype or config.floatx()).replace("torch.", ""))
    return torch.zeros([1] + [d or 1 for d in tuple(shape)[1:]], dtype=dtype, device=device)


def _add_weight_image(writer, tag, values, epoch):
    """Keras' weight images: biases as a row, kernels as one image, conv kernels one per filter."""
    image = np.squeeze(values)
    if image.ndim == 1:
        image = image.reshape(1, image.shape[0], 1, 1)
    elif image.ndim == 2:
        if image.shape[0] > image.shape[1]:
            image = image.T
        image = image.reshape(1, image.shape[0], image.shape[1], 1)
    elif image.ndim == 3:
        if config.image_data_format() == "channels_last":
            image = np.transpose(image, (2, 0, 1))
        image = image.reshape(image.shape[0], image.shape[1], image.shape[2], 1)
    if image.ndim == 4 and image.shape[-1] in (1, 3, 4):
        writer.add_images(tag, image, epoch, dataformats="NHWC")
