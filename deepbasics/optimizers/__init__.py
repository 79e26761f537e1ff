"""Floor 4: optimizers by Keras name (case-insensitive): ``get('sgd')`` is ``SGD()``."""
from deepbasics.optimizers import schedules
from deepbasics.optimizers.adagrad import Adadelta, Adagrad
from deepbasics.optimizers.adam import Adam, Adamax, AdamW, Nadam
from deepbasics.optimizers.optimizer import Optimizer
from deepbasics.optimizers.rmsprop import RMSprop
from deepbasics.optimizers.sgd import SGD
from deepbasics.registry import resolve

ALL_OPTIMIZERS = {cls.__name__: cls for cls in (SGD, RMSprop, Adagrad, Adadelta, Adam, AdamW, Adamax, Nadam)}


def get(identifier):
    """An optimizer from a name ('sgd'), a config dict, a class or an instance."""
    if isinstance(identifier, Optimizer):
        return identifier
    return resolve(identifier, "optimizer", ALL_OPTIMIZERS, base=Optimizer,
                   case_insensitive=True, extra=" or an Optimizer instance")


def serialize(optimizer):
    return {"class_name": type(optimizer).__name__, "config": optimizer.get_config()}


__all__ = ["Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "Nadam", "Optimizer", "RMSprop", "SGD", "get", "schedules", "serialize"]
