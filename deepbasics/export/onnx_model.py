"""A Sequential or functional model as one ONNX model: checks first, then the graph, layer by layer.

Every layer is checked before any node is made, and the whole model is built and checked in
memory before a byte is written: an unsupported layer never leaves a partial file.
"""
import numpy as np
import onnx
from onnx import helper

import deepbasics
from deepbasics.export import onnx_conv, onnx_core, onnx_merging, onnx_recurrent, onnx_reshaping
from deepbasics.export.onnx_graph import IR_VERSION, OPSET, Graph, Value, layer_error
from deepbasics.layers import InputLayer
from deepbasics.models import Model, Sequential
from deepbasics.models.functional import Functional

CONVERTERS = {**onnx_core.CONVERTERS, **onnx_reshaping.CONVERTERS, **onnx_merging.CONVERTERS,
              **onnx_conv.CONVERTERS, **onnx_recurrent.CONVERTERS}
MAX_BYTES = 2**31 - 1  # protobuf's limit on one message


def build(model):
    """The ONNX ModelProto of ``model``, checked by ``onnx.checker``."""
    check_exportable(model)
    g = Graph(np.float32)
    inputs = _input_specs(model)
    values = []
    for name, shape, dtype in inputs:
        g.reserve(name)
        if dtype.kind in "iu":
            g.integer_names.add(name)
        values.append(Value(name, len(shape)))
    outputs = _output_specs(model)
    for name, _ in outputs:
        g.reserve(name)
    results = convert_model(model, values, g)
    for value, (name, _) in zip(results, outputs):
        g.nodes.append(helper.make_node("Identity", [g.channels_last(value).name], [name], name=name))
    graph = helper.make_graph(
        g.nodes, model.name, [_value_info(name, shape, dtype) for name, shape, dtype in inputs],
        [_value_info(name, shape, g.dtype, name_unknown=False) for name, shape in outputs], g.initializers)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], ir_version=IR_VERSION,
                              producer_name="deepbasics", producer_version=deepbasics.__version__)
    if proto.ByteSize() > MAX_BYTES:
        raise ValueError(f"Model {model.name!r} is {proto.ByteSize():,} bytes as ONNX, more than the 2 GiB one "
                         "ONNX file can hold.")
    onnx.checker.check_model(proto, full_check=True)
    return proto


# -- checks ----------------------------------------------------------------------------------------
def check_exportable(model):
    """Raise one clear error, before any work, for an unbuilt model, a subclassed model, weights
    that are not float32, or layers with no ONNX form (all of them named at once)."""
    _check_traceable(model)
    if isinstance(model, Sequential) and not model.layers:
        raise ValueError(f"Model {model.name!r} has no layers: add some with model.add(...) before exporting.")
    if isinstance(model, Sequential) and _sequential_input_shape(model) is None:
        raise ValueError(f"Model {model.name!r} is not built yet, so its input shape is unknown. Declare it "
                         "(an Input(shape=...) first, or input_shape=/input_dim= on the first layer), call "
                         "model.build((None, ...)), or run it once (fit or predict) before exporting.")
    problems = []
    for layer in _all_layers(model):
        if type(layer) not in CONVERTERS and not isinstance(layer, (Model, InputLayer)):
            problems.append(f"{layer.name!r} ({type(layer).__name__})")
    if problems:
        supported = ", ".join(sorted({cls.__name__ for cls in CONVERTERS}))
        raise ValueError(f"Cannot export model {model.name!r} to ONNX: no ONNX conversion for layer "
                         f"{', '.join(problems)}. Layers with one: {supported}.")
    wrong = [w for w in model.weights if w.data.dtype != np.float32]
    if wrong:
        raise ValueError(f"ONNX export writes float32 models; weight {wrong[0].name!r} of model {model.name!r} "
                         f"is {wrong[0].data.dtype}.")


