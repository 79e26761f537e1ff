"""Keras 2's compile-time ``trainable`` rule, which GAN recipes rely on.

``compile()`` records every layer's ``trainable`` flag; training updates exactly the weights
those flags allowed, until the model is compiled again. So after ``discriminator.compile(...)``,
``discriminator.trainable = False`` and ``gan.compile(...)``, the discriminator still trains
through its own ``train_on_batch`` and only the generator trains through ``gan``.
(Keras 3 reads the flags at every step instead, and that recipe's discriminator never trains.)
"""
import warnings


def walk_layers(layer):
    """``layer`` and, for a model, every layer inside it, depth first."""
    yield layer
    for sub in getattr(layer, "layers", None) or ():
        yield from walk_layers(sub)


def record_flags(model):
    return {id(layer): layer.trainable for layer in walk_layers(model)}


def trainable_at_compile(layer, flags):
    """The trainable weights of ``layer`` as the recorded ``flags`` say."""
    if not flags.get(id(layer), layer.trainable):
        return []
    if getattr(layer, "layers", None) is not None:
        return [w for sub in layer.layers for w in trainable_at_compile(sub, flags)]
    return [w for w in layer._weights if w.trainable]


def warn_if_changed(model):
    """Once per compile: say which layers' flags changed since, and that they don't count yet."""
    if model._warned_flags:
        return
    changed = [layer.name for layer in walk_layers(model)
               if id(layer) in model._compile_flags and model._compile_flags[id(layer)] != layer.trainable]
    if changed:
        model._warned_flags = True
        warnings.warn(
            f"Model {model.name!r}: `trainable` changed since compile() for {changed}. As in Keras 2, "
            "the flags take effect when the model is compiled: this model keeps training the weights "
            "it was compiled with. Call compile() again to apply the new flags.",
            UserWarning, stacklevel=3)
