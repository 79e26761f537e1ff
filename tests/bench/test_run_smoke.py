"""bench/run.py: the smoke run prints the table; peers are found or skipped with their install
command; a child's peak memory is measured from outside. Nothing here asserts a time."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from mnist_data import DATA_DIR, needs_data

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import child  # noqa: E402
import run  # noqa: E402
import table  # noqa: E402


@needs_data
def test_quick_w1_alone_prints_the_table():
    proc = subprocess.run([sys.executable, str(BENCH / "run.py"), "--quick", "--peers", "none", "--only", "W1"],
                          capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, DEEPBASICS_DATA_DIR=DATA_DIR))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    head = next(i for i, ln in enumerate(lines) if ln.startswith("| workload"))
    assert [c.strip() for c in lines[head].strip("|").split("|")] == table.HEAD
    rows = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines[head + 2:] if ln.startswith("|")]
    assert len(rows) == 1
    workload, framework, median, first, ratio, acc, rss, import_s, _ = rows[0]
    assert (workload, framework, ratio) == ("W1", "deepbasics", "1.00")
    assert float(median) > 0 and float(first) > 0 and float(import_s) > 0
    assert 0.3 < float(acc) <= 1.0      # 2 epochs on 2,048 images learn something
    assert 50 < float(rss) < 4000       # MB: the data alone is tens of MB


def _venvs(tmp_path, *names):
    """A venvs folder where each named venv's python is this python."""
    for name in names:
        (tmp_path / name / "bin").mkdir(parents=True)
        (tmp_path / name / "bin" / "python").symlink_to(sys.executable)
    return tmp_path


def test_missing_peer_is_skipped_with_the_command_that_installs_it(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPBASICS_BENCH_VENVS", str(_venvs(tmp_path, "torch")))
    monkeypatch.delenv("DEEPBASICS_BENCH_JAX_PYTHON", raising=False)
    monkeypatch.delenv("DEEPBASICS_BENCH_TORCH_PYTHON", raising=False)
    jobs, skipped, unsupported = run.plan(run.parse_args(["--only", "W1,W3", "--peers", "torch,jax"]))
    assert [(j.workload, j.label) for j in jobs] == [("W1", "deepbasics"), ("W1", "torch"),
                                                     ("W3", "deepbasics"), ("W3", "torch")]
    assert list(skipped) == ["jax"]
    assert f"python3 -m venv {tmp_path / 'jax'} && {tmp_path / 'jax'}/bin/pip install" in skipped["jax"]
    assert "'jax[cpu]'" in skipped["jax"]
    assert unsupported == {}
    torch_w3 = jobs[3].cmd
    assert torch_w3[0] == str(tmp_path / "torch" / "bin" / "python")
    assert torch_w3[torch_w3.index("--batch-size") + 1] == "128"


def test_peer_without_a_worker_for_a_workload_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPBASICS_BENCH_VENVS", str(_venvs(tmp_path, "jax")))
    monkeypatch.delenv("DEEPBASICS_BENCH_JAX_PYTHON", raising=False)
    jobs, skipped, unsupported = run.plan(run.parse_args(["--only", "W1,W2", "--peers", "jax", "--no-deepbasics"]))
    assert [j.label for j in jobs] == ["jax (jit step)", "jax (scan epoch)"]
    assert unsupported == {"jax": ["W2"]}


def test_numpy_peer_rows_are_per_workload():
    jobs, skipped, unsupported = run.plan(run.parse_args(["--only", "W1,W2,W3,W4", "--peers", "numpy"]))
    assert [(j.workload, j.label, Path(j.cmd[1]).name) for j in jobs if j.peer == "numpy"] == [
        ("W1", "numpy by hand", "numpy_mlp.py"), ("W1", "numpy by hand, 1 thread", "numpy_mlp.py"),
        ("W2", "numpy by hand", "numpy_wide_mlp.py"), ("W4", "numpy by hand", "numpy_lstm.py")]
    assert skipped == {} and unsupported == {"numpy": ["W3"]}


def test_hand_written_lstm_floor_computes_what_deepbasics_computes():
    """The W4 floor is only a floor if it does the same math: its forward and gradients against
    deepbasics' LSTM op, from the same weights (bias and a forget-gate bias of 1 included)."""
    sys.path.insert(0, str(BENCH / "workers"))
    import numpy_lstm
    from deepbasics.ops.recurrent import LSTM

    rng = np.random.default_rng(1)
    x = rng.standard_normal((8, 28, 28), dtype=np.float32)
    wb, u, _, _ = numpy_lstm.init(rng)
    wb[-1] += rng.standard_normal(wb.shape[1]).astype(np.float32)
    h, saved = numpy_lstm.lstm_forward(x, wb, u)
    dh = rng.standard_normal(h.shape, dtype=np.float32)
    gwb, gu = numpy_lstm.lstm_backward(dh.copy(), saved, u)
    op = LSTM()
    op.needs_input_grad = (False, True, True, True)
    np.testing.assert_allclose(h, op.forward(x, wb[:-1], u, wb[-1]), rtol=1e-6, atol=1e-6)
    _, gw, gu_ref, gb, _ = op.backward(dh)
    for got, want in ((gwb[:-1], gw), (gu, gu_ref), (gwb[-1], gb)):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5 * np.abs(want).max())


