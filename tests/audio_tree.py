"""A small directory of 16-bit `.wav` files (numpy + `wave` only), shared by
`test_utils_audio_dataset.py` and `make_audio_reference.py` (which runs real Keras + TensorFlow)."""

import os
import wave

import numpy as np

# (class, file name, number of samples, channels); lengths and channels differ on purpose.
FILES = [
    ("cat", "a.wav", 6, 1),
    ("cat", "b.wav", 3, 1),
    ("owl", "c.wav", 8, 2),
    ("dog", "d.wav", 4, 1),
    ("dog", "e.wav", 7, 1),
    ("dog", "sub/f.wav", 5, 1),
    ("dog", "notes.txt", 0, 0),  # not audio: skipped
]

# (name, keyword arguments) of the calls compared with Keras.
CALLS = [
    ("sorted", {"shuffle": False, "batch_size": 3}),
    ("seeded", {"seed": 7, "batch_size": 2, "label_mode": "categorical"}),
    ("cut", {"shuffle": False, "batch_size": 4, "output_sequence_length": 5,
             "label_mode": "binary", "class_names": ["dog", "cat"]}),
    ("single", {"shuffle": False, "batch_size": None}),
    ("unlabelled", {"shuffle": False, "batch_size": 4, "labels": None}),
    ("validation", {"seed": 3, "batch_size": 2, "validation_split": 0.4, "subset": "validation"}),
]


def write_pcm16(path, samples, rate=16000):
    """Writes int16 `(frames, channels)` samples as a PCM WAV file."""
    samples = np.asarray(samples, dtype="<i2")
    with wave.open(path, "wb") as file:
        file.setnchannels(samples.shape[1])
        file.setsampwidth(2)
        file.setframerate(rate)
        file.writeframes(samples.tobytes())


def make_tree(root):
    """Writes `FILES` under `root`, with reproducible sample values; returns `root`."""
    rng = np.random.RandomState(1234)
    for label, name, length, channels in FILES:
        path = os.path.join(root, label, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if not name.endswith(".wav"):
            with open(path, "w", encoding="utf-8") as file:
                file.write("not audio")
            continue
        write_pcm16(path, rng.randint(-32768, 32768, size=(length, channels)))
    return root
