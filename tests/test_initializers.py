"""Initializers: Keras 3's limits and standard deviations (../shared/KERAS_REFERENCE.md), fans,
seeding, the registry and config round trips."""
import math

import numpy as np
import pytest

from deepbasics import initializers as I

SHAPE = (784, 64)
TRUNC = 0.87962566103423978  # std of N(0, 1) cut at +-2


def draw(name_or_obj, shape=SHAPE, seed=0):
    init = I.get(name_or_obj) if isinstance(name_or_obj, str) else name_or_obj
    if hasattr(init, "seed") and init.seed is None:
        init = type(init).from_config({**init.get_config(), "seed": seed})
    return init(shape)


# -- uniform limits ----------------------------------------------------------------------

@pytest.mark.parametrize("name,limit", [
    ("glorot_uniform", 0.0841158),  # sqrt(6 / (784 + 64)), the table's value
    ("he_uniform", math.sqrt(6 / 784)),
    ("lecun_uniform", math.sqrt(3 / 784)),
    ("random_uniform", 0.05),
])
def test_uniform_limits(name, limit):
    w = draw(name)
    assert w.dtype == np.float32 and w.shape == SHAPE
    assert np.abs(w).max() <= limit * (1 + 1e-6)
    assert np.abs(w).max() >= limit * 0.999  # 50,176 draws reach the edge
    assert w.min() < 0 < w.max()
    np.testing.assert_allclose(w.std(), limit / math.sqrt(3), rtol=0.02)  # U(-a, a): std a / sqrt(3)


def test_glorot_uniform_of_the_second_lecture_layer():
    w = draw("glorot_uniform", (64, 10))
    assert np.abs(w).max() <= 0.2847474 * (1 + 1e-6)


# -- truncated normals (Keras divides by 0.8796 so the kept samples have the asked std) ------

@pytest.mark.parametrize("name,var", [
    ("he_normal", 2 / 784),
    ("glorot_normal", 2 / (784 + 64)),
    ("lecun_normal", 1 / 784),
])
def test_truncated_variance_scaling(name, var):
    w = draw(name).astype(np.float64)
    sigma = math.sqrt(var) / TRUNC
    assert np.abs(w).max() <= 2 * sigma * (1 + 1e-6)  # cut at 2 sigma
    assert np.abs(w).max() >= 2 * sigma * 0.98
    np.testing.assert_allclose(w.std(), math.sqrt(var), rtol=0.02)  # effective std sqrt(var)
    assert abs(w.mean()) < 3 * math.sqrt(var) / math.sqrt(w.size)


def test_he_normal_numbers_from_the_table():
    sigma = math.sqrt(2 / 784) / 0.8796
    np.testing.assert_allclose(sigma, 0.0574195, rtol=1e-4)
    w = draw("he_normal")
    assert np.abs(w).max() <= 0.114839 * (1 + 1e-4)


def test_truncated_normal_has_no_variance_correction():
    w = draw(I.TruncatedNormal(stddev=0.05, seed=1)).astype(np.float64)
    assert np.abs(w).max() <= 0.1 * (1 + 1e-6)
    np.testing.assert_allclose(w.std(), TRUNC * 0.05, rtol=0.02)  # ~0.044, not 0.05


def test_random_normal_is_untruncated():
    w = draw(I.RandomNormal(mean=1.0, stddev=0.05, seed=2)).astype(np.float64)
    np.testing.assert_allclose(w.mean(), 1.0, atol=0.002)
    np.testing.assert_allclose(w.std(), 0.05, rtol=0.02)
    assert np.abs(w - 1.0).max() > 0.1 * 1.5  # tails beyond 2 sigma exist


def test_untruncated_variance_scaling():
    w = draw(I.VarianceScaling(2.0, "fan_in", "untruncated_normal", seed=3)).astype(np.float64)
    np.testing.assert_allclose(w.std(), math.sqrt(2 / 784), rtol=0.02)
    assert np.abs(w).max() > 2.2 * math.sqrt(2 / 784)


