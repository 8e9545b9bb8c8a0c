"""AdamW: Keras' Adam with decoupled weight decay on by default (0.004)."""

from torchkeras.optimizers.adam import Adam
from torchkeras.optimizers.optimizer import base_arguments
from torchkeras.registry import OPTIMIZERS


@OPTIMIZERS.register()
class AdamW(Adam):
    """Adam whose `weight_decay` defaults to 0.004 and may not be `None`.

    Every Keras optimizer decays weights the same decoupled way, `w *= 1 - weight_decay * lr`
    before the Adam step; torch.optim.AdamW's default is 0.01 and it decays by `lr * wd` too.

    Args:
        learning_rate: A float, a `LearningRateSchedule`, or a zero-argument callable.
        weight_decay: Decoupled weight decay factor.
        beta_1, beta_2, epsilon, amsgrad: As for `Adam`.
        clipnorm, clipvalue, global_clipnorm, use_ema, ema_momentum, ema_overwrite_frequency,
        loss_scale_factor, gradient_accumulation_steps, name: As for `Optimizer`.
    """

    def __init__(
        self,
        learning_rate=0.001,
        weight_decay=0.004,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-7,
        amsgrad=False,
        clipnorm=None,
        clipvalue=None,
        global_clipnorm=None,
        use_ema=False,
        ema_momentum=0.99,
        ema_overwrite_frequency=None,
        loss_scale_factor=None,
        gradient_accumulation_steps=None,
        name=None,
        **kwargs,
    ):
        super().__init__(
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            **base_arguments(locals()),
        )
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")
