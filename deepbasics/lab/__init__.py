"""Floor 8: the lab. Each lesson of the course as an experiment with a claim, a figure and numbers.

Every experiment is one module here with the same small interface:

``NAME``       its name on the command line (``deepbasics lab run NAME``)
``TITLE``      ``{"en": ..., "ko": ...}``: the section heading
``CLAIM``      ``{"en": ..., "ko": ...}``: the course's claim, in one sentence
``QUICK``      the knob values ``--quick`` uses (a dict; tests run the experiment with these)
``run(seed=0, **knobs) -> dict``   does the work, returns a JSON-serialisable result:
               ``held`` (bool: did the claim hold), ``table`` (a list of rows, each a dict of the
               same keys: the numbers shown in the report), ``note`` (``{"en", "ko"}``: one or two
               sentences for the verdict; any number in it comes from the result), and whatever
               ``plot`` needs under ``data``
``plot(result, path)``   draws the figure (PNG) from the result alone; returns the path

Experiments use the public Keras-style API, real MNIST where MNIST is named, and ``seed``.
"""
import importlib

# The order of the course (and of the report). A closed list: no name is ever imported from input.
EXPERIMENTS = (
    "perceptron", "activations", "gradient_descent", "optimizers_2d", "optimizers_mnist",
    "batch_size", "overfitting", "vanishing_gradients", "weight_init", "batch_norm",
    "deep_vs_classic", "structures",
)


def get(name):
    """The experiment module called ``name``; a clear error listing the names otherwise."""
    if name not in EXPERIMENTS:
        raise ValueError(f"Unknown experiment {name!r}; the lab has: {', '.join(EXPERIMENTS)}.")
    return importlib.import_module(f"deepbasics.lab.{name}")
