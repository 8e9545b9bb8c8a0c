"""Training and prediction speed: torchkeras vs a plain PyTorch loop (and Keras 3 on torch).

Run: python benchmarks/fit_speed.py [--repeats 3] [--samples 12800] [--device cpu|cuda]
     [--workloads mlp tiny cnn lstm] [--precision float32|mixed_bfloat16|mixed_float16]
     [--jit-compile]

Each workload runs in one process, frameworks interleaved, `--repeats` times; the median
samples/second of each and its ratio to the plain loop are printed as a Markdown table.
Every framework fits its own model; `predict` is then timed on the same model everywhere:
the plain loop's trained weights, set into the others (same_weights.py) and checked to give
the same outputs.
Keras 3.15.1 (torch backend) is measured too when it is installed. The table is followed by the
training-speed targets (ratios to the plain loop and to Keras) and whether each is met.
`--jit-compile` compiles torchkeras and Keras with `compile(jit_compile=True)` (torch.compile;
the warm-up fit and predict pay for the compilation); the plain loop stays eager.
"""

import argparse
import dataclasses
import importlib
import os
import statistics
import time

import numpy as np
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")

import torchkeras  # noqa: E402  (after KERAS_BACKEND, so that Keras, if present, uses torch)
from torchkeras import mixed_precision  # noqa: E402

import same_weights  # noqa: E402  (benchmarks/, on the path when run as a script)


@dataclasses.dataclass
class Workload:
    """One model, built the same way in Keras-like APIs and in plain torch."""

    input_shape: tuple  # one sample, Keras layout (channels last)
    classes: int
    optimizer: str
    batch: int
    keras_layers: callable  # keras module -> list of layers after the Input
    torch_modules: callable  # () -> list of torch modules (NCHW for images)
    loss: str = None  # Keras loss name; None: sparse categorical crossentropy or mse
    vocabulary: int = None  # int token inputs in [0, vocabulary) with binary labels

    def data(self, samples, seed=0):
        rng = np.random.default_rng(seed)
        if self.vocabulary is not None:
            x = rng.integers(0, self.vocabulary, size=(samples, *self.input_shape))
            return x, rng.integers(0, 2, size=(samples, 1)).astype(np.float32)
        x = rng.random((samples, *self.input_shape), dtype=np.float32)
        if self.classes > 1:
            return x, rng.integers(0, self.classes, size=(samples,)).astype(np.int64)
        return x, rng.random((samples, 1)).astype(np.float32)


def _mlp_layers(keras):
    return [keras.layers.Dense(512, activation="relu"), keras.layers.Dropout(0.5),
            keras.layers.Dense(10, activation="softmax")]


def _tiny_layers(keras):
    return [keras.layers.Dense(64, activation="relu"), keras.layers.Dense(1)]


