"""Run one experiment: check its knobs, run it, check its result, draw its figure, save its numbers.

``run_experiment('perceptron', quick=True, out='runs/lab')`` writes ``runs/lab/perceptron.png``
and ``runs/lab/perceptron.json`` and prints one progress line on stderr::

    [1/1] perceptron ... held (0.1 s)
"""
import inspect
import json
import numbers
import shlex
import sys
from pathlib import Path

import deepbasics
from deepbasics import lab
from deepbasics.lab.common import Clock
from deepbasics.utils.files import write_json

DEFAULT_OUT = Path("runs") / "lab"
LANGUAGES = ("en", "ko")


def run_experiment(name, seed=0, quick=False, out=DEFAULT_OUT, **knobs):
    """Run experiment ``name`` with ``seed`` (its QUICK knobs first when ``quick``, then ``knobs``),
    write ``out/<name>.png`` and ``out/<name>.json``; returns the record saved in the JSON."""
    return execute(name, seed=seed, quick=quick, out=out, knobs=knobs)


def execute(name, *, seed=0, quick=False, out=DEFAULT_OUT, knobs=None, position=(1, 1), stream=None):
    """``run_experiment`` with its progress line numbered ``position`` = (i, n) and written to
    ``stream`` (stderr when None). An exception in the experiment is re-raised after the line
    says ``failed``."""
    stream = sys.stderr if stream is None else stream
    check_seed(seed)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"`out` must be a folder, received out={str(out)!r}, which is a file")
    print(f"[{position[0]}/{position[1]}] {name} ... ", end="", file=stream, flush=True)
    clock = Clock()
    by_hand = dict(knobs or {})
    try:
        module = load_experiment(name)
        knobs = {**(module.QUICK if quick else {}), **by_hand}
        check_knobs(module, knobs)
        settings = effective_knobs(module, knobs)
        result = module.run(seed=int(seed), **knobs)
        check_result(name, result)
        out.mkdir(parents=True, exist_ok=True)
        figure = Path(module.plot(result, out / f"{name}.png")).name
    except Exception as error:
        print(f"failed ({type(error).__name__}, {clock():.1f} s)", file=stream, flush=True)
        raise
    seconds = clock()
    record = {"name": name, "seed": int(seed), "quick": bool(quick), "knobs": settings,
              "seconds": round(seconds, 2), "figure": figure, "command": command(name, seed, quick, by_hand),
              "deepbasics_version": deepbasics.__version__, "result": result}
    write_json(out / f"{name}.json", record)
    print(f"{verdict_word(result['held'])} ({seconds:.1f} s)", file=stream, flush=True)
    return record


class ExperimentNotWritten(ModuleNotFoundError):
    """A name in ``lab.EXPERIMENTS`` whose module does not exist (yet)."""


def check_seed(seed):
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"`seed` must be a non-negative integer, received seed={seed!r}")


def load_experiment(name):
    """``lab.get(name)``, saying plainly when a listed experiment's module is not written yet."""
    try:
        return lab.get(name)
    except ModuleNotFoundError as error:
        if error.name != f"deepbasics.lab.{name}":
            raise  # the experiment exists but imports something missing: its own message is clearer
        raise ExperimentNotWritten(f"experiment {name!r} is in the lab's list, but its module "
                                  f"deepbasics/lab/{name}.py is not written yet") from None


def effective_knobs(module, knobs):
    """Every knob ``run`` will see: its defaults, overridden by ``knobs`` (as plain JSON)."""
    defaults = {p.name: p.default for p in inspect.signature(module.run).parameters.values()
                if p.name != "seed" and p.default is not inspect.Parameter.empty}
    return json.loads(json.dumps({**defaults, **knobs}, default=str))


def command(name, seed=0, quick=False, knobs=None):
    """The command line that reruns experiment ``name`` alone (``knobs``: those set by hand)."""
    line = f"deepbasics lab run {name} --seed {int(seed)}" + (" --quick" if quick else "")
    for key, value in (knobs or {}).items():
        line += " --set " + shlex.quote(f"{key}={json.dumps(value)}")
    return line


def verdict_word(held):
    return "held" if held else "did not hold"


def check_knobs(module, knobs):
    """Every knob must be a keyword of the experiment's ``run``: a clear error before any work."""
    parameters = inspect.signature(module.run).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return
    accepted = [p for p in parameters if p != "seed"]
    unknown = sorted(set(knobs) - set(accepted))
    if unknown:
        raise ValueError(f"Unknown knob(s) {', '.join(map(repr, unknown))} for experiment "
                         f"{module.NAME!r}; it accepts: {', '.join(accepted) or 'none'}.")


def check_result(name, result):
    """The lab's contract for what ``run`` returns (see ``deepbasics.lab``); a ``TypeError`` or
    ``ValueError`` naming the experiment and the offending entry otherwise."""
    where = f"experiment {name!r}: run() returned"
    if not isinstance(result, dict):
        raise TypeError(f"{where} a {type(result).__name__}, expected a dict")
    missing = [key for key in ("held", "table", "note") if key not in result]
    if missing:
        raise ValueError(f"{where} no {', '.join(map(repr, missing))} (expected held, table, note, data)")
    if not isinstance(result["held"], bool):
        raise TypeError(f"{where} held={result['held']!r}, expected True or False")
    table = result["table"]
    if not isinstance(table, list) or not all(isinstance(row, dict) for row in table):
        raise TypeError(f"{where} a table that is not a list of dicts: {table!r:.200}")
    if table and any(list(row) != list(table[0]) for row in table):
        raise ValueError(f"{where} table rows with different keys; expected every row to have {list(table[0])}")
    note = result["note"]
    if not isinstance(note, dict) or any(not isinstance(note.get(lang), str) for lang in LANGUAGES):
        raise TypeError(f"{where} note={note!r:.200}, expected a dict with 'en' and 'ko' strings")
    _check_plain(result, f"{where} a result that is not plain JSON: result")


def _check_plain(value, path):
    """Only dict (str keys), list, str, bool, int, finite-or-not float and None: what JSON holds.
    Exact types: NumPy's float64 is a subclass of float, but it is not what a result promises."""
    if value is None or type(value) in (str, bool, int, float):
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"{path} has the key {key!r} ({type(key).__name__}), expected a str")
            _check_plain(item, f"{path}[{key!r}]")
        return
    if isinstance(value, list):
        for i, item in enumerate(value):
            _check_plain(item, f"{path}[{i}]")
        return
    hint = " (convert with float()/int()/.tolist())" if type(value).__module__ == "numpy" else ""
    raise TypeError(f"{path} is a {type(value).__module__}.{type(value).__name__}{hint}")
