"""Every test starts and ends with the default (float32) global policy, here and in Keras."""

import pytest
from live_keras import keras

from torchkeras.mixed_precision import policy


@pytest.fixture(autouse=True)
def default_policy():
    policy._GLOBAL[0] = None
    if keras is not None:
        keras.backend.clear_session(free_memory=False)  # Keras' default names restart too, as ours do
        keras.config.set_dtype_policy("float32")
    yield
    policy._GLOBAL[0] = None
    if keras is not None:
        keras.config.set_dtype_policy("float32")
