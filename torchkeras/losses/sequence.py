"""Connectionist temporal classification (CTC) loss for unaligned label sequences."""

import torch
import torch.nn.functional as F

from torchkeras.losses.loss import BuiltinLoss
from torchkeras.registry import LOSSES


@LOSSES.register()
def ctc(y_true, y_pred):
    """CTC loss per sequence, with label 0 as the blank and as padding (`F.ctc_loss`).

    Every prediction uses its full length; a label sequence's length is its count of non-zero
    entries, which must come first in the row.

    Args:
        y_true: Integer labels, `(batch, max_label_length)`, padded with 0.
        y_pred: Logits (not softmax outputs), `(batch, time, classes)`.

    Shapes: `(batch, max_label_length)`, `(batch, time, classes)` -> `(batch,)`.
    """
    y_pred = torch.as_tensor(y_pred)
    y_true = torch.as_tensor(y_true, device=y_pred.device)
    if y_true.ndim != 2:
        raise ValueError(
            "Targets `y_true` are expected to be a tensor of shape `(batch_size, max_length)` "
            f"in integer format. Received: y_true.shape={tuple(y_true.shape)}"
        )
    if y_pred.ndim != 3:
        raise ValueError(
            "Logits `y_pred` are expected to be a tensor of shape "
            f"`(batch_size, max_length, num_classes)`. Received: y_pred.shape={tuple(y_pred.shape)}"
        )
    if y_pred.dtype not in (torch.float32, torch.float64):
        y_pred = y_pred.float()  # as Keras: at least float32
    batch, time = y_pred.shape[0], y_pred.shape[1]
    log_probs = F.log_softmax(y_pred.transpose(0, 1), dim=-1)  # (time, batch, classes)
    targets = y_true.long()
    input_lengths = torch.full((batch,), time, dtype=torch.long, device=y_pred.device)
    target_lengths = (targets != 0).sum(dim=-1)
    return F.ctc_loss(
        log_probs, targets, input_lengths, target_lengths, blank=0, reduction="none"
    )


@LOSSES.register()
class CTC(BuiltinLoss):
    """CTC loss between padded integer label sequences and per-step logits.

    Args:
        reduction: As in `Loss`; `"sum_over_batch_size"` by default.
        name: Name of the loss instance.
        dtype: Compute dtype; floatx by default.
    """

    def __init__(self, reduction="sum_over_batch_size", name="ctc", dtype=None):
        super().__init__(ctc, reduction, name, dtype)
