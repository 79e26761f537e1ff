"""Floor 2: reverse-mode automatic differentiation."""
from deepbasics.autodiff.function import Function
from deepbasics.autodiff.gradcheck import gradcheck
from deepbasics.autodiff.graph import backward, unbroadcast
from deepbasics.autodiff.mode import is_grad_enabled, no_grad
from deepbasics.autodiff.tensor import Tensor
from deepbasics.autodiff.variable import Variable

__all__ = ["Function", "Tensor", "Variable", "backward", "gradcheck", "is_grad_enabled", "no_grad", "unbroadcast"]
