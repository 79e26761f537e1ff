"""W4, LSTM(128)-Dense(10) over the 28 rows, against PyTorch's nn.LSTM with one thread each:
``bench/run.py --only W4 --peers torch --threads 1``.

Kept as a short name for that run; any run.py option may follow (a later ``--threads`` or
``--peers`` wins). The old ``--steps`` is gone: time fewer steps with ``--n-train``.

    python bench/lstm.py --repeat 3
    python bench/lstm.py --threads 2 --n-train 15360
"""
import sys

from run import main  # bench/ is sys.path[0] when this file runs as a script

if __name__ == "__main__":
    sys.exit(main(["--only", "W4", "--peers", "torch", "--threads", "1", *sys.argv[1:]]))
