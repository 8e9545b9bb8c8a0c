"""keras.utils.Progbar: Keras' averaging rule and printed lines."""

import torchkeras as keras


def test_values_average_over_the_steps_they_cover(capsys):
    bar = keras.utils.Progbar(4, verbose=2, stateful_metrics=["lr"])
    bar.update(1, [("loss", 1.0), ("lr", 0.1)])
    bar.update(3, [("loss", 4.0), ("lr", 0.05)])  # covers 2 steps: (1 + 4*2) / 3
    assert bar._values["loss"] == [9.0, 3] and bar._values["lr"] == [0.05, 1]
    assert capsys.readouterr().out == ""
    bar.add(1, [("loss", 3.0)])
    line = capsys.readouterr().out.strip()
    assert line.startswith("4/4 - ") and line.endswith(" - loss: 3.0000 - lr: 0.0500")


def test_silent_and_unknown_target(capsys):
    keras.utils.Progbar(None, verbose=0).update(5, [("x", 1e-4)])
    assert capsys.readouterr().out == ""
    bar = keras.utils.Progbar(None, verbose=2)
    bar.update(3, [("x", 1e-4)], finalize=True)
    assert capsys.readouterr().out.strip().endswith("x: 1.0000e-04")
