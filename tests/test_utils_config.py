"""`keras.utils.Config`: each behaviour checked on torchkeras' class and on real Keras' alike."""

import copy
import importlib.util
import os
import pickle

import pytest

from torchkeras.utils import Config


def _classes():
    os.environ.setdefault("KERAS_BACKEND", "torch")
    keras = pytest.importorskip("keras") if _has_keras() else None
    return [Config] + ([keras.utils.Config] if keras is not None else [])


def _has_keras():
    return importlib.util.find_spec("keras") is not None


@pytest.fixture(params=_classes(), ids=lambda cls: cls.__module__.split(".")[0])
def config_class(request):
    return request.param


def test_attribute_and_item_access(config_class):
    config = config_class(learning_rate=0.1, momentum=0.9)
    config.use_ema = True
    config["seed"] = 123
    assert config.seed == 123 and config["use_ema"] is True
    assert config.learning_rate == 0.1 and config.get("momentum") == 0.9
    assert config.get("missing") is None and config.get("missing", 5) == 5
    assert "seed" in config and "nope" not in config and len(config) == 4
    assert list(config.keys()) == ["learning_rate", "momentum", "use_ema", "seed"]
    assert list(config.values()) == [0.1, 0.9, True, 123]
    assert list(config) == ["learning_rate", "momentum", "seed", "use_ema"]  # sorted
    assert dict(config.items()) == config.as_dict()
    assert repr(config) == "<Config {'learning_rate': 0.1, 'momentum': 0.9, 'use_ema': True, " \
        "'seed': 123}>"
    assert config.to_json() == (
        '{"learning_rate": 0.1, "momentum": 0.9, "use_ema": true, "seed": 123}'
    )


def test_as_dict_is_a_copy(config_class):
    config = config_class(a=[1])
    plain = config.as_dict()
    plain["b"] = 2
    assert "b" not in config
    assert plain["a"] is config.a  # shallow


def test_pop_update_delete(config_class):
    config = config_class(a=1, b=2)
    assert config.pop("a") == 1 and config.pop("a", None) is None
    with pytest.raises(KeyError):
        config.pop("a")
    assert config.update({"c": 3}, d=4) is None
    del config["b"]
    assert config.as_dict() == {"c": 3, "d": 4}
    with pytest.raises(KeyError):
        config["b"]


def test_frozen_refuses_every_change(config_class):
    config = config_class(a=1)
    assert not config.frozen
    config.freeze()
    assert config.frozen
    for change in (
        lambda: setattr(config, "b", 2),
        lambda: config.__setitem__("b", 2),
        lambda: config.pop("a"),
        lambda: config.update(b=2),
        lambda: config.__delitem__("a"),
    ):
        with pytest.raises(ValueError, match="Cannot mutate attribute\\(s\\) because the config"):
            change()
    assert config.as_dict() == {"a": 1} and config.get("a") == 1
    config.unfreeze()
    config.b = 2
    assert config.b == 2 and not config.frozen


def test_unknown_attribute_suggests_the_closest_name(config_class):
    config = config_class(learning_rate=0.1)
    with pytest.raises(AttributeError, match="Unknown attribute: 'learning_rat'. Did you mean "
                                             "'learning_rate'\\?"):
        _ = config.learning_rat
    with pytest.raises(AttributeError, match="^Unknown attribute: 'zzz'.$"):
        _ = config.zzz
    assert getattr(config, "zzz", "default") == "default"
    assert not hasattr(config, "zzz")


def test_member_names_stay_attributes(config_class):
    config = config_class(keys=1)  # an entry may be named like a method ...
    assert config["keys"] == 1 and callable(config.keys)
    config.items = "x"  # ... but setting a member name replaces the member, as in Keras
    assert config.items == "x" and "items" not in config


def test_copies_and_pickles(config_class):
    config = config_class(a=[1], b=2)
    config.freeze()
    for clone in (copy.copy(config), copy.deepcopy(config)):
        assert clone.as_dict() == config.as_dict() and clone.frozen
    if config_class is Config:
        again = pickle.loads(pickle.dumps(config))
        assert again.as_dict() == {"a": [1], "b": 2} and again.frozen
    assert config != config_class(a=[1], b=2)  # identity equality, as Keras'
