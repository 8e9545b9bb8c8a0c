"""Layer cases of the conv transpose separable family (see layer_case.py for the fields)."""

CASES = []
