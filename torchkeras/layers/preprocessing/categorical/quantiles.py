"""Keras' approximate quantile summaries, used by `Discretization.adapt` (numpy, float32).

A summary is a `(2, k)` array: sorted partition values and the weight (count) each stands for.
"""

import numpy as np


def summarize(values, epsilon):
    """Every `len(values) * epsilon`-th sorted value (all of them when few), weighted by the step."""
    values = np.sort(np.reshape(values, [-1]))
    step = max(np.size(values) * epsilon, 1)
    boundaries = values[int(step - 1) :: int(step)]
    return np.stack([boundaries, np.ones_like(boundaries) * step])


def merge_summaries(previous, current, epsilon):
    """The union of two summaries, sorted by value and compressed to `epsilon`."""
    merged = np.concatenate((previous, current), axis=1)
    merged = np.take(merged, np.argsort(merged[0]), axis=1)
    return compress_summary(merged, epsilon)


def compress_summary(summary, epsilon):
    """Interpolates the summary at the cumulative-weight fractions `epsilon, 2 epsilon, ..., 1`."""
    if summary.shape[1] * epsilon < 1:
        return summary
    percents = epsilon + np.arange(0.0, 1.0, epsilon)
    cum_weights = summary[1].cumsum()
    cum_fractions = cum_weights / cum_weights[-1]
    new_bins = np.interp(percents, cum_fractions, summary[0])
    cum_weights = np.interp(percents, cum_fractions, cum_weights)
    new_weights = cum_weights - np.concatenate((np.array([0]), cum_weights[:-1]))
    return np.stack((new_bins, new_weights)).astype("float32")


def bin_boundaries(summary, num_bins):
    """The `num_bins - 1` inner boundaries of equal-weight bins."""
    return compress_summary(summary, 1.0 / num_bins)[0, :-1]
