"""HashedCrossing: crosses of integer or string features hashed into `num_bins` buckets.

TensorFlow's `tf.sparse.cross_hashed` (which Keras uses) starts from the key `0xDECAFCAFFE`
and folds in one 64-bit value per feature with `FingerprintCat64`; an integer feature is its
own value and a string its FarmHash Fingerprint64. The result, read as uint64, modulo
`num_bins` is the bucket. Here the same uint64 arithmetic runs on int64 tensors (wrapping
products, logical shifts by masking), so the buckets equal Keras' bit for bit.
"""

import numpy as np
import torch

from torchkeras import config
from torchkeras.layers.preprocessing.categorical import int_hash, string_hash
from torchkeras.layers.preprocessing.categorical.data_layer import (
    DataLayer,
    as_text,
    is_text,
)
from torchkeras.layers.preprocessing.categorical.encoding import encode_categorical
from torchkeras.registry import LAYERS

_HASH_KEY = 0xDECAFCAFFE  # TensorFlow's default key for `cross_hashed`
_MUL = 0xC6A4A7935BD1E995 - (1 << 64)  # FingerprintCat64's multiplier, as int64


def _signed(value):
    return value - (1 << 64) if value >= 1 << 63 else value


def _shift_mix(x):
    return x ^ ((x >> 47) & ((1 << 17) - 1))


def fingerprint_cat64(first, second):
    """TensorFlow's `FingerprintCat64(first, second)` of int64 tensors read as uint64."""
    result = first ^ _MUL
    result = result ^ (_shift_mix(second * _MUL) * _MUL)
    result = result * _MUL
    result = _shift_mix(result) * _MUL
    return _shift_mix(result)


def feature_fingerprints(values, device):
    """The 64-bit value a feature contributes: integers as they are, strings' Fingerprint64."""
    if is_text(values):
        text = as_text(values)
        unique, inverse = np.unique(text, return_inverse=True)
        prints = [_signed(string_hash.fingerprint64(v.encode("utf-8"))) for v in unique]
        flat = np.array(prints, dtype="int64")[inverse.reshape(-1)]
        return torch.as_tensor(flat.reshape(text.shape), device=device)
    return values.to(device=device, dtype=torch.int64)


@LAYERS.register()
class HashedCrossing(DataLayer):
    """Crosses two or more categorical features by hashing their value combination.

    Equal to Keras' (TensorFlow's) buckets. Integer inputs are tensors, string inputs numpy
    arrays (or lists); the hashing itself runs in torch on the first tensor's device.

    Args:
        num_bins: Number of hash buckets; a positive int.
        output_mode: `"int"` (bucket ids) or `"one_hot"` (one-hot vectors of `num_bins`).
        sparse: Keras' sparse output; torch backends have none, so only `False`.
        dtype: Output dtype; int64 in `int` mode, floatx in `one_hot` mode, by default.

    Shapes: a list of inputs of equal shape `()`, `(batch,)` or `(batch, 1)` -> the same shape
        (`int`), or `(batch, num_bins)` (`one_hot`).
    """

    def __init__(self, num_bins, output_mode="int", sparse=False, **kwargs):
        if kwargs.get("dtype") is None:
            kwargs["dtype"] = "int64" if output_mode == "int" else config.floatx()
        super().__init__(**kwargs)
        problem = None
        if not isinstance(num_bins, int) or isinstance(num_bins, bool) or num_bins < 1:
            problem = f"`num_bins` must be a positive int, got num_bins={num_bins!r}"
        elif output_mode not in ("int", "one_hot"):
            problem = f"`output_mode` must be 'int' or 'one_hot', got output_mode={output_mode!r}"
        elif sparse:
            problem = f"`sparse` must be False (no sparse torch outputs), got sparse={sparse!r}"
        if problem:
            raise ValueError(f"HashedCrossing '{self.name}': {problem}.")
        self.num_bins = num_bins
        self.output_mode = output_mode
        self.sparse = False

    def __call__(self, inputs, **kwargs):
        self._check_inputs(inputs)
        return super().__call__(list(inputs), **kwargs)

    def _to_tensors(self, inputs):
        return [item if isinstance(item, torch.Tensor) else super(HashedCrossing, self)
                ._to_tensors(item) for item in inputs]

    def _check_inputs(self, inputs):
        if not isinstance(inputs, (list, tuple)) or len(inputs) < 2:
            raise ValueError(
                f"HashedCrossing '{self.name}': expected a list or tuple of at least two "
                f"inputs, got inputs={inputs!r}."
            )
        shapes = [tuple(np.shape(x)) if not hasattr(x, "shape") else tuple(x.shape) for x in inputs]
        first = shapes[0]
        if len(first) > 2 or (len(first) == 2 and first[-1] != 1):
            raise ValueError(
                f"HashedCrossing '{self.name}': inputs must have shape (), (batch,) or "
                f"(batch, 1), got shapes {shapes}."
            )
        if any(shape != first for shape in shapes[1:]):
            raise ValueError(
                f"HashedCrossing '{self.name}': all inputs must have equal shapes, got {shapes}."
            )

    def call(self, inputs):
        device = next((x.device for x in inputs if isinstance(x, torch.Tensor)), None)
        device = device or self.weight_device()
        for x in inputs:
            if isinstance(x, torch.Tensor) and x.is_floating_point():
                raise ValueError(
                    f"HashedCrossing '{self.name}': inputs must be integers or strings, got "
                    f"dtype {x.dtype}."
                )
        shape = tuple(inputs[0].shape)
        hashed = torch.full(shape, _HASH_KEY, dtype=torch.int64, device=device)
        for values in inputs:
            hashed = fingerprint_cat64(hashed, feature_fingerprints(values, device))
        bins = int_hash.unsigned_mod(hashed, self.num_bins)
        if self.output_mode == "one_hot" and bins.ndim == 2:
            bins = bins.reshape(bins.shape[:-1])
        return encode_categorical(bins, self.output_mode, self.num_bins, self.dtype)

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape[0])
        if self.output_mode == "int":
            return shape
        if shape and shape[-1] == 1:
            shape = shape[:-1]
        return (*shape, self.num_bins)

    def compute_output_spec(self, inputs):
        return self._keras_tensor(self.compute_output_shape([x.shape for x in inputs]), self.dtype)

    def get_config(self):
        return {
            **super().get_config(),
            "num_bins": self.num_bins,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
        }
