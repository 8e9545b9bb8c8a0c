"""plot_model / model_to_dot (built-in SVG, matplotlib raster, Graphviz DOT) and plot_history."""

import pytest

import torchkeras as keras
from torchkeras.models import plot_model as plot_model_module
from torchkeras.models import plotting


def news_model():
    """The seed's three-input, two-output model (a small version)."""
    title = keras.Input((8,), name="title")
    body = keras.Input((8,), name="text_body")
    tags = keras.Input((4,), name="tags")
    features = keras.layers.Concatenate()([title, body, tags])
    features = keras.layers.Dense(16, activation="relu")(features)
    priority = keras.layers.Dense(1, activation="sigmoid", name="priority")(features)
    department = keras.layers.Dense(3, activation="softmax", name="department")(features)
    return keras.Model([title, body, tags], [priority, department])


@pytest.fixture
def no_graphviz(monkeypatch):
    monkeypatch.setattr(plot_model_module.shutil, "which", lambda name: None)


def test_svg_shows_three_inputs_and_two_outputs(tmp_path, no_graphviz):
    path = tmp_path / "news.svg"
    keras.utils.plot_model(news_model(), str(path), show_shapes=True, show_layer_names=True,
                           show_layer_activations=True, show_trainable=True)
    svg = path.read_text()
    for text in ("title (InputLayer)", "text_body (InputLayer)", "tags (InputLayer)",
                 "priority (Dense)", "department (Dense)", "Output shape: (None, 3)",
                 "Activation: softmax", "Trainable"):
        assert text in svg
    assert svg.count("<rect") == 7 and svg.count("<line") == 6


def test_png_through_matplotlib(tmp_path, no_graphviz):
    pytest.importorskip("matplotlib")
    path = tmp_path / "news.png"
    keras.utils.plot_model(news_model(), str(path), rankdir="LR", dpi=50)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_raster_without_matplotlib_or_graphviz_says_what_to_do(tmp_path, no_graphviz, monkeypatch):
    def missing(*args):
        raise ImportError("no matplotlib")

    monkeypatch.setattr(plotting, "draw_with_matplotlib", missing)
    with pytest.raises(ImportError, match="model.svg"):
        keras.utils.plot_model(news_model(), str(tmp_path / "x.png"))
    assert not (tmp_path / "x.png").exists()


def test_dot_text_and_sequential():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, name="out")])
    dot = keras.utils.model_to_dot(model, show_shapes=True).to_string()
    assert 'n1 [label="out (Dense)\\nInput shape: (None, 3)\\nOutput shape: (None, 2)"]' in dot
    assert "n0 -> n1;" in dot


def test_models_without_a_graph_and_bad_rankdir_are_refused(tmp_path):
    class Subclassed(keras.Model):
        def call(self, x):
            return x

    with pytest.raises(ValueError, match="no layer graph"):
        keras.utils.plot_model(Subclassed(), str(tmp_path / "m.svg"))
    with pytest.raises(ValueError, match="rankdir"):
        keras.utils.plot_model(news_model(), str(tmp_path / "m.svg"), rankdir="BT")


def test_higher_level_utils_are_in_keras_utils():
    from torchkeras.utils import is_keras_tensor, plot_model, register_keras_serializable

    assert plot_model is keras.utils.plot_model and callable(register_keras_serializable)
    assert is_keras_tensor(keras.Input((2,))) and not is_keras_tensor(1.0)


def test_plot_history_draws_training_and_validation(tmp_path):
    pytest.importorskip("matplotlib")
    logs = {"loss": [1.0, 0.5], "val_loss": [1.2, 0.8], "accuracy": [0.5, 0.7],
            "val_accuracy": [0.4, 0.6]}
    figure = keras.utils.plot_history(logs, to_file=str(tmp_path / "history.png"))
    assert [axis.get_title() for axis in figure.axes] == ["loss", "accuracy"]
    assert len(figure.axes[0].lines) == 2
    assert (tmp_path / "history.png").read_bytes()[:4] == b"\x89PNG"
    with pytest.raises(ValueError, match="no logs for"):
        keras.utils.plot_history(logs, metrics=["auc"])
