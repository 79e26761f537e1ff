"""Run by real Keras (see keras_interop.py): reads manifest.json, a list of
``{"stem", "file", "inputs", "arch"?}``. For each entry it loads ``file`` (a whole model, or
weights into the model loaded from ``arch``), predicts on the inputs saved in ``inputs``
(x0, x1, ...) and writes STEM_keras.npz (y, and the optimizer's variables opt0, opt1, ...).
Whole models are saved again by Keras as k_STEM.keras and k_STEM.h5."""
import json

import keras
import numpy as np


def double(x):
    return x * 2.0


def main():
    for entry in json.load(open("manifest.json")):
        io = np.load(entry["inputs"])
        xs = [io[k] for k in sorted(io.files) if k.startswith("arr_")]
        x = xs if len(xs) > 1 else xs[0]
        if "arch" in entry:
            model = keras.saving.load_model(entry["arch"], custom_objects={"double": double})
            for variable in model.weights:
                variable.assign(np.zeros(variable.shape))
            model.load_weights(entry["file"])
        else:
            model = keras.saving.load_model(entry["file"], custom_objects={"double": double})
            model.save(f"k_{entry['stem']}.keras")
            model.save(f"k_{entry['stem']}.h5")
        state = [np.asarray(v) for v in model.optimizer.variables] if model.optimizer is not None else []
        np.savez(f"{entry['stem']}_keras.npz", y=np.asarray(model.predict(x, verbose=0)),
                 **{f"opt{i}": v for i, v in enumerate(state)})


if __name__ == "__main__":
    main()
