"""Every test starts and ends with the default (float32) global policy, here and in Keras."""

import pytest
from live_keras import keras

import torchkeras


@pytest.fixture(autouse=True)
def default_policy():
    torchkeras.backend.clear_session(free_memory=False)  # resets the global policy, as Keras'
    if keras is not None:
        keras.backend.clear_session(free_memory=False)  # Keras' default names restart too, as ours do
        keras.config.set_dtype_policy("float32")
    yield
    torchkeras.backend.clear_session(free_memory=False)
    if keras is not None:
        keras.config.set_dtype_policy("float32")
