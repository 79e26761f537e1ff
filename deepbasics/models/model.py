"""``Model``: layers, weights, ``compile`` and ``summary``; the loops live in ``training.py``.

A Model is a Layer, so a model can be a layer of another model (a GAN's combined model).
Three ways to make one, as in Keras: ``Sequential``, ``Model(inputs, outputs)`` (functional),
or a subclass that creates layers in ``__init__`` and writes ``call``.
"""
import numpy as np

from deepbasics import optimizers
from deepbasics.autodiff import Tensor, no_grad
from deepbasics.layers.layer import Layer
from deepbasics.models import compile_state, freezing
from deepbasics.models.multi_output import MultiOutputState
from deepbasics.models.summary_format import format_summary
from deepbasics.models.training import TrainingLoop


class Model(Layer, TrainingLoop):
    """Base of ``Sequential`` and functional models; subclass it and write ``call`` for your own."""

    def __new__(cls, *args, **kwargs):
        if cls is Model and (len(args) >= 2 or "inputs" in kwargs or "outputs" in kwargs):
            from deepbasics.models.functional import Functional

            return object.__new__(Functional)  # Keras: Model(inputs, outputs) is a functional model
        return object.__new__(cls)

    def __init__(self, *args, name=None, trainable=True, **kwargs):
        if args:
            raise TypeError(f"{type(self).__name__}() takes keyword arguments only for a subclassed model; "
                            "for a functional model pass inputs and outputs: Model(inputs, outputs).")
        Layer.__init__(self, trainable=trainable, name=name, **kwargs)
        self.optimizer = None
        self.loss = None
        self.compiled = False
        self.stop_training = False
        self.history = None
        self._compiled_metrics = None

    # -- compile ---------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, loss_weights=None, metrics=None,
                weighted_metrics=None, run_eagerly=False, steps_per_execution=1,
                jit_compile="auto", auto_scale_loss=True):
        """Fix the optimizer, the loss and the metrics (names or objects, as in Keras).

        With several outputs, ``loss``, ``loss_weights`` and ``metrics`` may be lists or dicts
        keyed by output name; the trained loss is the weighted sum of the outputs' losses.
        """
        if weighted_metrics is not None:
            raise ValueError("`weighted_metrics` is not supported yet; pass sample weights to fit() and use `metrics`.")
        if steps_per_execution != 1:
            raise ValueError(f"`steps_per_execution` must be 1, received {steps_per_execution!r}")
        self.optimizer = optimizers.get(optimizer)
        output_names = self._output_names()
        if len(output_names) > 1:
            self._compiled_metrics = MultiOutputState(output_names, loss, loss_weights, metrics)
            self.loss = self._compiled_metrics.compute
        else:
            if loss_weights is not None:
                raise ValueError("`loss_weights` weighs the losses of several outputs; this model has one output.")
            self.loss = compile_state.resolve_loss(loss)
            self._compiled_metrics = compile_state.CompiledMetrics(metrics)
        # Keras 2's rule, kept on purpose: `trainable` is read here, so a model compiled before
        # `layer.trainable = False` keeps training that layer until it is compiled again.
        self._compile_flags = freezing.record_flags(self)
        self._warned_flags = False
        self._train_vars = None
        self._penalized_layers = None
        self.compiled = True

    @property
    def layers(self):
        """A subclassed model's layers: the Layer attributes it set, in order."""
        found = []
        for value in vars(self).values():
            items = value if isinstance(value, (list, tuple)) else [value]
            found.extend(v for v in items if isinstance(v, Layer) and v is not self)
        return found

    def get_layer(self, name=None, index=None):
        """A layer by ``name`` or by ``index`` in ``layers``."""
        if index is not None:
            if not -len(self.layers) <= index < len(self.layers):
                raise ValueError(f"Was asked to retrieve layer at index {index} but model only has "
                                 f"{len(self.layers)} layers.")
            return self.layers[index]
        for layer in self.layers:
            if layer.name == name:
                return layer
        raise ValueError(f"No such layer: {name!r}. Existing layers are: {[l.name for l in self.layers]}.")

    def compute_output_shape(self, input_shape):
        probe = Tensor(np.zeros((1,) + tuple(input_shape[1:]), dtype=self.dtype))
        with no_grad():
            out = self._forward(probe, False)
        return (input_shape[0],) + tuple(out.shape[1:])

    def _summary_connections(self):
        return None  # a Sequential or subclassed model is listed as a chain of layers

    # -- what the training loop asks (a subclassed model learns its shapes by being called) --
    def _build_for(self, x):
        if not self.built:
            self._maybe_build((None,) + tuple(x.shape[1:]))

    def _expected_input_shape(self):
        return self._input_shape

    def _output_units(self):
        return self._output_shape[-1] if self._output_shape else None

    @property
    def losses(self):
        """The regularization penalties of every layer (Tensors), as Keras's ``model.losses``."""
        return [penalty for layer in self.layers for penalty in layer.losses]

    @property
    def metrics_names(self):
        return self._compiled_metrics.names() if self._compiled_metrics else []

    # -- weights -----------------------------------------------------------------------------
    @property
    def weights(self):
        return [w for layer in self.layers for w in layer.weights]

    @property
    def trainable_weights(self):
        if not self.trainable:
            return []
        return [w for layer in self.layers for w in layer.trainable_weights]

    @property
    def non_trainable_weights(self):
        if not self.trainable:
            return self.weights
        return [w for layer in self.layers for w in layer.non_trainable_weights]

    trainable_variables = trainable_weights

    def get_weights(self):
        return [w.data.copy() for w in self.weights]

    def set_weights(self, weights):
        mine = self.weights
        if len(weights) != len(mine):
            raise ValueError(f"Model {self.name!r} expects {len(mine)} weight arrays, received {len(weights)}.")
        for a, w in zip(weights, mine):
            if np.shape(a) != w.shape:
                raise ValueError(f"Weight {w.name!r} has shape {w.shape}, received {np.shape(a)}.")
        for a, w in zip(weights, mine):
            w.assign(a)

    def count_params(self):
        return int(sum(w.data.size for w in self.weights))

    # -- summary -----------------------------------------------------------------------------
    def summary(self, line_length=None, positions=None, print_fn=None, expand_nested=False,
                show_trainable=False, layer_range=None):
        """Print Keras 3's table of layers, output shapes and parameter counts."""
        rows = [(layer.name, type(layer).__name__, layer._output_shape if layer.built else None,
                 layer.count_params() if layer.built else None) for layer in self.layers]
        trainable = sum(w.data.size for w in self.trainable_weights)
        non_trainable = sum(w.data.size for w in self.non_trainable_weights)
        opt_count = 0
        if self.optimizer is not None and self.optimizer.iterations > 0:
            opt_count = sum(np.size(v) for v in self.optimizer.variables)
        text = format_summary(self.name, rows, trainable, non_trainable, opt_count,
                              line_length=line_length, print_fn=print_fn,
                              connections=self._summary_connections())
        if print_fn is None:
            print(text)


    # -- saving (the formats live in deepbasics/saving, the ONNX export in deepbasics/export) --
    def save(self, filepath, overwrite=True, **kwargs):
        """Save the whole model: ``.keras`` (Keras 3's zip) or ``.h5`` (Keras 2's HDF5)."""
        from deepbasics import saving

        return saving.save_model(self, filepath, overwrite=overwrite, **kwargs)

    def save_weights(self, filepath, overwrite=True, **kwargs):
        """Save the weights only: ``.weights.h5`` (Keras 3's layout) or legacy ``.h5``."""
        from deepbasics import saving

        return saving.save_weights(self, filepath, overwrite=overwrite, **kwargs)

    def load_weights(self, filepath, skip_mismatch=False, **kwargs):
        """Load weights saved by ``save_weights`` (or by Keras); nothing changes on an error."""
        from deepbasics import saving

        return saving.load_weights(self, filepath, skip_mismatch=skip_mismatch, **kwargs)

    def export(self, filepath, format="onnx", **kwargs):
        """Export for inference elsewhere: ``format='onnx'`` writes an ONNX model (opset 17)."""
        from deepbasics import export

        return export.export_model(self, filepath, format=format, **kwargs)
