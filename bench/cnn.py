"""W3, the small MNIST convnet, in deepbasics and PyTorch: ``bench/run.py --only W3 --peers torch``.

Kept as a short name for that run; any run.py option may follow (a later ``--peers`` wins).

    python bench/cnn.py --repeat 3
    python bench/cnn.py --n-train 12800 --peers torch,keras-tf
"""
import sys

from run import main  # bench/ is sys.path[0] when this file runs as a script

if __name__ == "__main__":
    sys.exit(main(["--only", "W3", "--peers", "torch", *sys.argv[1:]]))
