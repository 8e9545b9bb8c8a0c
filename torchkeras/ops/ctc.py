"""`keras.ops.ctc_decode`: greedy and prefix beam-search decoding of CTC logits.

Both return Keras' layout: labels `(top_paths, batch, max_time)` as int32 padded with -1, and
scores `(batch, top_paths)`. Greedy scores are minus the summed best logits (Keras' convention);
beam-search scores are the paths' log-probabilities under `log_softmax(inputs)`.
"""

import math

import torch

from torchkeras.ops import convert, dtypes


def _greedy(inputs, lengths, merge_repeated, blank):
    time = inputs.shape[1]
    best, labels = torch.max(inputs, dim=-1)  # (batch, time)
    outside = torch.arange(time, device=inputs.device)[None, :] >= lengths[:, None]
    labels = torch.where(outside, blank, labels.to(torch.int32))
    best = torch.where(outside, torch.zeros_like(best), best)
    if merge_repeated:
        repeat = torch.zeros_like(outside)
        repeat[:, 1:] = labels[:, 1:] == labels[:, :-1]
        labels = torch.where(repeat, blank, labels)
    dropped = labels == blank
    order = torch.where(dropped, time, torch.arange(time, device=inputs.device))
    order = torch.argsort(order, dim=-1, stable=True)  # kept labels first, in time order
    labels = torch.take_along_dim(torch.where(dropped, -1, labels), order, dim=-1)
    return labels[None], -torch.sum(best, dim=1, keepdim=True)


def _log_add(a, b):
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    top = max(a, b)
    return top + math.log(math.exp(a - top) + math.exp(b - top))


def _extend(beams, log_probs, blank):
    """One time step of prefix beam search: `{prefix: (blank score, emit score)}`."""
    grown = {}

    def add(prefix, blank_score, emit_score):
        old_blank, old_emit = grown.get(prefix, (-math.inf, -math.inf))
        grown[prefix] = (_log_add(old_blank, blank_score), _log_add(old_emit, emit_score))

    for prefix, (blank_score, emit_score) in beams.items():
        total = _log_add(blank_score, emit_score)
        for label, p in enumerate(log_probs):
            if label == blank:
                add(prefix, total + p, -math.inf)
            elif prefix and prefix[-1] == label:
                add(prefix, -math.inf, emit_score + p)  # repeat without a blank: same prefix
                add(prefix + (label,), -math.inf, blank_score + p)
            else:
                add(prefix + (label,), -math.inf, total + p)
    return grown


def _ranked(beams, count):
    """The `count` prefixes of highest total score, best first."""
    return sorted(beams.items(), key=lambda item: -_log_add(*item[1]))[:count]


def _beam_search(inputs, lengths, beam_width, top_paths, blank):
    log_probs = torch.log_softmax(inputs, dim=-1).detach().cpu().double().tolist()
    batch, time, _ = inputs.shape
    labels = torch.full((top_paths, batch, time), -1, dtype=torch.int32)
    scores = torch.full((batch, top_paths), -math.inf, dtype=torch.float64)
    for b, length in enumerate(lengths.tolist()):
        beams = {(): (-math.inf, -math.inf)}
        first = log_probs[b][0]
        for label in sorted(range(len(first)), key=lambda c: -first[c])[:beam_width]:
            prefix = () if label == blank else (label,)
            old = beams.get(prefix, (-math.inf, -math.inf))
            new = (first[label], -math.inf) if label == blank else (-math.inf, first[label])
            beams[prefix] = (_log_add(old[0], new[0]), _log_add(old[1], new[1]))
        for t in range(1, int(length)):
            beams = dict(_ranked(_extend(beams, log_probs[b][t], blank), beam_width))
        for k, (prefix, pair) in enumerate(_ranked(beams, top_paths)):
            labels[k, b, : len(prefix)] = torch.tensor(prefix, dtype=torch.int32)
            scores[b, k] = _log_add(*pair)
    return labels.to(inputs.device), scores.to(inputs.dtype).to(inputs.device)


def ctc_decode(
    inputs,
    sequence_lengths,
    strategy="greedy",
    beam_width=100,
    top_paths=1,
    merge_repeated=True,
    mask_index=0,
):
    """Decodes CTC outputs.

    Args:
        inputs: `(batch, max_time, classes)` logits.
        sequence_lengths: `(batch,)` valid lengths.
        strategy: `"greedy"` (best class per step) or `"beam_search"` (prefix beam search).
        beam_width: Beams kept per step (beam search).
        top_paths: Paths returned (beam search; greedy returns one).
        merge_repeated: Whether greedy merges repeated labels (beam search always does).
        mask_index: The blank class.

    Returns: `(labels, scores)`, labels `(top_paths, batch, max_time)` int32 padded with -1.
    """
    inputs = convert.tensor(inputs)
    inputs = inputs.to(dtypes.to_torch(dtypes.result_type(inputs.dtype, "float32")))
    lengths = convert.tensor(sequence_lengths, "int32", inputs.device)
    if strategy == "greedy":
        return _greedy(inputs, lengths, merge_repeated, mask_index)
    if strategy == "beam_search":
        return _beam_search(inputs, lengths, beam_width, top_paths, mask_index)
    raise ValueError(
        f"`ctc_decode`: strategy must be 'greedy' or 'beam_search', got strategy={strategy!r}."
    )