def test_hand_written_wide_mlp_floor_computes_what_deepbasics_computes(monkeypatch):
    """The W2 floor against deepbasics' model in training mode, dropout off (rate 0 in both), from
    the same weights: the same gradients, and the same moving statistics after the step."""
    sys.path.insert(0, str(BENCH / "workers"))
    import numpy_wide_mlp as hand
    import deepbasics as db

    monkeypatch.setattr(hand, "RATE", 0.0)
    rng = np.random.default_rng(2)
    x = rng.random((16, 784), dtype=np.float32)
    y = rng.integers(0, 10, 16)
    params, moving = hand.init(rng)
    params[1] += rng.random(512, dtype=np.float32)  # gamma and beta away from 1 and 0
    params[5] += rng.standard_normal(512).astype(np.float32)
    L = db.layers
    model = db.models.Sequential([L.Input((784,)), L.Dense(512), L.BatchNormalization(), L.Activation("relu"),
                                  L.Dense(512), L.BatchNormalization(), L.Activation("relu"),
                                  L.Dense(10, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    dense1, bn1, _, dense2, bn2, _, dense3 = model.layers
    for var, value in ((dense1.kernel, params[0]), (bn1.gamma, params[1]), (bn1.beta, params[2]),
                       (dense2.kernel, params[3]), (bn2.gamma, params[4]), (bn2.beta, params[5]),
                       (dense3.kernel, params[6]), (dense3.bias, params[7])):
        var.assign(value)
    out = model(db.autodiff.Tensor(x), training=True)
    model.loss(y, out, None).backward()
    keeps = [np.ones((16, 512), bool)] * 2
    grads = hand.gradients(params, moving, x, y, keeps)
    for var, got in ((dense1.kernel, grads[0]), (bn1.gamma, grads[1]), (bn1.beta, grads[2]),
                     (dense2.kernel, grads[3]), (bn2.gamma, grads[4]), (bn2.beta, grads[5]),
                     (dense3.kernel, grads[6]), (dense3.bias, grads[7])):
        np.testing.assert_allclose(got, var.grad, rtol=1e-3, atol=1e-4 * np.abs(var.grad).max())
    for dense in (dense1, dense2):  # the biases the floor leaves out: BatchNormalization cancels them
        assert np.abs(dense.bias.grad).max() < 1e-6
    for got, want in zip(moving, (bn1.moving_mean, bn1.moving_variance, bn2.moving_mean, bn2.moving_variance)):
        np.testing.assert_allclose(got, want.numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("channels", [1, 32])
def test_conv_floor_pieces_are_the_real_computations(channels):
    """bench/conv_floor.py times the patches and the input gradient; they must be what deepbasics
    computes: im2col's patches, and col2im's sum of dZ W_offset^T over the kernel offsets."""
    import conv_floor
    from deepbasics.ops import conv

    rng = np.random.default_rng(3)
    x = rng.random((2, 9, 9, channels), dtype=np.float32)
    np.testing.assert_array_equal(conv_floor.patches(x, 6), conv.im2col(x, (3, 3), (1, 1), (1, 1), (6, 6)))
    dz = rng.standard_normal((2 * 6 * 6, 5), dtype=np.float32)
    kernels = rng.standard_normal((9, 5, channels), dtype=np.float32)
    np.testing.assert_allclose(conv_floor.col2im(dz, kernels, x.shape, 6),
                               conv.col2im(dz, kernels, x.shape, (3, 3), (1, 1), (1, 1), (6, 6)), rtol=1e-5, atol=1e-5)


def test_conv_floor_pool_and_relu_pieces_are_the_real_computations():
    """The floor's max-pool (over pool-major offsets), its gradient and ReLU's equal deepbasics'
    MaxPool and ReLU on the same values."""
    import conv_floor
    from deepbasics import ops
    from deepbasics.autodiff import Tensor
    from deepbasics.ops import pooling

    rng = np.random.default_rng(4)
    x = Tensor(rng.standard_normal((2, 6, 6, 3)), requires_grad=True)
    g = rng.standard_normal((2, 3, 3, 3))
    y = pooling.max_pool(x, (2, 2))
    (y * Tensor(g)).sum().backward()
    z = np.stack([x.data[:, i::2, j::2] for i, j in np.ndindex(2, 2)])  # pool offset k = (i, j)
    np.testing.assert_array_equal(conv_floor.max_pool(z), y.data)
    dz = conv_floor.max_pool_grad(g, z, y.data)
    dx = np.empty_like(x.data)
    for k, (i, j) in enumerate(np.ndindex(2, 2)):
        dx[:, i::2, j::2] = dz[k]
    np.testing.assert_array_equal(dx, x.grad)
    r = Tensor(y.data.copy(), requires_grad=True)
    (ops.relu(r) * Tensor(g)).sum().backward()
    pooled = y.data.copy()
    np.testing.assert_array_equal(conv_floor.relu_both_ways(pooled, g), r.grad)
    np.testing.assert_array_equal(pooled, np.maximum(y.data, 0))


def test_conv_floor_prints_every_piece_and_the_epoch(capsys):
    import conv_floor

    conv_floor.main(["--repeat", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 14 and lines[-1].startswith("per step") and "s per epoch of W3" in lines[-1]
    total = sum(float(ln.split()[-2]) for ln in lines[:-1])
    assert abs(float(lines[-1].split()[2]) - total) < 0.05


@pytest.mark.parametrize("argv, named", [(["--only", "W9"], "--only"), (["--peers", "tensorflow"], "--peers"),
                                         (["--repeat", "0"], "--repeat")])
def test_bad_arguments_fail_before_anything_runs(argv, named, capsys):
    with pytest.raises(SystemExit) as exc:
        run.parse_args(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert named in err and argv[1] in err


def test_child_peak_memory_is_measured_from_outside():
    megabytes = 200
    code = f"b = bytearray({megabytes} * 2**20); b[::4096] = b'x' * len(b[::4096]); print('BENCH_RESULT {{}}')"
    outcome = child.run([sys.executable, "-c", code], dict(os.environ), timeout=60)
    assert outcome.returncode == 0 and outcome.result() == {}
    assert megabytes < outcome.peak_rss_mb < megabytes + 100


def test_child_past_its_timeout_is_killed():
    outcome = child.run([sys.executable, "-c", "import time; time.sleep(30)"], dict(os.environ), timeout=1)
    assert outcome.timed_out and outcome.result() is None and outcome.wall_s < 10


def test_ratio_and_latency_in_the_table():
    measures = lambda s: [{"measure": "W1 model, batch 1", "median_s": s, "first_s": 2 * s,  # noqa: E731
                           "test_acc": 0.9, "batch": 1, "n": 10_000}]
    runs = {("W5", "deepbasics"): [{"peer": "deepbasics", "measures": measures(0.5), "peak_rss_mb": 100.0}],
            ("W5", "torch"): [{"peer": "torch", "measures": measures(2.0), "peak_rss_mb": 300.0, "import_s": 1.0},
                              {"peer": "torch", "measures": measures(4.0), "peak_rss_mb": 500.0, "import_s": 3.0}]}
    lines = table.render(table.summarise(runs), ["W5"]).splitlines()[2:]
    cells = [[c.strip() for c in ln.strip("|").split("|")] for ln in lines]
    assert [c[:8] for c in cells] == [
        ["W5 W1 model b=1", "deepbasics", "0.5", "1", "1.00", "0.9000", "100", "-"],
        ["W5 W1 model b=1", "torch", "3", "6", "0.17", "0.9000", "400", "2.00"]]  # medians of 2 runs
    assert "0.050 ms/sample" in cells[0][8] and "0.300 ms/sample" in cells[1][8]
