"""Circle loss: metric learning on L2-normalized embeddings with integer class labels."""

import torch
import torch.nn.functional as F

from torchkeras.losses.loss import BuiltinLoss
from torchkeras.registry import LOSSES


def _pair_masks(query_labels, key_labels, remove_diagonal):
    """`(positive, negative)` boolean masks of same-label and different-label pairs.

    Shapes: `(n,)` and `(m,)` labels -> two `(n, m)` masks; the diagonal is dropped from the
    positives when `remove_diagonal` (an embedding is not its own positive).
    """
    query_labels = query_labels.reshape(-1, 1)
    key_labels = key_labels.reshape(-1, 1)
    positive = query_labels == key_labels.T
    negative = ~positive
    if remove_diagonal:
        eye = torch.eye(
            query_labels.shape[0], key_labels.shape[0], dtype=torch.bool, device=positive.device
        )
        positive = positive & ~eye
    return positive, negative


@LOSSES.register()
def circle(
    y_true,
    y_pred,
    ref_labels=None,
    ref_embeddings=None,
    remove_diagonal=True,
    gamma=80,
    margin=0.4,
):
    """Circle loss (Sun et al., 2020): weighted log-sum-exp over positive and negative pairs.

    Pairwise cosine distances `max(1 - y_pred @ ref.T, 0)` are re-weighted by how far each pair
    is from its optimum; the loss is `softplus(lse(positives) + lse(negatives))` per query.
    Rows whose loss is 0 are masked out of the mean, as in Keras.

    Args:
        y_true: Integer labels of the queries, `(batch,)` or `(batch, 1)`.
        y_pred: L2-normalized query embeddings, `(batch, dim)`.
        ref_labels: Labels of the reference embeddings; `None` uses `y_true`.
        ref_embeddings: Reference embeddings, `(refs, dim)`; `None` uses `y_pred`.
        remove_diagonal: Whether a query is not its own positive.
        gamma: Scale factor of the similarities.
        margin: Relaxation margin; the optimum distances are `margin` and `1 - margin`.

    Shapes: `(batch,)`, `(batch, dim)` -> `(batch,)`.
    """
    y_pred = torch.as_tensor(y_pred)
    y_true = torch.as_tensor(y_true, device=y_pred.device).to(torch.int32)
    ref_embeddings = y_pred if ref_embeddings is None else torch.as_tensor(ref_embeddings)
    ref_labels = y_true if ref_labels is None else torch.as_tensor(ref_labels).to(torch.int32)
    distances = torch.clamp(1.0 - y_pred @ ref_embeddings.T, min=0.0)
    positive, negative = _pair_masks(y_true, ref_labels, remove_diagonal)
    positive_weights = torch.clamp((margin + distances) * positive.to(distances.dtype), min=0.0)
    negative_weights = torch.clamp(
        (1.0 + margin - distances) * negative.to(distances.dtype), min=0.0
    )
    positive_logits = -gamma * positive_weights * (margin - distances)
    negative_logits = gamma * negative_weights * ((1.0 - margin) - distances)
    positive_loss = torch.logsumexp(torch.where(positive, positive_logits, -torch.inf), dim=1)
    negative_loss = torch.logsumexp(torch.where(negative, negative_logits, -torch.inf), dim=1)
    losses = F.softplus(positive_loss + negative_loss)
    losses._keras_mask = losses > 0
    return losses


@LOSSES.register()
class Circle(BuiltinLoss):
    """Circle loss between integer labels and L2-normalized embeddings (metric learning).

    Args:
        gamma: Scale factor of the similarities.
        margin: Relaxation margin.
        remove_diagonal: Whether a sample is not its own positive.
        reduction: As in `Loss`; `"sum_over_batch_size"` by default.
        name: Name of the loss instance.
        dtype: Compute dtype; floatx by default.
    """

    def __init__(
        self,
        gamma=80.0,
        margin=0.4,
        remove_diagonal=True,
        reduction="sum_over_batch_size",
        name="circle",
        dtype=None,
    ):
        super().__init__(
            circle,
            reduction,
            name,
            dtype,
            gamma=gamma,
            margin=margin,
            remove_diagonal=remove_diagonal,
        )
