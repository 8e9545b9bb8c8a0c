"""`audio_dataset_from_directory`: labelled batches of float32 audio read from `.wav` files."""

import functools
import wave

import numpy as np

from torchkeras.utils.dataset_from_directory import (
    DirectoryDataset,
    check_labels_args,
    make_datasets,
)

ALLOWED_FORMATS = (".wav",)

# Full scale of each PCM sample width: a sample `s` decodes to `s / scale` in [-1, 1].
_SCALES = {1: 2.0**7, 2: 2.0**15, 3: 2.0**23, 4: 2.0**31}


def decode_wav(path, desired_samples=-1):
    """A PCM `.wav` file as float32 `(samples, channels)` in [-1, 1], and its sampling rate.

    16-bit samples decode exactly as TensorFlow's `tf.audio.decode_wav` (`s / 32768`), which
    reads nothing else; 8-bit (unsigned, `(s - 128) / 128`), 24-bit (`s / 2**23`) and 32-bit
    (`s / 2**31`) integer PCM are read the same way. `desired_samples >= 0` truncates or pads
    with zeros to that many samples, as TensorFlow's argument of the same name.

    Args:
        path: The `.wav` file.
        desired_samples: Number of samples to return; -1 keeps them all.

    Returns:
        `(audio, sampling_rate)`.

    Shapes: audio `(samples, channels)`.
    """
    try:
        with wave.open(str(path), "rb") as file:
            width, channels = file.getsampwidth(), file.getnchannels()
            rate, raw = file.getframerate(), file.readframes(file.getnframes())
    except (wave.Error, EOFError) as error:
        raise ValueError(f"Cannot decode '{path}' as an integer PCM WAV file: {error}") from None
    if width not in _SCALES:
        raise ValueError(
            f"Cannot decode '{path}': {8 * width}-bit samples; 8, 16, 24 and 32-bit PCM are "
            "supported."
        )
    samples = _pcm_to_int(raw, width).astype(np.float64)
    audio = ((samples - 128.0) if width == 1 else samples) / _SCALES[width]
    audio = audio.astype(np.float32).reshape(-1, channels)
    if desired_samples >= 0:
        audio = _fit_length(audio, desired_samples)
    return audio, rate


def _pcm_to_int(raw, width):
    """Little-endian PCM bytes as integers (8-bit stays unsigned, as WAV stores it)."""
    if width == 1:
        return np.frombuffer(raw, dtype=np.uint8)
    if width == 3:
        triples = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        value = triples[:, 0] | (triples[:, 1] << 8) | (triples[:, 2] << 16)
        return np.where(value >= 2**23, value - 2**24, value)
    return np.frombuffer(raw, dtype={2: "<i2", 4: "<i4"}[width])


def _fit_length(audio, length):
    if audio.shape[0] >= length:
        return audio[:length]
    return np.pad(audio, ((0, length - audio.shape[0]), (0, 0)))


def load_audio(path, sampling_rate, output_sequence_length):
    """One file's float32 `(samples, channels)` audio, checked against `sampling_rate`."""
    length = -1 if output_sequence_length is None else output_sequence_length
    audio, rate = decode_wav(path, length)
    if sampling_rate is not None and rate != sampling_rate:
        raise ValueError(
            f"audio_dataset_from_directory: '{path}' is sampled at {rate} Hz, but "
            f"sampling_rate={sampling_rate} was requested. Keras resamples with "
            "tensorflow-io, which torchkeras does not use: resample the files beforehand, or "
            "pass sampling_rate=None."
        )
    return audio


class AudioDataset(DirectoryDataset):
    """A `DirectoryDataset` of float32 audio: a batch is padded with zeros to its largest
    sample (Keras' `padded_batch`) unless `output_sequence_length` made them all equal."""

    def __init__(self, *args, pad=True):
        super().__init__(*args)
        self.pad = pad

    def stack(self, samples):
        shapes = {sample.shape for sample in samples}
        if len(shapes) == 1:
            return np.stack(samples)
        if not self.pad:
            raise ValueError(
                "audio_dataset_from_directory: the files of a batch have different numbers of "
                f"channels ({sorted(shape[1] for shape in shapes)}); they cannot be batched."
            )
        target = np.max([sample.shape for sample in samples], axis=0)
        return np.stack([
            np.pad(sample, [(0, int(size - have)) for size, have in zip(target, sample.shape)])
            for sample in samples
        ])


