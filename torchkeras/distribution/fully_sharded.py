"""Sharding a model with FSDP2 (`fully_shard`) as `ModelParallel`'s layout map says.

`attach` runs once per model, when fit/evaluate/predict first starts under a
`ModelParallel`: rank 0's weights are broadcast, every layer owning a weight that a layout
cuts becomes an FSDP unit (children before parents), and the model becomes the root unit.
All units free their gathered weights after each forward pass (the root too, unlike FSDP's
default), so outside a forward pass every trainable weight is a `DTensor` shard: those are
what the trainer, the optimizer (its moments are created like them, hence sharded too),
`get_weights` and saving see.

Gradients: FSDP reduce-scatters them itself (the hooks of `gradient_sync` are not used)
and averages over the processes. Each rank's loss is the mean over its own rows, so in a
step where ranks hold different numbers of rows (the last global batch) the plain average
would weigh rows unequally. The gradient flowing back into the model's outputs is
therefore scaled by `local_rows * world / global_rows`, which makes the average exactly
the gradient of the whole global batch, as one process computes it. Penalties computed
from the weights alone (`kernel_regularizer`) need no scaling, being equal on every rank,
but a penalty of a sharded weight is a DTensor: the trainer reads it through
`sharded_values.full_value`. `add_loss` penalties of activations (`activity_regularizer`)
are not scaled: in an uneven last batch they weigh the ranks equally. Buffers
(BatchNormalization's moving statistics) are copied from rank 0 after every backward pass,
as under `DataParallel`.
"""

import re

import torch
from torch.autograd import Variable as _AutogradVariable
from torch.distributed.fsdp import FSDPModule, fully_shard
from torch.distributed.tensor import Shard

from torchkeras.distribution import collectives, process_group
from torchkeras.distribution.gradient_sync import STEP
from torchkeras.utils import nest


def attach(model, distribution):
    """Shards `model` over `distribution`'s mesh (once) and hooks its gradient scaling."""
    STEP.model = model  # a padding batch's metric updates are undone (see gradient_sync)
    if isinstance(model, FSDPModule):
        return
    _check_shardable(model)
    units, dims = plan(model, distribution.layout_map)
    collectives.broadcast_tensors(list(model.parameters()) + _buffers(model))
    for param in model.parameters():
        if not param.is_contiguous():  # FSDP cuts row-major storage (Dense keeps kernels
            param.data = param.detach().contiguous()  # column-major for `F.linear`)
    mesh = distribution.torch_mesh()

    def placement(param):
        return Shard(dims.get(id(param), 0))

    for layer in units:
        _shard(layer, mesh, placement)
    _shard(model, mesh, placement)
    model.__dict__.pop("_params_cache", None)  # the trainer's list of the replaced parameters
    model.register_forward_hook(GradientScale(model))


def _shard(module, mesh, placement):
    """`fully_shard` keeping Keras' class name (FSDP subclasses it as `FSDP<name>`), which
    default layer names and the paths of saved weights are made of."""
    original = type(module)
    fully_shard(module, mesh=mesh, reshard_after_forward=True, shard_placement_fn=placement)
    sharded = type(module)
    sharded.__name__, sharded.__qualname__ = original.__name__, original.__qualname__


def check_unsharded(model):
    """Refuses to replicate (DataParallel) a model an earlier ModelParallel run sharded."""
    if isinstance(model, FSDPModule):
        raise ValueError(
            f"DataParallel: model '{model.name}' was sharded by ModelParallel; train it under "
            "ModelParallel, or load its saved weights into a new model."
        )


def _check_shardable(model):
    if "_gradient_sync" in model.__dict__:
        raise ValueError(
            f"ModelParallel: model '{model.name}' was already trained under DataParallel; "
            "build a new model (or load its weights into one) to shard it."
        )
    if not getattr(model, "built", True):
        raise ValueError(
            f"ModelParallel: model '{model.name}' must be built before it is sharded; give it "
            "an `Input` or call `model.build(input_shape)` before `fit`."
        )
    optimizer = getattr(model, "optimizer", None)
    if not getattr(optimizer, "_shards_with_weights", True):
        raise ValueError(
            f"ModelParallel: model '{model.name}' is compiled with {type(optimizer).__name__}, "
            "whose factored statistics cannot be sharded like the weights; use another "
            "optimizer (Adam, AdamW, SGD, ...) or DataParallel."
        )
    if getattr(optimizer, "built", False):
        raise ValueError(
            f"ModelParallel: the optimizer of model '{model.name}' already holds state for the "
            "unsharded weights; call `compile()` again before training under ModelParallel."
        )


