"""Real Keras 3 on its torch backend when installed (else None), and the marker that needs it."""

import os

import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    import keras
except ImportError:
    keras = None

needs_keras = pytest.mark.skipif(keras is None, reason="real keras is not installed")
