"""examples/mnist_gan.py: the script runs end to end on real MNIST and writes its grid; the
moving average of the generator's weights follows its recurrence; bad arguments fail early."""
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from mnist_data import DATA_DIR, needs_data

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture
def gan_module(monkeypatch):
    monkeypatch.syspath_prepend(str(EXAMPLES))  # the script imports its _gan_judge helper
    spec = importlib.util.spec_from_file_location("mnist_gan_under_test", EXAMPLES / "mnist_gan.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@needs_data
def test_script_trains_a_few_steps_and_writes_the_grid(tmp_path):
    import matplotlib.image

    out = tmp_path / "grid.png"
    env = {**os.environ, "DEEPBASICS_DATA_DIR": DATA_DIR, "MPLBACKEND": "Agg"}
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "mnist_gan.py"), "--steps", "20", "--batch-size", "32",
         "--judge-images", "1000", "--out", str(out)],
        capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "step 20/20 - d_loss:" in result.stdout

    pixels = matplotlib.image.imread(out)
    assert pixels.ndim == 3 and min(pixels.shape[:2]) >= 280  # 10x10 digits of 28x28
    assert pixels.std() > 0.01  # an image, not a blank canvas

    recognised = re.search(r"recognised with p >= 0.9: ([\d.]+)%", result.stdout)
    assert recognised and 0.0 <= float(recognised.group(1)) <= 100.0
    shares = [float(s) for s in re.findall(r"\b\d:([\d.]+)%", result.stdout.split("Share per digit:")[1])]
    assert len(shares) == 10
    assert sum(shares) == pytest.approx(100.0, abs=0.6)  # ten shares, each rounded to 0.1%


def _generator_after(module, x, steps, decay):
    with pytest.warns(UserWarning, match="trainable"):  # the recipe's frozen discriminator, compile-time rule
        return module.train(x, steps, batch_size=16, seed=3, ema_decay=decay).get_weights()


def test_generator_weights_are_the_moving_average_of_the_training_weights(gan_module, rng):
    x = rng.uniform(-1.0, 1.0, (64, 784)).astype("float32")
    last_1 = _generator_after(gan_module, x, 1, 0.0)  # decay 0: the weights after the last step
    last_2 = _generator_after(gan_module, x, 2, 0.0)
    avg_1 = _generator_after(gan_module, x, 1, 0.75)
    avg_2 = _generator_after(gan_module, x, 2, 0.75)
    assert len(avg_2) == 4 * 2 + 3 * 4  # 4 Dense (kernel, bias), 3 BN (gamma, beta, moving stats)
    for a1, w1, w2, a2 in zip(avg_1, last_1, last_2, avg_2):
        np.testing.assert_allclose(a2, 0.75 * a1 + 0.25 * w2, rtol=1e-5, atol=1e-6)
    assert any(not np.allclose(a, w) for a, w in zip(avg_2, last_2))  # averaging changed something


@pytest.mark.parametrize("argv, named", [
    (["--ema-decay", "1.5"], "--ema-decay must be in [0, 1), received 1.5"),
    (["--steps", "0"], "--steps must be a positive integer, received 0"),
    (["--judge-images", "-5"], "--judge-images must be a positive integer, received -5"),
])
def test_bad_arguments_fail_before_any_work(gan_module, capsys, argv, named):
    with pytest.raises(SystemExit) as exit_info:
        gan_module.parse_args(argv)
    assert exit_info.value.code == 2
    assert named in capsys.readouterr().err
