"""Argument checks of the lookup layers, Keras' rules with errors that name layer and argument."""

LOOKUP_OUTPUT_MODES = ("int", "one_hot", "multi_hot", "count", "tf_idf")


def _problem(args, is_string):
    max_tokens, mode = args["max_tokens"], args["output_mode"]
    if max_tokens is not None and max_tokens <= 1:
        return f"`max_tokens` must be greater than 1 when set, got max_tokens={max_tokens}"
    if args["pad_to_max_tokens"] and max_tokens is None:
        return "`pad_to_max_tokens=True` needs `max_tokens`, got max_tokens=None"
    if args["num_oov_indices"] < 0:
        return f"`num_oov_indices` must be >= 0, got num_oov_indices={args['num_oov_indices']}"
    if args["oov_method"] not in ("floormod", "farmhash"):
        return f"`oov_method` must be 'floormod' or 'farmhash', got {args['oov_method']!r}"
    if args["salt"] is not None and not is_string and args["oov_method"] != "farmhash":
        return f"`salt` needs oov_method='farmhash', got oov_method={args['oov_method']!r}"
    if mode not in LOOKUP_OUTPUT_MODES:
        return f"`output_mode` must be one of {LOOKUP_OUTPUT_MODES}, got output_mode={mode!r}"
    if args["invert"] and mode != "int":
        return f"`invert=True` needs output_mode='int', got output_mode={mode!r}"
    if args["sparse"]:
        return "`sparse=True` needs the TensorFlow backend; torch tensors are dense"
    if args["idf_weights"] is not None and mode != "tf_idf":
        return f"`idf_weights` must only be set with output_mode='tf_idf', got {mode!r}"
    if mode == "tf_idf" and args["vocabulary"] is not None and args["idf_weights"] is None:
        return "with output_mode='tf_idf', a `vocabulary` needs its `idf_weights` too"
    return None


def check_lookup_arguments(layer, args):
    """Raises Keras' `ValueError` for a bad argument of `layer`; returns the salt as a pair."""
    problem = _problem(args, layer._is_string)
    salt = args["salt"]
    if problem is None and salt is not None:
        if isinstance(salt, (tuple, list)) and len(salt) == 2:
            salt = list(salt)
        elif isinstance(salt, int):
            salt = [salt, salt]
        else:
            problem = f"`salt` must be an int or a pair of ints, got salt={salt!r}"
    if problem:
        raise ValueError(f"{type(layer).__name__} '{layer.name}': {problem}.")
    return salt
