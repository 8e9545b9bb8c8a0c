"""The keras.random case table: each function called with an int seed, a SeedGenerator (three
draws) and `seed=None` after `set_random_seed` (three draws), by Keras and by torchkeras.

`make_args()` builds fresh arguments (tensors for `dropout`, which Keras' torch backend needs).
"""

import dataclasses

import numpy as np
import torch


@dataclasses.dataclass(frozen=True)
class RandomCase:
    """One call of a `keras.random` function; `id` names it in tests and references."""

    function: str
    args: tuple
    kwargs: dict
    id: str

    def make_args(self):
        return tuple(torch.tensor(a) if isinstance(a, np.ndarray) and a.dtype.kind == "f"
                     and self.function == "dropout" else a for a in self.args)


_LOGITS = np.log(np.array([[0.1, 0.2, 0.7], [0.5, 0.25, 0.25]], "float32"))
CASES = [
    RandomCase("normal", ((3, 4),), {"mean": 1.0, "stddev": 2.0}, "normal"),
    RandomCase("normal", ((2, 3),), {"dtype": "float64"}, "normal_float64"),
    RandomCase("uniform", ((5,),), {"minval": -1.0, "maxval": 3.0}, "uniform"),
    RandomCase("uniform", ((),), {}, "uniform_scalar"),
    RandomCase("randint", ((4,), 0, 10), {}, "randint"),
    RandomCase("randint", ((2, 2), -5, 5), {"dtype": "int64"}, "randint_int64"),
    RandomCase("truncated_normal", ((3, 3),), {"stddev": 0.5}, "truncated_normal"),
    RandomCase("categorical", (_LOGITS, 5), {}, "categorical"),
    RandomCase("dropout", (np.ones((4, 5), "float32"), 0.5), {"noise_shape": (4, 1)},
               "dropout_noise_shape"),
    RandomCase("shuffle", (np.arange(12).reshape(4, 3),), {}, "shuffle"),
    RandomCase("shuffle", (np.arange(12).reshape(3, 4),), {"axis": 1}, "shuffle_axis1"),
    RandomCase("gamma", ((4,), 2.0), {}, "gamma"),
    RandomCase("binomial", ((4,), 10, 0.3), {}, "binomial"),
    RandomCase("beta", ((4,), 2.0, 3.0), {}, "beta"),
]
SEED = 7
GENERATOR_SEED = 11
GLOBAL_SEED = 5


def draws(random_module, set_random_seed, to_numpy, case):
    """`{key: array}` of one case: the int-seed draw, three SeedGenerator draws, three global
    draws after `set_random_seed`."""
    function = getattr(random_module, case.function)
    found = {"int_seed": function(*case.make_args(), seed=SEED, **case.kwargs)}
    generator = random_module.SeedGenerator(GENERATOR_SEED)
    for i in range(3):
        found[f"generator/{i}"] = function(*case.make_args(), seed=generator, **case.kwargs)
    set_random_seed(GLOBAL_SEED)
    for i in range(3):
        found[f"global/{i}"] = function(*case.make_args(), **case.kwargs)
    return {key: to_numpy(value) for key, value in found.items()}
