"""The one table run.py prints: runs summarised (medians over --repeat) and laid out as Markdown."""
import statistics

HEAD = ["workload", "framework", "median s", "first s", "deepbasics/peer", "test acc",
        "peak RSS MB", "import s", "notes"]


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def threads_short(result):
    """The thread setting a row ran with, in a few characters."""
    t = result.get("threads") or {}
    if "torch.get_num_threads" in t:
        return f"torch {t['torch.get_num_threads']} thr"
    if "tf.intra_op" in t:
        return f"tf {t['tf.intra_op']} thr"
    if "xla" in t:
        return f"xla {t['xla']}"
    pools = t.get("blas_during_fit") or result.get("blas_threads") or []
    blas = [p["threads"] for p in pools if p.get("api") != "openmp"]
    return f"blas {blas[0]} thr" if blas else ""


def summarise(runs):
    """{(workload, label): [result, ...]} -> one row per (workload, label, measure), medians over runs."""
    rows = []
    for (workload, label), results in runs.items():
        if not results:
            continue
        last = results[-1]
        for i, m in enumerate(last["measures"]):
            per_run = [r["measures"][i] for r in results]
            medians = [p["median_s"] for p in per_run]
            rows.append({
                "workload": workload, "label": label, "peer": last["peer"], "measure": m["measure"],
                "median_s": statistics.median(medians), "first_s": _median(p.get("first_s") for p in per_run),
                "test_acc": _median(p.get("test_acc") for p in per_run),
                "peak_rss_mb": _median(r.get("peak_rss_mb") for r in results),
                "import_s": _median(r.get("import_s") for r in results),
                "runs": len(results), "spread": (min(medians), max(medians)),
                "batch": m.get("batch"), "n": m.get("n"), "threads": threads_short(last),
                "version": last.get("version"), "backend_version": last.get("backend_version"),
                "note": last.get("note"),
            })
    return rows


def _name(row):
    if row["workload"] != "W5":
        return row["workload"]
    model, batch = row["measure"].split(" model, batch ")
    return f"W5 {model} model b={batch}"


def _fmt(value, spec, missing="-"):
    return missing if value is None else format(value, spec)


def _cells(row, base):
    notes = [row["threads"]] if row["threads"] else []
    if row["batch"] == 1 and row["n"]:
        notes.append(f"{row['median_s'] / row['n'] * 1e3:.3f} ms/sample")
    if row["note"]:
        notes.append(row["note"])
    if row["runs"] > 1:
        lo, hi = row["spread"]
        notes.append(f"runs {lo:.3g}..{hi:.3g} s")
    ratio = f"{base / row['median_s']:.2f}" if base and row["median_s"] else "-"
    return [_name(row), row["label"], f"{row['median_s']:.4g}", _fmt(row["first_s"], ".4g"), ratio,
            _fmt(row["test_acc"], ".4f"), _fmt(row["peak_rss_mb"], ".0f"), _fmt(row["import_s"], ".2f"),
            "; ".join(notes)]


def render(rows, order):
    """The Markdown table: workloads in ``order``, deepbasics first within each measure."""
    lines = []
    for key in order:
        measures = dict.fromkeys(r["measure"] for r in rows if r["workload"] == key)
        for measure in measures:
            group = [r for r in rows if r["workload"] == key and r["measure"] == measure]
            group.sort(key=lambda r: r["peer"] != "deepbasics")
            base = next((r["median_s"] for r in group if r["peer"] == "deepbasics"), None)
            lines += [_cells(r, base) for r in group]
    widths = [max(len(h), *(len(c[i]) for c in lines)) if lines else len(h) for i, h in enumerate(HEAD)]
    fmt = lambda cells: "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"  # noqa: E731
    out = [fmt(HEAD), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    return "\n".join(out + [fmt(c) for c in lines])


def versions(rows):
    """One line per framework: its version (and backend's) and the number of runs."""
    seen = {}
    for r in rows:
        if r["version"] is None:  # W6's row: a command, not a worker that reports a version
            continue
        extra = f" ({r['label'].split('/')[-1]} {r['backend_version']})" if r.get("backend_version") else ""
        seen.setdefault(r["label"], f"{r['label']} {r['version']}{extra}, {r['runs']} run(s) per workload")
    return list(seen.values())
