"""Layer cases of the preprocessing text family (see layer_case.py for the fields)."""

CASES = []
