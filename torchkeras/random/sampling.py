"""`keras.random`'s sampling functions on torch, drawing the numbers Keras' torch backend draws.

Every function takes `seed`: an int (the same values on every call), a `SeedGenerator` (new
values on every call, reproducible from its seed) or `None` (the global generator, reproducible
after `keras.utils.set_random_seed`). Results are created on the default device (the
`keras.device` scope, else CUDA when available) unless computed from an input tensor.
"""

import numpy as np
import torch

from torchkeras import config
from torchkeras.random.seed_generator import draw_seed, torch_generator


def _shape(shape, function):
    if isinstance(shape, int):
        return (shape,)
    shape = tuple(shape)
    if any(dim is None or int(dim) != dim or dim < 0 for dim in shape):
        raise ValueError(f"`{function}` needs a fully defined shape of ints, got shape={shape}.")
    return tuple(int(dim) for dim in shape)


def _tensor(value, device):
    if isinstance(value, torch.Tensor):
        return value.to(device)
    return torch.as_tensor(np.asarray(value), device=device)


def normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Samples of a normal distribution `N(mean, stddev**2)` with shape `shape`."""
    device = config.default_device()
    generator = torch_generator(seed, device)
    dtype = config.standardize_dtype(dtype)
    return torch.normal(
        mean, stddev, size=_shape(shape, "normal"), generator=generator, dtype=dtype,
        device=device,
    )


def uniform(shape, minval=0.0, maxval=1.0, dtype=None, seed=None):
    """Samples of a uniform distribution on `[minval, maxval)`."""
    requested = _shape(shape, "uniform")
    device = config.default_device()
    generator = torch_generator(seed, device)
    dtype = config.standardize_dtype(dtype)
    if not dtype.is_floating_point:
        raise ValueError(
            f"`keras.random.uniform` requires a floating point `dtype`. Received: dtype={dtype}"
        )
    values = torch.rand(requested or (1,), generator=generator, dtype=dtype, device=device)
    values = (maxval - minval) * values + minval
    return values if requested else values[0]


def randint(shape, minval, maxval, dtype="int32", seed=None):
    """Random integers in `[minval, maxval)`."""
    device = config.default_device()
    generator = torch_generator(seed, device)
    return torch.randint(
        low=minval, high=maxval, size=_shape(shape, "randint"), generator=generator,
        dtype=config.standardize_dtype(dtype), device=device,
    )


def truncated_normal(shape, mean=0.0, stddev=1.0, dtype=None, seed=None):
    """Normal samples kept within two standard deviations of the mean.

    As Keras' torch backend: four candidates per element, the first inside `(-2, 2)` is kept
    (an element whose four candidates all fall outside, probability ~4e-6, keeps the first).
    """
    shape = _shape(shape, "truncated_normal")
    candidates = normal((*shape, 4), 0.0, 1.0, dtype=dtype, seed=seed)
    inside = (candidates > -2) & (candidates < 2)
    first = inside.max(-1, keepdim=True)[1]
    return candidates.gather(-1, first).squeeze(-1) * stddev + mean


def categorical(logits, num_samples, dtype="int32", seed=None):
    """`num_samples` class indices per row of `logits` (batch, classes), drawn with replacement."""
    logits = _tensor(logits, config.default_device())
    generator = torch_generator(seed, logits.device)
    probabilities = torch.softmax(logits, dim=-1)
    samples = torch.multinomial(probabilities, num_samples, replacement=True, generator=generator)
    return samples.to(config.standardize_dtype(dtype))


def dropout(inputs, rate, noise_shape=None, seed=None):
    """Zeroes entries with probability `rate` and scales the others by `1 / (1 - rate)`."""
    inputs = _tensor(inputs, config.default_device())
    if rate == 1.0:
        return torch.zeros_like(inputs)
    if rate == 0.0:
        return inputs
    unseeded = seed is None or getattr(seed, "_initial_seed", 0) is None
    if unseeded and noise_shape is None:
        return torch.nn.functional.dropout(inputs, p=rate, training=True)
    keep = 1.0 - rate
    shape = [size if dim is None else dim for size, dim in zip(inputs.shape, noise_shape or inputs.shape)]
    probabilities = torch.full(shape, keep, device=inputs.device)
    kept = torch.bernoulli(probabilities, generator=torch_generator(seed, inputs.device)).bool()
    return torch.where(kept.broadcast_to(inputs.shape), inputs / keep, torch.zeros_like(inputs))


def shuffle(x, axis=0, seed=None):
    """`x` with its entries along `axis` randomly permuted: each index of the axes before
    `axis` gets its own permutation, shared by the axes after it (as Keras)."""
    x = _tensor(x, config.default_device())
    generator = torch_generator(seed, x.device)
    order = torch.rand(x.shape[: axis + 1], generator=generator, device=x.device).argsort(axis)
    order = order.reshape(*order.shape, *([1] * (x.ndim - axis - 1))).expand(x.shape)
    return x.gather(axis, order)


def _sample_seeded(distribution, seed, dtype):
    """Samples a `torch.distributions` object from torch's global generator seeded for this
    draw (as Keras does: those samplers take no generator), then restores the global state."""
    saved = torch.random.get_rng_state()
    try:
        torch.manual_seed(draw_seed(seed) & 0xFFFFFFFF)
        return distribution.sample().to(config.standardize_dtype(dtype))
    finally:
        torch.random.set_rng_state(saved)


def gamma(shape, alpha, dtype=None, seed=None):
    """Samples of a gamma distribution with concentration `alpha` and rate 1."""
    shape, device = _shape(shape, "gamma"), config.default_device()
    alpha = _tensor(alpha, device).to(torch.float32).broadcast_to(shape)
    rate = torch.ones(shape, device=device)
    return _sample_seeded(torch.distributions.Gamma(alpha, rate), seed, dtype)


def binomial(shape, counts, probabilities, dtype=None, seed=None):
    """Samples of binomial distributions with `counts` trials of success `probabilities`."""
    shape, device = _shape(shape, "binomial"), config.default_device()
    counts = _tensor(counts, device).to(torch.float32).broadcast_to(shape)
    probabilities = _tensor(probabilities, device).to(torch.float32).broadcast_to(shape)
    distribution = torch.distributions.Binomial(total_count=counts, probs=probabilities)
    return _sample_seeded(distribution, seed, dtype)


def beta(shape, alpha, beta, dtype=None, seed=None):
    """Samples of beta distributions with concentrations `alpha` and `beta`."""
    shape, device = _shape(shape, "beta"), config.default_device()
    alpha = _tensor(alpha, device).to(torch.float32).broadcast_to(shape)
    beta = _tensor(beta, device).to(torch.float32).broadcast_to(shape)
    distribution = torch.distributions.Beta(concentration1=alpha, concentration0=beta)
    return _sample_seeded(distribution, seed, dtype)
