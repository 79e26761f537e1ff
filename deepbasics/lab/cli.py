"""``deepbasics lab``: list the experiments, run one, or build the report.

    deepbasics lab list
    deepbasics lab run NAME [--quick] [--seed S] [--out DIR] [--set KNOB=VALUE ...]
    deepbasics lab report [--out DIR] [--quick] [--seed S] [--lang en|ko] [--only a,b]

A bad name, seed or language is an argparse error (exit status 2) that lists what is valid,
before anything runs. ``run`` exits 1 when the experiment raises; ``report`` exits 1 at the end
when any experiment raised (its section shows the error). A claim that did not hold is a
result, not a failure: exit status 0.
"""
import argparse
import json
import sys
import traceback
from pathlib import Path

from deepbasics import lab
from deepbasics.cli import seed_value

DEFAULT_REPORT = Path("runs") / "lab-report"


def add_lab_commands(commands):
    """Add ``lab`` and its subcommands to the ``deepbasics`` parser's ``commands``."""
    p = commands.add_parser("lab", help="the course's experiments: list, run one, or build the report",
                            description="Each lesson of the course as an experiment with a claim, "
                                        "a figure and numbers.")
    sub = p.add_subparsers(title="lab commands", dest="lab_command", required=True, metavar="LAB_COMMAND")
    listing = sub.add_parser("list", help="name every experiment and its title",
                             description="Name every experiment, in the course's order, with its title.")
    listing.set_defaults(handler=list_experiments, parser=listing)
    _add_run(sub)
    _add_report(sub)


def _experiment_name(text):
    if text not in lab.EXPERIMENTS:
        raise argparse.ArgumentTypeError(f"unknown experiment {text!r}; the lab has: {', '.join(lab.EXPERIMENTS)}")
    return text


def _experiment_names(text):
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError(f"expected comma-separated experiment names, received {text!r}")
    return [_experiment_name(name) for name in names]


def _knob(text):
    """KEY=VALUE; VALUE read as JSON when it is (300, 0.05, true, [1, 2]), else as a string."""
    key, sep, value = text.partition("=")
    if not sep or not key.isidentifier():
        raise argparse.ArgumentTypeError(f"expected KNOB=VALUE (e.g. mlp_epochs=300), received {text!r}")
    try:
        return key, json.loads(value)
    except ValueError:
        return key, value


def _add_run(sub):
    p = sub.add_parser("run", help="run one experiment",
                       description="Run one experiment: write NAME.png and NAME.json into the output "
                                   "folder and print the verdict.")
    p.add_argument("name", type=_experiment_name, metavar="NAME", help="one of: " + ", ".join(lab.EXPERIMENTS))
    p.add_argument("--quick", action="store_true", help="the small, fast size the tests use")
    p.add_argument("--seed", type=seed_value, default=0, help="random seed (default: %(default)s)")
    p.add_argument("--out", type=Path, default=Path("runs") / "lab", help="output folder (default: %(default)s)")
    p.add_argument("--set", type=_knob, action="append", default=[], metavar="KNOB=VALUE", dest="knobs",
                   help="change one of the experiment's knobs (repeatable)")
    p.set_defaults(handler=run_one, parser=p)


def _add_report(sub):
    p = sub.add_parser("report", help="run the experiments and write the HTML report",
                       description="Run the experiments in the course's order and write one folder: "
                                   "index.html, the figures and results.json.")
    p.add_argument("--out", type=Path, default=DEFAULT_REPORT, help="report folder (default: %(default)s)")
    p.add_argument("--quick", action="store_true", help="the small, fast size the tests use")
    p.add_argument("--seed", type=seed_value, default=0, help="random seed (default: %(default)s)")
    p.add_argument("--lang", choices=("en", "ko"), default="en", help="language of the page (default: %(default)s)")
    p.add_argument("--only", type=_experiment_names, default=None, metavar="NAMES",
                   help="comma-separated experiments to run (default: all)")
    p.set_defaults(handler=report, parser=p)


def list_experiments(args):
    from deepbasics.lab.runner import ExperimentNotWritten, load_experiment

    width = max(map(len, lab.EXPERIMENTS))
    for name in lab.EXPERIMENTS:
        try:
            title = load_experiment(name).TITLE["en"]
        except ExperimentNotWritten:
            title = "(not written yet)"
        except Exception as error:  # a broken module: say so and list the rest
            title = f"(cannot be imported: {type(error).__name__}: {error})"
        print(f"{name:<{width}}  {title}")
    return 0


def run_one(args):
    from deepbasics.lab.runner import check_knobs, execute, load_experiment

    _check_out(args)
    knobs = dict(args.knobs)
    try:
        module = load_experiment(args.name)
    except ImportError as error:
        print(f"deepbasics lab run: {error}", file=sys.stderr)
        return 1
    try:
        check_knobs(module, knobs)
    except ValueError as error:
        args.parser.error(f"argument --set: {error}")
    try:
        record = execute(args.name, seed=args.seed, quick=args.quick, out=args.out, knobs=knobs)
    except Exception:
        traceback.print_exc()
        print(f"deepbasics lab run: {args.name} failed (traceback above)", file=sys.stderr)
        return 1
    print(record["result"]["note"]["en"])
    print(f"Wrote {args.out / record['figure']} and {args.out / (args.name + '.json')}")
    return 0


def report(args):
    from deepbasics.lab.report import build_report

    _check_out(args)
    results = build_report(args.out, quick=args.quick, seed=args.seed, lang=args.lang, only=args.only)
    summary = results["summary"]
    print(f"Wrote {args.out / 'index.html'}: {summary['held']} of {summary['total']} claims held, "
          f"{summary['not_held']} did not hold, {summary['failed']} failed to run.")
    return 1 if summary["failed"] else 0


def _check_out(args):
    if args.out.exists() and not args.out.is_dir():
        args.parser.error(f"argument --out: {args.out} exists and is not a folder")
