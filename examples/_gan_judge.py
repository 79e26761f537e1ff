"""The judge for examples/mnist_gan.py: a small CNN trained on real MNIST reads generated digits.

A sample counts as a recognisable digit when the judge gives one class probability >= 0.9; the
share of each predicted class shows whether the generator covers all ten digits (a collapsed
generator puts nearly everything into a few classes).
"""
import numpy as np

import deepbasics as db
from deepbasics.layers import Conv2D, Dense, Flatten, MaxPooling2D
from deepbasics.models import Sequential

CONFIDENT = 0.9


def train_judge(images, labels, seed):
    """Conv2D(32,3)-MaxPool-Conv2D(64,3)-MaxPool-Dense(128)-Dense(10), one epoch of Adam.

    ``images``: real digits, shape (n, 784) or (n, 28, 28), pixels in [0, 1]; ``labels``: 0-9.
    """
    db.utils.set_random_seed(seed)
    judge = Sequential([
        Conv2D(32, 3, activation="relu", input_shape=(28, 28, 1)), MaxPooling2D(),
        Conv2D(64, 3, activation="relu"), MaxPooling2D(), Flatten(),
        Dense(128, activation="relu"), Dense(10, activation="softmax"),
    ], name="judge")
    judge.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    judge.fit(images.reshape(-1, 28, 28, 1), labels, batch_size=128, epochs=1, verbose=0)
    return judge


def judge_samples(judge, images):
    """(share of samples with a class probability >= 0.9, share of samples per predicted digit)."""
    probs = judge.predict(images.reshape(-1, 28, 28, 1), verbose=0)
    confident = float(np.mean(probs.max(axis=1) >= CONFIDENT))
    shares = np.bincount(probs.argmax(axis=1), minlength=10) / len(images)
    return confident, shares
