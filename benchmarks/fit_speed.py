"""Training and prediction speed: torchkeras vs a plain PyTorch loop (and Keras 3 on torch).

Run: python benchmarks/fit_speed.py [--repeats 3] [--samples 12800] [--device cpu|cuda]

Each workload runs in one process, frameworks interleaved, `--repeats` times; the median
samples/second of each and its ratio to the plain loop are printed as a Markdown table.
Keras 3.15.1 (torch backend) is measured too when it is installed.
"""

import argparse
import importlib
import os
import statistics
import time

import numpy as np
import torch

os.environ.setdefault("KERAS_BACKEND", "torch")

import torchkeras  # noqa: E402  (after KERAS_BACKEND, so that Keras, if present, uses torch)


def make_data(samples, features, classes, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((samples, features), dtype=np.float32)
    y = rng.integers(0, classes, size=(samples,)) if classes > 1 else rng.random((samples, 1))
    return x, y.astype(np.int64 if classes > 1 else np.float32)


WORKLOADS = {
    # name: (features, hidden, classes, dropout, optimizer, batch size)
    "mlp 784-512-10": (784, 512, 10, 0.5, "adam", 128),
    "tiny 32-64-1": (32, 64, 1, 0.0, "sgd", 32),
}


def build_keras_like(keras, features, hidden, classes, dropout, optimizer):
    """The same model in torchkeras or Keras, from the module given."""
    layers = [keras.Input(shape=(features,)), keras.layers.Dense(hidden, activation="relu")]
    if dropout:
        layers.append(keras.layers.Dropout(dropout))
    layers.append(keras.layers.Dense(classes, activation="softmax" if classes > 1 else None))
    model = keras.Sequential(layers)
    loss = "sparse_categorical_crossentropy" if classes > 1 else "mse"
    model.compile(optimizer=optimizer, loss=loss)
    return model


def time_keras_like(keras, spec, x, y, device):
    features, hidden, classes, dropout, optimizer, batch = spec
    model = build_keras_like(keras, features, hidden, classes, dropout, optimizer)
    model.fit(x[: batch * 4], y[: batch * 4], batch_size=batch, verbose=0)  # warm up, build
    _sync(device)
    start = time.perf_counter()
    model.fit(x, y, batch_size=batch, epochs=1, verbose=0)
    _sync(device)
    return len(x) / (time.perf_counter() - start), model


def time_plain_torch(spec, x, y, device):
    """The fastest honest loop: data on device once, no per-step sync, set_to_none grads."""
    features, hidden, classes, dropout, optimizer, batch = spec
    modules = [torch.nn.Linear(features, hidden), torch.nn.ReLU()]
    if dropout:
        modules.append(torch.nn.Dropout(dropout))
    modules.append(torch.nn.Linear(hidden, classes))
    model = torch.nn.Sequential(*modules).to(device)
    if optimizer == "adam":
        opt = torch.optim.Adam(model.parameters(), lr=1e-3, eps=1e-7, foreach=True)
    else:
        opt = torch.optim.SGD(model.parameters(), lr=0.01, foreach=True)
    loss_fn = torch.nn.CrossEntropyLoss() if classes > 1 else torch.nn.MSELoss()
    xs, ys = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)

    def epoch(count):
        order = torch.randperm(count, device=device)
        for start in range(0, count, batch):
            index = order[start : start + batch]
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(xs.index_select(0, index)), ys.index_select(0, index))
            loss.backward()
            opt.step()

    model.train()
    epoch(batch * 4)
    _sync(device)
    start = time.perf_counter()
    epoch(len(x))
    _sync(device)
    return len(x) / (time.perf_counter() - start), model


def time_predict(kind, model, x, device, batch=1024):
    if kind == "torch":
        xs = torch.from_numpy(x).to(device)
        model.eval()
        start = time.perf_counter()
        with torch.no_grad():
            outputs = [model(xs[i : i + batch]) for i in range(0, len(x), batch)]
            torch.cat(outputs).cpu().numpy()
    else:
        model.predict(x[:batch], batch_size=batch, verbose=0)
        start = time.perf_counter()
        model.predict(x, batch_size=batch, verbose=0)
    _sync(device)
    return len(x) / (time.perf_counter() - start)


def _sync(device):
    if torch.device(device).type == "cuda":
        torch.cuda.synchronize()


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--samples", type=int, default=12800)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    args = parser.parse_args()
    try:
        keras = importlib.import_module("keras")
    except ImportError:
        keras = None
    frameworks = {"torch": None, "torchkeras": torchkeras}
    if keras is not None:
        frameworks["keras"] = keras
    rows = []
    with torchkeras.device(args.device):
        for name, spec in WORKLOADS.items():
            x, y = make_data(args.samples, spec[0], spec[2])
            fit_rates = {key: [] for key in frameworks}
            predict_rates = {key: [] for key in frameworks}
            for _ in range(args.repeats):
                for key, module in frameworks.items():
                    if module is None:
                        rate, model = time_plain_torch(spec, x, y, args.device)
                    else:
                        rate, model = time_keras_like(module, spec, x, y, args.device)
                    fit_rates[key].append(rate)
                    predict_rates[key].append(time_predict(key, model, x, args.device))
            rows.append((f"fit {name}", {k: statistics.median(v) for k, v in fit_rates.items()}))
            rows.append(
                (f"predict {name}", {k: statistics.median(v) for k, v in predict_rates.items()})
            )
    print(f"device: {args.device}, torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"samples {args.samples}, median of {args.repeats} interleaved runs\n")
    header = " | ".join(f"{k} samples/s" for k in frameworks)
    print(f"| workload | {header} | torchkeras / torch | keras / torch |")
    print("|---" * (len(frameworks) + 3) + "|")
    for name, rates in rows:
        cells = " | ".join(f"{rates[k]:,.0f}" for k in frameworks)
        keras_ratio = f"{rates['keras'] / rates['torch']:.2f}x" if "keras" in rates else "-"
        print(f"| {name} | {cells} | {rates['torchkeras'] / rates['torch']:.2f}x | {keras_ratio} |")


if __name__ == "__main__":
    main()
