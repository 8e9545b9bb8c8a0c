"""Keras masks: a boolean `_keras_mask` attribute that travels on tensors from layer to layer.

A layer called without `mask=` whose `call` names a `mask` argument receives its input's mask
(a list of masks for a list input); afterwards, a layer that `supports_masking` sets
`compute_mask(inputs, previous_mask)` on its outputs. Only the layers that need it take this
path (`Layer._checked_call` decides with one `getattr`), so unmasked calls cost nothing more.
"""

import warnings

import torch

from torchkeras.utils import nest


def get_mask(x):
    """The `_keras_mask` of a tensor (or KerasTensor), or None."""
    return getattr(x, "_keras_mask", None)


def set_mask(x, mask):
    """Attaches `mask` to tensor `x` in place (None clears it); non-tensors are left alone."""
    if isinstance(x, torch.Tensor) or hasattr(x, "__dict__"):
        x._keras_mask = mask


def masks_of(structure):
    """The masks of a call argument, in its structure (a list of masks for a list input)."""
    if isinstance(structure, torch.Tensor):
        return get_mask(structure)
    return nest.map_structure(get_mask, structure)


def any_mask(masks):
    """Whether a mask, or a structure of masks, holds at least one mask."""
    if masks is None or isinstance(masks, torch.Tensor):
        return masks is not None
    return any(m is not None for m in nest.flatten(masks))


def call_with_masks(layer, first, args, kwargs):
    """Runs `layer`'s call with Keras' mask rules: masks filled in before, set on outputs after.

    Args:
        layer: The layer being called.
        first: The call's first argument (`inputs`), whose masks are the previous masks.
        args, kwargs: The call's arguments; mask arguments are added to `kwargs`.
    """
    if layer._call_has_mask_arg or layer._mask_arg_names:
        _fill_mask_arguments(layer, args, kwargs)
    previous = kwargs.get("mask")
    if previous is None:
        previous = masks_of(first)
    outputs = layer._run_call(args, kwargs)
    if layer.supports_masking:
        _set_output_masks(layer, first, outputs, previous)
    elif any_mask(previous):
        warnings.warn(
            f"Layer '{layer.name}' (of type {type(layer).__name__}) was passed an input with a "
            "mask attached to it. However, this layer does not support masking and will "
            "therefore destroy the mask information. Downstream layers will not see the mask.",
            stacklevel=2,
        )
    return outputs


def _fill_mask_arguments(layer, args, kwargs):
    """Keras' rule: one tensor argument fills `mask`; several fill each `<name>_mask`."""
    names = layer._call_args
    positional = set(names[: len(args)])
    bound = dict(zip(names, args))
    bound.update(kwargs)
    tensors = {name: value for name, value in bound.items() if _is_tensor_argument(value)}
    if len(tensors) == 1:
        if layer._call_has_mask_arg and bound.get("mask") is None and "mask" not in positional:
            kwargs["mask"] = masks_of(next(iter(tensors.values())))
        return
    for name, value in tensors.items():
        key = f"{name}_mask"
        if key in layer._mask_arg_names and bound.get(key) is None and key not in positional:
            kwargs[key] = masks_of(value)


def _is_tensor_argument(value):
    """A tensor, or a non-empty list / tuple / dict whose leaves are all tensors or None."""
    if isinstance(value, torch.Tensor):
        return True
    if isinstance(value, (list, tuple, dict)) and len(value) > 0:
        return all(leaf is None or isinstance(leaf, torch.Tensor) for leaf in nest.flatten(value))
    return False


def _set_output_masks(layer, first, outputs, previous):
    """Sets `compute_mask(first, previous)` on the outputs that have no mask yet."""
    flat = nest.flatten(outputs)
    if all(get_mask(x) is not None for x in flat):
        return  # the call set them itself (Masking, Maximum)
    masks = layer.compute_mask(first, previous)
    if masks is None:
        return
    for tensor, mask in zip(flat, nest.flatten(masks)):
        if mask is not None and get_mask(tensor) is None:
            set_mask(tensor, mask)


def or_masks(inputs, masks):
    """Keras' `Merge.compute_mask`: the logical or of the inputs' masks, None if one is None."""
    _check_mask_list(inputs, masks)
    if masks is None or any(m is None for m in masks):
        return None
    output = masks[0]
    for mask in masks[1:]:
        output = output | mask
    return output


def concatenated_mask(inputs, masks, axis):
    """Keras' `Concatenate.compute_mask`: masks joined like the inputs, then any over the last axis.

    An unmasked input counts as all True; a mask of lower rank than its input is broadcast
    over the input's last axis first.
    """
    _check_mask_list(inputs, masks)
    if masks is None or all(m is None for m in masks):
        return None
    full = []
    for x, mask in zip(inputs, masks):
        if mask is None:
            mask = torch.ones(x.shape, dtype=torch.bool, device=x.device)
        elif mask.ndim < x.ndim:
            mask = mask.unsqueeze(-1).expand(x.shape)
        full.append(mask)
    return torch.cat(full, dim=axis).any(dim=-1)


def _check_mask_list(inputs, masks):
    if masks is None:
        return
    if not isinstance(masks, (list, tuple)) or not isinstance(inputs, (list, tuple)):
        raise ValueError(
            f"A merge layer's masks and inputs must be lists; got mask={masks!r} for inputs "
            f"of type {type(inputs).__name__}."
        )
    if len(masks) != len(inputs):
        raise ValueError(
            f"A merge layer got {len(inputs)} inputs but {len(masks)} masks; they must match."
        )


def merge_or_masks(op, inputs):
    """Folds elementwise `op` (maximum, minimum) over inputs, as Keras does when they are masked.

    Where an input is masked out, the running result is used in its place (and the other way
    round), so masked entries never win; the output mask (the or of all masks, None as soon
    as one input has none) is set on the result. Without masks this is a plain fold.
    """
    output, output_mask = None, None
    for x in inputs:
        mask = get_mask(x)
        if mask is not None:
            mask = mask.unsqueeze(-1).expand(x.shape)
        if output is None:
            output, output_mask = x, mask
            continue
        if mask is not None:
            x = torch.where(mask, x, output)
        if output_mask is not None:
            output = torch.where(output_mask, output, x)
        output_mask = output_mask | mask if mask is not None and output_mask is not None else None
        output = op(output, x)
    if output_mask is not None:
        set_mask(output, output_mask.any(dim=-1))
    return output


def masked_product(inputs):
    """Keras' masked `Multiply`: masked entries count as 1; if every input is masked, entries
    masked in all of them become 0 and the or of the masks is set on the result."""
    masks = [get_mask(x) for x in inputs]
    all_masked = all(m is not None for m in masks)
    output, output_mask = None, None
    for x, mask in zip(inputs, masks):
        if mask is not None:
            mask = mask.unsqueeze(-1).expand(x.shape)
            x = torch.where(mask, x, torch.ones((), dtype=x.dtype, device=x.device))
            if all_masked:
                output_mask = mask if output_mask is None else output_mask | mask
        output = x if output is None else output * x
    if all_masked:
        output = torch.where(output_mask, output, torch.zeros((), dtype=output.dtype))
        set_mask(output, output_mask.any(dim=-1))
    return output
