"""GroupNormalization: normalizes groups of contiguous channels per sample."""

import torch
import torch.nn.functional as F

from torchkeras import constraints, initializers, regularizers
from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS


@LAYERS.register()
class GroupNormalization(Layer):
    """Splits the `axis` channels into `groups` contiguous groups and normalizes each group of
    each sample over its channels and all other non-batch axes.

    Runs `torch.nn.functional.group_norm` on a view with the channels moved to axis 1 (Keras and
    torch group channels the same way); Keras' `epsilon` default is 1e-3.

    Args:
        groups: Number of groups; must divide the channel count. -1 means one group per channel.
        axis: The channel axis (an int).
        epsilon: Small float added to the variance.
        center, scale: Whether to learn per-channel `beta` and `gamma`.
        beta_initializer, gamma_initializer: Initializers of the weights.
        beta_regularizer, gamma_regularizer: Regularizers of the weights.
        beta_constraint, gamma_constraint: Constraints of the weights.

    Shapes: any shape -> the same shape.
    """

    supports_masking = True

    def __init__(
        self,
        groups=32,
        axis=-1,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if isinstance(groups, bool) or not isinstance(groups, int) or groups == 0 or groups < -1:
            raise ValueError(
                f"GroupNormalization '{self.name}': `groups` must be a positive int or -1, "
                f"got groups={groups!r}."
            )
        self.groups = groups
        self.axis = axis
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape):
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(
                f"Axis {self.axis} of input tensor should have a defined dimension but the "
                f"layer received an input with shape {input_shape}."
            )
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(
                f"Number of groups ({self.groups}) cannot be more than the number of channels "
                f"({dim})."
            )
        if dim % self.groups != 0:
            raise ValueError(
                f"Number of groups ({self.groups}) must be a multiple of the number of channels "
                f"({dim})."
            )
        self._channel_axis = self.axis % len(input_shape)
        for attr, enabled in (("gamma", self.scale), ("beta", self.center)):
            if not enabled:
                self.register_parameter(attr, None)
                continue
            setattr(
                self,
                attr,
                self.add_weight(
                    name=attr,
                    shape=(dim,),
                    initializer=getattr(self, f"{attr}_initializer"),
                    regularizer=getattr(self, f"{attr}_regularizer"),
                    constraint=getattr(self, f"{attr}_constraint"),
                ),
            )

    def call(self, inputs):
        dtype = inputs.dtype
        x = inputs.float() if dtype in (torch.float16, torch.bfloat16) else inputs
        x = x.movedim(self._channel_axis, 1)  # (batch, channels, ...), a view
        outputs = F.group_norm(x, self.groups, self.gamma, self.beta, self.epsilon)
        return outputs.movedim(1, self._channel_axis).to(dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
        }
