"""keras.utils.standardize_dtype and get_source_inputs (against Keras), interactive logging."""

import logging
import os

import numpy as np
import pytest
import torch

import torchkeras as keras
from torchkeras.layers.source_inputs import get_source_inputs
from torchkeras.utils import io_utils, progbar
from torchkeras.utils.dtype_utils import standardize_dtype

os.environ.setdefault("KERAS_BACKEND", "torch")
try:
    import keras as real_keras
except ImportError:  # real keras is optional here
    real_keras = None

DTYPES = [None, "float32", "int", int, float, bool, str, complex, np.float32, np.int64,
          np.dtype("uint8"), np.bool_, torch.float16, torch.bfloat16, torch.int64, torch.bool,
          torch.complex64, "string", "bfloat16", "float8_e4m3fn", "complex128", "uint16"]
BAD_DTYPES = ["float", "foo", "float128", np.str_, object]


@pytest.mark.skipif(real_keras is None, reason="real keras is not installed")
@pytest.mark.parametrize("dtype", DTYPES, ids=repr)
def test_standardize_dtype_matches_keras(dtype):
    assert standardize_dtype(dtype) == real_keras.utils.standardize_dtype(dtype)


@pytest.mark.parametrize("dtype", BAD_DTYPES, ids=repr)
def test_standardize_dtype_rejects_what_keras_rejects(dtype):
    with pytest.raises(ValueError, match="Invalid dtype"):
        standardize_dtype(dtype)


def test_standardize_dtype_follows_floatx():
    keras.config.set_floatx("float16")
    try:
        assert standardize_dtype(None) == "float16"
    finally:
        keras.config.set_floatx("float32")


def test_get_source_inputs():
    a, b = keras.Input((3,)), keras.Input((2,))
    hidden = keras.layers.Dense(2)(a)
    merged = keras.layers.Concatenate()([hidden, b, a])
    out = keras.layers.Dense(1)(merged)
    sources = get_source_inputs(out)
    assert len(sources) == 2 and sources[0] is a and sources[1] is b
    assert get_source_inputs(a) == [a]
    assert get_source_inputs(keras.ops.add(hidden, 1.0))[0] is a
    assert get_source_inputs(5) == 5  # not a symbolic tensor: returned unchanged, as Keras
    model = keras.Model([a, b], out)
    assert get_source_inputs(model.outputs[0])[1] is b


def test_progress_goes_to_logging_when_interactive_logging_is_off(capsys, caplog):
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    data = np.ones((4, 2), "float32"), np.ones((4, 1), "float32")
    keras.utils.disable_interactive_logging()
    assert not keras.utils.is_interactive_logging_enabled() and not progbar.interactive()
    with caplog.at_level(logging.INFO, logger="torchkeras"):
        model.fit(*data, epochs=1, verbose=2)
        keras.utils.Progbar(2, verbose=1).update(2, [("loss", 0.5)])
    assert capsys.readouterr().out == ""
    assert "Epoch 1/1" in caplog.text and "2/2 - " in caplog.text and "loss: 0.5000" in caplog.text
    keras.utils.enable_interactive_logging()
    model.fit(*data, epochs=1, verbose=2)
    assert "Epoch 1/1" in capsys.readouterr().out


def test_print_msg_survives_a_non_utf8_stdout(monkeypatch):
    class Ascii:
        encoding = "ascii"

        def __init__(self):
            self.parts = []

        def write(self, text):
            text.encode("ascii")
            self.parts.append(text)

        def flush(self):
            pass

    stream = Ascii()
    monkeypatch.setattr("sys.stdout", stream)
    io_utils.print_msg("4/4 ━━━━ é")
    assert stream.parts == ["4/4 ==== \n"]
