"""The export on real data: a small CNN with BatchNormalization trained on MNIST, run in ONNX Runtime."""
import numpy as np

import deepbasics as db
from deepbasics import layers as L
from mnist_data import needs_data, subset


@needs_data
def test_mnist_cnn_gives_the_same_predictions_in_onnx_runtime(export_onnx):
    x_train, y_train, x_test, y_test = subset(1000, 500)
    model = db.Sequential([
        L.Input((28, 28, 1)), L.Conv2D(8, 3, activation="relu"), L.BatchNormalization(), L.MaxPooling2D(),
        L.Conv2D(8, 3, padding="same", activation="relu"), L.MaxPooling2D(), L.Flatten(), L.Dropout(0.25),
        L.Dense(10, activation="softmax")])
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(x_train.reshape(-1, 28, 28, 1), y_train, epochs=3, batch_size=32, verbose=0)
    images = x_test.reshape(-1, 28, 28, 1)
    want = model.predict(images, verbose=0)
    session, _ = export_onnx(model)
    got = session.run(None, {session.get_inputs()[0].name: images})[0]
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    assert (got.argmax(1) == y_test).mean() == (want.argmax(1) == y_test).mean() > 0.5  # it learned something
