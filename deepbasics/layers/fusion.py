"""Two layers run as one op when a model calls them back to back: Conv then MaxPooling.

A model's ``call`` asks ``fused_call(layer, next_layer, x)`` before calling a layer; it gets the
next layer's output computed by one fused op (``ops/conv_pool.py``: same values and gradients,
less memory traffic), or None when the pair does not qualify and each layer runs as usual. The
layers, their weights and ``model.layers`` are unchanged; only the arithmetic is shared.
"""
from deepbasics.layers.convolutional import _FUSED, _Conv
from deepbasics.layers.layer import Layer, _as_tensor, is_symbolic
from deepbasics.layers.pooling import _Pooling
from deepbasics.ops import conv_pool
from deepbasics.ops import pooling as pool_ops


def _qualifies(conv, pool):
    """A stock Conv1D/Conv2D with relu or no activation and no activity regularizer, then a
    stock MaxPooling of the same rank whose windows tile (strides = pool_size, 'valid')."""
    return (isinstance(conv, _Conv) and type(conv).call is _Conv.call and conv.built
            and _FUSED.get(conv.activation, "other") in conv_pool.ACTIVATIONS
            and conv.activity_regularizer is None
            and isinstance(pool, _Pooling) and type(pool).call is _Pooling.call and pool.op is pool_ops.MaxPool
            and pool.built and pool.rank == conv.rank and pool.strides == pool.pool_size
            and pool.padding == "valid" and pool.activity_regularizer is None
            and type(conv).__call__ is Layer.__call__ and type(pool).__call__ is Layer.__call__)


def fused_call(layer, next_layer, x):
    """``next_layer(layer(x))`` as one op, or None when the pair does not qualify (then the
    caller runs both layers; any error about the input is theirs to raise)."""
    if not _qualifies(layer, next_layer) or isinstance(x, (list, tuple)) or is_symbolic(x):
        return None
    x = _as_tensor(x, layer.dtype)
    conv_shape = layer.compute_output_shape(x.shape) if x.ndim == layer.rank + 2 else None
    if conv_shape is None or x.shape[-1] != layer.kernel.shape[-2] or any(
            o < p for o, p in zip(conv_shape[1:-1], next_layer.pool_size)):
        return None
    return conv_pool.conv_max_pool(x, layer.kernel, layer.bias, layer.strides, layer.padding, layer.dilation_rate,
                                   next_layer.pool_size, _FUSED[layer.activation])