def test_normal_is_an_alias_of_truncated_normal():
    assert I.VarianceScaling(distribution="normal").distribution == "truncated_normal"


# -- fans --------------------------------------------------------------------------------

def test_fans_of_dense_conv_and_vectors():
    assert I.compute_fans((784, 64)) == (784, 64)
    assert I.compute_fans((3, 3, 16, 32)) == (3 * 3 * 16, 3 * 3 * 32)
    assert I.compute_fans((7,)) == (7, 7)
    assert I.compute_fans(()) == (1, 1)


@pytest.mark.parametrize("mode,fan", [("fan_in", 144), ("fan_out", 288), ("fan_avg", 216)])
def test_conv_kernel_uses_the_receptive_field(mode, fan):
    w = I.VarianceScaling(1.0, mode, "uniform", seed=4)((3, 3, 16, 32))
    limit = math.sqrt(3 / fan)
    assert limit * 0.99 <= np.abs(w).max() <= limit * (1 + 1e-6)


def test_variance_scaling_validation():
    with pytest.raises(ValueError, match="scale"):
        I.VarianceScaling(scale=0.0)
    with pytest.raises(ValueError, match="mode"):
        I.VarianceScaling(mode="fan_sum")
    with pytest.raises(ValueError, match="distribution"):
        I.VarianceScaling(distribution="cauchy")


# -- deterministic initializers ----------------------------------------------------------------

@pytest.mark.parametrize("shape", [(6, 4), (3, 5), (5, 5), (2, 2, 3, 4)])
def test_orthogonal(shape):
    w = I.Orthogonal(seed=5)(shape).astype(np.float64)
    m = w.reshape(-1, shape[-1])
    rows, cols = m.shape
    if rows >= cols:
        np.testing.assert_allclose(m.T @ m, np.eye(cols), atol=1e-6)
    else:
        np.testing.assert_allclose(m @ m.T, np.eye(rows), atol=1e-6)


def test_orthogonal_gain():
    w = I.Orthogonal(gain=2.0, seed=6)((4, 4)).astype(np.float64)
    np.testing.assert_allclose(w.T @ w, 4 * np.eye(4), atol=1e-5)


def test_identity():
    np.testing.assert_array_equal(I.Identity()((3, 3)), np.eye(3, dtype=np.float32))
    np.testing.assert_array_equal(I.Identity(gain=0.5)((2, 3)), [[0.5, 0, 0], [0, 0.5, 0]])
    with pytest.raises(ValueError, match="2-D"):
        I.Identity()((2, 2, 2))


def test_constant_zeros_ones():
    np.testing.assert_array_equal(I.Constant(0.3)((2, 2)), np.full((2, 2), 0.3, np.float32))
    assert I.get("zeros")((3,)).tolist() == [0, 0, 0]
    assert I.get("ones")((2,)).tolist() == [1, 1]
    assert I.get("zero")((1,)).dtype == np.float32


def test_dtype_argument():
    assert I.get("glorot_uniform")((3, 3), dtype="float64").dtype == np.float64
    assert I.Constant(2)((2,), dtype="float64").dtype == np.float64


# -- seeding ---------------------------------------------------------------------------------

SEEDED = [I.RandomNormal, I.RandomUniform, I.TruncatedNormal, I.GlorotUniform, I.GlorotNormal,
          I.HeUniform, I.HeNormal, I.LecunUniform, I.LecunNormal, I.Orthogonal, I.VarianceScaling]


@pytest.mark.parametrize("cls", SEEDED, ids=lambda c: c.__name__)
def test_same_seed_same_values_different_seed_different_values(cls):
    a = cls(seed=7)((5, 4))
    b = cls(seed=7)((5, 4))
    c = cls(seed=8)((5, 4))
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("cls", SEEDED, ids=lambda c: c.__name__)
def test_a_seeded_initializer_repeats_across_calls(cls):
    # Keras 3: "an initializer seeded with an integer ... will produce the same random values
    # across multiple calls"
    init = cls(seed=9)
    np.testing.assert_array_equal(init((5, 4)), init((5, 4)))