def weight_paths(model):
    """`(layer, weight, path)` for every weight made by `add_weight`, with Keras' paths
    (`"sequential/dense/kernel"`: the names of the layers down to it, then its own)."""
    found, seen, queue = [], set(), [(model, model.name)]
    while queue:
        layer, prefix = queue.pop(0)
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        found.extend((layer, layer._weight(key), f"{prefix}/{key}") for key in layer._weight_keys)
        queue.extend(
            (child, f"{prefix}/{child.name}")
            for child in layer._child_layers()
            if hasattr(child, "_weight_keys")
        )
    return found


def plan(model, layout_map):
    """`(units, dims)`: the layers to shard on their own (children first) and, per
    parameter id, the dimension a layout cuts it along."""
    units, dims, matched = [], {}, 0
    found = weight_paths(model)
    for layer, weight, path in found:
        layout = layout_map[path]
        if layout is None:
            continue
        matched += 1
        if len(layout.axes) != weight.dim():
            raise ValueError(
                f"ModelParallel: the `layout_map` gives weight '{path}' of shape "
                f"{tuple(weight.shape)} the layout {layout.axes}, which has {len(layout.axes)} "
                f"axes instead of {weight.dim()}."
            )
        cut = [index for index, axis in enumerate(layout.axes) if axis is not None]
        if cut and isinstance(weight, torch.nn.Parameter):
            dims[id(weight)] = cut[0]
            if layer is not model and all(layer is not unit for unit in units):
                units.append(layer)
    if not matched:
        paths = [path for _, _, path in found]
        raise ValueError(
            f"ModelParallel: no key of the `layout_map` ({list(layout_map)}) matches a weight "
            f"of model '{model.name}'; its weight paths are {paths[:8]}"
            f"{' ...' if len(paths) > 8 else ''} (keys are regular expressions matched with "
            f"re.fullmatch, e.g. {re.escape(paths[0]) if paths else '.*dense.*kernel'!r})."
        )
    return units[::-1], dims


def _buffers(model):
    return [buffer for buffer in model.buffers() if buffer is not None]


class GradientScale:
    """Forward hook of the root: scales the outputs' gradient by `rows * world / global
    rows` and copies rank 0's buffers once the backward pass is over.

    Args:
        model: The sharded model.
    """

    def __init__(self, model):
        self.model = model
        self._buffers = [b for b in _buffers(model) if b.is_floating_point()]
        self._queued = False

    def __call__(self, module, args, output):
        if not torch.is_grad_enabled():
            return None
        scale = self._scale()
        return nest.map_structure(lambda leaf: self._scaled(leaf, scale), output)

    def _scale(self):
        """The factor as a device tensor (the rows summed by an all-reduce that the host
        never reads, so a GPU step does not sync), or 1.0 without a data pipeline."""
        if STEP.samples is None:  # no data pipeline: every rank weighs the same
            return 1.0
        total = torch.full((1,), float(STEP.samples), device=process_group.communication_device())
        collectives.sum_flat(total)
        return (STEP.samples * process_group.world_size()) / total[0]

    def _scaled(self, leaf, scale):
        if not isinstance(leaf, torch.Tensor) or not leaf.requires_grad:
            return leaf
        scaled = _ScaleGradient.apply(leaf, scale, self._after_backward, None)
        mask = getattr(leaf, "_keras_mask", None)
        if mask is not None:
            scaled._keras_mask = mask
        logits = getattr(leaf, "_keras_logits", None)  # crossentropy's shortcut past softmax
        if isinstance(logits, torch.Tensor) and logits.requires_grad:
            # tied to `leaf`: FSDP's hooks that gather weights again for the backward pass
            # sit on the layer's output, which a loss reading only the logits would bypass
            scaled._keras_logits = _ScaleGradient.apply(logits, scale, self._after_backward, leaf)
        return scaled

    def _after_backward(self):
        if self._buffers and not self._queued:
            self._queued = True
            _AutogradVariable._execution_engine.queue_callback(self._share_buffers)

    def _share_buffers(self):
        self._queued = False
        collectives.broadcast_tensors(self._buffers)


class _ScaleGradient(torch.autograd.Function):
    """Identity forward; multiplies the gradient by `scale` and calls `after` backward.

    A `tied` tensor gets a zero gradient, so that the hooks on it run in the backward pass.
    """

    @staticmethod
    def forward(ctx, x, scale, after, tied):
        ctx.scale, ctx.after = scale, after
        ctx.tied = None if tied is None else (tied.shape, tied.dtype, tied.device)
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        ctx.after()
        tied = None
        if ctx.tied is not None:
            shape, dtype, device = ctx.tied
            tied = torch.zeros(shape, dtype=dtype, device=device)
        return grad * ctx.scale, None, None, tied
