"""Run by real Keras (see keras_interop.py): builds one small model per layer deepbasics has,
trains it a little (so BatchNormalization statistics and the optimizer state are not the
initial ones) and writes, for each NAME, NAME.keras, NAME.h5, NAME.weights.h5, NAME_io.npz
(inputs x0, x1, ... and predictions y) and NAME_opt.npz (the optimizer's variables)."""
import keras
import numpy as np
from keras import layers as L


def double(x):
    return x * 2.0


def sequential(shape, *layers):
    return keras.Sequential([keras.Input(shape)] + list(layers))


def zoo():
    models = {
        "mlp": sequential((8,), L.Dense(16, activation="relu"), L.Dropout(0.3), L.Dense(4, activation="softmax")),
        "cnn": sequential((10, 10, 2), L.Conv2D(4, 3, activation="relu"), L.BatchNormalization(), L.MaxPooling2D(),
                          L.Dropout(0.25), L.Flatten(), L.Dense(3, activation="softmax")),
        "lstm": sequential((6, 3), L.LSTM(5), L.Dense(2)),
        "gru": sequential((6, 3), L.GRU(5, return_sequences=True), L.GRU(4, reset_after=False), L.Dense(2)),
        "simple_rnn": sequential((6, 3), L.SimpleRNN(5, activation="relu"), L.Dense(2)),
        "conv1d": sequential((12, 3), L.Conv1D(4, 3, padding="causal"), L.MaxPooling1D(), L.AveragePooling1D(2),
                             L.Conv1D(2, 2, padding="same", dilation_rate=2), L.GlobalAveragePooling1D()),
        "pooling": sequential((12, 3), L.Conv1D(4, 3), L.GlobalMaxPooling1D(), L.Reshape((2, 2, 1)),
                              L.GlobalMaxPooling2D()),
        "conv2d_transpose": sequential((5, 5, 2), L.Conv2DTranspose(3, 3, strides=2, padding="same"),
                                       L.AveragePooling2D(2), L.GlobalAveragePooling2D()),
        "spatial": sequential((8, 8, 2), L.ZeroPadding2D(1), L.Cropping2D(((1, 0), (0, 1))), L.UpSampling2D(),
                              L.SpatialDropout2D(0.2), L.Conv2D(2, 3, strides=2), L.Flatten()),
        "activations": sequential((6,), L.Dense(6), L.ReLU(max_value=1.0), L.Dense(6), L.LeakyReLU(negative_slope=0.2),
                                  L.ELU(), L.PReLU(), L.Softmax(), L.Activation("tanh"), L.GaussianNoise(0.1),
                                  L.Dense(3, activation="sigmoid")),
        "reshaping": sequential((6,), L.Reshape((2, 3)), L.Permute((2, 1)), L.Flatten(), L.RepeatVector(2),
                                L.SpatialDropout1D(0.1), L.Flatten()),
        "embedding": sequential((5,), L.Embedding(20, 4), L.LSTM(3, return_sequences=True),
                                L.TimeDistributed(L.Dense(2)), L.Flatten()),
        "bidirectional": sequential((6, 3), L.Bidirectional(L.LSTM(3, return_sequences=True)),
                                    L.Bidirectional(L.GRU(2), merge_mode="sum")),
        "lambda_named": sequential((3,), L.Dense(2), L.Lambda(double)),
        "lambda_code": sequential((3,), L.Dense(2), L.Lambda(lambda x: x + 1.0)),
    }
    a, b = keras.Input((4,), name="a"), keras.Input((4,), name="b")
    h = L.Dense(5, activation="tanh")(a)
    inner = keras.Sequential([keras.Input((4,)), L.Dense(5)], name="inner")
    g = inner(b)
    merged = [L.Concatenate()([h, g]), L.Add()([h, g]), L.Subtract()([h, g]), L.Multiply()([h, h]),
              L.Average()([h, g]), L.Maximum()([h, g]), L.Minimum()([h, g])]
    models["functional"] = keras.Model([a, b], L.Dense(2, name="out")(L.Concatenate()(merged)))
    shared, c = L.Dense(3), keras.Input((3,))
    models["shared_layer"] = keras.Model(c, shared(shared(c)))
    return models


def inputs_for(name, model, rng):
    if name == "embedding":
        return [rng.integers(0, 20, (7, 5)).astype("float32")]
    return [rng.normal(size=(7,) + tuple(t.shape[1:])).astype("float32") for t in model.inputs]


def main():
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    for name, model in zoo().items():
        xs = inputs_for(name, model, rng)
        x = xs if len(xs) > 1 else xs[0]
        model.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse", metrics=["mae"])
        target = model.predict(x, verbose=0) + 0.5
        model.fit(x, target, epochs=1, batch_size=4, verbose=0)
        model.save(f"{name}.keras")
        model.save(f"{name}.h5")
        model.save_weights(f"{name}.weights.h5")
        np.savez(f"{name}_io.npz", *xs, y=np.asarray(model.predict(x, verbose=0)))
        np.savez(f"{name}_opt.npz", *[np.asarray(v) for v in model.optimizer.variables])


if __name__ == "__main__":
    main()
