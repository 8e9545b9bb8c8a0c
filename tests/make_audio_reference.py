"""Writes `audio_dataset_reference.npz`: real Keras 3.15.1 `audio_dataset_from_directory`
(TensorFlow backend) on `audio_tree.FILES`. Run with a Python that has TensorFlow:
`/work/tfvenv/bin/python tests/make_audio_reference.py`."""

import os
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import audio_tree
import keras


def main():
    arrays = {}
    with tempfile.TemporaryDirectory() as root:
        audio_tree.make_tree(root)
        for name, kwargs in audio_tree.CALLS:
            dataset = keras.utils.audio_dataset_from_directory(root, verbose=False, **kwargs)
            if dataset.class_names is not None:
                arrays[f"{name}/class_names"] = np.array(dataset.class_names)
            for index, batch in enumerate(dataset):
                parts = batch if isinstance(batch, tuple) else (batch,)
                for part, value in zip("xy", parts):
                    arrays[f"{name}/{part}{index}"] = np.asarray(value)
    target = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                          "audio_dataset_reference.npz")
    np.savez_compressed(target, **arrays)
    print(f"wrote {len(arrays)} arrays to {target}")


if __name__ == "__main__":
    main()
