"""Layers that wrap a layer: ``TimeDistributed`` (every time step) and ``Bidirectional``."""
from deepbasics import ops
from deepbasics.layers.layer import Layer
from deepbasics.ops.recurrent import ReverseTime


class Wrapper(Layer):
    """Owns inner layers: their weights and penalties count as this layer's (in their order)."""

    def __init__(self, layer, **kwargs):
        if not isinstance(layer, Layer):
            raise ValueError(f"{type(self).__name__} expects a Layer instance, received {layer!r} "
                             f"of type {type(layer).__name__}.")
        super().__init__(**kwargs)
        self.layer = layer
        self._inner = [layer]

    def _adopt(self):
        """After the inner layers are built: their weights and penalties become ours."""
        for inner in self._inner:
            self._weights.extend(inner._weights)
            self._penalties.extend(inner._penalties)

    @property
    def losses(self):
        return super().losses + [loss for inner in self._inner for loss in inner._activity_losses]

    @property
    def has_penalties(self):
        return super().has_penalties or any(inner.activity_regularizer is not None for inner in self._inner)

    def get_config(self):
        return {**super().get_config(), "layer": serialize_layer(self.layer)}


class TimeDistributed(Wrapper):
    """Applies ``layer`` to every time step: (batch, steps, ...) -> (batch, steps, ...out),
    by folding the steps into the batch: one call on (batch * steps, ...), then unfolding."""

    def build(self, input_shape):
        if len(input_shape) < 3:
            raise ValueError(f"TimeDistributed {self.name!r} expects an input of at least 3 dimensions "
                             f"(batch, timesteps, ...), received shape {tuple(input_shape)}.")
        self.layer._maybe_build((None,) + tuple(input_shape[2:]))
        self._adopt()
        self.built = True  # also when build() is called directly: the first call must not build again

    def call(self, x, training=None):
        if x.ndim < 3:
            raise ValueError(f"TimeDistributed {self.name!r} expects an input of at least 3 dimensions "
                             f"(batch, timesteps, ...), received shape {x.shape}.")
        batch, steps = x.shape[:2]
        y = self.layer(ops.reshape(x, (batch * steps,) + tuple(x.shape[2:])), training=training)
        return ops.reshape(y, (batch, steps) + tuple(y.shape[1:]))

    def compute_output_shape(self, input_shape):
        inner = self.layer.compute_output_shape((None,) + tuple(input_shape[2:]))
        return tuple(input_shape[:2]) + tuple(inner[1:])

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        return cls(deserialize_layer(config.pop("layer")), **config)


MERGE_MODES = ("sum", "mul", "concat", "ave", None)


class Bidirectional(Wrapper):
    """Runs a recurrent layer forwards and a copy of it backwards over the sequence and merges
    the two outputs (``merge_mode``: 'concat' (default), 'sum', 'mul', 'ave' or None for a list).

    As in Keras, the backward copy is built from the layer's config with ``go_backwards``
    flipped, and its sequence output is turned around again so that step t of both outputs
    belongs to input step t. Weights: the forward layer's, then the backward layer's.
    """

    def __init__(self, layer, merge_mode="concat", weights=None, backward_layer=None, **kwargs):
        if merge_mode not in MERGE_MODES:
            raise ValueError(f"Invalid merge mode. Received: {merge_mode!r}. Merge mode should be one of "
                             f"{MERGE_MODES}.")
        if not hasattr(layer, "go_backwards"):
            raise ValueError(f"Bidirectional expects a recurrent layer (SimpleRNN, LSTM, GRU), received {layer!r}.")
        if "input_shape" not in kwargs and "batch_input_shape" not in kwargs and layer._batch_input_shape:
            kwargs["batch_input_shape"] = layer._batch_input_shape  # Keras 2: LSTM(..., input_shape=...) inside
        super().__init__(layer, **kwargs)
        config = serialize_layer(layer)["config"]
        config.pop("batch_input_shape", None)
        self.forward_layer = type(layer).from_config({**config, "name": "forward_" + layer.name})
        if backward_layer is None:
            backward_layer = type(layer).from_config(
                {**config, "name": "backward_" + layer.name, "go_backwards": not layer.go_backwards})
        self.backward_layer = backward_layer
        self._inner = [self.forward_layer, self.backward_layer]
        self.merge_mode = merge_mode
        self.return_sequences, self.return_state = layer.return_sequences, layer.return_state
        self._initial_weights = weights

    def build(self, input_shape):
        for inner in self._inner:
            inner._maybe_build(tuple(input_shape))
        self._adopt()
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None
        self.built = True

    def __call__(self, x, training=None, initial_state=None):
        self._initial_state = initial_state
        try:
            return super().__call__(x, training=training)
        finally:
            self._initial_state = None

    def call(self, x, training=None):
        states = self._initial_state
        half = None if states is None else len(states) // 2
        forward = self.forward_layer(x, training=training, initial_state=None if states is None else states[:half])
        backward = self.backward_layer(x, training=training, initial_state=None if states is None else states[half:])
        states = []
        if self.return_state:
            (forward, *f_states), (backward, *b_states) = forward, backward
            states = f_states + b_states
        if self.return_sequences:
            backward = ReverseTime()(backward)
        out = self._merge(forward, backward)
        if self.return_state:
            return (out if isinstance(out, list) else [out]) + states
        return out

    def _merge(self, a, b):
        if self.merge_mode == "concat":
            return ops.concatenate([a, b], axis=-1)
        if self.merge_mode == "sum":
            return a + b
        if self.merge_mode == "mul":
            return a * b
        if self.merge_mode == "ave":
            return (a + b) * 0.5
        return [a, b]

    def compute_output_shape(self, input_shape):
        shape = self.forward_layer.compute_output_shape(tuple(input_shape))
        out, states = (shape[0], list(shape[1:])) if self.return_state else (shape, [])
        if self.merge_mode == "concat":
            out = tuple(out[:-1]) + (2 * out[-1],)
        outs = [out, out] if self.merge_mode is None else [out]
        if self.return_state:
            return outs + states * 2
        return outs if self.merge_mode is None else out

    def get_config(self):
        config = {**super().get_config(), "merge_mode": self.merge_mode}
        config["backward_layer"] = serialize_layer(self.backward_layer)
        return config

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        layer = deserialize_layer(config.pop("layer"))
        backward = config.pop("backward_layer", None)
        backward = deserialize_layer(backward) if backward is not None else None
        return cls(layer, backward_layer=backward, **config)


def serialize_layer(layer):
    return {"class_name": type(layer).__name__, "config": layer.get_config()}


def deserialize_layer(config):
    """A layer from ``{"class_name", "config"}`` (the class is looked up among the layers), or the
    layer itself when a loader has already built it."""
    if isinstance(config, Layer):
        return config
    import deepbasics.layers as layers_package
    from deepbasics.layers import embedding, recurrent

    name = config["class_name"]
    for module in (layers_package, recurrent, embedding):
        cls = getattr(module, name, None)
        if isinstance(cls, type) and issubclass(cls, Layer):
            return cls.from_config(config["config"])
    raise ValueError(f"Unknown layer class {name!r} in a wrapper's config.")
