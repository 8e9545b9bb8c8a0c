"""`GradientTape`: TensorFlow's tape API on torch autograd, to migrate tf.keras training loops.

Not Keras 3 API (Keras 3 leaves gradients to the backend): a migration aid so that
`with tf.GradientTape() as tape: ...; tape.gradient(loss, model.trainable_weights)` runs with
`tf` replaced by `torchkeras`. Torch records every operation on tensors that require grad, so
unlike TensorFlow the tape does not limit what is recorded: operations done before the `with`
block also reach the sources. `watch(x)` turns on `x.requires_grad` (in place) for a float
tensor that has it off.
"""

import contextlib

import torch

from torchkeras.utils import nest
from torchkeras.variables import Variable

_RECORDING = []  # the tapes whose `with` block is open and not paused, innermost last
_UNCONNECTED = ("none", "zero")


def _tensor(source):
    """The torch tensor behind a source: a Variable's value, else the tensor itself."""
    return source.value if isinstance(source, Variable) else source


def _unconnected_mode(unconnected_gradients):
    mode = getattr(unconnected_gradients, "value", unconnected_gradients)  # tf's enum
    mode = str(mode).lower()
    if mode not in _UNCONNECTED:
        raise ValueError(
            "`unconnected_gradients` must be 'none' or 'zero'. "
            f"Received: unconnected_gradients={unconnected_gradients!r}"
        )
    return mode


