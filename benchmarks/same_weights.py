"""The plain torch model's weights in Keras layout, so that `predict` is timed on the same model.

Each framework's `fit` starts from its own initializers and dropout draws, so after training
the three models hold different numbers; the predict rows then compare identical models: the
plain loop's trained weights are given to the Keras-like models with `set_weights`.
"""

import torch


def keras_weights(model, input_shape):
    """`get_weights()`-ordered numpy arrays of `model` (an `nn.Sequential` of the benchmark's
    modules) in Keras layout; `input_shape` is one sample in torch layout (NCHW for images).
    A Linear after a Flatten of NCHW maps gets its columns reordered to Keras' HWC flattening.
    """
    flattened = _flatten_input_shapes(model, input_shape)
    arrays, pending_chw = [], None
    for module in model:
        if isinstance(module, torch.nn.Flatten):
            pending_chw = flattened[id(module)]
        elif isinstance(module, torch.nn.Linear):
            weight = module.weight.detach()
            if pending_chw is not None and len(pending_chw) == 3:
                channels, height, width = pending_chw
                weight = weight.reshape(-1, channels, height, width).permute(0, 2, 3, 1)
                weight = weight.reshape(weight.shape[0], -1)
            arrays += [weight.T, module.bias.detach()]
            pending_chw = None
        elif isinstance(module, torch.nn.Conv2d):
            arrays += [module.weight.detach().permute(2, 3, 1, 0), module.bias.detach()]
        elif isinstance(module, torch.nn.Embedding):
            arrays.append(module.weight.detach())
        elif hasattr(module, "lstm"):  # gate order (i, f, g, o) is Keras' (i, f, c, o)
            lstm = module.lstm
            arrays += [
                lstm.weight_ih_l0.detach().T, lstm.weight_hh_l0.detach().T,
                (lstm.bias_ih_l0 + lstm.bias_hh_l0).detach(),
            ]
    return [array.cpu().numpy() for array in arrays]


def _flatten_input_shapes(model, input_shape):
    """`{id(Flatten module): the shape of one sample it flattens}`, from one dummy forward."""
    shapes, handles = {}, []
    for module in model:
        if isinstance(module, torch.nn.Flatten):
            handles.append(module.register_forward_hook(
                lambda mod, args, out: shapes.__setitem__(id(mod), tuple(args[0].shape[1:]))
            ))
    device = next(model.parameters()).device
    dtype = torch.long if isinstance(model[0], torch.nn.Embedding) else torch.float32
    with torch.no_grad():
        model(torch.zeros((1, *input_shape), dtype=dtype, device=device))
    for handle in handles:
        handle.remove()
    return shapes
