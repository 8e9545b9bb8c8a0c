"""Layer cases of the recurrent family (see layer_case.py for the fields)."""

CASES = []