class GradientTape:
    """Records a computation inside its `with` block to differentiate it with `gradient`.

    Args:
        persistent: Whether `gradient`/`jacobian` may be called more than once.
        watch_accessed_variables: When False, only tensors passed to `watch` get gradients.

    Shapes: `gradient(target, sources)` returns one gradient per source, shaped like it, in the
    sources' nested structure (None for a source the target does not depend on).
    """

    def __init__(self, persistent=False, watch_accessed_variables=True):
        self.persistent = bool(persistent)
        self.watch_accessed_variables = bool(watch_accessed_variables)
        self._watched = []
        self._used = False

    def __enter__(self):
        _RECORDING.append(self)
        return self

    def __exit__(self, *exc_info):
        if self in _RECORDING:
            _RECORDING.remove(self)
        return False

    def watch(self, tensor):
        """Makes the tape differentiate with respect to `tensor` (or each tensor of a structure)."""
        for leaf in nest.flatten(tensor):
            leaf_tensor = _tensor(leaf)
            if not isinstance(leaf_tensor, torch.Tensor):
                raise ValueError(
                    f"GradientTape.watch: expected tensors or Variables, got {type(leaf).__name__}."
                )
            if leaf_tensor.is_floating_point() or leaf_tensor.is_complex():
                if not leaf_tensor.requires_grad:
                    leaf_tensor.requires_grad_(True)  # ints cannot have gradients: ignored, as TF
                self._watched.append(leaf_tensor)

    def watched_variables(self):
        """The tensors passed to `watch`, in order."""
        return list(self._watched)

    def reset(self):
        """Forgets the tensors watched so far."""
        self._watched = []

    @contextlib.contextmanager
    def stop_recording(self):
        """Within this block, operations are not recorded (by this or any tape)."""
        was_recording = self in _RECORDING
        if was_recording:
            _RECORDING.remove(self)
        try:
            with torch.no_grad():
                yield
        finally:
            if was_recording:
                _RECORDING.append(self)

    def gradient(self, target, sources, output_gradients=None, unconnected_gradients="none"):
        """Gradients of `target` (summed when several) with respect to each of `sources`.

        Args:
            target: A tensor or a nested structure of tensors to differentiate.
            sources: A tensor, Variable or nested structure of them.
            output_gradients: Optional gradients of the targets (default: ones).
            unconnected_gradients: 'none' (None for unconnected sources) or 'zero'.
        """
        mode = _unconnected_mode(unconnected_gradients)
        self._check_usable("gradient")
        flat = [_tensor(source) for source in nest.flatten(sources)]
        grads = self._grads(nest.flatten(target), flat, output_gradients)
        if mode == "zero":
            grads = [torch.zeros_like(s) if g is None else g for s, g in zip(flat, grads)]
        return _pack(sources, grads)

    def _check_usable(self, what):
        if self._used and not self.persistent:
            raise RuntimeError(
                f"A non-persistent GradientTape can only be used to compute one set of gradients "
                f"(or jacobians); `{what}` was called again. Create it with `persistent=True`."
            )
        self._used = True

    def _create_graph(self):
        """Whether gradients must themselves be differentiable: another tape is recording, or
        this persistent one still is."""
        return any(t is not self or self.persistent for t in _RECORDING)

    def _grads(self, targets, sources, output_gradients):
        """`torch.autograd.grad` of `targets` for the connected, allowed `sources`."""
        allowed = [self._allowed(source) for source in sources]
        pairs = [
            (t, g)
            for t, g in zip(targets, _as_list(output_gradients, len(targets)))
            if isinstance(t, torch.Tensor) and t.requires_grad
        ]
        wanted = [i for i, source in enumerate(sources) if allowed[i] and source.requires_grad]
        grads = [None] * len(sources)
        if not pairs or not wanted:
            return grads
        outputs = [t for t, _ in pairs]
        seeds = [torch.ones_like(t) if g is None else torch.as_tensor(g).to(t) for t, g in pairs]
        create = self._create_graph()
        found = torch.autograd.grad(
            outputs, [sources[i] for i in wanted], seeds,
            retain_graph=self.persistent or create, create_graph=create, allow_unused=True,
        )
        for i, grad in zip(wanted, found):
            grads[i] = grad
        return grads

    def _allowed(self, source):
        return self.watch_accessed_variables or any(source is w for w in self._watched)

    def jacobian(self, target, sources, unconnected_gradients="none", **unused_tf_options):
        """The Jacobian of `target` with respect to each source: `target.shape + source.shape`."""
        mode = _unconnected_mode(unconnected_gradients)
        self._check_usable("jacobian")
        flat = [_tensor(source) for source in nest.flatten(sources)]
        target = torch.as_tensor(target)
        eye = torch.eye(target.numel(), dtype=target.dtype, device=target.device)
        seeds = eye.reshape(target.numel(), *target.shape)
        grads = self._batched(target, flat, seeds)
        jacobians = []
        for source, grad in zip(flat, grads):
            if grad is None and mode == "zero":
                grad = torch.zeros((target.numel(), *source.shape), dtype=source.dtype,
                                   device=source.device)
            jacobians.append(None if grad is None else grad.reshape(*target.shape, *source.shape))
        return _pack(sources, jacobians)

    def batch_jacobian(self, target, source, unconnected_gradients="none", **unused_tf_options):
        """Per-example Jacobians `(batch, *target.shape[1:], *source.shape[1:])`; example `i`
        of `target` must depend only on example `i` of `source`."""
        mode = _unconnected_mode(unconnected_gradients)
        self._check_usable("batch_jacobian")
        source_tensor = _tensor(source)
        per_example = target[0].numel()
        eye = torch.eye(per_example, dtype=target.dtype, device=target.device)
        seeds = eye.reshape(per_example, 1, *target.shape[1:]).expand(-1, *target.shape)
        (grad,) = self._batched(target, [source_tensor], seeds)
        if grad is None:
            if mode == "none":
                return None
            grad = torch.zeros((per_example, *source_tensor.shape), dtype=source_tensor.dtype,
                               device=source_tensor.device)
        grad = grad.movedim(0, 1)  # (batch, per_example, *source.shape[1:])
        return grad.reshape(*target.shape, *source_tensor.shape[1:])

    def _batched(self, target, sources, seeds):
        wanted = [i for i, s in enumerate(sources) if self._allowed(s) and s.requires_grad]
        grads = [None] * len(sources)
        if not target.requires_grad or not wanted:
            return grads
        create = self._create_graph()
        found = torch.autograd.grad(
            [target], [sources[i] for i in wanted], [seeds], retain_graph=True,
            create_graph=create, allow_unused=True, is_grads_batched=True,
        )
        for i, grad in zip(wanted, found):
            grads[i] = grad
        return grads


def _as_list(output_gradients, count):
    if output_gradients is None:
        return [None] * count
    flat = nest.flatten(output_gradients)
    if len(flat) != count:
        raise ValueError(
            f"`output_gradients` must give one gradient per target: {count} targets, "
            f"{len(flat)} output gradients."
        )
    return flat


def _pack(sources, values):
    """`values` (one per leaf of `sources`) in the structure of `sources`."""
    leaves = iter(values)
    return nest.map_structure(lambda _: next(leaves), sources)
