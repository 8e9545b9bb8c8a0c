"""Unique default names (`dense`, `dense_1`, ...) as Keras gives them, reset by `clear_session`."""

import gc
import re

import torch

from torchkeras import config

_counts = {}


def to_snake_case(name):
    """`"MultiHeadAttention"` -> `"multi_head_attention"`, Keras' rule for default names."""
    name = re.sub(r"\W+", "", name)
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    name = re.sub(r"([a-z])([A-Z])", r"\1_\2", name)  # "Conv2D" -> "conv2d", as Keras
    return name.lower()


def unique_name(prefix):
    """Returns `prefix` the first time, then `prefix_1`, `prefix_2` ... within this session."""
    count = _counts.get(prefix, 0)
    _counts[prefix] = count + 1
    return prefix if count == 0 else f"{prefix}_{count}"


def reset_names():
    """Forgets every name handed out so far (part of `keras.backend.clear_session`)."""
    _counts.clear()


def clear_session(free_memory=True):
    """Resets auto-generated names (`dense`, `dense_1`, ...), the global dtype policy and
    `keras.random`'s global generator, as Keras does; optionally frees cached memory."""
    reset_names()
    config.clear_session_state()
    if free_memory:
        gc.collect()
        if torch.cuda.is_available():
            torch.cuda.empty_cache()
