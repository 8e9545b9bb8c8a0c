"""`.safetensors` weight files keyed by the model's `state_dict` names (`layers.1.kernel`).

The torch ecosystem's format: a JSON header and raw little-endian tensors, no code. Tensors
keep torchkeras' (Keras) layout, so a Dense kernel is `(in, units)`.
"""

import warnings

import torch
from safetensors import safe_open
from safetensors.torch import save as safetensors_bytes

from torchkeras.distribution.sharded_values import assign, full_value
from torchkeras.utils.atomic_io import atomic_write


def save_weights_safetensors(model, path):
    """Writes `model.state_dict()` to `path` (temporary file, then rename).

    Tied weights (one tensor under two keys) are stored once per key, as copies.

    Args:
        model: A built model (or any `torch.nn.Module`).
        path: Destination, conventionally ending in `.safetensors`.
    """
    tensors, seen = {}, set()
    for key, tensor in model.state_dict().items():
        tensor = full_value(tensor).detach().cpu().contiguous()
        storage = tensor.untyped_storage().data_ptr()  # safetensors refuses shared memory
        tensors[key] = tensor.clone() if storage in seen else tensor
        seen.add(storage)
    data = safetensors_bytes(tensors, metadata={"format": "pt"})
    with atomic_write(path, "wb") as file:
        file.write(data)


def load_weights_safetensors(model, path, skip_mismatch=False):
    """Loads a `.safetensors` file whose keys are `model.state_dict()` names.

    All keys and shapes are checked before any tensor is read; a `ValueError` lists every
    missing, unexpected and mismatched key, and the model is left unchanged.

    Args:
        model: A built model with the architecture that wrote the file.
        path: The `.safetensors` file.
        skip_mismatch: Warn about the mismatched keys and load the matching ones instead.
    """
    targets = model.state_dict()
    with safe_open(str(path), framework="pt", device="cpu") as file:
        file_shapes = {key: tuple(file.get_slice(key).get_shape()) for key in file.keys()}
        missing = [key for key in targets if key not in file_shapes]
        unexpected = [key for key in file_shapes if key not in targets]
        mismatched = [
            (key, tuple(targets[key].shape), file_shapes[key])
            for key in targets
            if key in file_shapes and file_shapes[key] != tuple(targets[key].shape)
        ]
        problems = _describe(missing, unexpected, mismatched)
        if problems:
            message = f"Cannot load '{path}' into '{_name(model)}':\n  " + "\n  ".join(problems)
            if not skip_mismatch:
                raise ValueError(message + "\nPass `skip_mismatch=True` to load the others.")
            warnings.warn(message + "\nThese keys were skipped.", stacklevel=2)
        bad = {key for key, _, _ in mismatched}
        values = {
            key: file.get_tensor(key) for key in targets if key in file_shapes and key not in bad
        }
    with torch.no_grad():
        for key, value in values.items():
            assign(targets[key], value)


def _describe(missing, unexpected, mismatched):
    lines = [f"missing from the file: {key}" for key in missing]
    lines += [f"in the file but not in the model: {key}" for key in unexpected]
    lines += [
        f"shape mismatch for {key}: model expects {expected}, file has {found}"
        for key, expected, found in mismatched
    ]
    return lines


def _name(model):
    return getattr(model, "name", type(model).__name__)
