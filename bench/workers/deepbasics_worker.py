"""W1-W5 in deepbasics, through its Keras API (the same model code as the keras rows).

BLAS threads are left to deepbasics (``fit`` pins one thread for small steps); the parent's
``--threads N`` reaches it as OPENBLAS_NUM_THREADS and friends.
"""
import time

_T0 = time.perf_counter()
import numpy  # noqa: E402,F401  (counted in import time, as for every framework)
import deepbasics  # noqa: E402

IMPORT_S = time.perf_counter() - _T0

import keras_api  # noqa: E402

if __name__ == "__main__":
    keras_api.main(deepbasics, "deepbasics", deepbasics.__version__, IMPORT_S, __doc__)
