"""Name -> class/function registries, one per family, with Keras' `get` rules and "did you mean"."""

import difflib
import inspect


class Registry:
    """A closed table of the objects of one family (layers, losses, activations ...).

    Lookups never import anything: a name resolves only to what was registered here or what the
    caller passes in `custom_objects`. That is what makes loading a file safe.

    Args:
        family: Singular noun used in error messages, e.g. `"activation"`.
        module: Keras module written in configs, e.g. `"keras.activations"`.
        ignore_case: Whether string lookups ignore case (Keras does so for optimizers).
    """

    def __init__(self, family, module, ignore_case=False):
        self.family = family
        self.module = module
        self.ignore_case = ignore_case
        self._entries = {}

    def _key(self, name):
        return name.lower() if self.ignore_case else name

    def register(self, *aliases):
        """Decorator recording an object under its `__name__` and each alias; refuses duplicates."""

        def decorate(obj):
            for name in (obj.__name__, *aliases):
                key = self._key(name)
                if key in self._entries and self._entries[key] is not obj:
                    raise ValueError(f"The {self.family} name {name!r} is already registered.")
                self._entries[key] = obj
            return obj

        return decorate

    def names(self):
        """All registered names, sorted."""
        return sorted(self._entries)

    def __contains__(self, name):
        return isinstance(name, str) and self._key(name) in self._entries

    def lookup(self, name, custom_objects=None):
        """Returns the object registered as `name`, or raises ValueError naming the closest names.

        Objects passed in `custom_objects`, registered with `register_keras_serializable` or
        given to an enclosing `CustomObjectScope` come first.
        """
        extra = merged_custom_objects(custom_objects)
        if name in extra:
            return extra[name]
        key = self._key(name)
        if key in self._entries:
            return self._entries[key]
        candidates = list(self._entries) + list(extra)
        close = difflib.get_close_matches(key, candidates, n=3, cutoff=0.6)
        hint = f" Did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise ValueError(f"Unknown {self.family} {name!r}.{hint}")

    def get(self, identifier, custom_objects=None):
        """Resolves `None | str | config dict | class | instance | callable` as Keras' `*.get`.

        Classes looked up by name are instantiated with no arguments; functions are returned.
        """
        if identifier is None:
            return None
        if isinstance(identifier, str):
            obj = self.lookup(identifier, custom_objects)
            return obj() if inspect.isclass(obj) else obj
        if isinstance(identifier, dict):
            return self.from_config(identifier, custom_objects)
        if inspect.isclass(identifier):
            return identifier()
        if callable(identifier):
            return identifier
        raise ValueError(
            f"Could not interpret {self.family} identifier: {identifier!r}. Expected a name, "
            "a config dict, a class, an instance or a callable."
        )

    def from_config(self, config, custom_objects=None):
        """Builds an object from Keras' `{"class_name": ..., "config": {...}}` form."""
        if "class_name" not in config:
            raise ValueError(
                f"A {self.family} config must have a 'class_name' key, got keys {sorted(config)}."
            )
        obj = self.lookup(config["class_name"], custom_objects)
        inner = config.get("config")
        if not inspect.isclass(obj):
            return obj
        if hasattr(obj, "from_config"):
            return obj.from_config(inner or {})
        return obj(**(inner or {}))

    def serialize(self, obj):
        """Keras' config form: a registered function's name, or a `{"module", "class_name" ...}` dict."""
        if obj is None:
            return None
        if not hasattr(obj, "get_config"):
            name = getattr(obj, "__name__", None)
            if name is None:
                raise ValueError(f"Cannot serialize {self.family} {obj!r}: it has no name.")
            return name
        cls = type(obj)
        if cls.__name__ in self and self.lookup(cls.__name__) is cls:
            module, registered = self.module, None
        else:  # a custom class: Keras writes its own module and registered name
            module = None if cls.__module__ == "__main__" else cls.__module__
            registered = registered_name(cls)
        return {
            "module": module,
            "class_name": cls.__name__,
            "config": obj.get_config(),
            "registered_name": registered,
        }


LAYERS = Registry("layer", "keras.layers")
ACTIVATIONS = Registry("activation", "keras.activations")
INITIALIZERS = Registry("initializer", "keras.initializers")
REGULARIZERS = Registry("regularizer", "keras.regularizers")
CONSTRAINTS = Registry("constraint", "keras.constraints")
LOSSES = Registry("loss", "keras.losses")
METRICS = Registry("metric", "keras.metrics")
OPTIMIZERS = Registry("optimizer", "keras.optimizers", ignore_case=True)
CALLBACKS = Registry("callback", "keras.callbacks")


# Custom objects: registered once (`register_keras_serializable`) or for a scope (`CustomObjectScope`).
GLOBAL_CUSTOM_OBJECTS = {}
_custom_object_scopes = []


def registered_name(obj):
    """`"package>Name"` for an object registered as serializable, else its `__name__`."""
    name = getattr(obj, "_registered_name", None)
    if name and custom_object(name) is obj:
        return name
    return getattr(obj, "__name__", type(obj).__name__)


def register_custom_object(name, obj):
    """Makes `obj` resolvable as `name` in every family's lookups."""
    GLOBAL_CUSTOM_OBJECTS[name] = obj


def custom_object(name):
    """The globally registered object named `name`, or None."""
    return GLOBAL_CUSTOM_OBJECTS.get(name)


def merged_custom_objects(extra=None):
    """Registered objects, then those of the active scopes, then `extra` (later ones win)."""
    merged = dict(GLOBAL_CUSTOM_OBJECTS)
    for scope in _custom_object_scopes:
        merged.update(scope)
    merged.update(extra or {})
    return merged


def push_custom_objects(objects):
    """Opens a scope in which `objects` resolve by name."""
    _custom_object_scopes.append(dict(objects or {}))


def pop_custom_objects():
    """Closes the innermost custom-object scope."""
    _custom_object_scopes.pop()


class CustomObjectsPushed:
    """Context manager: `objects` resolve by name inside (a no-op for None)."""

    def __init__(self, objects):
        self.objects = objects

    def __enter__(self):
        push_custom_objects(self.objects)

    def __exit__(self, *exc_info):
        pop_custom_objects()


_DESERIALIZING = [0]  # depth of `Deserializing` scopes


class Deserializing:
    """Context manager marking objects built from a config (a file's): they must not read files
    the config names (a vocabulary path could point anywhere on the machine)."""

    def __enter__(self):
        _DESERIALIZING[0] += 1

    def __exit__(self, *exc_info):
        _DESERIALIZING[0] -= 1


def in_deserialization():
    """Whether objects are being built from a config right now."""
    return _DESERIALIZING[0] > 0
