"""The lab's runner and report, on the two quick experiments (perceptron, activations) and on test
doubles that raise or misbehave (``deepbasics.lab.get`` monkeypatched to hand them out)."""
import io
import json
import re
import shutil
import subprocess
import types
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest

from deepbasics import lab
from deepbasics.lab import activations, perceptron, runner
from deepbasics.lab.common import figure, format_number, save_figure
from deepbasics.lab.report import build_report
from lab.checks import PNG_MAGIC

NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?")
CHROMIUM = Path("/usr/bin/chromium")


class Page(HTMLParser):
    """The visible text of a page, chunk by chunk, with the classes of the elements around it."""

    def __init__(self, text):
        super().__init__()
        self.stack, self.chunks, self.tags = [], [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append((tag, attrs))
        if tag not in ("img", "meta", "br"):  # void elements never close
            self.stack.append((tag, set((attrs.get("class") or "").split())))

    def handle_endtag(self, tag):
        while self.stack and self.stack.pop()[0] != tag:
            pass

    def handle_data(self, data):
        if data.strip() and not any(tag == "style" for tag, _ in self.stack):
            self.chunks.append((data, set().union(*(classes for _, classes in self.stack)),
                                {tag for tag, _ in self.stack}))

    def text(self):
        return " ".join(chunk for chunk, _, _ in self.chunks)


def quick_report(folder, **kwargs):
    progress = io.StringIO()
    results = build_report(folder, quick=True, only=["perceptron", "activations"], stream=progress, **kwargs)
    return results, progress.getvalue()


@pytest.fixture(scope="module")
def english(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report-en")
    results, progress = quick_report(folder)
    return folder, results, progress


@pytest.fixture(scope="module")
def korean(tmp_path_factory):
    folder = tmp_path_factory.mktemp("report-ko")
    results, _ = quick_report(folder, lang="ko")
    return folder, results


def _numbers(value, skip=("data",)):
    """Every number in a JSON value (outside the ``skip`` keys), as the page prints it, unsigned."""
    if isinstance(value, bool) or value is None:
        return set()
    if isinstance(value, (int, float)):
        return {format_number(value).lstrip("-")}
    if isinstance(value, list):
        return set().union(*map(_numbers, value)) if value else set()
    if isinstance(value, dict):
        return set().union(set(), *(_numbers(v) for k, v in value.items() if k not in skip))
    return set()


def _numbers_in_static_text(results):
    """Numbers the course's own sentences contain (titles, claims) and the rerun commands."""
    found = set()
    for entry in results["experiments"]:
        texts = [*entry["title"].values(), *entry["claim"].values(), entry["command"]]
        found |= {n for text in texts for n in NUMBER.findall(text)}
    return found


def test_progress_line_per_experiment(english):
    _, _, progress = english
    lines = progress.splitlines()
    assert len(lines) == 2
    assert re.fullmatch(r"\[1/2\] perceptron \.\.\. held \(\d+\.\d s\)", lines[0])
    assert re.fullmatch(r"\[2/2\] activations \.\.\. held \(\d+\.\d s\)", lines[1])


def test_folder_holds_page_figures_and_numbers(english):
    folder, results, _ = english
    assert {p.name for p in folder.iterdir()} == {"index.html", "results.json", "perceptron.png",
                                                  "perceptron.json", "activations.png", "activations.json"}
    assert json.loads((folder / "results.json").read_text()) == results
    assert results["summary"] == {**results["summary"], "held": 2, "not_held": 0, "failed": 0, "total": 2}
    saved = json.loads((folder / "perceptron.json").read_text())
    assert saved["result"]["table"] == results["experiments"][0]["table"]


def test_every_referenced_image_exists_and_nothing_is_fetched(english):
    folder, _, _ = english
    page = Page((folder / "index.html").read_text(encoding="utf-8"))
    images = [attrs["src"] for tag, attrs in page.tags if tag == "img"]
    assert images == ["perceptron.png", "activations.png"]
    for src in images:
        assert (folder / src).read_bytes()[:8] == PNG_MAGIC
    links = [attrs["href"] for tag, attrs in page.tags if tag == "a"]
    for href in links:
        assert href.startswith("#") or (folder / href).is_file(), href
    assert not [tag for tag, _ in page.tags if tag in ("script", "link", "iframe", "object")]
    assert "http" not in (folder / "index.html").read_text(encoding="utf-8")


def test_every_number_on_the_page_comes_from_results_json(english):
    folder, results, _ = english
    page = Page((folder / "index.html").read_text(encoding="utf-8"))
    measured, static = _numbers(results), _numbers_in_static_text(results)
    assert {"100", "50", "0.25", "300"} <= measured  # the claim's numbers are among them
    checked = 0
    for chunk, classes, tags in page.chunks:
        for number in NUMBER.findall(chunk):
            allowed = measured if "note" in classes else measured | static  # a note quotes results only
            assert number in allowed, f"{number!r} in {chunk!r} is not in results.json"
            checked += 1
    assert checked > 60  # the tables' numbers were all seen


def test_each_section_shows_claim_figure_table_verdict_and_command(english):
    folder, results, _ = english
    page = (folder / "index.html").read_text(encoding="utf-8")
    for entry in results["experiments"]:
        section = page[page.index(f'<section id="{entry["name"]}">'):]
        section = section[:section.index("</section>")]
        assert entry["claim"]["en"].replace("'", "&#x27;") in section
        assert f'<img src="{entry["figure"]}"' in section
        assert section.count("<tr>") == len(entry["table"]) + 1  # header + one row each
        assert '<span class="badge held">held</span>' in section
        assert f"<code>deepbasics lab run {entry['name']} --seed 0 --quick</code>" in section
    assert "2 of 2 claims held" in page


def test_korean_page(korean):
    folder, results = korean
    page = Page((folder / "index.html").read_text(encoding="utf-8"))
    assert ("html", {"lang": "ko"}) in page.tags
    text = page.text()
    for module in (perceptron, activations):
        assert module.TITLE["ko"] in text and module.CLAIM["ko"] in text
    for entry in results["experiments"]:
        assert entry["note"]["ko"] in text and entry["note"]["en"] not in text
    assert "주장 2개 중 2개 성립" in text and "판정" in text and "이 실험만 다시 실행하려면" in text
    hangul = sum("\uac00" <= ch <= "\ud7a3" for ch in text)
    assert hangul > 200


# -- failures: test doubles handed out by a monkeypatched lab.get ---------------------------------
def double(name, run):
    """An experiment module stand-in named ``name`` whose ``run`` is ``run``."""
    def plot(result, path):
        fig, axes = figure()
        axes[0, 0].plot([0, 1], [0, 1])
        return save_figure(fig, path)

    return types.SimpleNamespace(NAME=name, TITLE={"en": f"Double <{name}>", "ko": f"대역 <{name}>"},
                                 CLAIM={"en": "A & B < C", "ko": "가 & 나"}, QUICK={}, run=run, plot=plot)


@pytest.fixture
def doubles(monkeypatch):
    """``install(name=module, ...)``: lab.get hands out these modules, the real ones otherwise."""
    real_get = lab.get

    def install(**modules):
        monkeypatch.setattr(lab, "get", lambda name: modules[name] if name in modules else real_get(name))

    return install


def test_an_experiment_that_raises_gets_a_visible_error_section(doubles, tmp_path):
    def run(seed=0):
        raise RuntimeError("diverged at <step 3> & stopped")

    doubles(activations=double("activations", run))
    results, progress = quick_report(tmp_path)
    assert results["summary"] == {**results["summary"], "held": 1, "failed": 1, "total": 2}
    assert "[2/2] activations ... failed (RuntimeError" in progress
    error = results["experiments"][1]["error"]
    assert error["type"] == "RuntimeError" and "diverged" in error["message"]
    html_text = (tmp_path / "index.html").read_text(encoding="utf-8")
    section = html_text[html_text.index('<section id="activations">'):]
    assert "RuntimeError: diverged at &lt;step 3&gt; &amp; stopped" in section  # escaped, visible
    assert '<span class="badge error">failed to run</span>' in section
    assert "<img" not in section
    assert (tmp_path / "perceptron.png").is_file()  # the experiment before it is untouched
    assert "1 of 2 claims held, 0 did not hold, 1 failed to run" in html_text


def test_everything_an_experiment_says_is_escaped(doubles, tmp_path):
    def run(seed=0):
        return {"held": False, "table": [{"what": "<b>bold</b>", "value": 1.5}],
                "note": {"en": "<script>alert(1)</script>", "ko": "<i>기울임</i>"}, "data": {}}

    doubles(perceptron=double("perceptron", run))
    build_report(tmp_path, only=["perceptron"], stream=io.StringIO())
    page = Page((tmp_path / "index.html").read_text(encoding="utf-8"))
    assert not [tag for tag, _ in page.tags if tag in ("script", "b", "i")]
    text = page.text()
    assert "<script>alert(1)</script>" in text and "<b>bold</b>" in text and "Double <perceptron>" in text
    assert "did not hold" in text


@pytest.mark.parametrize("bad, message", [
    ({"held": True, "table": [], "note": {"en": "", "ko": ""}, "data": {"x": np.float32(1.0)}},
     r"\['data'\]\['x'\] is a numpy.float32 \(convert with float"),
    ({"held": True, "table": [], "note": {"en": "", "ko": ""}, "data": {"x": [np.float64(1.0)]}},
     r"\['data'\]\['x'\]\[0\] is a numpy.float64 \(convert with float"),
    ({"held": 1, "table": [], "note": {"en": "", "ko": ""}}, r"held=1, expected True or False"),
    ({"held": True, "table": [], "note": {"en": "only English"}}, r"'en' and 'ko'"),
    ({"table": [], "note": {}}, r"no 'held'"),
    ({"held": True, "table": [{"a": 1}, {"b": 2}], "note": {"en": "", "ko": ""}}, r"different keys"),
])
def test_runner_refuses_a_result_outside_the_contract(doubles, tmp_path, bad, message):
    doubles(perceptron=double("perceptron", lambda seed=0: bad))
    with pytest.raises((TypeError, ValueError), match=message):
        runner.run_experiment("perceptron", out=tmp_path)
    assert not (tmp_path / "perceptron.json").exists()


def test_run_experiment_writes_figure_and_record(tmp_path, capsys):
    record = runner.run_experiment("perceptron", seed=3, quick=True, out=tmp_path / "new", mlp_epochs=250)
    assert re.fullmatch(r"\[1/1\] perceptron \.\.\. held \(\d+\.\d s\)\n", capsys.readouterr().err)
    saved = json.loads((tmp_path / "new" / "perceptron.json").read_text())
    assert saved == record and saved["seed"] == 3 and saved["quick"] is True
    assert saved["knobs"] == {"max_epochs": 100, "hidden_units": 4, "mlp_epochs": 250, "learning_rate": 0.05}
    assert saved["command"] == "deepbasics lab run perceptron --seed 3 --quick --set mlp_epochs=250"
    assert saved["result"]["table"][3]["epochs"] == 250
    assert (tmp_path / "new" / "perceptron.png").read_bytes()[:8] == PNG_MAGIC


def test_bad_arguments_are_refused_before_the_experiment_runs(doubles, tmp_path):
    calls = []
    doubles(perceptron=double("perceptron", lambda seed=0, steps=10: calls.append(steps)))
    with pytest.raises(ValueError, match=r"Unknown knob\(s\) 'stpes' for experiment 'perceptron'; it accepts: steps"):
        runner.run_experiment("perceptron", out=tmp_path, stpes=5)
    with pytest.raises(ValueError, match=r"`seed` must be a non-negative integer, received seed=-1"):
        runner.run_experiment("perceptron", seed=-1, out=tmp_path)
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueError, match=r"`out` must be a folder"):
        runner.run_experiment("perceptron", out=tmp_path / "file")
    with pytest.raises(ValueError, match=r"Unknown experiment 'perceptrons'; the lab has: perceptron, activations"):
        runner.run_experiment("perceptrons", out=tmp_path)
    with pytest.raises(ValueError, match=r"`lang` must be one of en, ko, received lang='fr'"):
        build_report(tmp_path, lang="fr")
    with pytest.raises(ValueError, match=r"`only` must name experiments of the lab"):
        build_report(tmp_path, only=["xor"])
    assert calls == []


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (apt-get install chromium)")
def test_page_renders_in_a_real_browser(english, tmp_path):
    folder, _, _ = english
    shot = tmp_path / "page.png"
    done = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={tmp_path / 'profile'}",
         f"--screenshot={shot}", "--window-size=1200,3000", (folder / "index.html").resolve().as_uri()],
        capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    from matplotlib.image import imread

    pixels = imread(shot)[..., :3]
    assert pixels.shape[:2] == (3000, 1200)
    background = np.all(np.abs(pixels - pixels[5, 5]) < 0.02, axis=-1)
    assert 0.15 < 1.0 - background.mean() < 0.9, "the page looks blank (or nothing but ink)"
    colours = np.unique((pixels[::4, ::4] * 255).astype(np.uint8).reshape(-1, 3), axis=0)
    assert len(colours) > 500  # text, badges and the two figures, not a flat error page
    shutil.rmtree(tmp_path / "profile", ignore_errors=True)
