"""SpectralNormalization: divides a wrapped layer's kernel by its largest singular value."""

import torch

from torchkeras import initializers, ops
from torchkeras.layers.core.wrapper import Wrapper
from torchkeras.layers.input_spec import InputSpec
from torchkeras.registry import LAYERS


@LAYERS.register()
class SpectralNormalization(Wrapper):
    """Keeps the wrapped layer's `kernel` (or `embeddings`) at spectral norm about 1.

    In training, each call first runs `power_iterations` steps of the power method on the
    kernel seen as a `(-1, kernel.shape[-1])` matrix, starting from the non-trainable
    `vector_u` `(1, kernel.shape[-1])`, then overwrites the kernel with `kernel / sigma` and
    `vector_u` with its new estimate, as Keras does: gradients do not flow through `sigma`.
    Unlike torch's `spectral_norm` (a reparametrization recomputed from a separate weight),
    the stored kernel itself is replaced. The update runs in place without autograd and
    without host syncs (an all-zero kernel is left as it is by a device-side select). At
    inference the wrapped layer runs unchanged. The output is cast to the input's dtype.

    The wrapper's own weights are the wrapped kernel and `vector_u`, so `get_weights()` of a
    wrapped Dense is `[kernel, vector_u, bias]`, the order (and `.keras` layout) of Keras.

    Args:
        layer: A layer with a `kernel` (Dense, Conv2D, ...) or `embeddings` (Embedding) weight.
        power_iterations: Number of power-method steps per training call; a positive int.

    Shapes: those of the wrapped layer.
    """

    def __init__(self, layer, power_iterations=1, **kwargs):
        super().__init__(layer, **kwargs)
        if not isinstance(power_iterations, int) or power_iterations <= 0:
            raise ValueError(
                f"SpectralNormalization '{self.name}': `power_iterations` must be a positive "
                f"int, got power_iterations={power_iterations!r}."
            )
        self.power_iterations = power_iterations

    def build(self, input_shape):
        super().build(input_shape)
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        kernel = getattr(self.layer, "kernel", None)
        if kernel is None:
            kernel = getattr(self.layer, "embeddings", None)
        if not isinstance(kernel, torch.Tensor):
            raise ValueError(
                f"SpectralNormalization '{self.name}': the wrapped layer must have a `kernel` "
                f"or `embeddings` weight, got layer={self.layer.name!r} of type "
                f"{type(self.layer).__name__}."
            )
        self.kernel = kernel  # shared with the wrapped layer: Keras tracks it as an own weight
        self.vector_u = self.add_weight(
            name="vector_u",
            shape=(1, kernel.shape[-1]),
            initializer=initializers.TruncatedNormal(stddev=0.02),
            trainable=False,
            dtype=kernel.dtype,
        )

    def call(self, inputs, training=False):
        if training:
            self.normalize_weights()
        outputs = self.layer(inputs)
        return outputs if outputs.dtype == inputs.dtype else outputs.to(inputs.dtype)

    @torch.no_grad()
    def normalize_weights(self):
        """Replaces the kernel by `kernel / sigma` and `vector_u` by its next estimate."""
        kernel = self.kernel
        matrix = kernel.reshape(-1, kernel.shape[-1])  # (rows, units)
        vector_u = self.vector_u.to(kernel.dtype)  # (1, units)
        for _ in range(self.power_iterations):
            vector_v = ops.normalize(vector_u @ matrix.T, axis=None)  # (1, rows)
            vector_u = ops.normalize(vector_v @ matrix, axis=None)  # (1, units)
        sigma = (vector_v @ matrix) @ vector_u.T  # (1, 1)
        all_zero = (kernel == 0).all()  # Keras keeps an all-zero kernel (no division by 0)
        self.vector_u.copy_(torch.where(all_zero, self.vector_u, vector_u.to(self.vector_u)))
        kernel.copy_(torch.where(all_zero, kernel, kernel / sigma))

    def compute_output_shape(self, input_shape):
        return self.layer.compute_output_shape(input_shape)

    def get_config(self):
        return {**super().get_config(), "power_iterations": self.power_iterations}
