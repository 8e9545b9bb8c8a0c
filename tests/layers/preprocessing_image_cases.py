"""Layer cases of the preprocessing image family (see layer_case.py for the fields)."""

CASES = []
