"""Metrics: Keras 3's 'accuracy' resolution by shapes (named as passed), the accuracy rules
(first max wins, strict threshold), the weighted running Mean, the registry."""
import numpy as np
import pytest

from deepbasics import losses, metrics

P3 = np.array([[0.1, 0.7, 0.2], [0.5, 0.3, 0.2], [0.2, 0.2, 0.6], [0.3, 0.4, 0.3]])
LABELS = np.array([1, 2, 2, 1])  # hits: yes, no, yes, yes


@pytest.mark.parametrize("y_shape,p_shape,cls", [
    ((4,), (4, 1), metrics.BinaryAccuracy),
    ((4, 1), (4, 1), metrics.BinaryAccuracy),
    ((4,), (4, 3), metrics.SparseCategoricalAccuracy),
    ((4, 1), (4, 3), metrics.SparseCategoricalAccuracy),
    ((4, 3), (4, 3), metrics.CategoricalAccuracy),
    ((2, 5), (2, 5, 3), metrics.SparseCategoricalAccuracy),  # sequences of integer labels
])
@pytest.mark.parametrize("name", ["accuracy", "acc", "Accuracy"])
def test_accuracy_is_resolved_by_shapes_and_keeps_its_name(y_shape, p_shape, cls, name):
    m = metrics.get(name, np.zeros(y_shape), np.zeros(p_shape))
    assert type(m) is cls
    assert m.name == name


def test_accuracy_needs_the_data():
    with pytest.raises(ValueError, match="pass y_true and y_pred"):
        metrics.get("accuracy")


def test_resolved_accuracies_agree_on_the_same_predictions():
    onehot = np.eye(3)[LABELS]
    results = []
    for y in (LABELS, LABELS[:, None], onehot):
        m = metrics.get("acc", y, P3)
        m.update_state(y, P3)
        results.append(m.result())
    assert results == [0.75, 0.75, 0.75]


def test_categorical_accuracy_ties_go_to_the_first_max():
    p = np.array([[0.4, 0.4, 0.2], [0.4, 0.4, 0.2]])
    m = metrics.CategoricalAccuracy()
    m.update_state(np.eye(3)[[0, 1]], p)
    assert m.result() == 0.5  # row 0 (class 0) counts, row 1 (class 1) does not
    s = metrics.SparseCategoricalAccuracy()
    s.update_state(np.array([0, 1]), p)
    assert s.result() == 0.5


def test_binary_accuracy_threshold_is_strict():
    m = metrics.BinaryAccuracy()
    m.update_state(np.array([0, 0, 1, 0]), np.array([[0.5], [0.5], [0.51], [0.2]]))
    assert m.result() == 1.0  # 0.5 is not > 0.5: predicted 0, which is right
    m = metrics.BinaryAccuracy(threshold=0.7)
    m.update_state(np.array([[1], [1]]), np.array([[0.6], [0.8]]))
    assert m.result() == 0.5


def test_accuracy_runs_over_several_batches():
    m = metrics.SparseCategoricalAccuracy()
    m.update_state(LABELS[:2], P3[:2])  # 1 of 2
    m.update_state(LABELS[2:], P3[2:])  # 2 of 2
    assert m.result() == pytest.approx(3 / 4)
    m.reset_state()
    assert m.result() == 0.0


def test_weighted_accuracy():
    m = metrics.SparseCategoricalAccuracy()
    m.update_state(LABELS, P3, sample_weight=np.array([1.0, 3.0, 0.0, 1.0]))
    assert m.result() == pytest.approx(2 / 5)  # hits weigh 1 + 0 + 1 of 5


def test_weighted_mean():
    m = metrics.Mean()
    m.update_state(np.array([1.0, 2.0, 3.0]), sample_weight=np.array([1.0, 0.0, 1.0]))
    assert m.result() == pytest.approx(2.0)
    m.update_state(np.array([10.0]), sample_weight=np.array([2.0]))
    assert m.result() == pytest.approx((1 + 3 + 20) / 4)
    m.update_state([4.0, 4.0])  # unweighted values count 1 each
    assert m.result() == pytest.approx((24 + 8) / 6)


def test_mean_with_a_scalar_weight_and_bool_values():
    m = metrics.Mean()
    m.update_state(np.array([True, False, True, True]))
    assert m.result() == 0.75
    m.reset_state()
    m.update_state(np.array([2.0, 4.0]), sample_weight=0.5)
    assert m.result() == pytest.approx(3.0)


def test_empty_mean_is_zero():
    assert metrics.Mean().result() == 0.0


@pytest.mark.parametrize("name,cls", [
    ("categorical_accuracy", metrics.CategoricalAccuracy),
    ("sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy),
    ("binary_accuracy", metrics.BinaryAccuracy),
    ("mse", metrics.MeanSquaredError),
    ("mae", metrics.MeanAbsoluteError),
    ("BinaryAccuracy", metrics.BinaryAccuracy),
])
def test_get_by_name(name, cls):
    assert type(metrics.get(name)) is cls


def test_snake_case_names_are_kept():
    assert metrics.get("mse").name == "mse"
    assert metrics.get("categorical_accuracy").name == "categorical_accuracy"


def test_a_loss_name_is_a_metric():
    m = metrics.get("categorical_crossentropy")
    assert isinstance(m, metrics.LossMetric) and m.name == "categorical_crossentropy"
    y = np.eye(3)[LABELS]
    m.update_state(y, P3)
    expected = -np.log(np.clip(P3 / P3.sum(-1, keepdims=True), 1e-7, 1 - 1e-7))[np.arange(4), LABELS].mean()
    assert m.result() == pytest.approx(expected, rel=1e-6)


def test_a_loss_instance_is_a_metric():
    m = metrics.get(losses.MeanSquaredError())
    m.update_state(np.zeros((2, 2)), np.array([[1.0, 1.0], [2.0, 0.0]]))
    assert m.result() == pytest.approx((1.0 + 2.0) / 2)


def test_unknown_metric_lists_the_names():
    with pytest.raises(ValueError, match=r"Unknown metric 'acuracy'. Expected one of .*'categorical_accuracy'.*'accuracy', 'acc'"):
        metrics.get("acuracy")
    with pytest.raises(ValueError):
        metrics.check_name("acuracy")
    metrics.check_name("accuracy")  # resolved later, from the data


def test_instances_pass_through():
    m = metrics.BinaryAccuracy(threshold=0.3)
    assert metrics.get(m) is m


@pytest.mark.parametrize("obj", [metrics.BinaryAccuracy(threshold=0.3, name="ba"), metrics.CategoricalAccuracy(),
                                 metrics.SparseCategoricalAccuracy(name="sca"), metrics.Mean(name="avg")],
                         ids=lambda o: type(o).__name__)
def test_config_round_trip(obj):
    clone = type(obj).from_config(obj.get_config())
    assert type(clone) is type(obj) and clone.get_config() == obj.get_config()


def test_column_sample_weights_act_like_flat_ones():
    m = metrics.Mean()
    m.update_state(np.array([1.0, 2.0, 3.0]), sample_weight=np.array([[1.0], [0.0], [1.0]]))
    assert m.result() == pytest.approx(2.0)
    acc = metrics.SparseCategoricalAccuracy()
    acc.update_state(LABELS, P3, sample_weight=np.array([[1.0], [3.0], [0.0], [1.0]]))
    assert acc.result() == pytest.approx(2 / 5)
