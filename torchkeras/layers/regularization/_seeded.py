"""Per-layer random generators for the noise layers: one per device, from the layer's `seed`."""

import torch


def generator(layer, device):
    """The layer's own generator on `device` (created from `layer.seed`), or None for torch's
    global one when the layer has no seed."""
    if layer.seed is None:
        return None
    generators = layer.__dict__.setdefault("_generators", {})
    if device not in generators:
        generators[device] = torch.Generator(device=device).manual_seed(layer.seed)
    return generators[device]


def generator_argument(layer, device):
    """`{"generator": ...}` for a seeded layer, else `{}`. `generator=None` is left out of the
    draw: torch.compile cannot trace `torch.rand(..., generator=None)` with a dynamic batch."""
    own = generator(layer, device)
    return {} if own is None else {"generator": own}


def check_rate(layer, rate, upper_inclusive=True):
    """Keras' ValueError unless `rate` is a float in [0, 1] ([0, 1) if not `upper_inclusive`)."""
    ok = not isinstance(rate, bool) and isinstance(rate, (int, float)) and 0 <= rate
    ok = ok and (rate <= 1 if upper_inclusive else rate < 1)
    if not ok:
        bound = "1]" if upper_inclusive else "1)"
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': `rate` must be a float in [0, {bound}, "
            f"got rate={rate!r}."
        )
    return rate


def check_seed(layer, seed):
    """Keras' ValueError unless `seed` is None or an int."""
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
        raise ValueError(
            f"{type(layer).__name__} '{layer.name}': `seed` must be an int, got seed={seed!r}."
        )
    return seed
