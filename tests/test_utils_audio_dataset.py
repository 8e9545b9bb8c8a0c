"""`audio_dataset_from_directory` and `decode_wav`, against real Keras + TensorFlow output.

`audio_dataset_reference.npz` holds Keras 3.15.1's batches (TensorFlow backend) for
`audio_tree.CALLS` on `audio_tree.FILES`; regenerate it with
`/work/tfvenv/bin/python tests/make_audio_reference.py`.
"""

import os
import sys
import wave

import numpy as np
import pytest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # audio_tree

import audio_tree

import torchkeras as keras
from torchkeras.utils import audio_dataset_from_directory
from torchkeras.utils.audio_dataset import decode_wav

_REFERENCE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "audio_dataset_reference.npz")
_SHUFFLED = {"seeded", "validation"}  # Keras' tf.data also reshuffles the first pass


@pytest.fixture
def tree(tmp_path):
    return audio_tree.make_tree(str(tmp_path))


def _write(path, width, channels, values, rate=8000):
    values = np.asarray(values).reshape(-1, channels)
    if width == 1:
        raw = values.astype(np.uint8).tobytes()
    elif width == 3:
        raw = b"".join(int(v).to_bytes(3, "little", signed=True) for v in values.ravel())
    else:
        raw = values.astype({2: "<i2", 4: "<i4"}[width]).tobytes()
    with wave.open(str(path), "wb") as file:
        file.setnchannels(channels)
        file.setsampwidth(width)
        file.setframerate(rate)
        file.writeframes(raw)


def _batches(dataset):
    batches = [dataset[i] for i in range(len(dataset))]
    return [batch if isinstance(batch, tuple) else (batch,) for batch in batches]


def _unpadded(parts):
    """Sorted (audio, label) of every sample, padding stripped: an order-free view (the zeros
    a padded batch adds depend on the sample's batch mates)."""
    rows = []
    for batch in parts:
        for index in range(len(batch[0])):
            audio = np.asarray(batch[0][index])
            while audio.shape[1] > 1 and not audio[:, -1].any():
                audio = audio[:, :-1]
            while len(audio) and not audio[-1].any():
                audio = audio[:-1]
            label = np.asarray(batch[1][index]).tobytes() if len(batch) > 1 else b""
            rows.append((audio.shape, audio.tobytes(), label))
    return sorted(rows)


# ---- decoding --------------------------------------------------------------------------------
@pytest.mark.parametrize("width, values, expected", [
    (1, [0, 128, 255, 64], [-1.0, 0.0, 127 / 128, -0.5]),
    (2, [-32768, 0, 32767, 16384], [-1.0, 0.0, 32767 / 32768, 0.5]),
    (3, [-2**23, 0, 2**23 - 1, 2**22], [-1.0, 0.0, (2**23 - 1) / 2**23, 0.5]),
    (4, [-2**31, 0, 2**31 - 1, 2**30], [-1.0, 0.0, (2**31 - 1) / 2**31, 0.5]),
])
@pytest.mark.parametrize("channels", [1, 2])
def test_decode_pcm_widths(tmp_path, width, values, expected, channels):
    path = tmp_path / "x.wav"
    _write(path, width, channels, values * channels)
    audio, rate = decode_wav(path)
    assert rate == 8000 and audio.dtype == np.float32
    np.testing.assert_array_equal(audio, np.float32(expected * channels).reshape(-1, channels))


def test_decode_desired_samples_truncates_or_pads(tmp_path):
    path = tmp_path / "x.wav"
    _write(path, 2, 2, [1, 2, 3, 4, 5, 6])
    audio, _ = decode_wav(path, 2)
    np.testing.assert_array_equal(audio * 32768, [[1, 2], [3, 4]])
    audio, _ = decode_wav(path, 5)
    np.testing.assert_array_equal(audio * 32768, [[1, 2], [3, 4], [5, 6], [0, 0], [0, 0]])
    assert decode_wav(path, 0)[0].shape == (0, 2)


def test_decode_refuses_non_pcm(tmp_path):
    path = tmp_path / "bad.wav"
    path.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    with pytest.raises(ValueError, match="Cannot decode .*bad.wav"):
        decode_wav(path)


