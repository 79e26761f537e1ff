"""The training loop: ``fit``, ``evaluate``, ``predict`` and their one-batch forms.

Per step: slice a batch, forward (graph recorded), loss, backward, one optimizer update,
metric updates on plain arrays (those that sum over samples gather the batches and update when
their results are read: see ``compile_state.CompiledMetrics``). Inference (``predict``,
``evaluate``, validation) records no graph. Small batches run with one BLAS thread (see
``backend.blas_threads``).
"""
import math

import numpy as np

from deepbasics import backend
from deepbasics.autodiff import Tensor, no_grad
from deepbasics.callbacks import CallbackList, History, ProgbarLogger, to_float_logs
from deepbasics.models import data_checks as checks
from deepbasics.models import freezing
from deepbasics.models.compile_state import as_sample_weight
from deepbasics.models.data_adapter import (ArrayBatches, SourceBatches, class_weight_to_sample_weight, count,
                                            is_batch_source, take)

# below this many multiply-adds per training step, one BLAS thread beats two
SMALL_STEP_MACS = 20_000_000


class TrainingLoop:
    """Mixin for ``Model``: needs ``call(x, training)``, ``layers``, ``trainable_weights``."""

    # -- public API ------------------------------------------------------------------------------
    def fit(self, x=None, y=None, batch_size=None, epochs=1, verbose="auto", callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0, steps_per_epoch=None, validation_steps=None,
            validation_batch_size=None, validation_freq=1):
        """Train for ``epochs`` passes over ``(x, y)``; returns a ``History``."""
        self._require_compiled("fit")
        freezing.warn_if_changed(self)
        if validation_steps is not None:
            raise ValueError(f"fit(): `validation_steps` is not supported yet; received {validation_steps!r}.")
        batch_size = checks.positive_int("batch_size", 32 if batch_size is None else batch_size)
        epochs = checks.positive_int("epochs", epochs)
        validation_freq = checks.positive_int("validation_freq", validation_freq)
        steps_per_epoch = checks.positive_int("steps_per_epoch", steps_per_epoch, allow_none=True)
        _check_verbose(verbose)
        if not isinstance(initial_epoch, int) or not 0 <= initial_epoch:
            raise ValueError(f"`initial_epoch` must be a non-negative integer, received {initial_epoch!r}")
        if not 0.0 <= validation_split < 1.0:
            raise ValueError(f"`validation_split` must be in [0, 1), received validation_split={validation_split!r}")
        val = self._prepare_validation(validation_data) if validation_data is not None else None
        if is_batch_source(x):
            if y is not None or sample_weight is not None or validation_split:
                raise ValueError("When `x` is a generator or Sequence it yields (x, y[, w]) batches itself: "
                                 "leave `y`, `sample_weight` and `validation_split` unset.")
            batches = SourceBatches(x, steps_per_epoch, shuffle, self._prepare_batch(class_weight))
        else:
            x, y = self._prepare(x, y)
            w = as_sample_weight(sample_weight, count(x))
            if class_weight is not None:
                w = class_weight_to_sample_weight(class_weight, y, w)
            if validation_split and val is None:
                n = count(x)
                split = int(n * (1.0 - validation_split))  # the last samples, before shuffling
                if split == 0 or split == n:
                    raise ValueError(f"validation_split={validation_split} leaves no training or no "
                                     f"validation samples out of {n}.")
                val = (take(x, slice(split, None)), take(y, slice(split, None)), None if w is None else w[split:])
                x, y, w = take(x, slice(None, split)), take(y, slice(None, split)), None if w is None else w[:split]
            batches = ArrayBatches(x, y, w, batch_size, shuffle, steps_per_epoch)
        history = History()
        cbs = CallbackList(
            list(callbacks or []) + [history] + ([ProgbarLogger()] if verbose else []),
            self, {"verbose": verbose, "epochs": epochs, "steps": batches.steps})
        self.stop_training = False
        with backend.blas_threads(self._blas_threads(batch_size)):
            self._initial_epoch = None
            cbs.call("on_train_begin", None)
            # BackupAndRestore may have restored a later start
            initial_epoch = self._initial_epoch or initial_epoch
            for epoch in range(initial_epoch, epochs):
                cbs.call("on_epoch_begin", epoch, None)
                logs = self._train_epoch(batches, cbs, epoch)
                if logs is None:  # the batch source ran out before this epoch began
                    break
                if val is not None and (epoch + 1 - initial_epoch) % validation_freq == 0:
                    logs.update(self._evaluate_arrays(*val, validation_batch_size or batch_size, prefix="val_"))
                logs = to_float_logs(logs)
                cbs.call("on_epoch_end", epoch, logs)
                if self.stop_training:
                    break
            cbs.call("on_train_end", logs if epochs > initial_epoch else None)
        return history

    def evaluate(self, x=None, y=None, batch_size=None, verbose="auto", sample_weight=None,
                 steps=None, callbacks=None, return_dict=False):
        """``[loss, *metrics]`` on ``(x, y)`` (just the loss when there are no metrics)."""
        self._require_compiled("evaluate")
        batch_size = checks.positive_int("batch_size", 32 if batch_size is None else batch_size)
        _check_verbose(verbose)
        x, y = self._prepare(x, y)
        w = as_sample_weight(sample_weight, count(x))
        steps = math.ceil(count(x) / batch_size)
        cbs = CallbackList(list(callbacks or []) + ([ProgbarLogger()] if verbose else []), self,
                           {"verbose": verbose, "steps": steps, "mode": "evaluate"})
        with backend.blas_threads(self._blas_threads(batch_size)):
            logs = to_float_logs(self._evaluate_arrays(x, y, w, batch_size, cbs=cbs))
        if return_dict:
            return logs
        values = [logs[name] for name in self._compiled_metrics.names()]
        return values[0] if len(values) == 1 else values

    def predict(self, x, batch_size=None, verbose="auto", steps=None, callbacks=None):
        """The model's outputs for ``x``, batch by batch, without recording a graph."""
        batch_size = checks.positive_int("batch_size", 32 if batch_size is None else batch_size)
        _check_verbose(verbose)
        x = self._prepare_x(x)
        steps = math.ceil(count(x) / batch_size)
        cbs = CallbackList(list(callbacks or []) + ([ProgbarLogger()] if verbose else []), self,
                           {"verbose": verbose, "steps": steps, "mode": "predict"})
        cbs.call("on_predict_begin", None)
        outputs = []
        with no_grad(), backend.blas_threads(self._blas_threads(batch_size)):
            for step, start in enumerate(range(0, count(x), batch_size)):
                outputs.append(_data(self._forward(_wrap(take(x, slice(start, start + batch_size))), False)))
                cbs.call("on_predict_batch_end", step, None)
        cbs.call("on_predict_end", None)
        if isinstance(outputs[0], list):
            return [np.concatenate(parts) for parts in zip(*outputs)]
        return np.concatenate(outputs)

    def train_on_batch(self, x, y=None, sample_weight=None, class_weight=None, return_dict=False):
        """One gradient step on one batch; returns ``[loss, *metrics]`` for that batch."""
        self._require_compiled("train_on_batch")
        freezing.warn_if_changed(self)
        x, y = self._prepare(x, y)
        self._compiled_metrics.reset()
        self._train_step(x, y, as_sample_weight(sample_weight, count(x)))
        return self._batch_result(return_dict)

    def test_on_batch(self, x, y=None, sample_weight=None, return_dict=False):
        self._require_compiled("test_on_batch")
        x, y = self._prepare(x, y)
        self._compiled_metrics.reset()
        self._test_step(x, y, as_sample_weight(sample_weight, count(x)))
        return self._batch_result(return_dict)

    def predict_on_batch(self, x):
        with no_grad():
            return _data(self._forward(_wrap(self._prepare_x(x)), False))

    # -- steps ---------------------------------------------------------------------------------
    def _train_epoch(self, batches, cbs, epoch=0):
        self._compiled_metrics.reset()
        want_batch_logs = cbs.wants("on_train_batch_end")
        want_batch_begin = cbs.wants("on_train_batch_begin")
        step = -1
        for step, (xb, yb, wb) in enumerate(batches.epoch(epoch)):
            if want_batch_begin:
                cbs.call("on_train_batch_begin", step, None)
            self._train_step(xb, yb, wb)
            if want_batch_logs:
                cbs.call("on_train_batch_end", step, self._compiled_metrics.results())
            if self.stop_training:
                break
        return self._compiled_metrics.results() if step >= 0 else None

    def _forward(self, x, training):
        # a subclassed model's call(self, x) may take no `training` argument, as in Keras
        return self.call(x, training=training) if self._call_takes_training else self.call(x)

    def _train_step(self, xb, yb, wb):
        variables = self._trainable_variables()
        out = self._forward(_wrap(xb), True)
        loss = self.loss(yb, out, wb)
        if self._penalized_layers is None or self._penalized_layers:
            loss = self._with_penalties(loss)
        for v in variables:
            v.grad = None
        loss.backward()
        used = [v for v in variables if v.grad is not None]
        self.optimizer.apply_checked([v.grad for v in used], used)
        self._compiled_metrics.update(loss.data, count(xb), yb, _data(out), wb)

    def _test_step(self, xb, yb, wb):
        with no_grad():
            out = self._forward(_wrap(xb), False)
            loss = self._with_penalties(self.loss(yb, out, wb))
        self._compiled_metrics.update(loss.data, count(xb), yb, _data(out), wb)

    def _with_penalties(self, loss):
        """Keras adds the layers' regularization penalties to the loss (and to what it logs)."""
        if self._penalized_layers is None:
            self._penalized_layers = [layer for layer in self.layers if layer.has_penalties]
        for layer in self._penalized_layers:
            for penalty in layer.losses:
                loss = loss + penalty
        return loss

    def _evaluate_arrays(self, x, y, w, batch_size, prefix="", cbs=None):
        self._compiled_metrics.reset()
        if cbs is not None:
            cbs.call("on_test_begin", None)
        for step, start in enumerate(range(0, count(x), batch_size)):
            sl = slice(start, start + batch_size)
            self._test_step(take(x, sl), take(y, sl), None if w is None else w[sl])
            if cbs is not None and cbs.wants("on_test_batch_end"):
                cbs.call("on_test_batch_end", step, self._compiled_metrics.results())
        logs = self._compiled_metrics.results(prefix)
        if cbs is not None:
            cbs.call("on_test_end", logs)
        return logs

    def _batch_result(self, return_dict):
        logs = to_float_logs(self._compiled_metrics.results())
        if return_dict:
            return logs
        values = [logs[name] for name in self._compiled_metrics.names()]
        return values[0] if len(values) == 1 else values

    def _trainable_variables(self):
        # the weights the flags recorded by compile() allow (see freezing.py)
        if self._train_vars is None:
            self._train_vars = freezing.trainable_at_compile(self, self._compile_flags)
            if not self._train_vars:
                raise ValueError(f"Model {self.name!r} has no trainable weights (every layer was frozen "
                                 "when it was compiled): there is nothing to train.")
            self.optimizer.build(self._train_vars)
        return self._train_vars

    # -- input preparation -------------------------------------------------------------------------
    def _require_compiled(self, what):
        if not getattr(self, "compiled", False):
            raise RuntimeError(
                f"You must call `compile()` before `{what}()`: for example "
                "model.compile(optimizer='sgd', loss='categorical_crossentropy', metrics=['accuracy']).")

    def _prepare_x(self, x):
        inputs = self._input_names()
        if len(inputs) > 1:
            parts = _as_parts(x, inputs, "x")
            parts = [checks.as_array(f"x[{i}]", p) for i, p in enumerate(parts)]
            parts = [p if self._reads_ids(i) else checks.inputs_as_float(f"x[{i}]", p, backend.floatx())
                     for i, p in enumerate(parts)]
            for i, (p, t) in enumerate(zip(parts, self.inputs)):
                checks.input_shape(p, t.shape, f"{self.name}' input {i} ('{inputs[i]}")
                checks.same_length(parts[0], p, what="All inputs")
            return parts
        x = checks.as_array("x", x)
        if not self._reads_ids(0):
            x = checks.inputs_as_float("x", x, backend.floatx())
        self._build_for(x)
        checks.input_shape(x, self._expected_input_shape(), self.name)
        return x

    def _reads_ids(self, i):
        """Input ``i`` holds integer ids, not pixels: an Embedding reads it, or its Input
        declares an integer dtype. Such input is passed on as it is, without the pixel warning."""
        if not hasattr(self, "inputs"):
            first = self.layers[0] if self.layers else None
            return getattr(first, "takes_integer_ids", False)
        tensor = self.inputs[i]
        if np.dtype(tensor.dtype).kind in "iu":
            return True
        return any(getattr(node.layer, "takes_integer_ids", False) and any(t is tensor for t in node.input_tensors)
                   for node in self._nodes)

    def _prepare(self, x, y):
        x = self._prepare_x(x)
        outputs = self._output_names()
        multi = len(outputs) > 1
        ys = [checks.as_array("y", part) for part in (_as_parts(y, outputs, "y") if multi else [y])]
        for part in ys:
            checks.same_length(x[0] if isinstance(x, list) else x, part)
        for part in (x if isinstance(x, list) else [x]):
            checks.finite("x", part)  # once, however many outputs there are
        if not multi:
            return x, self._prepare_y(ys[0], self.loss, self._output_units())
        return x, [self._prepare_y(part, loss, t.shape[-1])
                   for part, loss, t in zip(ys, self._compiled_metrics.losses, self.outputs)]

    def _prepare_y(self, y, loss, units):
        checks.finite("y", y)
        checks.labels_for_loss(loss, y, units)
        if y.dtype.kind in "uib" and getattr(loss, "name", "") != "sparse_categorical_crossentropy":
            y = y.astype(backend.floatx())
        return y

    def _input_names(self):
        return [t.node.layer.name for t in self.inputs] if hasattr(self, "inputs") else ["x"]

    def _output_names(self):
        return [t.node.layer.name for t in self.outputs] if hasattr(self, "outputs") else ["y"]

    def _prepare_batch(self, class_weight):
        def prepare(x, y, w=None):
            x, y = self._prepare(x, y)
            w = as_sample_weight(w, count(x))
            if class_weight is not None:
                w = class_weight_to_sample_weight(class_weight, y, w)
            return x, y, w

        return prepare

    def _prepare_validation(self, data):
        if not isinstance(data, (tuple, list)) or len(data) not in (2, 3):
            raise ValueError("`validation_data` must be a tuple (x_val, y_val) or (x_val, y_val, sample_weight).")
        x, y = self._prepare(data[0], data[1])
        return x, y, as_sample_weight(data[2], count(x)) if len(data) == 3 else None

    def _blas_threads(self, batch_size):
        macs = 3 * batch_size * sum(w.data.size for w in self.weights)  # forward + 2 backward GEMMs
        return 1 if macs < SMALL_STEP_MACS else None


def _wrap(x):
    return [Tensor(part) for part in x] if isinstance(x, list) else Tensor(x)


def _data(out):
    return [t.data for t in out] if isinstance(out, list) else out.data


def _as_parts(value, names, what):
    """Several inputs (or targets) as a list in the model's order, from a list or a dict by name."""
    if isinstance(value, dict):
        missing = [n for n in names if n not in value]
        if missing:
            raise ValueError(f"`{what}` is missing entries for {missing}; expected keys {names}.")
        return [value[n] for n in names]
    if not isinstance(value, (list, tuple)) or len(value) != len(names):
        raise ValueError(f"The model has {len(names)} {'inputs' if what == 'x' else 'outputs'} {names}: "
                         f"pass `{what}` as a list of {len(names)} arrays or a dict by name.")
    return list(value)


def _check_verbose(verbose):
    if verbose not in ("auto", 0, 1, 2):
        raise ValueError(f"`verbose` must be 'auto', 0, 1 or 2, received verbose={verbose!r}")
