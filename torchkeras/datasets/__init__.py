"""`keras.datasets`: Keras' datasets read from Keras' cache (`~/.keras/datasets`), fetched and
verified when missing, plus `digits`, a small real dataset shipped in the package."""

from torchkeras.datasets import (
    boston_housing,
    california_housing,
    cifar10,
    cifar100,
    digits,
    fashion_mnist,
    imdb,
    mnist,
    reuters,
)

__all__ = [
    "boston_housing",
    "california_housing",
    "cifar10",
    "cifar100",
    "digits",
    "fashion_mnist",
    "imdb",
    "mnist",
    "reuters",
]