def check_audio_args(sampling_rate, output_sequence_length, ragged):
    """Keras' checks of `ragged`, `output_sequence_length` and `sampling_rate`."""
    if ragged and output_sequence_length is not None:
        raise ValueError("Cannot set both `ragged` and `output_sequence_length`")
    if sampling_rate is not None:
        if not isinstance(sampling_rate, int):
            raise ValueError(
                "`sampling_rate` should have an integer value. "
                f"Received: sampling_rate={sampling_rate}"
            )
        if sampling_rate <= 0:
            raise ValueError(
                f"`sampling_rate` should be higher than 0. Received: sampling_rate={sampling_rate}"
            )
    if ragged:
        raise ValueError(
            "audio_dataset_from_directory: `ragged=True` asks for tf.RaggedTensor batches, "
            "which torch has no equivalent of. Received: ragged=True; use ragged=False (batches "
            "padded with zeros to their longest file) or set `output_sequence_length`."
        )
    if output_sequence_length is not None and (
        not isinstance(output_sequence_length, int) or output_sequence_length < 0
    ):
        raise ValueError(
            "`output_sequence_length` should be a non-negative integer or None. Received: "
            f"output_sequence_length={output_sequence_length}"
        )


def audio_dataset_from_directory(
    directory,
    labels="inferred",
    label_mode="int",
    class_names=None,
    batch_size=32,
    sampling_rate=None,
    output_sequence_length=None,
    ragged=False,
    shuffle=True,
    seed=None,
    validation_split=None,
    subset=None,
    follow_links=False,
    verbose=True,
):
    """Batches of audio from the `.wav` files under `directory`, labelled by sub-directory.

    Keras returns a `tf.data.Dataset` and needs TensorFlow; this returns a `PyDataset` of numpy
    batches `(audio, labels)` (audio alone without labels) that `fit`, `evaluate` and `predict`
    take, with `class_names` and `file_paths`. Files, labels, order and split are Keras'.
    Decoding is `tf.audio.decode_wav`'s for 16-bit PCM, and 8, 24 and 32-bit PCM are read too
    (TensorFlow refuses them). Without `output_sequence_length` a batch is zero-padded to its
    longest file. Unlike Keras, `ragged=True` is refused (torch has no ragged tensors) and
    `sampling_rate` is checked against each file's rate instead of resampling with
    tensorflow-io.

    Args:
        directory: Root directory; with `labels="inferred"`, one sub-directory per class.
        labels: `"inferred"`, None, or a list of integer labels in the files' sorted order.
        label_mode: `"int"` (int32 `(batch,)`), `"categorical"` (float32 one-hot),
            `"binary"` (float32 `(batch, 1)`, two classes) or None (no labels).
        class_names: With `"inferred"`, the sub-directories to use, in label order.
        batch_size: Files per batch; None yields single files.
        sampling_rate: Expected sampling rate of every file (a positive int), or None.
        output_sequence_length: Truncate or zero-pad every file to this many samples.
        ragged: Must be False (see above).
        shuffle: Shuffle the files (else alphanumeric order).
        seed: Seed of the shuffle (required with `validation_split` and `shuffle`).
        validation_split: Fraction of the files kept for validation (the last ones).
        subset: `"training"`, `"validation"` or `"both"` (a list of the two datasets).
        follow_links: Walk into symbolically linked sub-directories.
        verbose: Print how many files and classes were found.

    Returns:
        A `PyDataset`, or a list `[training, validation]` with `subset="both"`.

    Shapes: audio `(batch, samples, channels)` float32 in [-1, 1].
    """
    check_labels_args(labels, label_mode, class_names, "tf", "audio")
    check_audio_args(sampling_rate, output_sequence_length, ragged)
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    load = functools.partial(
        load_audio, sampling_rate=sampling_rate, output_sequence_length=output_sequence_length
    )
    dataset_class = functools.partial(AudioDataset, pad=output_sequence_length is None)
    return make_datasets(
        directory, labels, label_mode, class_names, ALLOWED_FORMATS, load, batch_size, shuffle,
        seed, validation_split, subset, follow_links, verbose, "audio files",
        dataset_class=dataset_class,
    )