def _cnn_layers(keras):
    return [
        keras.layers.Conv2D(32, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Conv2D(64, 3, activation="relu"), keras.layers.MaxPooling2D(),
        keras.layers.Flatten(), keras.layers.Dense(10, activation="softmax"),
    ]


def _lstm_layers(keras):
    return [keras.layers.Embedding(10000, 64), keras.layers.LSTM(64),
            keras.layers.Dense(1, activation="sigmoid")]


class _LastLSTMOutput(torch.nn.Module):
    """`nn.LSTM` (batch first) returning the last step's hidden state, as Keras' LSTM does."""

    def __init__(self, features, units):
        super().__init__()
        self.lstm = torch.nn.LSTM(features, units, batch_first=True)

    def forward(self, x):
        return self.lstm(x)[1][0][-1]


def _lstm_modules():
    nn = torch.nn
    return [nn.Embedding(10000, 64), _LastLSTMOutput(64, 64), nn.Linear(64, 1), nn.Sigmoid()]


def _cnn_modules():
    nn = torch.nn
    return [nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(32, 64, 3), nn.ReLU(),
            nn.MaxPool2d(2), nn.Flatten(), nn.Linear(64 * 5 * 5, 10)]


WORKLOADS = {
    "mlp 784-512-10": Workload(
        (784,), 10, "adam", 128, _mlp_layers,
        lambda: [torch.nn.Linear(784, 512), torch.nn.ReLU(), torch.nn.Dropout(0.5),
                 torch.nn.Linear(512, 10)],
    ),
    "tiny 32-64-1": Workload(
        (32,), 1, "sgd", 32, _tiny_layers,
        lambda: [torch.nn.Linear(32, 64), torch.nn.ReLU(), torch.nn.Linear(64, 1)],
    ),
    "cnn 28x28x1": Workload((28, 28, 1), 10, "adam", 128, _cnn_layers, _cnn_modules),
    "lstm 100x10000": Workload(
        (100,), 1, "adam", 64, _lstm_layers, _lstm_modules, "binary_crossentropy", 10000
    ),
}
SHORT_NAMES = {"mlp": "mlp 784-512-10", "tiny": "tiny 32-64-1", "cnn": "cnn 28x28x1",
               "lstm": "lstm 100x10000"}
TORCH_LOSSES = {"binary_crossentropy": torch.nn.BCELoss}
# A Keras policy name -> the plain loop's autocast dtype (None: no autocast); float16 also
# uses torch's GradScaler, as Keras' `compile` wraps the optimizer in a LossScaleOptimizer.
PRECISIONS = {"float32": None, "mixed_bfloat16": torch.bfloat16, "mixed_float16": torch.float16}


def time_keras_like(keras, work, x, y, device, jit_compile=False):
    model = keras.Sequential([keras.Input(shape=work.input_shape), *work.keras_layers(keras)])
    loss = "sparse_categorical_crossentropy" if work.classes > 1 else "mse"
    loss = work.loss or loss
    model.compile(optimizer=work.optimizer, loss=loss, jit_compile=jit_compile)
    model.fit(x[: work.batch * 4], y[: work.batch * 4], batch_size=work.batch, verbose=0)
    _sync(device)
    start = time.perf_counter()
    model.fit(x, y, batch_size=work.batch, epochs=1, verbose=0)
    _sync(device)
    return len(x) / (time.perf_counter() - start), model


def time_plain_torch(work, x, y, device, precision="float32"):
    """The fastest honest loop: data on device once, no per-step sync, set_to_none grads."""
    compute, device_type = PRECISIONS[precision], torch.device(device).type
    scaler = torch.amp.GradScaler(device_type, enabled=compute is torch.float16)
    model = torch.nn.Sequential(*work.torch_modules()).to(device)
    if work.optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7, foreach=True)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=0.01, foreach=True)
    loss_fn = torch.nn.CrossEntropyLoss() if work.classes > 1 else torch.nn.MSELoss()
    if work.loss is not None:
        loss_fn = TORCH_LOSSES[work.loss]()
    xs, ys = _torch_layout(torch.from_numpy(x)).to(device), torch.from_numpy(y).to(device)

    def epoch(count):
        order = torch.randperm(count, device=device)
        for start in range(0, count, work.batch):
            index = order[start : start + work.batch]
            opt.zero_grad(set_to_none=True)
            with torch.autocast(device_type, dtype=compute, enabled=compute is not None):
                outputs = model(xs.index_select(0, index))
            loss = loss_fn(outputs.float(), ys.index_select(0, index))
            scaler.scale(loss).backward()
            scaler.step(opt)
            scaler.update()

    model.train()
    epoch(work.batch * 4)
    _sync(device)
    start = time.perf_counter()
    epoch(len(x))
    _sync(device)
    return len(x) / (time.perf_counter() - start), model


def _torch_layout(x):
    """Images to torch's NCHW, as a torch user keeps them; vectors unchanged."""
    return x.permute(0, 3, 1, 2).contiguous() if x.ndim == 4 else x


def time_predict(kind, model, x, device, batch=1024, softmax=False, rounds=3):
    """Samples/second of predicting `x`, the best of `rounds` passes (one pass of the MLP is
    ~50 ms, short enough for scheduler noise to matter); `softmax`: the plain model (trained on
    logits with CrossEntropyLoss) applies it, so both sides return the Keras model's
    probabilities. The plain loop gets its data on the device before the clock starts;
    `predict` is timed from the numpy array, as a Keras user calls it."""
    if kind == "torch":
        xs = _torch_layout(torch.from_numpy(x)).to(device)
        model.eval()

        def run():
            with torch.no_grad():
                outputs = [model(xs[i : i + batch]) for i in range(0, len(x), batch)]
                if softmax:
                    outputs = [torch.softmax(output, dim=-1) for output in outputs]
                torch.cat(outputs).cpu().numpy()
    else:
        model.predict(x[:batch], batch_size=batch, verbose=0)

        def run():
            model.predict(x, batch_size=batch, verbose=0)

    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        run()
        _sync(device)
        best = min(best, time.perf_counter() - start)
    return len(x) / best


