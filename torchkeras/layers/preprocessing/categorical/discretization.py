"""Discretization: buckets continuous values by boundaries (given, or adapted to quantiles)."""

import numpy as np
import torch

from torchkeras.layers.preprocessing.categorical import quantiles
from torchkeras.layers.preprocessing.categorical.data_layer import DataLayer
from torchkeras.layers.preprocessing.categorical.encoding import (
    OUTPUT_MODES,
    encode_categorical,
    encoded_shape,
)
from torchkeras.registry import LAYERS


@LAYERS.register()
class Discretization(DataLayer):
    """Maps each value to the index of its bin, `torch.bucketize(x, boundaries, right=True)`.

    Bin `i` holds `boundaries[i-1] <= x < boundaries[i]`. `adapt` computes `num_bins` bins
    of equal weight from Keras' approximate quantile summary (numpy), so the boundaries equal
    Keras'. Runs on torch ops on the input's device.

    Args:
        bin_boundaries: Sorted list of boundaries (`None` when `num_bins` is adapted).
        num_bins: Number of bins to `adapt` (exclusive with `bin_boundaries`).
        epsilon: Error tolerance of the quantile summary (`adapt`).
        output_mode: `"int"` (int32 bin indices), `"one_hot"`, `"multi_hot"` or `"count"`.
        sparse: Keras' sparse output; torch backends have none, so only `False`.

    Shapes: `int`: `(batch, ...)` -> same; encodings as `CategoryEncoding` with
    `len(bin_boundaries) + 1` tokens.
    """

    def __init__(
        self,
        bin_boundaries=None,
        num_bins=None,
        epsilon=0.01,
        output_mode="int",
        sparse=False,
        dtype=None,
        name=None,
    ):
        super().__init__(dtype=dtype, name=name)
        self._check_arguments(bin_boundaries, num_bins, output_mode, sparse)
        self.bin_boundaries = None if bin_boundaries is None else list(bin_boundaries)
        self.num_bins = num_bins
        self.epsilon = epsilon
        self.output_mode = output_mode
        self.sparse = False
        self.summary = None if num_bins is None else np.array([[], []], dtype="float32")

    def _check_arguments(self, bin_boundaries, num_bins, output_mode, sparse):
        problem = None
        if output_mode not in OUTPUT_MODES:
            problem = f"`output_mode` must be one of {OUTPUT_MODES}, got {output_mode!r}"
        elif sparse:
            problem = f"`sparse` must be False (no sparse torch outputs), got {sparse!r}"
        elif num_bins is not None and num_bins < 0:
            problem = f"`num_bins` must be >= 0, got num_bins={num_bins}"
        elif num_bins is not None and bin_boundaries is not None:
            problem = (
                "set either `num_bins` or `bin_boundaries`, not both, got "
                f"num_bins={num_bins} and bin_boundaries={bin_boundaries}"
            )
        elif num_bins is None and bin_boundaries is None:
            problem = "set either `num_bins` or `bin_boundaries`, got neither"
        if problem:
            raise ValueError(f"Discretization '{self.name}': {problem}.")

    @property
    def output_dtype(self):
        return "int32" if self.output_mode == "int" else self.dtype

    def adapt(self, data, steps=None):
        """Computes `num_bins` quantile boundaries of `data` (an array, or an iterable of batches)."""
        if self.num_bins is None:
            raise ValueError(
                f"Discretization '{self.name}': cannot adapt a layer created with "
                "`bin_boundaries`; create it with `num_bins` instead."
            )
        self.reset_state()
        if isinstance(data, (np.ndarray, torch.Tensor)) or not hasattr(data, "__iter__"):
            self.update_state(data)
        else:
            for index, batch in enumerate(data):
                if steps is not None and index >= steps:
                    break
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data):
        if isinstance(data, torch.Tensor):
            data = data.detach().cpu().numpy()
        summary = quantiles.summarize(np.array(data).astype("float32"), self.epsilon)
        self.summary = quantiles.merge_summaries(summary, self.summary, self.epsilon)

    def finalize_state(self):
        if self.num_bins is not None:
            self.bin_boundaries = quantiles.bin_boundaries(self.summary, self.num_bins).tolist()

    def reset_state(self):
        if self.num_bins is not None:
            self.summary = np.array([[], []], dtype="float32")

    def call(self, inputs):
        if self.bin_boundaries is None:
            raise ValueError(
                f"Discretization '{self.name}': pass `bin_boundaries` or call `adapt(data)` "
                "before calling the layer."
            )
        dtype = inputs.dtype if inputs.is_floating_point() else torch.float32
        boundaries = torch.tensor(self.bin_boundaries, dtype=dtype, device=inputs.device)
        indices = torch.bucketize(inputs.to(dtype), boundaries, right=True)
        depth = len(self.bin_boundaries) + 1
        return encode_categorical(indices, self.output_mode, depth, self.output_dtype)

    def compute_output_shape(self, input_shape):
        depth = self.num_bins if self.bin_boundaries is None else len(self.bin_boundaries) + 1
        return encoded_shape(input_shape, self.output_mode, depth)

    def compute_output_spec(self, inputs):
        return self._keras_tensor(self.compute_output_shape(inputs.shape), self.output_dtype)

    def get_config(self):
        return {
            "bin_boundaries": self.bin_boundaries,
            "num_bins": self.num_bins,
            "epsilon": self.epsilon,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "name": self.name,
            "dtype": self.dtype,
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        boundaries = config.pop("bin_boundaries", None)
        if config.get("num_bins") is None:  # an adapted layer records both; set them after
            return cls(bin_boundaries=boundaries, **config)
        layer = cls(**config)
        layer.bin_boundaries = boundaries
        return layer
