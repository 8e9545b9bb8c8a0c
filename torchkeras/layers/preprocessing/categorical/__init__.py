"""Categorical preprocessing layers: CategoryEncoding, Discretization, Hashing, IntegerLookup,
StringLookup."""

from torchkeras.layers.preprocessing.categorical.category_encoding import CategoryEncoding
from torchkeras.layers.preprocessing.categorical.discretization import Discretization
from torchkeras.layers.preprocessing.categorical.hashing import Hashing
from torchkeras.layers.preprocessing.categorical.integer_lookup import IntegerLookup
from torchkeras.layers.preprocessing.categorical.string_lookup import StringLookup

__all__ = ["CategoryEncoding", "Discretization", "Hashing", "IntegerLookup", "StringLookup"]
