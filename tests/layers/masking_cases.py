"""Layer cases of the masking family (see layer_case.py for the fields)."""

CASES = []
