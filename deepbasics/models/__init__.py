"""Floor 6: models and their training loop."""
from deepbasics.models.model import Model
from deepbasics.models.sequential import Sequential

__all__ = ["Model", "Sequential"]