def _share_plain_weights(models, work, sample, device, softmax):
    """Gives the Keras-like models the plain model's weights and checks that all predict the
    same numbers (float32; mixed policies round differently, so only float32 is checked)."""
    plain = models["torch"].eval()
    sample_shape = tuple(_torch_layout(torch.from_numpy(sample[:1])).shape[1:])
    weights = same_weights.keras_weights(plain, sample_shape)
    with torch.no_grad():
        expected = plain(_torch_layout(torch.from_numpy(sample)).to(device)).float()
        expected = torch.softmax(expected, dim=-1) if softmax else expected
    for key, model in models.items():
        if key == "torch":
            continue
        model.set_weights(weights)
        found = np.asarray(model.predict(sample, verbose=0), dtype=np.float32)
        if mixed_precision.global_policy().name == "float32":
            np.testing.assert_allclose(found, expected.cpu().numpy(), rtol=1e-4, atol=1e-5)


def _sync(device):
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def measure(name, work, frameworks, args):
    """Fit rates of each framework's own model; predict rates of the same model everywhere
    (the plain loop's trained weights, checked to give the same outputs)."""
    x, y = work.data(args.samples)
    fit_rates = {key: [] for key in frameworks}
    predict_rates = {key: [] for key in frameworks}
    softmax = work.classes > 1
    for _ in range(args.repeats):
        models = {}
        for key, module in frameworks.items():
            if module is None:
                rate, models[key] = time_plain_torch(work, x, y, args.device, args.precision)
            else:
                rate, models[key] = time_keras_like(
                    module, work, x, y, args.device, args.jit_compile
                )
            fit_rates[key].append(rate)
        _share_plain_weights(models, work, x[:256], args.device, softmax)
        for key, model in models.items():
            predict_rates[key].append(time_predict(key, model, x, args.device, softmax=softmax))
    median = statistics.median
    return [
        (f"fit {name}", {k: median(v) for k, v in fit_rates.items()}),
        (f"predict {name}", {k: median(v) for k, v in predict_rates.items()}),
    ]


# Issue 3's targets: (row, least torchkeras / plain loop, least torchkeras / Keras)
TARGETS = (
    ("fit mlp 784-512-10", 0.97, 1.8), ("fit cnn 28x28x1", 0.97, 1.8),
    ("fit tiny 32-64-1", 0.90, 5.0), ("predict mlp 784-512-10", 1.0, 1.8),
)  # fmt: skip


def report_targets(rows):
    """One line per target whose workload ran: the measured ratios and whether they meet it."""
    measured = dict(rows)
    lines = []
    for name, least_plain, least_keras in TARGETS:
        rates = measured.get(name)
        if rates is None:
            continue
        plain = rates["torchkeras"] / rates["torch"]
        line = f"- {name}: {plain:.2f}x the plain loop (target >= {least_plain}x)"
        met = plain >= least_plain
        if "keras" in rates:
            over_keras = rates["torchkeras"] / rates["keras"]
            line += f", {over_keras:.1f}x Keras (target >= {least_keras}x)"
            met = met and over_keras >= least_keras
        lines.append(f"{line}: {'met' if met else 'NOT met'}")
    if lines:
        print("\nTargets:\n" + "\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--samples", type=int, default=12800)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--workloads", nargs="*", default=sorted(SHORT_NAMES))
    parser.add_argument("--precision", choices=sorted(PRECISIONS), default="float32")
    parser.add_argument("--jit-compile", action="store_true",
                        help="compile(jit_compile=True) for torchkeras and Keras")
    args = parser.parse_args()
    mixed_precision.set_global_policy(args.precision)
    try:
        keras = importlib.import_module("keras")
    except ImportError:
        keras = None
    frameworks = {"torch": None, "torchkeras": torchkeras}
    if keras is not None:
        frameworks["keras"] = keras
        keras.config.set_dtype_policy(args.precision)
    rows = []
    with torchkeras.device(args.device):
        for short in args.workloads:
            rows += measure(SHORT_NAMES[short], WORKLOADS[SHORT_NAMES[short]], frameworks, args)
    print(f"device: {args.device}, torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"samples {args.samples}, precision {args.precision}, jit_compile {args.jit_compile}, "
          f"median of {args.repeats} interleaved runs\n")
    header = " | ".join(f"{k} samples/s" for k in frameworks)
    print(f"| workload | {header} | torchkeras / torch | keras / torch |")
    print("|---" * (len(frameworks) + 3) + "|")
    for name, rates in rows:
        cells = " | ".join(f"{rates[k]:,.0f}" for k in frameworks)
        keras_ratio = f"{rates['keras'] / rates['torch']:.2f}x" if "keras" in rates else "-"
        print(f"| {name} | {cells} | {rates['torchkeras'] / rates['torch']:.2f}x | {keras_ratio} |")
    report_targets(rows)


if __name__ == "__main__":
    main()
