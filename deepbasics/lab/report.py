"""The lab's report: every experiment run in the course's order, in one self-contained folder.

``build_report('report', quick=True, lang='ko')`` writes ``report/index.html`` (inline CSS,
relative image links, nothing fetched from anywhere), one PNG and one JSON per experiment, and
``report/results.json``: every number the page shows. An experiment that raises gets a section
that shows its error; the others still run, and the summary counts it as failed.
"""
import html
import traceback
from pathlib import Path

import deepbasics
from deepbasics import lab
from deepbasics.lab.common import Clock, format_number
from deepbasics.lab.runner import (
    LANGUAGES,
    check_seed,
    command,
    execute,
    load_experiment,
    verdict_word,
)
from deepbasics.utils.files import atomic_write, write_json

TEXT = {
    "en": {
        "title": "deepbasics lab: the course's claims, tested",
        "summary": "{held} of {total} claims held, {not_held} did not hold, {failed} failed to run.",
        "run": "Seed {seed}, {size}, {seconds} s in all. Every number on this page is in "
               "<a href=\"results.json\">results.json</a>.",
        "quick": "quick size (--quick)", "default": "default size",
        "claim": "Claim", "verdict": "Verdict", "numbers": "Numbers", "settings": "Settings",
        "rerun": "Rerun this experiment alone:", "seconds": "Ran in {seconds} s.",
        "held": "held", "did not hold": "did not hold", "error": "failed to run",
        "error_text": "The experiment raised an error, so it has no figure and no verdict:",
        "traceback": "Traceback", "yes": "yes", "no": "no", "figure": "Figure of the experiment {name}",
    },
    "ko": {
        "title": "deepbasics 실험실: 강의의 주장을 실험으로 확인하기",
        "summary": "주장 {total}개 중 {held}개 성립, {not_held}개 성립하지 않음, {failed}개 실행 실패.",
        "run": "시드 {seed}, {size}, 전체 실행 시간 {seconds}초. 이 페이지의 모든 수치는 "
               "<a href=\"results.json\">results.json</a>에 있다.",
        "quick": "빠른 크기(--quick)", "default": "기본 크기",
        "claim": "주장", "verdict": "판정", "numbers": "수치", "settings": "설정",
        "rerun": "이 실험만 다시 실행하려면:", "seconds": "실행 시간 {seconds}초.",
        "held": "성립", "did not hold": "성립하지 않음", "error": "실행 실패",
        "error_text": "실험 중 오류가 나서 그림과 판정이 없다:",
        "traceback": "트레이스백", "yes": "예", "no": "아니요", "figure": "{name} 실험의 그림",
    },
}

CSS = """
body { font: 16px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans", "Noto Sans CJK KR",
       "Malgun Gothic", sans-serif; color: #1d1d1f; background: #fafafa; margin: 0; }
main { max-width: 1000px; margin: 0 auto; padding: 24px 20px 60px; }
h1 { font-size: 1.7em; margin: 0.2em 0 0.4em; }
h2 { font-size: 1.3em; margin: 0 0 0.5em; }
section { background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 18px 22px; margin: 22px 0; }
.summary { font-size: 1.15em; font-weight: 600; }
.claim { font-size: 1.05em; border-left: 4px solid #1f5fa8; padding-left: 12px; }
.label { font-weight: 600; }
img { max-width: 100%; height: auto; display: block; margin: 12px auto; }
table { border-collapse: collapse; margin: 10px 0; font-size: 0.92em; }
th, td { border: 1px solid #d5d5d5; padding: 4px 10px; }
th { background: #f0f3f7; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
code, pre { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 0.9em; }
code { background: #f2f2f2; padding: 2px 6px; border-radius: 4px; }
pre { background: #f6f6f6; padding: 10px; overflow-x: auto; white-space: pre-wrap; }
.badge { display: inline-block; padding: 1px 10px; border-radius: 12px; font-weight: 600; color: #fff; }
.held { background: #2e7d32; } .not-held { background: #b26a00; } .error { background: #c62828; }
.error-box { border: 2px solid #c62828; background: #fff5f5; border-radius: 6px; padding: 8px 14px; }
ol.toc li { margin: 3px 0; }
"""


