"""`utils.timeseries_dataset_from_array` against Keras 3.15.1 (`timeseries.json`).

Every batch of every case of `compat/make_timeseries_references.py` must be identical: values,
shapes and dtypes. With `shuffle=True` Keras shuffles through `tf.data` and torchkeras with a
seeded shuffle of its own (documented in its docstring), so those cases compare the batch sizes
and the windows (with their targets) as a set, sorted, not their order.
"""

import json

import pytest

import torchkeras
from compat import make_timeseries_references as generator
from compat.record_compare import compare

PUBLIC = "utils.timeseries_dataset_from_array"


def _samples(batches):
    """Batch sizes, and every sample (its elements' values) of all batches, sorted."""
    sizes, samples = [], []
    for batch in batches:
        sizes.append(batch[0]["shape"][0])
        columns = [element["values"] for element in batch]
        samples.extend(json.dumps(list(sample)) for sample in zip(*columns))
    dtypes = [[element["dtype"] for element in batch] for batch in batches]
    return {"sizes": sizes, "dtypes": dtypes, "samples": sorted(samples)}


@pytest.mark.parametrize("case", sorted(generator.CASES))
def test_timeseries_dataset_from_array(case, references):
    expected = references("timeseries")["cases"][case]
    ours = json.loads(json.dumps(generator.timeseries_record(torchkeras, case)))
    if generator.CASES[case][1].get("shuffle"):
        compare(PUBLIC, case, "windows as a set", _samples(ours), _samples(expected), 0.0, 0.0)
        return
    compare(PUBLIC, case, "batches", ours, expected, rtol=0.0, atol=0.0)


def test_reference_is_current(references, live):
    refs = references("timeseries")
    if not live:
        assert refs["keras_version"] == "3.15.1"
    assert sorted(refs["cases"]) == sorted(generator.CASES)
