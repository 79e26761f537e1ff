"""``Embedding``: integer ids -> rows of a trainable table."""
import numpy as np

from deepbasics import constraints, initializers, regularizers
from deepbasics.autodiff import Tensor
from deepbasics.layers.layer import Layer
from deepbasics.layers.symbolic import is_symbolic
from deepbasics.ops.embedding import Embedding as EmbeddingOp


class Embedding(Layer):
    """Turns ids in [0, input_dim) into dense vectors: y[b, t] = embeddings[ids[b, t]].

    ``embeddings`` has shape (input_dim, output_dim), initialised U(-0.05, 0.05) as in Keras.
    ``input_length`` (Keras 2) declares the input shape (None, input_length) when given.

    >>> import numpy as np
    >>> from deepbasics.layers.embedding import Embedding
    >>> Embedding(1000, 64)(np.array([[4, 20, 7]])).shape
    (1, 3, 64)
    """

    _single_input = True

    takes_integer_ids = True  # fit() passes its integer input through, without the pixel warning

    def __init__(self, input_dim, output_dim, embeddings_initializer="uniform", embeddings_regularizer=None,
                 embeddings_constraint=None, mask_zero=False, weights=None, lora_rank=None, input_length=None,
                 activity_regularizer=None, **kwargs):
        if input_length is not None and "input_shape" not in kwargs and "batch_input_shape" not in kwargs:
            kwargs["input_shape"] = (input_length,)
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        for name, value in (("input_dim", input_dim), ("output_dim", output_dim)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
                raise ValueError(f"Both `input_dim` and `output_dim` should be positive, received {name}={value!r}")
        if mask_zero:
            raise ValueError("Embedding: mask_zero=True is not supported in deepbasics (no masking yet); id 0 "
                             "is embedded like any other id. Pass mask_zero=False.")
        if lora_rank is not None:
            raise ValueError(f"Embedding: `lora_rank` is not supported in deepbasics; received lora_rank={lora_rank!r}.")
        self.input_dim, self.output_dim = int(input_dim), int(output_dim)
        self.embeddings_initializer = initializers.get(embeddings_initializer)
        self.embeddings_regularizer = regularizers.get(embeddings_regularizer)
        self.embeddings_constraint = constraints.get(embeddings_constraint)
        self.mask_zero, self.input_length = False, input_length
        self._initial_weights = weights
        self.embeddings = None

    def build(self, input_shape=None):
        self.embeddings = self.add_weight((self.input_dim, self.output_dim), self.embeddings_initializer,
                                          name="embeddings", regularizer=self.embeddings_regularizer,
                                          constraint=self.embeddings_constraint)
        if self._initial_weights is not None:
            self.set_weights(self._initial_weights)
            self._initial_weights = None
        self.built = True  # also when build() is called directly: the first call must not build again

    def __call__(self, x, training=None):
        if not is_symbolic(x) and not isinstance(x, Tensor):
            x = Tensor(np.asarray(x))  # keep integer ids as integers (the base class casts to floatx)
        return super().__call__(x, training=training)

    def call(self, x):
        ids = x.data
        if ids.dtype.kind == "f":
            if not np.all(np.floor(ids) == ids):
                raise ValueError(f"Embedding {self.name!r} expects integer ids, received non-integer values "
                                 f"(dtype {ids.dtype}).")
            ids = ids.astype(np.int64)
        elif ids.dtype.kind not in "iu":
            raise TypeError(f"Embedding {self.name!r} expects integer ids, received dtype {ids.dtype}.")
        if ids.size and (ids.min() < 0 or ids.max() >= self.input_dim):
            bad = ids.min() if ids.min() < 0 else ids.max()
            raise ValueError(f"Embedding {self.name!r}: id {int(bad)} is out of range [0, {self.input_dim}) "
                             f"(input_dim={self.input_dim}).")
        return EmbeddingOp()(ids, self.embeddings)

    def compute_output_shape(self, input_shape):
        return tuple(input_shape) + (self.output_dim,)

    def get_config(self):
        config = {
            **super().get_config(),
            "input_dim": self.input_dim,
            "output_dim": self.output_dim,
            "embeddings_initializer": initializers.serialize(self.embeddings_initializer),
            "embeddings_regularizer": regularizers.serialize(self.embeddings_regularizer),
            "embeddings_constraint": constraints.serialize(self.embeddings_constraint),
            "mask_zero": self.mask_zero,
        }
        if self.input_length is not None:
            config["input_length"] = self.input_length
        return config