def _check_traceable(model):
    if isinstance(model, Sequential) and type(model).call is not Sequential.call:
        raise ValueError(f"Cannot export model {model.name!r} ({type(model).__name__}) to ONNX: it overrides "
                         "call(), which cannot be read as a graph of layers.")
    if not isinstance(model, (Sequential, Functional)) or (
            isinstance(model, Functional) and type(model).call is not Functional.call):
        raise ValueError(f"Cannot export model {model.name!r} ({type(model).__name__}) to ONNX: a subclassed "
                         "model writes its own call(), which cannot be read as a graph of layers. Build it "
                         "as a Sequential or a functional Model(inputs, outputs) to export it.")


def _all_layers(model):
    """Every layer, those of nested models included (the nested models are checked as well)."""
    for layer in model.layers:
        yield layer
        if isinstance(layer, Model):
            _check_traceable(layer)
            yield from _all_layers(layer)


# -- the graph -------------------------------------------------------------------------------------
def convert_model(model, values, g):
    """The output Values of ``model`` applied to the input ``values`` (one per model input)."""
    if isinstance(model, Sequential):
        x = values[0]
        for layer in model.layers:
            x = convert_layer(layer, x, g)
        return x if isinstance(x, list) else [x]
    known = {id(t): v for t, v in zip(model.inputs, values)}
    for node in model._nodes:
        args = ([known[id(t)] for t in node.inputs] if isinstance(node.inputs, (list, tuple))
                else known[id(node.inputs)])
        out = convert_layer(node.layer, args, g)
        symbolic = node.outputs if isinstance(node.outputs, (list, tuple)) else [node.outputs]
        results = out if isinstance(out, list) else [out]
        for t, v in zip(symbolic, results):
            known[id(t)] = v
    return [known[id(t)] for t in model.outputs]


def convert_layer(layer, x, g):
    if isinstance(layer, Model):  # a model used as a layer: its graph, inline
        outputs = convert_model(layer, x if isinstance(x, list) else [x], g)
        return outputs if len(outputs) > 1 else outputs[0]
    if isinstance(x, list) and type(layer) not in onnx_merging.CONVERTERS:
        raise layer_error(layer, f"it is called on a list of {len(x)} tensors, and it takes one.")
    return CONVERTERS[type(layer)](layer, x, g)


# -- inputs and outputs ----------------------------------------------------------------------------
def _sequential_input_shape(model):
    try:
        shape = model.input_shape
    except (AttributeError, IndexError):
        return None
    return None if shape is None else tuple(shape)


def _input_specs(model):
    """(name, Keras shape, dtype) per input: the Input layers' names; integer ids for an Embedding."""
    if isinstance(model, Sequential):
        name = model._input_layer.name if model._input_layer is not None else "input_layer"
        ids = bool(model.layers) and getattr(model.layers[0], "takes_integer_ids", False)
        return [(name, _sequential_input_shape(model), np.dtype(np.int64 if ids else np.float32))]
    specs = []
    for t in model.inputs:
        dtype = np.dtype(t.dtype)
        specs.append((t.node.layer.name, t.shape, dtype if dtype.kind in "iu" else np.dtype(np.float32)))
    return specs


def _output_specs(model):
    """(name, Keras shape) per output: the name of the layer that makes it, made unique."""
    if isinstance(model, Sequential):
        layer = model.layers[-1]
        shapes = layer.output_shape
        pairs = [(layer.name, tuple(s)) for s in (shapes if isinstance(shapes, list) else [shapes])]
    else:
        pairs = [(t.node.layer.name, t.shape) for t in model.outputs]
    taken = {name for name, _, _ in _input_specs(model)}
    unique = []
    for name, shape in pairs:
        base, i = name, 1
        while name in taken:
            name, i = f"{base}_{i}", i + 1
        taken.add(name)
        unique.append((name, shape))
    return unique


def _value_info(name, shape, dtype, name_unknown=True):
    """A graph input or output: the batch axis is the symbolic 'batch'; other unknown sizes get a
    name on an input (``name_unknown``), and are left open on an output."""
    unknown = (lambda i: f"{name}_dim{i}") if name_unknown else (lambda i: None)
    dims = ["batch" if i == 0 else (unknown(i) if d is None else int(d)) for i, d in enumerate(shape)]
    return helper.make_tensor_value_info(name, helper.np_dtype_to_tensor_dtype(np.dtype(dtype)), dims)
