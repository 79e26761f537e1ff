"""``Sequential``: a stack of layers, each feeding the next."""
import warnings

from deepbasics.layers.fusion import fused_call
from deepbasics.layers.input_layer import InputLayer, KerasTensor
from deepbasics.layers.layer import Layer
from deepbasics.models.model import Model


class Sequential(Model):
    """A linear stack of layers.

    >>> from deepbasics.models import Sequential
    >>> from deepbasics.layers import Dense
    >>> model = Sequential()
    >>> model.add(Dense(units=64, input_dim=28 * 28, activation="relu"))
    >>> model.add(Dense(units=10, activation="softmax"))
    >>> model.count_params()
    50890
    """

    def __init__(self, layers=None, trainable=True, name=None):
        super().__init__(name=name, trainable=trainable)
        self._layers = []
        self._input_layer = None
        for layer in layers or []:
            self.add(layer)

    @property
    def layers(self):
        """The layers, without the InputLayer (as Keras lists them)."""
        return list(self._layers)

    def add(self, layer):
        """Append a layer (or ``Input(shape)``, which declares the input shape)."""
        if isinstance(layer, KerasTensor):
            layer = layer._keras_layer
        if not isinstance(layer, Layer):
            raise TypeError(f"Only Layer instances can be added to a Sequential model, received {layer!r} "
                            f"of type {type(layer).__name__}.")
        if isinstance(layer, InputLayer):
            if self._layers or self._input_layer is not None:
                raise ValueError("An Input / InputLayer can only be the first layer of a Sequential model.")
            self._input_layer = layer
            self.build(layer.batch_shape)
            return
        if any(existing is layer for existing in self._layers):
            raise ValueError(f"Layer {layer.name!r} is already in this model.")
        declared = layer._batch_input_shape
        if declared is not None and self._layers and self._layers[-1].built:
            previous = self._layers[-1].output_shape
            if tuple(declared[1:]) != tuple(previous[1:]):
                raise ValueError(f"Layer {layer.name!r} declares input shape {declared} but follows a layer "
                                 f"with output shape {previous}.")
        previous = self._layers[-1].output_shape if self._layers and self._layers[-1].built else None
        if not self._layers:
            previous = self._declared_input_shape() or layer._batch_input_shape
        self._layers.append(layer)
        if previous is not None:
            layer._maybe_build(previous)  # build as we go, so summary() and weights work at once
        self._train_vars = self._penalized_layers = None

    def pop(self):
        if not self._layers:
            raise TypeError("There are no layers in the model.")
        self._layers.pop()
        self._train_vars = self._penalized_layers = None

    def build(self, input_shape=None):
        """Create every layer's weights from the input shape ``(None, ...)``."""
        if input_shape is None:
            input_shape = self._declared_input_shape()
            if input_shape is None:
                raise ValueError("Sequential.build() needs an input shape, e.g. model.build((None, 784)).")
        shape = tuple(input_shape)
        for layer in self._layers:
            layer._maybe_build(shape)
            shape = layer.output_shape
        self._input_shape, self._output_shape, self.built = tuple(input_shape), shape, True

    def call(self, x, training=None):
        layers, i = self._layers, 0
        while i < len(layers):
            fused = fused_call(layers[i], layers[i + 1], x) if i + 1 < len(layers) else None
            if fused is not None:  # Conv then MaxPooling as one op (layers/fusion.py)
                x, i = fused, i + 2
            else:
                x, i = layers[i](x, training=training), i + 1
        return x

    # -- what the training loop asks -------------------------------------------------------------
    @property
    def _batch_input_shape(self):
        """A model used as the first layer of another declares its own input shape."""
        return self._declared_input_shape() if hasattr(self, "_layers") else None

    @_batch_input_shape.setter
    def _batch_input_shape(self, value):
        pass  # Layer.__init__ sets it; a Sequential reads it from its first layer instead

    def compute_output_shape(self, input_shape):
        shape = tuple(input_shape)
        for layer in self._layers:
            shape = layer.compute_output_shape(shape)
        return shape

    def _declared_input_shape(self):
        if self._input_layer is not None:
            return self._input_layer.batch_shape
        if self._layers and self._layers[0]._batch_input_shape is not None:
            return self._layers[0]._batch_input_shape
        return None

    def _build_for(self, x):
        if not self._layers:
            raise ValueError("This Sequential model has no layers: add some with model.add(...).")
        if not self._layers[0].built:
            self.build((None,) + tuple(x.shape[1:]))

    def _expected_input_shape(self):
        return self._declared_input_shape() or self._layers[0].input_shape

    def _output_units(self):
        shape = self._layers[-1].output_shape if self._layers and self._layers[-1].built else None
        return shape[-1] if shape else None

    @property
    def input_shape(self):
        return self._expected_input_shape()

    @property
    def output_shape(self):
        return self._layers[-1].output_shape

    def predict_classes(self, x, batch_size=32, verbose=0):
        """Keras 2's class predictions: argmax of the outputs (or output > 0.5 for one unit)."""
        warnings.warn("`predict_classes` was removed in Keras 2.6; use "
                      "`np.argmax(model.predict(x), axis=-1)` (or `(model.predict(x) > 0.5).astype('int32')` "
                      "for a sigmoid output).", DeprecationWarning, stacklevel=2)
        p = self.predict(x, batch_size=batch_size, verbose=verbose)
        return p.argmax(axis=-1) if p.shape[-1] > 1 else (p > 0.5).astype("int32")

    def predict_proba(self, x, batch_size=32, verbose=0):
        """Keras 2's name for ``predict`` on a probabilistic output."""
        warnings.warn("`predict_proba` was removed in Keras 2.6; use `model.predict(x)`.",
                      DeprecationWarning, stacklevel=2)
        return self.predict(x, batch_size=batch_size, verbose=verbose)

    def get_config(self):
        return {"name": self.name, "layers": [
            {"class_name": type(layer).__name__, "config": layer.get_config()} for layer in self._layers]}
