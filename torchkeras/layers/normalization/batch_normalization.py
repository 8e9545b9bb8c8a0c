"""BatchNormalization: `gamma * (x - mean) / sqrt(var + epsilon) + beta` with moving statistics."""

import torch
import torch.nn.functional as F

from torchkeras import constraints, initializers, regularizers
from torchkeras.distribution import batch_statistics
from torchkeras.layers.layer import Layer
from torchkeras.registry import LAYERS


@LAYERS.register()
class BatchNormalization(Layer):
    """Normalizes over every axis but `axis`, with batch statistics in training, moving ones else.

    Keras' numerics, not torch's: `moving = moving * momentum + batch * (1 - momentum)` with
    `momentum=0.99`, `epsilon=1e-3` and the *biased* batch variance (torch's `running_var` takes
    the unbiased one and its momentum is `1 - momentum`; both are corrected here). A layer with
    `trainable=False` uses its moving statistics even in training, as in Keras. The statistics
    are updated in place on the buffers, without a host sync, so the update runs inside `fit`.

    Args:
        axis: The feature axis (an int); channels_last inputs use -1, channels_first 1.
        momentum: Weight of the old value in the moving mean and variance.
        epsilon: Small float added to the variance.
        center, scale: Whether to learn `beta` and `gamma`.
        beta_initializer, gamma_initializer, moving_mean_initializer,
            moving_variance_initializer: Initializers of the four weights.
        beta_regularizer, gamma_regularizer: Regularizers of `beta` and `gamma`.
        beta_constraint, gamma_constraint: Constraints of `beta` and `gamma`.
        synchronized: Whether, under data parallelism (`keras.distribution.DataParallel`),
            the batch mean and variance are those of the global batch, summed over every
            process with differentiable all-reduces (torch `SyncBatchNorm`'s semantics); alone
            in a process it changes nothing.
        renorm, renorm_clipping, renorm_momentum: Batch renormalization; not implemented, so only
            the defaults are accepted.

    Shapes: any shape -> the same shape. Weights: gamma, beta, moving_mean, moving_variance.
    """

    supports_masking = True

    def __init__(
        self,
        axis=-1,
        momentum=0.99,
        epsilon=1e-3,
        center=True,
        scale=True,
        beta_initializer="zeros",
        gamma_initializer="ones",
        moving_mean_initializer="zeros",
        moving_variance_initializer="ones",
        beta_regularizer=None,
        gamma_regularizer=None,
        beta_constraint=None,
        gamma_constraint=None,
        synchronized=False,
        renorm=False,
        renorm_clipping=None,
        renorm_momentum=0.99,
        **kwargs,
    ):
        super().__init__(**kwargs)
        if isinstance(axis, bool) or not isinstance(axis, int):
            raise TypeError(
                f"BatchNormalization '{self.name}': `axis` must be an int, got axis={axis!r}."
            )
        if renorm or renorm_clipping is not None:
            raise ValueError(
                f"BatchNormalization '{self.name}': torchkeras does not implement `renorm`; "
                f"got renorm={renorm!r}, renorm_clipping={renorm_clipping!r}."
            )
        self.axis = axis
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
        self.center = bool(center)
        self.scale = bool(scale)
        self.synchronized = bool(synchronized)
        self.renorm_momentum = renorm_momentum
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def build(self, input_shape):
        ndim = len(input_shape)
        if not -ndim <= self.axis < ndim or self.axis % ndim == 0:
            raise ValueError(
                f"BatchNormalization '{self.name}': invalid `axis` {self.axis} for an input of "
                f"shape {input_shape}."
            )
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(
                f"BatchNormalization '{self.name}': axis {self.axis} of the input must have a "
                f"known size, got input shape {input_shape}."
            )
        self._feature_axis = self.axis % ndim
        if self.scale:
            self.gamma = self.add_weight(
                name="gamma",
                shape=(dim,),
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
        else:
            self.register_parameter("gamma", None)
        if self.center:
            self.beta = self.add_weight(
                name="beta",
                shape=(dim,),
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )
        else:
            self.register_parameter("beta", None)
        self.moving_mean = self.add_weight(
            name="moving_mean", shape=(dim,), initializer=self.moving_mean_initializer,
            trainable=False,
        )
        self.moving_variance = self.add_weight(
            name="moving_variance", shape=(dim,), initializer=self.moving_variance_initializer,
            trainable=False,
        )

    def call(self, inputs, training=None):
        dtype = inputs.dtype
        x = inputs.float() if dtype in (torch.float16, torch.bfloat16) else inputs
        x = x.movedim(self._feature_axis, 1)  # a view: (batch, features, ...) as torch expects
        count = x.numel() // max(x.shape[1], 1)  # values per feature in this batch
        if training and self.trainable and self.synchronized and batch_statistics.synchronized():
            outputs = self._normalize_with_own_moments(x)
        elif training and self.trainable and count > 1:
            outputs = self._train_step_normalize(x, count)
        elif training and self.trainable:
            outputs = self._normalize_with_own_moments(x)
        else:
            outputs = F.batch_norm(
                x, self.moving_mean, self.moving_variance, self.gamma, self.beta,
                training=False, eps=self.epsilon,
            )
        return outputs.movedim(1, self._feature_axis).to(dtype)

    def _train_step_normalize(self, x, count):
        """torch's fused kernel normalizes with the batch moments and updates the moving mean;
        it updates a copy of the moving variance (autograd keeps that copy), which is then made
        Keras': torch added `(1-m) * unbiased`, Keras adds `(1-m) * biased = that * (n-1)/n`."""
        with torch.no_grad():
            kept = self.moving_variance * self.momentum
            variance = self.moving_variance.clone()
        outputs = F.batch_norm(
            x, self.moving_mean, variance, self.gamma, self.beta,
            training=True, momentum=1.0 - self.momentum, eps=self.epsilon,
        )
        with torch.no_grad():
            self.moving_variance.copy_((variance - kept) * ((count - 1) / count) + kept)
        return outputs

    def _normalize_with_own_moments(self, x):
        """Moments computed directly: for one value per feature (torch's kernel refuses it),
        or summed over every process when `synchronized`."""
        dims = [d for d in range(x.ndim) if d != 1]
        if self.synchronized and batch_statistics.synchronized():
            variance, mean = batch_statistics.global_moments(x, dims)
        else:
            variance, mean = torch.var_mean(x, dim=dims, correction=0, keepdim=True)
        with torch.no_grad():
            keep, new = self.momentum, 1.0 - self.momentum
            self.moving_mean.mul_(keep).add_(mean.reshape(-1), alpha=new)
            self.moving_variance.mul_(keep).add_(variance.reshape(-1), alpha=new)
        shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
        outputs = (x - mean) * torch.rsqrt(variance + self.epsilon)
        if self.gamma is not None:
            outputs = outputs * self.gamma.reshape(shape)
        if self.beta is not None:
            outputs = outputs + self.beta.reshape(shape)
        return outputs

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "beta_initializer": initializers.serialize(self.beta_initializer),
            "gamma_initializer": initializers.serialize(self.gamma_initializer),
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(
                self.moving_variance_initializer
            ),
            "beta_regularizer": regularizers.serialize(self.beta_regularizer),
            "gamma_regularizer": regularizers.serialize(self.gamma_regularizer),
            "beta_constraint": constraints.serialize(self.beta_constraint),
            "gamma_constraint": constraints.serialize(self.gamma_constraint),
            "synchronized": self.synchronized,
            "renorm": False,
            "renorm_clipping": None,
            "renorm_momentum": self.renorm_momentum,
        }
