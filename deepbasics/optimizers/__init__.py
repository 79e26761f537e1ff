"""Floor 4: optimizers by Keras name (case-insensitive): ``get('sgd')`` is ``SGD()``."""
from deepbasics.optimizers.optimizer import Optimizer
from deepbasics.optimizers.sgd import SGD
from deepbasics.registry import resolve

ALL_OPTIMIZERS = {"SGD": SGD}


def get(identifier):
    """An optimizer from a name ('sgd'), a config dict, a class or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    return resolve(identifier, "optimizer", ALL_OPTIMIZERS, base=Optimizer,
                   case_insensitive=True, extra=" or an Optimizer instance")


def serialize(optimizer):
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


__all__ = ["Optimizer", "SGD", "get", "serialize"]
