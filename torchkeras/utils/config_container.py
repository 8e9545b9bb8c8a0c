"""`keras.utils.Config`: a dict of named values that also answers attribute access."""

import copy
import difflib
import json


class Config:
    """A dict-like container whose entries are also attributes, and which can be frozen.

    `Config(learning_rate=0.1)` then `config.momentum = 0.9` or `config["seed"] = 1` add
    entries; both spellings read them. The names of the class's own members (`keys`, `items`,
    `freeze`, `frozen`, ...) stay ordinary attributes. While `frozen`, any change (setting,
    `pop`, `update`, `del`) raises `ValueError`. As in Keras, iterating yields the keys sorted,
    while `keys()`, `values()`, `items()` and `to_json()` keep insertion order, and two configs
    compare equal only if they are the same object.

    Args:
        **kwargs: The initial entries.
    """

    def __init__(self, **kwargs):
        object.__setattr__(self, "_config", kwargs)
        object.__setattr__(self, "_frozen", False)
        object.__setattr__(self, "_reserved", frozenset(dir(self)))

    # ---- freezing --------------------------------------------------------------------------
    @property
    def frozen(self):
        """Whether the config refuses changes."""
        return self._frozen

    def freeze(self):
        """Refuses every later change until `unfreeze()`."""
        self._frozen = True

    def unfreeze(self):
        """Allows changes again."""
        self._frozen = False

    def _check_mutable(self):
        if self._frozen:
            raise ValueError("Cannot mutate attribute(s) because the config is frozen.")

    # ---- dict protocol ---------------------------------------------------------------------
    def as_dict(self):
        """A shallow copy of the entries as a plain dict."""
        return copy.copy(self._config)

    def to_json(self):
        """The entries as a JSON string (insertion order)."""
        return json.dumps(self._config)

    def keys(self):
        """The entry names, in insertion order."""
        return self._config.keys()

    def values(self):
        """The entry values, in insertion order."""
        return self._config.values()

    def items(self):
        """The `(name, value)` pairs, in insertion order."""
        return self._config.items()

    def get(self, keyname, value=None):
        """The entry `keyname`, or `value` when absent."""
        return self._config.get(keyname, value)

    def pop(self, *args):
        """Removes and returns an entry, as `dict.pop` (refused while frozen)."""
        self._check_mutable()
        return self._config.pop(*args)

    def update(self, *args, **kwargs):
        """Adds or replaces entries, as `dict.update` (refused while frozen)."""
        self._check_mutable()
        return self._config.update(*args, **kwargs)

    def __getitem__(self, key):
        return self._config[key]

    def __setitem__(self, key, item):
        self._check_mutable()
        self._config[key] = item

    def __delitem__(self, key):
        self._check_mutable()
        del self._config[key]

    def __contains__(self, item):
        return item in self._config

    def __len__(self):
        return len(self._config)

    def __iter__(self):
        return iter(sorted(self._config))

    # ---- attribute access ------------------------------------------------------------------
    def __setattr__(self, name, value):
        if name in self.__dict__.get("_reserved", ()):
            object.__setattr__(self, name, value)
            return
        self._check_mutable()
        self._config[name] = value

    def __getattr__(self, name):
        # Only reached when ordinary lookup fails.
        state = self.__dict__
        if "_reserved" not in state or name in state["_reserved"]:
            raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")
        if name in state["_config"]:
            return state["_config"][name]
        message = f"Unknown attribute: '{name}'."
        close = difflib.get_close_matches(name, state["_config"].keys(), n=1, cutoff=0.7)
        if close:
            message += f" Did you mean '{close[0]}'?"
        raise AttributeError(message)

    def __repr__(self):
        return f"<Config {self._config}>"
