"""Times one torchkeras Adam update against `torch.optim.Adam(foreach=True)` in the same run.

The parameters are those of an MLP 784-512-10 (Keras layout: kernels `(in, out)`, biases), with
fixed random gradients. Both optimizers update their own copy of the parameters; the two are
timed alternately, `--repeats` times each after a warm-up, and the medians are compared.

    python benchmarks/optimizer_step.py [--device cuda] [--repeats 500]
"""

import argparse
import statistics
import time

import torch

from torchkeras import optimizers

SHAPES = [(784, 512), (512,), (512, 10), (10,)]


def make_parameters(device, seed=0):
    """The MLP's parameters and one gradient per parameter, seeded."""
    generator = torch.Generator().manual_seed(seed)
    params = [torch.nn.Parameter(torch.randn(s, generator=generator).to(device)) for s in SHAPES]
    grads = [torch.randn(s, generator=generator).to(device) for s in SHAPES]
    return params, grads


def timed(step, device):
    """Seconds taken by `step()`, waiting for the device before and after."""
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    start = time.perf_counter()
    step()
    if device.type == "cuda":
        torch.cuda.synchronize(device)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--repeats", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=50)
    args = parser.parse_args()
    device = torch.device(args.device)

    ours_params, grads = make_parameters(device)
    torch_params, _ = make_parameters(device)
    for param, grad in zip(torch_params, grads):
        param.grad = grad
    ours = optimizers.Adam(learning_rate=1e-3)
    reference = torch.optim.Adam(torch_params, lr=1e-3, eps=1e-7, foreach=True)

    def ours_step():
        ours.apply(grads, ours_params)

    times = {"torchkeras Adam.apply": [], "torch.optim.Adam.step": []}
    steps = {"torchkeras Adam.apply": ours_step, "torch.optim.Adam.step": reference.step}
    for i in range(args.warmup + args.repeats):
        for name, step in steps.items():
            seconds = timed(step, device)
            if i >= args.warmup:
                times[name].append(seconds)

    medians = {name: statistics.median(values) for name, values in times.items()}
    threads = torch.get_num_threads()
    print(f"device {device}, {threads} threads, {args.repeats} repeats, parameters {SHAPES}")
    for name, median in medians.items():
        print(f"  {name:24s} median {median * 1e6:9.1f} us")
    ratio = medians["torchkeras Adam.apply"] / medians["torch.optim.Adam.step"]
    print(f"ratio torchkeras / torch.optim: {ratio:.2f}x")


if __name__ == "__main__":
    main()
