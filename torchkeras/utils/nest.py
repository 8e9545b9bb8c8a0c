"""Walking nested lists, tuples and dicts of tensors, the input structures Keras layers accept."""


def flatten(structure):
    """Leaves of a nested list/tuple/dict, depth first, dict values in key-insertion order."""
    if isinstance(structure, (list, tuple)):
        return [leaf for item in structure for leaf in flatten(item)]
    if isinstance(structure, dict):
        return [leaf for item in structure.values() for leaf in flatten(item)]
    return [structure]


def map_structure(fn, structure):
    """Applies `fn` to every leaf, keeping the list/tuple/dict structure."""
    if isinstance(structure, list):
        return [map_structure(fn, item) for item in structure]
    if isinstance(structure, tuple):
        return tuple(map_structure(fn, item) for item in structure)
    if isinstance(structure, dict):
        return {key: map_structure(fn, value) for key, value in structure.items()}
    return fn(structure)


def first_leaf(structure):
    """The first leaf of a nested structure, or None when it has none."""
    leaves = flatten(structure)
    return leaves[0] if leaves else None
