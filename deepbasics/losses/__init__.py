"""Floor 4: losses by Keras name, as classes (reduced, weighted) and functions (per sample).

>>> import numpy as np
>>> from deepbasics import losses
>>> float(losses.MeanSquaredError()(np.array([[0.0, 1.0]]), np.array([[1.0, 1.0]])).numpy())
0.5
"""
from deepbasics.losses.crossentropy import BinaryCrossentropy, CategoricalCrossentropy, SparseCategoricalCrossentropy
from deepbasics.losses.hinge import CategoricalHinge, Hinge, SquaredHinge
from deepbasics.losses.loss import Loss, LossFunctionWrapper, per_sample
from deepbasics.losses.regression import (CosineSimilarity, Huber, KLDivergence, LogCosh, MeanAbsoluteError,
                                          MeanAbsolutePercentageError, MeanSquaredError,
                                          MeanSquaredLogarithmicError, Poisson)
from deepbasics.registry import resolve

_CLASSES = [CategoricalCrossentropy, SparseCategoricalCrossentropy, BinaryCrossentropy, MeanSquaredError,
            MeanAbsoluteError, MeanAbsolutePercentageError, MeanSquaredLogarithmicError, Huber, LogCosh,
            Poisson, KLDivergence, CosineSimilarity, Hinge, SquaredHinge, CategoricalHinge]

categorical_crossentropy = per_sample(CategoricalCrossentropy)
sparse_categorical_crossentropy = per_sample(SparseCategoricalCrossentropy)
binary_crossentropy = per_sample(BinaryCrossentropy)
mean_squared_error = mse = per_sample(MeanSquaredError)
mean_absolute_error = mae = per_sample(MeanAbsoluteError)
mean_absolute_percentage_error = mape = per_sample(MeanAbsolutePercentageError)
mean_squared_logarithmic_error = msle = per_sample(MeanSquaredLogarithmicError)
huber = per_sample(Huber)
log_cosh = logcosh = per_sample(LogCosh)
poisson = per_sample(Poisson)
kl_divergence = kld = per_sample(KLDivergence)
cosine_similarity = per_sample(CosineSimilarity)
hinge = per_sample(Hinge)
squared_hinge = per_sample(SquaredHinge)
categorical_hinge = per_sample(CategoricalHinge)

ALL_LOSSES = {cls.__name__: cls for cls in _CLASSES}
ALL_LOSSES.update({fn.__name__: fn.loss_class for fn in (
    categorical_crossentropy, sparse_categorical_crossentropy, binary_crossentropy, mean_squared_error,
    mean_absolute_error, mean_absolute_percentage_error, mean_squared_logarithmic_error, poisson,
    kl_divergence, cosine_similarity, hinge, squared_hinge, categorical_hinge)})
ALL_LOSSES.update({"mse": MeanSquaredError, "mae": MeanAbsoluteError, "mape": MeanAbsolutePercentageError,
                   "msle": MeanSquaredLogarithmicError, "huber": Huber, "huber_loss": Huber, "log_cosh": LogCosh,
                   "logcosh": LogCosh, "kld": KLDivergence, "kullback_leibler_divergence": KLDivergence})


def get(identifier):
    """A ``Loss`` from a Keras name, a config dict, a Loss class/instance, or a function."""
    if identifier is None:
        return None
    if isinstance(identifier, Loss):
        return identifier
    if hasattr(identifier, "loss_class"):
        return identifier.loss_class()
    if callable(identifier) and not isinstance(identifier, type):
        return LossFunctionWrapper(identifier)
    return resolve(identifier, "loss", ALL_LOSSES, base=Loss)


def serialize(loss):
    return {"class_name": type(loss).__name__, "config": loss.get_config()}
