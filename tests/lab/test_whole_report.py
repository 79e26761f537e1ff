"""The whole lab at --quick size, as `deepbasics lab report --quick` builds it: every experiment
runs, every image the page references exists, and every number on the page is in results.json."""
import io

from deepbasics import lab
from deepbasics.lab.report import build_report
from lab.checks import PNG_MAGIC
from lab.test_report import NUMBER, Page, _numbers, _numbers_in_static_text
from mnist_data import DATA_DIR, needs_data


@needs_data
def test_whole_quick_report(tmp_path, monkeypatch):
    monkeypatch.setenv("DEEPBASICS_DATA_DIR", DATA_DIR)
    progress = io.StringIO()
    results = build_report(tmp_path, quick=True, stream=progress)
    assert results["summary"]["total"] == len(lab.EXPERIMENTS) and results["summary"]["failed"] == 0
    page = Page((tmp_path / "index.html").read_text(encoding="utf-8"))
    images = [attrs["src"] for tag, attrs in page.tags if tag == "img"]
    assert images == [f"{name}.png" for name in lab.EXPERIMENTS]
    assert all((tmp_path / src).read_bytes()[:8] == PNG_MAGIC for src in images)
    measured, static = _numbers(results), _numbers_in_static_text(results)
    checked = 0
    for chunk, classes, _ in page.chunks:
        for number in NUMBER.findall(chunk):
            allowed = measured if "note" in classes else measured | static
            assert number in allowed, f"{number!r} in {chunk!r} is not in results.json"
            checked += 1
    assert checked > 500

