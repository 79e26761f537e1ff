"""W1, the course MLP, against every peer that has a W1 worker: ``bench/run.py --only W1 --peers all``.

Kept so the commands quoted in README.md keep working; any run.py option may follow, and a
later ``--peers`` or ``--only`` wins over these defaults.

    python bench/course_mlp.py --repeat 3 --peers torch,keras,keras-jax,numpy
"""
import sys

from run import main  # bench/ is sys.path[0] when this file runs as a script

if __name__ == "__main__":
    sys.exit(main(["--only", "W1", "--peers", "all", *sys.argv[1:]]))
