"""Custom objects: `register_keras_serializable`, `CustomObjectScope` and the lookups behind them."""

import inspect

from torchkeras import registry


def register_keras_serializable(package="Custom", name=None):
    """Decorator making a class or function loadable by name as `"<package>><name>"`.

    Registered objects resolve in every config (layers, losses, initializers ...), so a model
    using them loads without `custom_objects`.
    """
    if "`" in package or ">" in package:
        raise ValueError(f"`package` may not contain '>' or '`', got package={package!r}.")

    def decorate(obj):
        registered = f"{package}>{name or obj.__name__}"
        if inspect.isclass(obj) and not hasattr(obj, "get_config"):
            raise ValueError(
                f"Cannot register {obj.__name__}: a class must define `get_config()` to be "
                "serializable."
            )
        registry.register_custom_object(registered, obj)
        obj._registered_name = registered
        return obj

    return decorate


def get_registered_name(obj):
    """`"package>name"` for a registered object, else its `__name__` (or class name)."""
    return registry.registered_name(obj)


def get_registered_object(name, custom_objects=None, module_objects=None):
    """The object registered (or passed in `custom_objects`) under `name`, or None."""
    for table in (custom_objects, registry.merged_custom_objects(), module_objects):
        if table and name in table:
            return table[name]
    return None


def get_custom_objects():
    """The global dict of registered custom objects (editable, as in Keras)."""
    return registry.GLOBAL_CUSTOM_OBJECTS


class CustomObjectScope:
    """Within this scope, configs may name the given objects (`with CustomObjectScope({...}):`)."""

    def __init__(self, *custom_objects):
        self.custom_objects = {}
        for objects in custom_objects:
            self.custom_objects.update(objects or {})

    def __enter__(self):
        registry.push_custom_objects(self.custom_objects)
        return self

    def __exit__(self, *exc_info):
        registry.pop_custom_objects()


custom_object_scope = CustomObjectScope