# ---- against Keras ---------------------------------------------------------------------------
@pytest.mark.parametrize("name, kwargs", audio_tree.CALLS, ids=[c[0] for c in audio_tree.CALLS])
def test_batches_match_keras(tree, name, kwargs):
    reference = np.load(_REFERENCE)
    dataset = audio_dataset_from_directory(tree, verbose=False, **kwargs)
    ours = _batches(dataset)
    theirs = []
    while f"{name}/x{len(theirs)}" in reference:
        index = len(theirs)
        parts = [reference[f"{name}/x{index}"]]
        if f"{name}/y{index}" in reference:
            parts.append(reference[f"{name}/y{index}"])
        theirs.append(tuple(parts))
    assert len(ours) == len(theirs)
    if f"{name}/class_names" in reference:
        assert dataset.class_names == list(reference[f"{name}/class_names"])
    else:
        assert dataset.class_names is None
    if name in _SHUFFLED:
        assert _unpadded(ours) == _unpadded(theirs)
        return
    for mine, ref in zip(ours, theirs):
        assert len(mine) == len(ref)
        for a, b in zip(mine, ref):
            assert a.dtype == b.dtype and a.shape == b.shape
            np.testing.assert_array_equal(a, b)


# ---- behaviour -------------------------------------------------------------------------------
def test_dataset_attributes_and_padding(tree):
    dataset = audio_dataset_from_directory(tree, shuffle=False, batch_size=3, verbose=False)
    assert dataset.class_names == ["cat", "dog", "owl"]
    assert [os.path.relpath(p, tree) for p in dataset.file_paths] == [
        "cat/a.wav", "cat/b.wav", "dog/d.wav", "dog/e.wav", os.path.join("dog", "sub", "f.wav"),
        "owl/c.wav",
    ]
    audio, labels = dataset[0]
    assert audio.shape == (3, 6, 1) and labels.tolist() == [0, 0, 1]
    assert not audio[1, 3:].any()  # b.wav (3 samples) padded with zeros


def test_output_sequence_length_with_mixed_channels_is_refused(tree):
    dataset = audio_dataset_from_directory(tree, shuffle=False, batch_size=6, verbose=False,
                                           output_sequence_length=4)
    with pytest.raises(ValueError, match="different numbers of channels"):
        dataset[0]


def test_sampling_rate_checks(tree):
    for bad in (16000.0, "16000"):
        with pytest.raises(ValueError, match="`sampling_rate` should have an integer value"):
            audio_dataset_from_directory(tree, sampling_rate=bad)
    with pytest.raises(ValueError, match="`sampling_rate` should be higher than 0"):
        audio_dataset_from_directory(tree, sampling_rate=0)
    same = audio_dataset_from_directory(tree, sampling_rate=16000, verbose=False, shuffle=False)
    assert same[0][0].shape == (6, 8, 2)
    other = audio_dataset_from_directory(tree, sampling_rate=8000, verbose=False)
    with pytest.raises(ValueError, match="sampled at 16000 Hz, but sampling_rate=8000"):
        other[0]


def test_argument_errors(tree):
    with pytest.raises(ValueError, match="Cannot set both `ragged` and `output_sequence_length`"):
        audio_dataset_from_directory(tree, ragged=True, output_sequence_length=3)
    with pytest.raises(ValueError, match="ragged=True"):
        audio_dataset_from_directory(tree, ragged=True)
    with pytest.raises(ValueError, match="output_sequence_length"):
        audio_dataset_from_directory(tree, output_sequence_length=-2)
    with pytest.raises(ValueError, match="number of audio files"):
        audio_dataset_from_directory(tree, labels="bad")
    with pytest.raises(ValueError, match="`label_mode` argument must be one of"):
        audio_dataset_from_directory(tree, label_mode="sparse")
    with pytest.raises(ValueError, match="exactly 2 class_names"):
        audio_dataset_from_directory(tree, label_mode="binary", verbose=False)
    with pytest.raises(ValueError, match="must provide a `seed`"):
        audio_dataset_from_directory(tree, validation_split=0.5, subset="training")
    empty = os.path.join(tree, "owl", "empty")
    os.makedirs(empty)
    with pytest.raises(ValueError, match="No audio files found in directory"):
        audio_dataset_from_directory(empty, labels=None, verbose=False)


def test_subset_both_and_explicit_labels(tree):
    training, validation = audio_dataset_from_directory(
        tree, validation_split=0.5, subset="both", seed=1, batch_size=2, verbose=False
    )
    assert len(training.file_paths) == len(validation.file_paths) == 3
    assert not set(training.file_paths) & set(validation.file_paths)
    dataset = audio_dataset_from_directory(tree, labels=[5, 4, 3, 2, 1, 0], shuffle=False,
                                           batch_size=None, verbose=False)
    assert [int(dataset[i][1]) for i in range(6)] == [5, 4, 3, 2, 1, 0]


def test_fit_takes_the_dataset(tree):
    dataset = audio_dataset_from_directory(tree, batch_size=2, output_sequence_length=8,
                                           class_names=["cat", "dog"], seed=0, verbose=False)
    model = keras.Sequential([
        keras.Input((8, 1)), keras.layers.Flatten(), keras.layers.Dense(2),
    ])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(dataset, epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(dataset, verbose=0).shape == (5, 2)