def build_report(out, quick=False, seed=0, lang="en", only=None, stream=None):
    """Run the experiments (all, or the names in ``only``, in the course's order) and write the
    report folder ``out``; returns what results.json holds (``summary.failed`` > 0: some raised)."""
    if lang not in LANGUAGES:
        raise ValueError(f"`lang` must be one of {', '.join(LANGUAGES)}, received lang={lang!r}")
    check_seed(seed)
    names = select(only)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise ValueError(f"`out` must be a folder, received out={str(out)!r}, which is a file")
    out.mkdir(parents=True, exist_ok=True)
    clock = Clock()
    entries = [_entry(name, seed, quick, out, (i, len(names)), stream) for i, name in enumerate(names, 1)]
    results = {
        "seed": int(seed), "quick": bool(quick), "lang": lang, "deepbasics_version": deepbasics.__version__,
        "summary": _summary(entries, clock()),
        "experiments": entries,
    }
    write_json(out / "results.json", results)
    with atomic_write(out / "index.html", "w", encoding="utf-8") as f:
        f.write(render_page(results, lang))
    return results


def select(only):
    """The names to run, in the course's order: all of them, or those in ``only`` (a list, or
    one string of comma-separated names), checked."""
    if only is None:
        return list(lab.EXPERIMENTS)
    if isinstance(only, str):
        only = [name.strip() for name in only.split(",") if name.strip()]
    unknown = [name for name in only if name not in lab.EXPERIMENTS]
    if unknown or not only:
        raise ValueError(f"`only` must name experiments of the lab ({', '.join(lab.EXPERIMENTS)}), "
                         f"received only={list(only)!r}")
    return [name for name in lab.EXPERIMENTS if name in set(only)]


def _entry(name, seed, quick, out, position, stream):
    """One experiment's part of results.json; an exception becomes its ``error``."""
    title, claim = _texts(name)
    entry = {"name": name, "title": title, "claim": claim, "command": command(name, seed, quick)}
    try:
        record = execute(name, seed=seed, quick=quick, out=out, position=position, stream=stream)
    except Exception as error:  # the report goes on; the section shows the error
        entry.update(held=None, error={"type": type(error).__name__, "message": str(error),
                                       "traceback": traceback.format_exc()})
        return entry
    result = record["result"]
    entry.update(held=result["held"], seconds=record["seconds"], figure=record["figure"],
                 knobs=record["knobs"], table=result["table"], note=result["note"],
                 data=result.get("data"), error=None)
    return entry


def _texts(name):
    """TITLE and CLAIM of experiment ``name``; empty when its module cannot be imported (then
    ``execute`` fails too, and the section shows why)."""
    try:
        module = load_experiment(name)
    except Exception:
        return {}, {}
    return dict(getattr(module, "TITLE", {})), dict(getattr(module, "CLAIM", {}))


def _summary(entries, seconds):
    held = sum(entry["held"] is True for entry in entries)
    failed = sum(entry["error"] is not None for entry in entries)
    return {"held": held, "not_held": len(entries) - held - failed, "failed": failed,
            "total": len(entries), "seconds": round(seconds, 1)}


# -- the page -------------------------------------------------------------------------------------
def render_page(results, lang):
    """index.html for ``results`` in ``lang``: every value escaped, every number formatted once."""
    text = TEXT[lang]
    summary = results["summary"]
    size = text["quick"] if results["quick"] else text["default"]
    counts = {key: format_number(summary[key]) for key in ("held", "not_held", "failed", "total")}
    run = text["run"].format(seed=format_number(results["seed"]), size=_e(size),
                             seconds=format_number(summary["seconds"]))  # the template holds a link
    head = (f'<h1>{_e(text["title"])}</h1>\n'
            f'<p class="summary">{_e(text["summary"].format(**counts))}</p>\n'
            f'<p>{run}</p>\n'
            f'<ol class="toc">{"".join(_toc_line(entry, lang) for entry in results["experiments"])}</ol>')
    body = "\n".join(_section(entry, lang) for entry in results["experiments"])
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<title>{_e(text["title"])}</title>\n<style>{CSS}</style>\n</head>\n'
            f'<body>\n<main>\n{head}\n{body}\n</main>\n</body>\n</html>\n')