def test_unseeded_initializers_draw_fresh_values():
    init = I.GlorotUniform()
    assert not np.array_equal(init((5, 4)), init((5, 4)))


def test_seed_must_be_an_int():
    with pytest.raises(ValueError, match="seed"):
        I.GlorotUniform(seed="1")
    with pytest.raises(ValueError, match="seed"):
        I.RandomNormal(seed=1.5)


# -- registry --------------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(I.ALL_INITIALIZERS))
def test_every_registry_name_resolves(name):
    init = I.get(name)
    assert isinstance(init, I.ALL_INITIALIZERS[name])
    w = init((4, 4))
    assert w.shape == (4, 4) and w.dtype == np.float32


@pytest.mark.parametrize("name,cls", [
    ("glorot_uniform", I.GlorotUniform), ("GlorotUniform", I.GlorotUniform),
    ("xavier_uniform", I.GlorotUniform), ("xavier_normal", I.GlorotNormal),
    ("he_normal", I.HeNormal), ("HeNormal", I.HeNormal), ("lecun_normal", I.LecunNormal),
    ("normal", I.RandomNormal), ("uniform", I.RandomUniform), ("random_normal", I.RandomNormal),
    ("truncated_normal", I.TruncatedNormal), ("orthogonal", I.Orthogonal), ("identity", I.Identity),
    ("zero", I.Zeros), ("zeros", I.Zeros), ("one", I.Ones), ("ones", I.Ones), ("constant", I.Constant),
    ("variance_scaling", I.VarianceScaling),
])
def test_names_and_aliases(name, cls):
    assert type(I.get(name)) is cls


def test_get_accepts_none_classes_instances_dicts_and_callables():
    assert I.get(None) is None
    assert type(I.get(I.HeNormal)) is I.HeNormal
    obj = I.HeUniform(seed=1)
    assert I.get(obj) is obj
    made = I.get({"class_name": "RandomNormal", "config": {"stddev": 0.2, "seed": 3}})
    assert type(made) is I.RandomNormal and made.stddev == 0.2 and made.seed == 3

    def mine(shape, dtype=None):
        return np.zeros(shape)

    assert I.get(mine) is mine


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"Unknown initializer 'glorot_unifrom'. Expected one of .*'glorot_uniform'"):
        I.get("glorot_unifrom")


CONFIGURED = [I.Constant(0.25), I.Zeros(), I.Ones(), I.RandomNormal(0.5, 0.1, seed=1), I.RandomUniform(-1, 2, seed=2),
              I.TruncatedNormal(0.1, 0.2, seed=3), I.VarianceScaling(3.0, "fan_out", "uniform", seed=4),
              I.GlorotUniform(seed=5), I.GlorotNormal(seed=6), I.HeUniform(seed=7), I.HeNormal(seed=8),
              I.LecunUniform(seed=9), I.LecunNormal(seed=10), I.Orthogonal(gain=1.5, seed=11), I.Identity(gain=2.0)]


def test_every_class_has_a_round_trip_case():
    assert {type(o) for o in CONFIGURED} == set(I._CLASSES)


@pytest.mark.parametrize("obj", CONFIGURED, ids=lambda o: type(o).__name__)
def test_config_round_trip(obj):
    cls = type(obj)
    clone = cls.from_config(obj.get_config())
    assert type(clone) is cls and clone.get_config() == obj.get_config()
    np.testing.assert_array_equal(clone((4, 4)), obj((4, 4)))  # seeded: the same values


@pytest.mark.parametrize("obj", CONFIGURED, ids=lambda o: type(o).__name__)
def test_serialize_round_trip_through_get(obj):
    clone = I.get(I.serialize(obj))
    assert type(clone) is type(obj) and clone.get_config() == obj.get_config()
