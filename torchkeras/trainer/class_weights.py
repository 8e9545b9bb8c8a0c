"""`class_weight` on device: a lookup table of per-class weights, multiplied into each batch's
sample weights by tensor ops (no host read per step)."""

import torch

from torchkeras.trainer.data import unpack_x_y_sample_weight


def class_weight_table(class_weight, device):
    """`{class: weight}` as a lookup tensor (classes not listed weigh 1), or None."""
    if not class_weight:
        return None
    table = torch.ones(max(int(key) for key in class_weight) + 1, dtype=torch.float32)
    for key, value in class_weight.items():
        table[int(key)] = float(value)
    return table.to(device)


def class_sample_weights(y, table):
    """Per-sample weights `table[label]` for sparse or one-hot labels (tensor ops only)."""
    if table is None:
        return None
    labels = y.argmax(-1) if y.ndim > 1 and y.shape[-1] > 1 else y.reshape(y.shape[0], -1)[:, 0]
    return table[labels.long()]


def merge_weights(sample_weight, class_sample_weight):
    """Product of sample and class weights, either of which may be None."""
    if class_sample_weight is None:
        return sample_weight
    if sample_weight is None:
        return class_sample_weight
    return sample_weight * class_sample_weight


class ClassWeighted:
    """Wraps device batches so that `class_weight` multiplies each batch's sample weights."""

    def __init__(self, batches, table):
        self.batches, self.table = batches, table

    def __len__(self):
        return len(self.batches)

    def __iter__(self):
        for batch in self.batches:
            x, y, sample_weight = unpack_x_y_sample_weight(batch)
            weights = class_sample_weights(y, self.table)
            yield x, y, merge_weights(sample_weight, weights)