def _toc_line(entry, lang):
    title = _in(entry["title"], lang) or entry["name"]
    return f'<li><a href="#{_e(entry["name"])}">{_e(title)}</a> {_badge(entry, lang)}</li>'


def _section(entry, lang):
    text = TEXT[lang]
    parts = [f'<h2>{_e(_in(entry["title"], lang) or entry["name"])} {_badge(entry, lang)}</h2>']
    if entry["claim"]:
        parts.append(f'<p class="claim"><span class="label">{_e(text["claim"])}:</span> {_e(_in(entry["claim"], lang))}</p>')
    if entry["error"] is not None:
        parts.append(_error_box(entry["error"], text))
    else:
        alt = text["figure"].format(name=entry["name"])
        parts.append(f'<img src="{_e(entry["figure"])}" alt="{_e(alt)}">')
        parts.append(f'<p class="note"><span class="label">{_e(text["verdict"])}:</span> {_e(_in(entry["note"], lang))}</p>')
        parts.append(f'<p class="label">{_e(text["numbers"])}</p>{_table(entry["table"], text)}')
        settings = ", ".join(f"{key}={_cell(value, text)}" for key, value in entry["knobs"].items())
        parts.append(f'<p><span class="label">{_e(text["settings"])}:</span> {_e(settings)}. '
                     f'{_e(text["seconds"].format(seconds=format_number(entry["seconds"])))}</p>')
    parts.append(f'<p>{_e(text["rerun"])} <code>{_e(entry["command"])}</code></p>')
    return f'<section id="{_e(entry["name"])}">\n' + "\n".join(parts) + "\n</section>"


def _badge(entry, lang):
    if entry["error"] is not None:
        kind, word = "error", "error"
    else:
        kind, word = ("held" if entry["held"] else "not-held"), verdict_word(entry["held"])
    return f'<span class="badge {kind}">{_e(TEXT[lang][word])}</span>'


def _error_box(error, text):
    return (f'<div class="error-box"><p>{_e(text["error_text"])}</p>'
            f'<p><strong>{_e(error["type"])}: {_e(error["message"])}</strong></p>'
            f'<details><summary>{_e(text["traceback"])}</summary><pre>{_e(error["traceback"])}</pre></details></div>')


def _table(rows, text):
    if not rows:
        return ""
    header = "".join(f"<th>{_e(key.replace('_', ' '))}</th>" for key in rows[0])
    lines = []
    for row in rows:
        cells = "".join(f'<td class="{_cell_class(v)}">{_e(_cell(v, text))}</td>' for v in row.values())
        lines.append(f"<tr>{cells}</tr>")
    return f'<table>\n<thead><tr>{header}</tr></thead>\n<tbody>\n' + "\n".join(lines) + "\n</tbody>\n</table>"


def _cell(value, text):
    """A table cell or knob value as the page prints it."""
    if isinstance(value, bool):
        return text["yes" if value else "no"]
    if value is None or isinstance(value, (int, float)):
        return format_number(value)
    if isinstance(value, list):
        return ", ".join(_cell(v, text) for v in value)
    return str(value)


def _cell_class(value):
    return "num" if isinstance(value, (int, float)) and not isinstance(value, bool) else "text"


def _in(texts, lang):
    """The text in ``lang``, else in English (an experiment may lack a translation)."""
    return texts.get(lang) or texts.get("en") or ""


def _e(value):
    return html.escape(str(value), quote=True)
