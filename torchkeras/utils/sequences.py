"""`pad_sequences`: ragged sequences to one `(samples, maxlen, ...)` array, Keras' way."""

import numpy as np


def _lengths_and_sample_shape(sequences):
    """Each sequence's length, and the shape of one step (from the first non-empty sequence)."""
    lengths, sample_shape = [], None
    for sequence in sequences:
        try:
            length = len(sequence)
        except TypeError as error:
            raise ValueError(
                f"`sequences` must be a list of iterables. Found non-iterable: {sequence!r}"
            ) from error
        if length and sample_shape is None:
            sample_shape = np.asarray(sequence).shape[1:]
        lengths.append(length)
    return lengths, sample_shape or ()


def pad_sequences(
    sequences, maxlen=None, dtype="int32", padding="pre", truncating="pre", value=0.0
):
    """Pads (and truncates) each sequence to `maxlen` steps; returns a numpy array.

    Args:
        sequences: A list of sequences (lists or arrays, possibly of vectors).
        maxlen: Length of the result; the longest sequence's length by default.
        dtype: dtype of the result (`object` for strings of any length).
        padding: `"pre"` or `"post"`: where the padding `value` goes.
        truncating: `"pre"` or `"post"`: which end of a longer sequence is cut.
        value: The padding value.

    Shapes: `samples` sequences of `(length_i, *sample_shape)` -> `(samples, maxlen,
    *sample_shape)`.
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    if padding not in ("pre", "post"):
        raise ValueError(f'Padding type "{padding}" not understood')
    if truncating not in ("pre", "post"):
        raise ValueError(f'Truncating type "{truncating}" not understood')
    lengths, sample_shape = _lengths_and_sample_shape(sequences)
    if maxlen is None:
        maxlen = int(np.max(lengths)) if lengths else 0
    textual = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.bytes_)
    if isinstance(value, str) and dtype is not object and not textual:
        raise ValueError(
            f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}\n"
            "You should set `dtype=object` for variable length strings."
        )
    result = np.full((len(sequences), maxlen, *sample_shape), value, dtype=dtype)
    for index, sequence in enumerate(sequences):
        if not len(sequence) or not maxlen:
            continue
        kept = np.asarray(sequence[-maxlen:] if truncating == "pre" else sequence[:maxlen],
                          dtype=dtype)
        if kept.shape[1:] != sample_shape:
            raise ValueError(
                f"Shape of sample {kept.shape[1:]} of sequence at position {index} is "
                f"different from expected shape {sample_shape}"
            )
        if padding == "post":
            result[index, : len(kept)] = kept
        else:
            result[index, -len(kept):] = kept
    return result
