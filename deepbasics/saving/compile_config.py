"""What ``compile()`` fixed <-> Keras's ``compile_config`` (.keras) and ``training_config`` (.h5).

A built-in loss with its default arguments is written by its Keras name
('categorical_crossentropy'), as a tutorial passes it; anything else as a Keras object.
"""
from deepbasics import losses, metrics
from deepbasics.models.multi_output import MultiOutputState
from deepbasics.registry import snake_case
from deepbasics.saving import allowlist
from deepbasics.saving.errors import ModelFileError, short
from deepbasics.saving.keras_objects import KERAS3, convert_config, function_ref, keras_object, plain


def optimizer_entry(optimizer, form):
    return keras_object("optimizers", type(optimizer).__name__, convert_config(optimizer.get_config(), form), form,
                        cls=type(optimizer))


def loss_entry(loss, form):
    if isinstance(loss, losses.LossFunctionWrapper):
        return function_ref(loss.fn.__name__, loss.fn.__module__, form)
    cls = type(loss)
    if allowlist.lookup("losses", cls.__name__) is cls and loss.get_config() == cls().get_config():
        return snake_case(cls.__name__)
    return keras_object("losses", cls.__name__, plain(loss.get_config()), form, cls=cls)


def metric_entry(identifier, form):
    if isinstance(identifier, str):
        return identifier
    if isinstance(identifier, losses.Loss):
        return loss_entry(identifier, form)
    if isinstance(identifier, metrics.Metric):
        cls = type(identifier)
        return keras_object("metrics", cls.__name__, plain(identifier.get_config()), form, cls=cls)
    return function_ref(identifier.__name__, identifier.__module__, form)


def compile_config(model, form):
    """Keras's compile config (or Keras 2's training config), or None for a model never compiled."""
    if not getattr(model, "compiled", False) or model.optimizer is None:
        return None
    state = model._compiled_metrics  # what compile() resolved; Model has no public view of it yet
    if isinstance(state, MultiOutputState):
        loss = {n: loss_entry(item, form) for n, item in zip(state.names_out, state.losses)}
        loss_weights = dict(zip(state.names_out, state.weights))
        metric_list = {n: [metric_entry(m, form) for m in tracker.identifiers]
                       for n, tracker in zip(state.names_out, state.trackers)}
    else:
        loss, loss_weights = loss_entry(model.loss, form), None
        metric_list = [metric_entry(m, form) for m in state.identifiers] or None
    config = {"loss": loss, "loss_weights": loss_weights, "metrics": metric_list, "weighted_metrics": None}
    if form == KERAS3:
        return {"optimizer": optimizer_entry(model.optimizer, form), **config, "run_eagerly": False,
                "steps_per_execution": 1, "jit_compile": False}
    return {**config, "optimizer_config": optimizer_entry(model.optimizer, form)}


def compile_from_config(model, config, loader, keras2=False):
    """Compile ``model`` as the file says; False (and nothing done) when it says too little."""
    if not isinstance(config, dict) or not config:
        return False
    entry = config.get("optimizer_config" if keras2 else "optimizer")
    if entry is None or config.get("loss") is None:
        return False
    hint = " (load with compile=False to skip the training configuration)"
    try:
        optimizer = loader.obj("optimizers", entry, "the compile config's optimizer")
        loss = _nested(config["loss"], lambda v: loader.obj("losses", v, "the compile config's loss"))
        metric_list = config.get("metrics")
        if isinstance(metric_list, list) and len(metric_list) == 1 and isinstance(metric_list[0], list):
            metric_list = metric_list[0]  # tf.keras 2 nested one list per output
        metric_list = _nested(metric_list, lambda v: _metric(v, loader))
    except ModelFileError as exc:
        loader.fail(exc.problem + hint)
    try:
        model.compile(optimizer=optimizer, loss=loss, metrics=metric_list, loss_weights=config.get("loss_weights"))
    except (TypeError, ValueError) as exc:
        loader.fail(f"the model cannot be compiled as the file says ({exc}){hint}")
    return True


def _nested(value, convert):
    """Convert one object, or each of a list or an output-name dict of them."""
    if value is None:
        return None
    if isinstance(value, list):
        return [_nested(v, convert) for v in value]
    if isinstance(value, dict) and "class_name" not in value:
        return {k: _nested(v, convert) for k, v in value.items()}
    return convert(value)


def _metric(value, loader):
    where = "the compile config's metrics"
    if isinstance(value, dict) and value.get("class_name") == "MeanMetricWrapper":  # tf.keras 2
        config = value.get("config") or {}
        name, fn = config.get("name"), config.get("fn")
        if isinstance(name, str) and name.lower() in metrics.ACCURACY_NAMES:
            return name
        if not isinstance(fn, str):
            loader.fail(f"{where}: cannot tell which metric {short(value)} is")
        return loader.by_name("metrics", fn, where)
    return loader.obj("metrics", value, where)
