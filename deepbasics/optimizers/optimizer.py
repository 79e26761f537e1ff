"""The optimizer base: slots built once per variable, the update written in place.

A subclass writes ``build_slots(var)`` (its state arrays for one variable) and
``update_step(grad, var, slots, lr)`` (the rule for one variable, on raw arrays).
The base does what every optimizer shares, in Keras 3's order: clip gradients, decoupled
weight decay, the update, ``iterations += 1``.
"""
import math
import warnings

import numpy as np

from deepbasics import backend
from deepbasics.optimizers import schedules


class Optimizer:
    def __init__(self, learning_rate=0.001, weight_decay=None, clipnorm=None, clipvalue=None,
                 global_clipnorm=None, use_ema=False, ema_momentum=0.99, ema_overwrite_frequency=None,
                 loss_scale_factor=None, gradient_accumulation_steps=None, name=None, **kwargs):
        learning_rate, self.decay = _keras2_arguments(type(self).__name__, learning_rate, kwargs)
        unsupported = {"use_ema": use_ema, "loss_scale_factor": loss_scale_factor,
                       "gradient_accumulation_steps": gradient_accumulation_steps}
        for argument, value in unsupported.items():
            if value:
                raise ValueError(f"{type(self).__name__}: `{argument}` is not supported in deepbasics; received "
                                 f"{argument}={value!r}, expected its default ({argument}="
                                 f"{False if argument == 'use_ema' else None}).")
        if sum(c is not None for c in (clipnorm, clipvalue, global_clipnorm)) > 1:
            raise ValueError(
                "Only one of `clipnorm`, `clipvalue` and `global_clipnorm` can be set. Received: "
                f"clipnorm={clipnorm}, clipvalue={clipvalue}, global_clipnorm={global_clipnorm}")
        self.name = name or type(self).__name__.lower()
        self.learning_rate = learning_rate
        self.weight_decay, self.clipnorm = weight_decay, clipnorm
        self.clipvalue, self.global_clipnorm = clipvalue, global_clipnorm
        self.iterations = 0
        self._slots = {}  # id(variable) -> (variable, slots); the variable keeps the id unique

    # -- learning rate ---------------------------------------------------------------------
    @property
    def learning_rate(self):
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value):
        if not callable(value):
            if not isinstance(value, (int, float, np.floating, np.integer)) or not value >= 0:
                raise ValueError(f"`learning_rate` must be a non-negative number or a schedule, received learning_rate={value!r}")
            value = float(np.float32(value))  # Keras keeps it in a float32 variable
        self._learning_rate = value

    def current_learning_rate(self):
        """The rate for this step: the schedule at ``iterations``, or Keras 2's inverse-time decay."""
        lr = self._learning_rate
        if not self.decay and not callable(lr) and backend._FLOATX == "float32":
            return float(lr)  # a Python float: scales float32 arrays without upcasting them (NEP 50)
        lr = float(lr(self.iterations)) if callable(lr) else lr
        if self.decay:
            lr = lr / (1.0 + self.decay * self.iterations)
        return np.float32(lr) if backend.floatx() == "float32" else lr

    # -- slots -----------------------------------------------------------------------------
    def build(self, variables):
        """Create the state of every variable once (Keras: ``optimizer.build(var_list)``)."""
        for v in variables:
            if id(v) not in self._slots:
                self._slots[id(v)] = (v, self.build_slots(v.data))

    def build_slots(self, var):
        return {}

    def slots_of(self, variable):
        return self._slots[id(variable)][1]

    # -- applying gradients ----------------------------------------------------------------
    def apply_gradients(self, grads_and_vars):
        """Keras 2/3 API: a list of ``(gradient, variable)`` pairs."""
        pairs = [(g, v) for g, v in grads_and_vars if g is not None]
        self.apply([g for g, _ in pairs], [v for _, v in pairs])
        return self.iterations

    def apply(self, grads, variables):
        """One step: ``grads[i]`` (arrays) update ``variables[i]`` in place."""
        grads = [np.asarray(getattr(g, "data", g)) for g in grads]
        variables = list(variables)
        if len(grads) != len(variables):
            raise ValueError(f"Got {len(grads)} gradients for {len(variables)} variables.")
        for g, v in zip(grads, variables):
            if g.shape != v.data.shape:
                raise ValueError(f"Gradient of shape {g.shape} for variable {v.name!r} of shape {v.data.shape}.")
        self.apply_checked(grads, variables)

    def apply_checked(self, grads, variables):
        """``apply`` without the argument checks: the training loop's path (arrays, matching)."""
        slots = self._slots
        if self.clipvalue is not None or self.clipnorm is not None or self.global_clipnorm is not None:
            grads = self._clip(grads)
        lr = self.current_learning_rate()
        wd = self.weight_decay
        for g, v in zip(grads, variables):
            w = v.data
            if g.dtype != w.dtype:
                g = g.astype(w.dtype)
            if wd:
                w -= w * (wd * lr)  # decoupled: w -= w * wd * lr
            entry = slots.get(id(v))
            if entry is None:
                self.build([v])
                entry = slots[id(v)]
            self.update_step(g, w, entry[1], lr)
            if v.constraint is not None:
                w[...] = v.constraint(w)
        self.iterations += 1

    def update_step(self, grad, var, slots, lr):
        raise NotImplementedError

    def _clip(self, grads):
        if self.clipvalue is not None:
            return [np.clip(g, -self.clipvalue, self.clipvalue) for g in grads]
        if self.clipnorm is not None:
            return [_scale_to_norm(g, math.sqrt(float(np.sum(g * g))), self.clipnorm) for g in grads]
        if self.global_clipnorm is not None:
            norm = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
            return [_scale_to_norm(g, norm, self.global_clipnorm) for g in grads]
        return grads

    # -- config ----------------------------------------------------------------------------
    def get_config(self):
        lr = self._learning_rate
        return {
            "name": self.name,
            "learning_rate": schedules.serialize(lr) if isinstance(lr, schedules.LearningRateSchedule) else lr,
            "weight_decay": self.weight_decay, "clipnorm": self.clipnorm,
            "global_clipnorm": self.global_clipnorm, "clipvalue": self.clipvalue,
            **({"decay": self.decay} if self.decay else {}),  # Keras 2's decay, kept when it is used
        }

    @classmethod
    def from_config(cls, config):
        config = dict(config)
        if isinstance(config.get("learning_rate"), dict):
            config["learning_rate"] = schedules.deserialize(config["learning_rate"])
        return cls(**config)

    # -- state: Keras 3's ``optimizer.variables``, in its order --------------------------------------
    slot_groups = ()  # slot names, group by group; a group's slots are interleaved per variable
    extra_state = ()  # attributes Keras keeps as variables after the slots (Nadam's u_product)

    @property
    def variables(self):
        """The state as Keras lists it (copies): see ``get_state``."""
        return self.get_state()

    def get_state(self, variables=None):
        """The state as Keras 3 orders ``optimizer.variables`` (and writes ``optimizer/vars``):
        iterations, the learning rate (unless it is a schedule), the slots group by group
        (Adam: m and v of the first variable, m and v of the second, ...; RMSprop: every
        velocity, then every momentum), then ``extra_state``. ``variables`` (the model's
        trainable weights) fixes the order and builds missing slots; by default, the order in
        which the slots were built. The arrays are copies.
        """
        state = [np.asarray(self.iterations, dtype=np.int64)]
        if not callable(self._learning_rate):
            state.append(np.asarray(self._learning_rate, dtype=np.float32))
        entries = self._state_slots(variables)
        for group in self.slot_groups:
            for slots in entries:
                state.extend(slots[name].copy() for name in group if name in slots)
        return state + [np.asarray(getattr(self, name), dtype=np.float64) for name in self.extra_state]

    def set_state(self, values, variables=None):
        """Restore what ``get_state`` returned (same ``variables``). Every count and shape is
        checked first; on a mismatch nothing changes and the error names the entry."""
        values = [np.asarray(getattr(v, "data", v)) for v in values]
        current = self.get_state(variables)
        if len(values) != len(current):
            raise ValueError(f"{type(self).__name__} state has {len(current)} entries for these variables, "
                             f"received {len(values)}.")
        for i, (value, mine) in enumerate(zip(values, current)):
            if value.shape != mine.shape:
                raise ValueError(f"{type(self).__name__} state entry {i} has shape {mine.shape}, received {value.shape}.")
        values = iter(values)
        self.iterations = int(next(values))
        if not callable(self._learning_rate):
            self.learning_rate = float(next(values))
        entries = self._state_slots(variables)
        for group in self.slot_groups:
            for slots in entries:
                for name in group:
                    if name in slots:
                        slots[name][...] = next(values)
        for name in self.extra_state:
            setattr(self, name, float(next(values)))

    def _state_slots(self, variables):
        if variables is None:
            return [slots for _, slots in self._slots.values()]
        variables = list(variables)
        self.build(variables)
        return [self._slots[id(v)][1] for v in variables]


def _scale_to_norm(g, norm, limit):
    return g * (limit / norm) if norm > limit else g


def _keras2_arguments(cls_name, learning_rate, kwargs):
    """Accept Keras 2's ``lr=`` and ``decay=`` with a warning, so old tutorials run."""
    kwargs = dict(kwargs)
    if "lr" in kwargs:
        warnings.warn(
            f"{cls_name}: `lr` is the Keras 2 name; use `learning_rate={kwargs['lr']}`.",
            DeprecationWarning, stacklevel=4)
        learning_rate = kwargs.pop("lr")
    decay = kwargs.pop("decay", 0.0) or 0.0
    if decay:
        warnings.warn(
            f"{cls_name}: `decay` is the Keras 2 argument; it is applied as Keras 2 did, "
            "lr / (1 + decay * iterations). In Keras 3 use a schedule: "
            "optimizers.schedules.InverseTimeDecay.", DeprecationWarning, stacklevel=4)
        if not decay >= 0:
            raise ValueError(f"`decay` must be non-negative, received decay={decay!r}")
    if kwargs:
        raise ValueError(f"Argument(s) not recognized: {kwargs}")
    return learning_rate, float(decay)
