"""`keras.random.SeedGenerator` and Keras' rule turning a `seed` argument into a torch generator.

Keras' torch backend seeds a fresh `torch.Generator` with `first + second` of a two-int32 seed
state on every draw: `[seed, 0]` for an int seed, the next state of a `SeedGenerator` otherwise,
and a process-wide generator for `seed=None`. Doing the same gives Keras' numbers for a seed.
The state stays in Python ints, so drawing never reads a value back from an accelerator.
"""

import random

import torch

from torchkeras import config
from torchkeras.utils import naming

_GLOBAL_KEY = "keras.random.global_seed_generator"


def _int32(value):
    """`value` wrapped to a signed 32-bit int, as Keras' int32 seed arithmetic wraps."""
    return (value + 2**31) % 2**32 - 2**31


class SeedGenerator:
    """A random-seed state that advances on every draw, so repeated calls give new values.

    Args:
        seed: Initial int seed; `None` picks one from Python's `random` (seeded by
            `keras.utils.set_random_seed`).
        name: Name of the generator; defaults to `seed_generator`, `seed_generator_1`, ...
    """

    def __init__(self, seed=None, name=None, **kwargs):
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {kwargs}")
        self.name = name or naming.unique_name("seed_generator")
        self._initial_seed = seed
        if seed is None:
            seed = random.randint(1, int(1e9))
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ValueError(f"Argument `seed` must be an integer. Received: seed={seed!r}")
        self._state = [_int32(seed), 0]

    @property
    def state(self):
        """The current two-int32 state `[seed, counter]` as a tensor."""
        return torch.tensor(self._state, dtype=torch.int32)

    def next(self, ordered=True):
        """Returns the current state as a tensor and advances it (Keras' two update rules)."""
        current = self.state
        self._advance(ordered)
        return current

    def _advance(self, ordered):
        if ordered:
            self._state[1] = _int32(self._state[1] + 1)
        else:
            self._state = [_int32((value + 1) * 5387) % 933199 for value in self._state]

    def draw(self, ordered=True):
        """The seed of the next draw, `first + second` of the state, as a Python int."""
        seed = _int32(self._state[0] + self._state[1])
        self._advance(ordered)
        return seed

    def get_config(self):
        return {"seed": self._initial_seed, "name": self.name}

    @classmethod
    def from_config(cls, config_dict):
        return cls(**config_dict)


def global_seed_generator():
    """The generator used by `seed=None` draws (recreated after `set_random_seed`)."""
    state = config.seeded_state()
    if _GLOBAL_KEY not in state:
        state[_GLOBAL_KEY] = SeedGenerator()
    return state[_GLOBAL_KEY]


def draw_seed(seed):
    """The int seed of one draw for a `seed` argument: an int, a SeedGenerator or None."""
    if isinstance(seed, SeedGenerator):
        return seed.draw()
    if seed is None:
        return global_seed_generator().draw(ordered=False)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ValueError(
            "Argument `seed` must be either an integer or an instance of `SeedGenerator`. "
            f"Received: seed={seed!r} (of type {type(seed)})"
        )
    return _int32(seed)


def torch_generator(seed, device):
    """A fresh torch generator on `device`, seeded for one draw as Keras seeds it."""
    generator = torch.Generator(device=device)
    generator.manual_seed(draw_seed(seed) & 0xFFFFFFFF)
    return generator
