"""to_categorical (and Keras 2's np_utils path): one-hot rows in float32, (n, 1) squeezed,
num_classes, errors; normalize."""
import numpy as np
import pytest

from deepbasics.utils import normalize, np_utils, to_categorical


def one_hot_ref(labels, k):
    out = np.zeros((len(labels), k))
    for i, c in enumerate(labels):
        out[i, c] = 1.0
    return out


def test_one_hot_rows_in_float32():
    y = to_categorical([0, 2, 1, 2])
    assert y.dtype == np.float32 and y.shape == (4, 3)
    np.testing.assert_array_equal(y, one_hot_ref([0, 2, 1, 2], 3))


def test_column_of_labels_is_squeezed():
    y = np.array([[1], [0], [3]], dtype=np.uint8)
    out = to_categorical(y)
    assert out.shape == (3, 4)
    np.testing.assert_array_equal(out, one_hot_ref([1, 0, 3], 4))


def test_num_classes_and_dtype():
    out = to_categorical(np.array([1, 0]), num_classes=10)
    assert out.shape == (2, 10)
    np.testing.assert_array_equal(out.argmax(-1), [1, 0])
    assert to_categorical([1], 3, dtype="float64").dtype == np.float64


def test_higher_rank_labels_get_a_trailing_class_axis():
    y = np.array([[0, 1, 2], [2, 2, 0]])
    out = to_categorical(y)
    assert out.shape == (2, 3, 3)
    np.testing.assert_array_equal(out.argmax(-1), y)
    np.testing.assert_array_equal(out.sum(-1), np.ones((2, 3)))


def test_single_label_and_whole_floats():
    np.testing.assert_array_equal(to_categorical([2.0, 0.0]), one_hot_ref([2, 0], 3))
    np.testing.assert_array_equal(to_categorical(np.array([1]), 2), [[0.0, 1.0]])


def test_mnist_like_uint8_labels():
    labels = np.random.default_rng(0).integers(0, 10, 60).astype(np.uint8)
    out = to_categorical(labels, 10)
    np.testing.assert_array_equal(out, one_hot_ref(labels, 10))


def test_label_outside_num_classes_is_an_error():
    with pytest.raises(ValueError, match=r"label 5 outside the range \[0, 2\]"):
        to_categorical([0, 5], num_classes=3)


def test_negative_label_is_an_error():
    with pytest.raises(ValueError, match="labels >= 0"):
        to_categorical([0, -1])


def test_fractional_labels_are_an_error():
    with pytest.raises(ValueError, match="integer class labels"):
        to_categorical([0.5, 1.0])


def test_np_utils_is_the_same_function():
    assert np_utils.to_categorical is to_categorical
    assert np_utils.normalize is normalize


def test_normalize_rows_to_unit_length():
    x = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, 0.0]])
    out = normalize(x)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0], [1.0, 0.0]], rtol=1e-6)
    np.testing.assert_allclose(normalize(x, axis=0, order=1)[:, 0], [0.75, 0.0, 0.25], rtol=1e-6)
