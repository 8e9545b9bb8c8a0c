"""LayerNormalization: `gamma * (x - mean) / sqrt(var + epsilon) + beta` over the feature axes."""

import torch
import torch.nn.functional as F

from torchkeras import constraints, initializers, regularizers
from torchkeras.layers.layer import Layer
from torchkeras.layers.normalization import _axes
from torchkeras.registry import LAYERS


@LAYERS.register()
class LayerNormalization(Layer):
    """Normalizes each sample over `axis` with its own mean and (biased) variance.

    Trailing axes run on `torch.nn.functional.layer_norm`; Keras' `epsilon` default is 1e-3
    (torch's 1e-5). `rms_scaling=True` follows Keras 3.15: `x * rsqrt(var + epsilon) * gamma`
    (no centering and no `beta`). half-precision inputs are computed in float32.

    Args:
        axis: Axis or list of axes to normalize over (not the batch axis).
        epsilon: Small float added to the variance.
        center, scale: Whether to learn `beta` and `gamma` (of the normalized axes' shape).
        rms_scaling: Scale by the inverse standard deviation only, as Keras.
        beta_initializer, gamma_initializer: Initializers of the weights.
        beta_regularizer, gamma_regularizer: Regularizers of the weights.
        beta_constraint, gamma_constraint: Constraints of the weights.

    Shapes: any shape -> the same shape.
    """

    supports_masking = True

    def __init__(
        self,
        axis=-1,
        epsilon=1e-3,
        center=True,
        scale=True,
        rms_scaling=False,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.axis = _axes.check_axis_arg(axis, self)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.rms_scaling = bool(rms_scaling)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape):
        self._axes = _axes.positive_axes(self.axis, len(input_shape), self)
        if isinstance(self.axis, int):
            self.axis = [self.axis]  # Keras keeps the axes as a list once built (its config too)
        shape = tuple(input_shape[a] for a in self._axes)
        if self.scale or self.rms_scaling:
            self.gamma = self.add_weight(
                name="gamma",
                shape=shape,
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
        else:
            self.register_parameter("gamma", None)
        if self.center and not self.rms_scaling:
            self.beta = self.add_weight(
                name="beta",
                shape=shape,
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )
        else:
            self.register_parameter("beta", None)

    def call(self, inputs):
        dtype = inputs.dtype
        x = inputs.float() if dtype in (torch.float16, torch.bfloat16) else inputs
        ndim = x.ndim
        gamma = _axes.broadcast(self.gamma, self._axes, ndim)
        beta = _axes.broadcast(self.beta, self._axes, ndim)
        if self.rms_scaling:
            variance = torch.var(x, dim=self._axes, correction=0, keepdim=True)
            outputs = x * torch.rsqrt(variance + self.epsilon)
            outputs = outputs if gamma is None else outputs * gamma
        elif _axes.is_trailing(self._axes, ndim):
            shape = tuple(x.shape[a] for a in self._axes)
            outputs = F.layer_norm(x, shape, gamma, beta, self.epsilon)
        else:
            variance, mean = torch.var_mean(x, dim=self._axes, correction=0, keepdim=True)
            inv = torch.rsqrt(variance + self.epsilon)
            inv = inv if gamma is None else inv * gamma
            shift = -mean * inv if beta is None else beta - mean * inv
            outputs = x * inv + shift
        return outputs.to(dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }
