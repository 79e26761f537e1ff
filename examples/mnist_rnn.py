"""MNIST read by an LSTM, the Keras way: each image is a sequence of 28 rows of 28 pixels.

LSTM(128) - Dense(10, softmax); Adam, batch 128, 2 epochs, the real MNIST: about 97-98%.

    python examples/mnist_rnn.py            (DEEPBASICS_DATA_DIR: a folder with the IDX files)
"""
import time

from deepbasics.callbacks import Callback
from deepbasics.datasets import mnist
from deepbasics.layers import Dense, Input
from deepbasics.layers.recurrent import LSTM
from deepbasics.models import Sequential
from deepbasics.utils import np_utils


class EpochTimer(Callback):
    """Wall-clock seconds of each training epoch (without loading, building or testing)."""

    def on_train_begin(self, logs=None):
        self.seconds = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.seconds.append(time.perf_counter() - self.start)


(x_train, y_train), (x_test, y_test) = mnist.load_data()
x_train = x_train.reshape(-1, 28, 28).astype("float32") / 255.0  # (batch, timesteps = rows, features = pixels)
x_test = x_test.reshape(-1, 28, 28).astype("float32") / 255.0
y_train = np_utils.to_categorical(y_train, 10)
y_test = np_utils.to_categorical(y_test, 10)

model = Sequential([
    Input(shape=(28, 28)),
    LSTM(128),
    Dense(10, activation="softmax"),
])
model.summary()
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])

timer = EpochTimer()
model.fit(x_train, y_train, batch_size=128, epochs=2, callbacks=[timer])
loss, accuracy = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
epochs = ", ".join(f"{s:.1f}" for s in timer.seconds)
print(f"test loss {loss:.4f} - test accuracy {accuracy:.4f} - epoch times {epochs} s")
