"""Gradient averaging across ranks, weighted by each rank's share of the global batch.

Why hooks and not `torch.nn.parallel.DistributedDataParallel`: Keras' `train_step` calls the
model itself (`self(x)`), so a DDP wrapper would have to replace the model inside a step
users override. Instead, every trainable parameter gets a post-accumulate-grad hook; the
first one of a backward pass queues one callback that runs when autograd finishes (as DDP's
reducer does) and all-reduces every gradient in one flat buffer, before the optimizer reads
`param.grad`. The optimizer, constraints, loss scaling and `train_step` stay Keras'.

Each rank adds `local_samples * grad`, and the sum is divided by the global batch size (the
samples summed over ranks, in the same buffer). Since Keras' losses average over the batch,
that is exactly the gradient of the whole global batch, also when the last batch splits
unevenly (a plain mean over ranks would not be). Buffers (BatchNormalization statistics)
are then copied from rank 0, as DDP's `broadcast_buffers` does.
"""

import torch
from torch.autograd import Variable as _AutogradVariable

from torchkeras.distribution import collectives


class StepState:
    """What the data pipeline tells the gradient reduction about the current batch.

    `samples` is this rank's number of real samples (0 for a padding batch, whose gradient,
    metric updates and outputs are dropped); None means "the batch's own size".
    """

    def __init__(self):
        self.samples = None
        self.model = None
        self._saved = None

    def begin(self, samples, padded):
        """Called before a batch is handed to a step; saves the metrics of a padding batch."""
        self.samples = samples
        if padded and self.model is not None:
            self._saved = [(v, v.value.detach().clone()) for v in self.model.metrics_variables]

    def end(self):
        """Called after the step: undoes a padding batch's metric updates."""
        if self._saved is None or self.model is None:
            return
        saved = {id(variable): value for variable, value in self._saved}
        with torch.no_grad():
            for variable in self.model.metrics_variables:
                value = saved.get(id(variable))
                variable.value.copy_(value) if value is not None else variable.value.zero_()
        self._saved = None


STEP = StepState()


class GradientSync:
    """Keeps one model's replicas identical: same start, averaged gradients, rank 0's buffers.

    Args:
        model: The model trained on every rank.
    """

    def __init__(self, model):
        self.model = model
        self._hooked = set()
        self._params = []
        self._queued = False
        self._started = False

    def prepare(self):
        """Starts the replicas from the same state and hooks parameters not yet hooked.

        A built model's weights and buffers are broadcast from rank 0. An unbuilt one gets
        rank 0's random state instead, so that it builds identically on its first batch; its
        parameters are hooked by a forward hook, before the first backward pass.
        """
        if not self._started:
            self._started = True
            if getattr(self.model, "built", True):
                collectives.broadcast_tensors(list(self.model.parameters()) + self._buffers())
            else:
                collectives.share_random_state()
                self._forward_handle = self.model.register_forward_hook(self._after_build)
        self._hook_parameters()

    def _after_build(self, module, inputs, outputs):
        if getattr(self.model, "built", True):
            self._forward_handle.remove()
            self._hook_parameters()

    def _hook_parameters(self):
        self._params = [p for p in self.model.parameters() if p.requires_grad]
        for param in self._params:
            if id(param) not in self._hooked:
                param.register_post_accumulate_grad_hook(self._on_gradient)
                self._hooked.add(id(param))

    def _buffers(self):
        return [buffer for buffer in self.model.buffers() if buffer is not None]

    def _on_gradient(self, param):
        if not self._queued:
            self._queued = True
            _AutogradVariable._execution_engine.queue_callback(self.reduce)

    def reduce(self):
        """All-reduces the gradients of this backward pass; then shares rank 0's buffers."""
        self._queued = False
        params = [p for p in self._params if p.requires_grad]
        if not params:
            return
        missing = [p.grad is None for p in params]
        first = next(p.grad for p in params if p.grad is not None)
        samples = 1 if STEP.samples is None else STEP.samples  # no pipeline: equal weights
        parts = [
            torch.zeros(p.numel(), device=first.device) if p.grad is None
            else p.grad.detach().reshape(-1).float() * samples
            for p in params
        ]
        flags = _flags(missing, samples, first.device)
        flat = torch.cat(parts + [flags])
        collectives.sum_flat(flat)
        total = flat[-1]
        pieces = flat[: -len(flags)].split([p.numel() for p in params])
        present = flat[-len(flags):-1].tolist() if any(missing) else None
        for index, (param, piece) in enumerate(zip(params, pieces)):
            if present is not None and present[index] == 0:
                param.grad = None
                continue
            param.grad = (piece / total).view_as(param).to(param.dtype)
        buffers = self._buffers()
        if buffers:
            collectives.broadcast_tensors(buffers)


def _flags(missing, samples, device):
    """`[1.0 per present gradient, 0.0 per missing one, samples]` on `device`, made by fill
    kernels rather than copied from the host (a blocking copy would sync a GPU every step)."""
    flags = torch.ones(len(missing) + 1, device=device)
    flags[-1] = samples
    if any(missing):
        flags[:-1] = torch.tensor([0.0 if gone else 1.0 for gone in missing], device=device)
    return flags


def attach(model):
    """Sets up gradient averaging for `model` (once); its metrics become those a padding
    batch must not change."""
    STEP.model = model
    sync = model.__dict__.get("_gradient_sync")
    if sync is None:
        sync = GradientSync(model)
        model.__dict__["_gradient_sync"] = sync
    sync.prepare()
