"""Floor 6: models and their training loop."""
from deepbasics.models.functional import Functional
from deepbasics.models.model import Model
from deepbasics.models.sequential import Sequential

__all__ = ["Functional", "Model", "Sequential"]
