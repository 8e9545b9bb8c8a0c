"""The Keras conformance suite: reference generators, comparisons and the report (not shipped)."""
