"""`compile(jit_compile=...)`: which part of each step runs through `torch.compile`, and how.

The default train, test and predict steps each hand one function to `step_function`: the
forward pass, the loss and the metric updates (the backward pass and the optimizer update
stay eager, as in Keras' torch backend, where `torch.compile` breaks the graph at
`backward()` anyway). A step runs eagerly until the model, its loss and its metrics are
built, so the first batch builds them and the second one compiles.

A final partial batch recompiles once: torch's automatic dynamic shapes then mark the batch
axis dynamic, and every later batch size reuses that graph, in every epoch. (Dynamo still
specializes a batch of exactly one sample, and unshuffled array batches are views whose
offset 0 it specializes too: each may add one graph, once.) Padding the last batch instead
would feed the padding rows to BatchNormalization's statistics.
"""

import itertools
import types
import warnings

import torch

from torchkeras import config

# The `torch.compile` backend of the steps (a name or a callable, as `torch.compile` takes).
BACKEND = "inductor"
_COPIES = itertools.count(1)  # numbers the step functions' code copies (see `_own_code`)

def configure(model, jit_compile, run_eagerly):
    """Resolves `compile`'s `jit_compile` and forgets previously compiled steps.

    As in Keras, the resolved value is what `model.jit_compile` and `get_compile_config()`
    hold, and `run_eagerly=True` wins (with a warning if `jit_compile=True`, as Keras warns).
    `"auto"` means: compiled when training runs on CUDA (the weights' device, else the default
    device, at `compile` time), where the steps' many small kernels make launch overhead
    count, and eager on CPU, where measurements showed no gain (benchmarks/RESULTS.md). An
    `"auto"` choice compiles each step as one graph and falls back to eager, with a warning,
    if that fails.

    Args:
        model: The model being compiled.
        jit_compile: `True`, `False` or `"auto"`.
        run_eagerly: `compile`'s `run_eagerly`.

    Returns:
        The resolved `jit_compile`, a bool.
    """
    if jit_compile not in (True, False, "auto"):
        raise ValueError(
            f"Model '{model.name}': `jit_compile` must be True, False or 'auto'; "
            f"received jit_compile={jit_compile!r}."
        )
    auto = jit_compile == "auto"
    if auto:
        jit_compile = not run_eagerly and _training_device(model).type == "cuda"
    elif jit_compile and run_eagerly:
        warnings.warn(
            f"Model '{model.name}': `run_eagerly=True` overrides `jit_compile=True`; the steps "
            "run eagerly (jit_compile=False).",
            stacklevel=3,
        )
        jit_compile = False
    model.__dict__["_jit_auto"] = auto
    model.__dict__["_jit_steps"] = CompiledSteps()
    return bool(jit_compile)


def step_function(model, kind, function, ready):
    """`function`, or its `torch.compile`d version when `model.jit_compile` is set and `ready`.

    Args:
        model: The model whose step this is.
        kind: `"train"`, `"test"` or `"predict"`: one compiled function per kind and model.
        function: The step's compilable part (a bound method of the model).
        ready: Returns whether everything `function` builds on first use exists already
            (asked only when `jit_compile` is set, so eager steps skip it).
    """
    if not (model.jit_compile and ready()):
        return function
    steps = model.__dict__.setdefault("_jit_steps", CompiledSteps())
    compiled = steps.get(kind)
    if compiled is None:
        compiled = steps[kind] = CompiledStep(model, kind, function)
    return compiled


class CompiledSteps(dict):
    """A model's compiled steps by kind. Copies and pickles of the model start without any:
    the compiled functions are bound to the original model."""

    def __deepcopy__(self, memo):
        return CompiledSteps()

    def __reduce__(self):
        return (CompiledSteps, ())


class CompiledStep:
    """A step function run through `torch.compile`, with failures made clear.

    A failing compiled call is run again eagerly: an error there is the user's (raised as
    eager raises it, with torchkeras' messages); otherwise compilation itself failed, which
    raises a `RuntimeError` naming the model, or, for `jit_compile="auto"`, warns and keeps
    the step eager from then on.

    Args:
        model: The model whose step this is.
        kind: `"train"`, `"test"` or `"predict"`.
        function: The eager function to compile.
    """

    def __init__(self, model, kind, function):
        self.model_name = model.name
        self.kind = kind
        self.function = function
        self.auto = model.__dict__.get("_jit_auto", False)
        self.steps = model.__dict__["_jit_steps"]
        self.compiled = torch.compile(_own_code(function), backend=BACKEND, fullgraph=self.auto)

    def __call__(self, *args):
        try:
            return self.compiled(*args)
        except torch._dynamo.exc.TorchDynamoException as error:
            result = self.function(*args)  # raises here if the error is the user's
            self._compilation_failed(error)
            return result

    def _compilation_failed(self, error):
        summary = str(error).strip().splitlines()[0] if str(error).strip() else ""
        if not self.auto:
            raise RuntimeError(
                f"Model '{self.model_name}': `torch.compile` failed on its {self.kind} step "
                f"({type(error).__name__}: {summary}). Pass `jit_compile=False` to `compile()` "
                "to run the model eagerly."
            ) from error
        warnings.warn(
            f"Model '{self.model_name}': its {self.kind} step does not compile as one graph "
            f"({type(error).__name__}: {summary}); it runs eagerly. Pass `jit_compile=False` "
            "to `compile()` to skip the attempt.",
            stacklevel=4,
        )
        self.steps[self.kind] = self.function


def _own_code(method):
    """The bound `method` with a code object of its own, under a name of its own.

    Dynamo keeps compiled graphs, and counts its recompile limit (8), per code object: shared
    by every model of a process (a notebook trying architectures), the limit would soon
    leave new models running eagerly. And it remembers which input dimensions changed per
    code *name and line*: under a shared name, an MLP's inputs would make a later CNN's
    image dimensions dynamic too (a rank change marks every dimension), which inductor
    cannot compile for convolutions. So each copy is named `<step>_<n>`, n counting copies.
    """
    function = method.__func__
    name = f"{function.__name__}_{next(_COPIES)}"
    copy = types.FunctionType(
        function.__code__.replace(co_name=name, co_qualname=name), function.__globals__, name,
        function.__defaults__, function.__closure__,
    )
    return types.MethodType(copy, method.__self__)


def _training_device(model):
    """Where `fit` will run: the weights' device if not CPU, else the default device."""
    first = next(model._tensors(), None)
    if first is not None and first.device.type != "cpu":
        return first.device
    return config.default_device()
