"""Layer cases of the attention family (see layer_case.py for the fields)."""

CASES = []
