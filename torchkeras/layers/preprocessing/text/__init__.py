"""Text preprocessing layers: TextVectorization."""

from torchkeras.layers.preprocessing.text.text_vectorization import TextVectorization

__all__ = ["TextVectorization"]
