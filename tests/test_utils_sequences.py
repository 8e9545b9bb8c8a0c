"""keras.utils.pad_sequences (against Keras) and timeseries_dataset_from_array (Keras' windows)."""

import os

import numpy as np
import pytest
import torch

import torchkeras as keras

os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    import keras as real_keras
except ImportError:
    real_keras = None

SEQUENCES = [[1, 2, 3], [4], [], [5, 6, 7, 8, 9]]


@pytest.mark.skipif(real_keras is None, reason="real keras is not installed")
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"maxlen": 2}, {"padding": "post"}, {"truncating": "post", "maxlen": 3},
     {"value": -1, "dtype": "float32"}],
)
def test_pad_sequences_matches_keras(kwargs):
    ours = keras.utils.pad_sequences(SEQUENCES, **kwargs)
    theirs = real_keras.utils.pad_sequences(SEQUENCES, **kwargs)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


def test_pad_sequences_of_vectors_and_strings():
    vectors = [np.ones((2, 3)), np.zeros((1, 3))]
    padded = keras.utils.pad_sequences(vectors, maxlen=3, dtype="float32")
    assert padded.shape == (2, 3, 3) and padded[1, :2].sum() == 0
    words = keras.utils.pad_sequences([["a", "bb"], ["c"]], dtype=object, value="")
    assert words.tolist() == [["a", "bb"], ["", "c"]]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: keras.utils.pad_sequences([[1], 2]), "non-iterable"),
        (lambda: keras.utils.pad_sequences([[1]], padding="middle"), "Padding type"),
        (lambda: keras.utils.pad_sequences([[1]], value="x"), "not compatible"),
        (lambda: keras.utils.pad_sequences([[[1, 2]], [[1, 2, 3]]]), "different from expected"),
    ],
)
def test_pad_sequences_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_timeseries_windows_follow_keras_example():
    data = np.arange(100)
    batches = list(keras.utils.timeseries_dataset_from_array(
        data[:-10], data[10:], sequence_length=10, batch_size=32))
    inputs, targets = batches[0]
    assert inputs.shape == (32, 10) and [len(b[0]) for b in batches] == [32, 32, 17]
    assert inputs[0].tolist() == list(range(10)) and int(targets[0]) == 10
    assert inputs[5].tolist() == list(range(5, 15)) and int(targets[5]) == 15


def test_timeseries_sampling_stride_and_index_range():
    data = np.arange(50, dtype="float32").reshape(50, 1)
    windows = keras.utils.timeseries_dataset_from_array(
        data, None, sequence_length=3, sampling_rate=2, sequence_stride=4, start_index=5,
        end_index=30, batch_size=None)
    first, second = windows[0], windows[1]
    assert first[:, 0].tolist() == [5.0, 7.0, 9.0] and second[:, 0].tolist() == [9.0, 11.0, 13.0]
    assert len(windows) == len(range(0, 30 - 5 - 4, 4))


def test_timeseries_dataset_trains_a_model_with_fit():
    keras.utils.set_random_seed(0)
    series = np.sin(np.arange(400) / 10).astype("float32")
    dataset = keras.utils.timeseries_dataset_from_array(
        series[:-5], series[5:], sequence_length=5, batch_size=64, shuffle=True, seed=1)
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(16, activation="tanh"),
                              keras.layers.Dense(1)])
    model.compile("adam", "mse")
    history = model.fit(dataset, epochs=10, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0] * 0.5


def test_timeseries_argument_errors():
    with pytest.raises(ValueError, match="sampling_rate"):
        keras.utils.timeseries_dataset_from_array(np.arange(10), None, 3, sampling_rate=0)
    with pytest.raises(ValueError, match="format"):
        keras.utils.timeseries_dataset_from_array(np.arange(10), None, 3, format="numpy")
    assert keras.utils.Sequence is keras.utils.PyDataset
    assert isinstance(torch.as_tensor(keras.utils.pad_sequences([[1]])), torch.Tensor)


@pytest.mark.skipif(real_keras is None, reason="real keras is not installed")
@pytest.mark.parametrize("sizes", [{"left_size": 0.8}, {"right_size": 3}, {"left_size": 4, "right_size": 0.6}])
def test_split_dataset_shuffled_matches_keras_torch_path(sizes):
    data = (np.arange(10).reshape(10, 1), np.arange(10) * 2)
    ours = keras.utils.split_dataset(data, shuffle=True, seed=3, **sizes)
    theirs = real_keras.utils.split_dataset(data, shuffle=True, seed=3, preferred_backend="torch",
                                            **sizes)
    for part, keras_part in zip(ours, theirs):
        assert [int(part[i][0][0]) for i in range(len(part))] == [
            int(keras_part[i][0][0]) for i in range(len(keras_part))]


def test_split_dataset_in_order_and_errors():
    left, right = keras.utils.split_dataset(np.arange(10), left_size=0.7)
    assert [int(left[i][0]) for i in range(len(left))] == list(range(7))
    assert len(right) == 3 and int(right[0][0]) == 7
    with pytest.raises(ValueError, match="At least one"):
        keras.utils.split_dataset(np.arange(4))
    with pytest.raises(ValueError, match="non-empty"):
        keras.utils.split_dataset(np.arange(4), left_size=0.9, right_size=0.3)
    with pytest.raises(TypeError, match="dataset"):
        keras.utils.split_dataset("abc", left_size=1)


def test_split_dataset_may_leave_samples_out():
    # Keras' torch path fails on this (its random_split needs the sizes to cover the data).
    left, right = keras.utils.split_dataset(np.arange(10), left_size=4, right_size=0.3,
                                            shuffle=True, seed=0)
    assert (len(left), len(right)) == (4, 3)
