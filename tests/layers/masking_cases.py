"""Layer cases of the masking family (see layer_case.py for the fields).

Inputs have whole timesteps equal to `mask_value`, so the outputs (zeros there) and the
gradients (zero there) test the mask, not just the identity.
"""

from layer_case import LayerCase

from torchkeras.layers.core.masking import Masking


def _padded(shape, value, indices):
    """A drawn input whose listed `(sample, step)` indices are all `value` (padding)."""

    def make(rng):
        x = rng.standard_normal(shape).astype("float32")
        for index in indices:
            x[index] = value
        return [x]

    return make


CASES = [
    LayerCase(
        Masking,
        {},
        (2, 4, 3),
        (2, 4, 3),
        inputs=_padded((2, 4, 3), 0.0, [(0, 1), (0, 3), (1, 0)]),
        id="masking",
    ),
    LayerCase(
        Masking,
        {"mask_value": 1.5},
        (3, 5, 2),
        (3, 5, 2),
        inputs=_padded((3, 5, 2), 1.5, [(0, 4), (1, 1), (1, 2), (2, 0)]),
        id="masking_value",
    ),
    LayerCase(
        Masking,
        {"mask_value": -1},
        (2, 3, 2, 4),
        (2, 3, 2, 4),
        inputs=_padded((2, 3, 2, 4), -1.0, [(0, 2), (1, 0)]),
        id="masking_int_value_4d",
    ),
    LayerCase(
        Masking,
        {"mask_value": 0.0},
        (2, 6),
        (2, 6),
        inputs=_padded((2, 6), 0.0, [(1,)]),
        id="masking_2d",
    ),
]
