"""Data sets with Keras's API: ``from deepbasics.datasets import mnist``."""

from deepbasics.datasets import mnist

__all__ = ["mnist"]
