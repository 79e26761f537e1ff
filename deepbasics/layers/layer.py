"""``Layer``: weights created from the first input's shape, then ``call(x, training)``."""
import functools
import inspect

import numpy as np

from deepbasics import backend, constraints, initializers, regularizers
from deepbasics.autodiff import Tensor, Variable
from deepbasics.layers.symbolic import is_symbolic, symbolic_call
from deepbasics.registry import snake_case

class Layer:
    """Base of every layer.

    ``_single_input = True`` on a layer class that takes exactly one tensor, so that a list
    (an RNN's ``[output, *states]``) is refused by name instead of failing inside ``build``.

    Subclasses write ``build(input_shape)`` (create weights with ``add_weight``),
    ``call(x, training=None)`` (the forward pass on ``Tensor``s) and
    ``compute_output_shape(input_shape)``; ``get_config`` returns the constructor arguments.
    """

    _single_input = False

    def __init__(self, trainable=True, name=None, dtype=None, input_shape=None, input_dim=None,
                 batch_input_shape=None, batch_size=None, activity_regularizer=None, **kwargs):
        if kwargs:
            raise TypeError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: {kwargs}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"`name` must be a string, received name={name!r}")
        self.name = name or backend.unique_name(snake_case(type(self).__name__))
        self.dtype = np.dtype(dtype or backend.floatx()).name
        self.trainable = trainable
        self.built = False
        self._weights = []
        self._penalties = []  # (variable, regularizer) pairs
        self.activity_regularizer = regularizers.get(activity_regularizer)
        self._activity_losses = []
        self._input_shape = None
        self._output_shape = None
        self._batch_input_shape = _batch_shape(input_shape, input_dim, batch_input_shape, batch_size)
        self._call_takes_training = "training" in inspect.signature(self.call).parameters

    # -- weights -----------------------------------------------------------------------------
    def add_weight(self, shape, initializer="glorot_uniform", dtype=None, trainable=True, name=None,
                   regularizer=None, constraint=None):
        """Create a weight; its ``regularizer`` penalty joins ``losses``, its ``constraint`` is
        applied after every optimizer step."""
        init = initializers.get(initializer)
        var = Variable(init, shape=tuple(shape), dtype=dtype or self.dtype, trainable=trainable,
                       name=f"{self.name}/{name}" if name else self.name)
        var.constraint = constraints.get(constraint)
        if regularizer is not None:
            self._penalties.append((var, regularizers.get(regularizer)))
        self._weights.append(var)
        return var

    @property
    def losses(self):
        """The penalties to add to the training loss: weight regularizers (recomputed on each
        access, so they follow the weights) and the activity penalty of the last call."""
        return [reg(var) for var, reg in self._penalties] + list(self._activity_losses)

    @property
    def has_penalties(self):
        return bool(self._penalties) or self.activity_regularizer is not None

    @property
    def weights(self):
        """Trainable weights first, then the others, like Keras."""
        return self.trainable_weights + self.non_trainable_weights

    @property
    def trainable_weights(self):
        return [w for w in self._weights if w.trainable] if self.trainable else []

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return list(self._weights)
        return [w for w in self._weights if not w.trainable]

    def get_weights(self):
        """Copies of the weights as NumPy arrays."""
        return [w.data.copy() for w in self.weights]

    def set_weights(self, weights):
        """Write a list of arrays into the weights (count and shapes must match; all or nothing)."""
        mine = self.weights
        if len(weights) != len(mine):
            raise ValueError(
                f"Layer {self.name!r} expects {len(mine)} weight arrays, received {len(weights)}.")
        arrays = [np.asarray(a) for a in weights]
        for a, w in zip(arrays, mine):
            if a.shape != w.shape:
                raise ValueError(
                    f"Layer {self.name!r} weight {w.name!r} has shape {w.shape}, received {a.shape}.")
        for a, w in zip(arrays, mine):
            w.assign(a)

    def count_params(self):
        return int(sum(w.data.size for w in self._weights))

    # -- building and calling --------------------------------------------------------------------
    def build(self, input_shape):
        self.built = True

    def __init_subclass__(cls, **kwargs):
        """A subclass's ``build`` marks the layer built, so calling ``build()`` by hand (as Keras
        users do) does not make the first call build again with fresh weights."""
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("build")
        if own is not None and not getattr(own, "_marks_built", False):
            @functools.wraps(own)
            def build(self, *args, **kwargs):
                result = own(self, *args, **kwargs)
                self.built = True
                shape = args[0] if args else kwargs.get("input_shape")
                if shape is not None and self._output_shape is None:
                    shape = _as_shape(shape)
                    self._input_shape, self._output_shape = shape, self.compute_output_shape(shape)
                return result

            build._marks_built = True
            cls.build = build

    def _maybe_build(self, input_shape):
        if not self.built:
            shape = _as_shape(input_shape)
            if self._single_input and _is_shape_list(shape):
                raise ValueError(
                    f"Layer {self.name!r} ({type(self).__name__}) takes one tensor, received a list of "
                    f"{len(shape)} with shapes {shape}. A recurrent layer with return_state=True returns "
                    "[output, *states]: unpack it (`output, *states = LSTM(..., return_state=True)(x)`) "
                    "and pass `output` on; to join tensors, use a merge layer such as Concatenate.")
            self._input_shape = shape
            self.build(shape)
            self.built = True
            self._output_shape = self.compute_output_shape(shape)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape)

    def call(self, x, training=None):
        raise NotImplementedError

    def __call__(self, x, training=None):
        if type(x) is not Tensor and is_symbolic(x):
            return symbolic_call(self, x)  # the functional API: shapes only
        if isinstance(x, (list, tuple)):
            x = [_as_tensor(t, self.dtype) for t in x]
            if not self.built:
                self._maybe_build([(None,) + tuple(t.shape[1:]) for t in x])
        else:
            if type(x) is not Tensor:
                x = _as_tensor(x, self.dtype)
            if not self.built:
                self._maybe_build((None,) + tuple(x.shape[1:]))
        out = self.call(x, training=training) if self._call_takes_training else self.call(x)
        if self.activity_regularizer is not None:
            self._activity_losses = [self.activity_regularizer(out)]
        return out

    @property
    def output_shape(self):
        if self._output_shape is None:
            raise AttributeError(f"Layer {self.name!r} has not been built yet: it has no output shape.")
        return self._output_shape

    @property
    def input_shape(self):
        if self._input_shape is None:
            raise AttributeError(f"Layer {self.name!r} has not been built yet: it has no input shape.")
        return self._input_shape

    # -- config --------------------------------------------------------------------------------
    def get_config(self):
        config = {"name": self.name, "trainable": self.trainable, "dtype": self.dtype}
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = regularizers.serialize(self.activity_regularizer)
        if self._batch_input_shape is not None:
            config["batch_input_shape"] = self._batch_input_shape
        return config

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __repr__(self):
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


def _as_tensor(x, dtype):
    if isinstance(x, Tensor):
        return x
    arr = np.asarray(x)
    return Tensor(arr.astype(dtype) if arr.dtype.kind in "fiub" else arr)


def _as_shape(shape):
    """One shape as a tuple, or a merge layer's list of shapes as a list of tuples."""
    return [tuple(s) for s in shape] if _is_shape_list(shape) else tuple(shape)


def _is_shape_list(shape):
    """A list of shapes (a merge layer's input), not one shape."""
    return isinstance(shape, list) and len(shape) > 0 and isinstance(shape[0], (tuple, list))


def _batch_shape(input_shape, input_dim, batch_input_shape, batch_size):
    """The (None, ...) shape a first layer declares through Keras 2's arguments, or None."""
    if batch_input_shape is not None:
        return tuple(batch_input_shape)
    if input_shape is not None:
        return (batch_size,) + tuple(input_shape)
    if input_dim is not None:
        if not isinstance(input_dim, (int, np.integer)) or input_dim <= 0:
            raise ValueError(f"`input_dim` must be a positive integer, received input_dim={input_dim!r}")
        return (batch_size, int(input_dim))
    return None
