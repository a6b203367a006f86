"""Tests of the render pipeline: periods, params, manifest, atomic swap, stale cleanup, determinism, PID 1.

The rendering tests run tiny generated notebooks through the real papermill/nbconvert path
(one shared worker with a warm kernel); the end-to-end test (``-m e2e``) renders a real quarter.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from analysis.report import index_page, kernels, manifest, page_html, pages, params, periods, render, swap

# ---------------------------------------------------------------------------
# Periods


@pytest.mark.parametrize(
    "today, expected",
    [
        (date(2026, 11, 22), "2026Q3"),
        (date(2026, 10, 1), "2026Q3"),
        (date(2026, 9, 30), "2026Q2"),
        (date(2026, 1, 1), "2025Q4"),
        (date(2025, 12, 31), "2025Q3"),
        (date(2026, 4, 1), "2026Q1"),
    ],
)
def test_latest_completed_quarter_on_edges(today, expected):
    assert periods.latest_completed_quarter(today) == expected


def test_quarter_helpers():
    assert periods.parse_period("2026Q3") == (2026, 3)
    assert periods.parse_period("2026q1") == (2026, 1)
    assert periods.quarter_bounds("2026Q3") == (date(2026, 7, 1), date(2026, 9, 30))
    assert periods.quarter_bounds("2024Q1") == (date(2024, 1, 1), date(2024, 3, 31))
    assert periods.quarter_end("2025Q4") == date(2025, 12, 31)
    assert periods.previous_quarter("2026Q1") == "2025Q4"
    assert periods.previous_quarter("2026Q3") == "2026Q2"
    assert periods.next_quarter("2025Q4") == "2026Q1"
    assert periods.quarter_of(date(2026, 9, 30)) == "2026Q3"
    assert periods.periods_between("2023Q1", "2023Q4") == ["2023Q1", "2023Q2", "2023Q3", "2023Q4"]
    assert len(periods.periods_between(periods.FIRST_PERIOD, "2026Q3")) == 15
    assert periods.periods_between("2024Q2", "2024Q1") == []


@pytest.mark.parametrize("bad", ["2026Q5", "2026Q0", "abc", "2026-Q3", "", "26Q1"])
def test_parse_period_errors_name_the_valid_form(bad):
    with pytest.raises(ValueError, match=r"YYYYQn with n in 1-4"):
        periods.parse_period(bad)


def test_check_period_rejects_future_and_lists_choices():
    today = date(2026, 11, 22)
    assert periods.check_period("2026Q3", today) == "2026Q3"
    with pytest.raises(ValueError, match="2023Q1 to 2026Q3"):
        periods.check_period("2026Q4", today)


def test_parse_langs():
    assert params.parse_langs("zh,en") == ["zh", "en"]
    assert params.parse_langs("en, en") == ["en"]
    with pytest.raises(ValueError, match="choose from zh, en"):
        params.parse_langs("zh,fr")


def reports_args(**overrides):
    values = dict(period=None, all=False, lang="zh,en", out=Path("reports"), jobs=None, force=False, data_dir=manifest.REPO_ROOT / "data")
    values.update(overrides)
    return argparse.Namespace(**values)


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"period": "2026Q5"}, "YYYYQn"),
        ({"period": "abc"}, "YYYYQn"),
        ({"period": "2027Q1"}, "not completed yet"),
        ({"lang": "zh,de"}, "choose from zh, en"),
        ({"data_dir": Path("/nonexistent/data")}, "does not exist"),
    ],
)
def test_main_rejects_bad_parameters_before_rendering(tmp_path, capsys, overrides, message):
    args = reports_args(out=tmp_path / "reports", **overrides)
    assert render.main(args, today=date(2026, 11, 22)) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ") and message in err[0]
    assert not (tmp_path / "reports").exists()


def test_main_reports_data_problems_with_file_row_column(tmp_path, capsys):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "regions.csv").write_text("region_id,name_zh\n", encoding="utf-8")
    args = reports_args(out=tmp_path / "reports", data_dir=data_dir, period="2025Q4")
    assert render.main(args, today=date(2026, 11, 22)) == 1
    err = capsys.readouterr().err
    assert re.search(r"regions\.csv:1:\w+: ", err) and "nothing rendered" in err


# ---------------------------------------------------------------------------
# Manifest


def test_manifest_detects_changes(tmp_path):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "a.csv").write_text("x\n1\n", encoding="utf-8")
    period_dir = tmp_path / "2025Q4"
    period_dir.mkdir()
    (period_dir / "briefing.en.html").write_text("<p>hi</p>", encoding="utf-8")
    files = {"data/a.csv": data_dir / "a.csv"}
    inputs = manifest.hash_files(files)
    params = manifest.render_parameters("2025Q4", ["zh", "en"], "../data")
    assert manifest.stale_reason(period_dir, params, inputs) == "no manifest"
    built = manifest.build_manifest("2025Q4", params, inputs, manifest.output_hashes(period_dir))
    (period_dir / manifest.MANIFEST).write_text(manifest.manifest_text(built), encoding="utf-8")
    assert manifest.stale_reason(period_dir, params, inputs) is None
    assert "timestamp" not in manifest.manifest_text(built) and "time" not in json.dumps(built)

    (data_dir / "a.csv").write_text("x\n2\n", encoding="utf-8")
    assert manifest.stale_reason(period_dir, params, manifest.hash_files(files)) == "inputs changed: data/a.csv"
    assert manifest.stale_reason(period_dir, manifest.render_parameters("2025Q4", ["en"], "../data"), inputs) == "parameters changed"
    (period_dir / "briefing.en.html").write_text("<p>edited</p>", encoding="utf-8")
    assert manifest.stale_reason(period_dir, params, inputs) == "outputs modified"
    assert manifest.stale_reason(tmp_path / "2024Q1", params, inputs) == "not rendered yet"


def test_input_files_cover_data_notebooks_source_and_lock(tmp_path):
    files = manifest.input_files(manifest.REPO_ROOT / "data", manifest.NOTEBOOKS_DIR)
    assert "src/analysis/report/render.py" in files and "src/analysis/report/kernels.py" in files and "requirements.lock" in files
    assert any(label.startswith("data/") for label in files)


# ---------------------------------------------------------------------------
# Directories


def test_stale_temp_dirs_are_removed_and_interrupted_swap_restored(tmp_path):
    (tmp_path / ".tmp-2026Q3-99999" / "projection").mkdir(parents=True)
    (tmp_path / ".old-2026Q2-99999").mkdir()
    (tmp_path / ".old-2026Q2-99999" / "briefing.en.html").write_text("old", encoding="utf-8")
    (tmp_path / "2026Q1").mkdir()
    (tmp_path / ".old-2026Q1-99998").mkdir()
    removed = swap.cleanup_stale(tmp_path)
    assert sorted(removed) == [".old-2026Q1-99998", ".tmp-2026Q3-99999"]
    assert (tmp_path / "2026Q2" / "briefing.en.html").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026Q1", "2026Q2"]


def test_swap_in_replaces_directory(tmp_path):
    final, tmp = tmp_path / "2026Q3", tmp_path / ".tmp-2026Q3-1"
    final.mkdir()
    (final / "a").write_text("old", encoding="utf-8")
    tmp.mkdir()
    (tmp / "a").write_text("new", encoding="utf-8")
    swap.swap_in(tmp, final)
    assert (final / "a").read_text(encoding="utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026Q3"]


def test_lock_excludes_a_second_run(tmp_path):
    with swap.locked(tmp_path):
        with pytest.raises(swap.PipelineError, match="another render holds"):
            with swap.locked(tmp_path, wait=False):
                pass
    with swap.locked(tmp_path, wait=False):
        pass


def test_index_lists_periods_and_escapes(tmp_path):
    for period, langs in (("2025Q4", ("zh", "en")), ("2026Q1", ("en",))):
        (tmp_path / period / "projection").mkdir(parents=True)
        for lang in langs:
            (tmp_path / period / f"briefing.{lang}.html").write_text("x", encoding="utf-8")
        (tmp_path / period / "projection" / "t<1>.en.html").write_text("x", encoding="utf-8")
    (tmp_path / "notaperiod").mkdir()
    page = index_page.index_html(tmp_path)
    assert page.index("2026Q1") < page.index("2025Q4")
    assert "2025Q4/briefing.zh.html" in page and "2026Q1/briefing.en.html" in page
    assert "2026Q1/briefing.zh.html" not in page and "notaperiod" not in page
    assert "t&lt;1&gt;" in page and "t<1>" not in page


def test_normalize_xlsx_is_deterministic(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    paths = []
    for i in range(2):
        book = openpyxl.Workbook()
        book.active["A1"] = "x"
        path = tmp_path / f"{i}.xlsx"
        book.save(path)
        page_html.normalize_xlsx(path, "2025-12-31T00:00:00Z")
        paths.append(path)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    with zipfile.ZipFile(paths[0]) as archive:
        assert "2025-12-31T00:00:00Z" in archive.read("docProps/core.xml").decode()


# ---------------------------------------------------------------------------
# Rendering tiny notebooks through papermill + nbconvert


def write_notebook(path: Path, body: str) -> Path:
    """Write a tiny parameterised notebook (fixed cell ids) whose code cell is body."""
    cells = [
        new_markdown_cell("# Tiny"),
        new_code_cell('lang = "en"\nas_of = "2025-12-31"\nvalue = 1', metadata={"tags": ["parameters"]}),
        new_code_cell(body),
    ]
    nb = new_notebook(cells=cells, metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}})
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"c{i}"
    nbformat.write(nb, path)
    return path


GOOD = """import numpy as np, matplotlib.pyplot as plt, warnings, os
rng = np.random.default_rng(0)
fig, ax = plt.subplots(figsize=(3, 2))
ax.plot(rng.normal(size=20).cumsum())
ax.set_title(f"{lang} {value}")
plt.show()
warnings.warn("demo", FutureWarning)
print(object(), set("abcdef"))
open("side.%s.csv" % lang, "w").write("a\\n1\\n")"""


@pytest.fixture(scope="module")
def renderer():
    with kernels.KernelPool(1) as shared:
        yield shared


@pytest.fixture
def tiny(tmp_path):
    nbdir = tmp_path / "nb"
    nbdir.mkdir()
    good = write_notebook(nbdir / "good.ipynb", GOOD)
    bad = write_notebook(nbdir / "bad.ipynb", "x = 1\nraise ValueError('boom in tiny')")
    return good, bad


def tiny_jobs(notebook: Path, langs=("zh", "en")) -> list[pages.Job]:
    return [pages.Job(f"page.{lang}", str(notebook), {"lang": lang, "value": 2}, "exclude" if lang == "zh" else "collapse", f"t {lang}")
            for lang in langs]


def read_tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_render_is_atomic_deterministic_and_named(tmp_path, tiny, renderer, capsys):
    good, bad = tiny
    params = {"period": "2025Q4"}
    outs = [tmp_path / "out1", tmp_path / "out2"]
    for out in outs:
        out.mkdir()
        results = render.render_period(renderer, out, "2025Q4", tiny_jobs(good), params, {"x": "1"})
        assert sorted(r.key for r in results) == ["page.en", "page.zh"]
    first, second = (read_tree(out / "2025Q4") for out in outs)
    assert sorted(first) == ["manifest.json", "page.en.html", "page.en.ipynb", "page.zh.html",
                             "page.zh.ipynb", "side.en.csv", "side.zh.csv"]
    assert first == second, "two renders differ"
    assert "[1/2] page." in capsys.readouterr().out

    nb = json.loads(first["page.en.ipynb"])
    assert nb["metadata"]["papermill"] == {"input_path": "good.ipynb", "parameters": {"lang": "en", "value": 2}}
    assert all("papermill" not in c["metadata"] and "execution" not in c["metadata"] for c in nb["cells"])
    assert [c["id"] for c in nb["cells"]] == ["c0", "c1", "injected-parameters", "c2"]
    assert [c.get("execution_count") for c in nb["cells"] if c["cell_type"] == "code"] == [1, 2, 3]
    zh_html, en_html = first["page.zh.html"].decode(), first["page.en.html"].decode()
    assert "data:image/png" in zh_html and "cumsum" not in zh_html  # code excluded
    assert "cumsum" in en_html and "code-toggle" in en_html  # code collapsed

    # A failing notebook leaves the previous output byte-identical and names notebook and cell.
    with pytest.raises(render.RenderFailed) as info:
        render.render_period(renderer, outs[0], "2025Q4", tiny_jobs(good) + tiny_jobs(bad, ["en"]), params, {"x": "2"})
    message = str(info.value)
    assert "bad.ipynb cell 3" in message and "ValueError: boom in tiny" in message
    assert read_tree(outs[0] / "2025Q4") == first
    assert not list(outs[0].glob(".tmp-*"))
    assert (outs[0] / ".failed-2025Q4" / "page.en.ipynb").exists()


def test_run_renders_once_then_is_up_to_date(tmp_path, tiny, renderer, monkeypatch, capsys):
    good, _ = tiny
    nbdir = tmp_path / "pages"
    nbdir.mkdir()
    for page in pages.PAGES:
        write_notebook(nbdir / page.notebook, "print(lang, value)")
    monkeypatch.setattr(render, "load_dataset", lambda data_dir: None)
    monkeypatch.setattr(render, "targets_with_data", lambda dataset, as_of: ["t1"])
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    (data_dir / "observations.csv").write_text("x\n", encoding="utf-8")
    out = tmp_path / "reports"
    options = render.Options(["2025Q4"], ["zh", "en"], out, data_dir, 1, False, nbdir)
    assert render.run(options, with_status=False, pool=renderer) == 0
    files = sorted(read_tree(out / "2025Q4"))
    assert "briefing.zh.html" in files and "projection/t1.en.html" in files and "dashboard.en.ipynb" in files
    assert len([f for f in files if f.endswith(".html")]) == 2 * len(pages.PAGES)  # one target: each page once per language
    before = read_tree(out)
    capsys.readouterr()
    assert render.run(options, with_status=False, pool=renderer) == 0
    assert "2025Q4: up to date (inputs unchanged)" in capsys.readouterr().out
    assert read_tree(out) == before
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "2025Q4/briefing.en.html" in index and "2025Q4/projection/t1.zh.html" in index

    (data_dir / "observations.csv").write_text("x\n1\n", encoding="utf-8")
    assert render.run(options, with_status=False, pool=renderer) == 0
    assert "inputs changed: data/observations.csv" in capsys.readouterr().out


# ---------------------------------------------------------------------------
# Modules by job: notebooks check their parameters without the renderer


def test_params_and_periods_import_without_the_renderer():
    code = ("import sys; import analysis.report.params, analysis.report.periods; "
            "heavy = sorted(m for m in ('analysis.report.render', 'analysis.report.kernels', 'pandas', 'papermill') if m in sys.modules); "
            "print(','.join(heavy))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == ""


@pytest.mark.parametrize("kwargs, message", [
    (dict(lang="fr"), "choose from zh, en"),
    (dict(lang="zh", as_of="2024-02-30"), "use YYYY-MM-DD"),
    (dict(lang="en", period="2026Q0"), "YYYYQn"),
    (dict(lang="en", target_id="t002_x"), "choose one of t002_a_2027, t002_b_2027 (3 targets"),
])
def test_check_parameters_names_the_valid_choices(kwargs, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        params.check_parameters(["t002_b_2027", "t001_c_2027", "t002_a_2027"], **kwargs)


def test_check_parameters_accepts_valid_values():
    assert params.check_parameters(["t001_c_2027"], "en", "2025-12-31", "2025Q4", "t001_c_2027") is None


def test_every_written_page_passes_the_html_hook(tmp_path, monkeypatch):
    (tmp_path / "2025Q4").mkdir()
    (tmp_path / "2025Q4" / "briefing.zh.html").write_text("x", encoding="utf-8")
    seen = []
    monkeypatch.setattr(index_page, "postprocess_html", lambda page: seen.append(page) or page.replace("</body>", "<!--hook--></body>"))
    assert index_page.write_index(tmp_path) is True
    assert len(seen) == 1 and "<!--hook-->" in (tmp_path / "index.html").read_text(encoding="utf-8")
    assert index_page.write_index(tmp_path) is False and len(seen) == 1  # unchanged: not rewritten
    (tmp_path / "2025Q4" / "briefing.en.html").write_text("x", encoding="utf-8")
    assert index_page.write_index(tmp_path) is True and "2025Q4/briefing.en.html" in (tmp_path / "index.html").read_text(encoding="utf-8")
    import inspect

    assert "postprocess_html(notebook_html(" in inspect.getsource(render.execute_job)


# ---------------------------------------------------------------------------
# Containers: the pipeline as PID 1 (issue 11)


def test_worker_exits_only_when_its_own_parent_is_gone():
    code = "import os, sys; from analysis.report.kernels import die_with_parent; die_with_parent(int(sys.argv[1])); print('alive')"
    alive = subprocess.run([sys.executable, "-c", code, str(os.getpid())], capture_output=True, text=True)
    assert (alive.returncode, alive.stdout.strip()) == (0, "alive")
    orphan = subprocess.run([sys.executable, "-c", code, str(os.getpid() + 1)], capture_output=True, text=True)
    assert (orphan.returncode, orphan.stdout.strip()) == (1, "")


def pid1_unavailable() -> str | None:
    """Return why a process cannot be started as PID 1 of a new pid namespace here, or None."""
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is not installed"
    if os.geteuid() != 0:
        return "unshare --pid needs root (CAP_SYS_ADMIN)"
    probe = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", "true"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"unshare --pid --fork --mount-proc failed here: {probe.stderr.strip()[:200]}"
    return None


PID1_RENDER = """
import os, sys
from pathlib import Path
from analysis.report import kernels, pages, render
assert os.getpid() == 1, os.getpid()
notebook, out = sys.argv[1], Path(sys.argv[2])
jobs = [pages.Job(f"page.{lang}", notebook, {"lang": lang, "value": 2}, "collapse", lang) for lang in ("zh", "en")]
with kernels.KernelPool(1) as pool:
    render.render_period(pool, out, "2025Q4", jobs, {"period": "2025Q4"}, {})
print("rendered as pid", os.getpid())
"""


def test_render_works_as_pid1_in_a_container(tmp_path):
    reason = pid1_unavailable()
    if reason:
        pytest.skip(reason)
    notebook = write_notebook(tmp_path / "tiny.ipynb", "print(lang, value)")
    out = tmp_path / "reports"
    out.mkdir()
    done = subprocess.run(["unshare", "--pid", "--fork", "--mount-proc", sys.executable, "-c", PID1_RENDER,
                           str(notebook), str(out)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rendered as pid 1" in done.stdout
    assert sorted(p.name for p in (out / "2025Q4").iterdir()) == [
        "manifest.json", "page.en.html", "page.en.ipynb", "page.zh.html", "page.zh.ipynb"]
    assert "zh 2" in (out / "2025Q4" / "page.zh.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------
# End to end: one real quarter with the real notebooks and data

BRIEFING_HEADINGS = ("register.title", "brief.changes", "brief.judged", "brief.risks", "brief.gaps",
                     "brief.method_title")
ANNEX_HEADINGS = ("annex.status", "annex.calendar", "annex.sources", "annex.method")


@pytest.mark.e2e
def test_real_quarter_renders_every_target_in_both_languages(rendered_quarter):
    from analysis.data import loader
    from analysis.report.i18n import t

    out = rendered_quarter
    period_dir = out / "2025Q4"
    assert (period_dir / "manifest.json").exists() and (period_dir / "assessment.csv").exists() and (period_dir / "assessment.json").exists()
    dataset = loader.load(manifest.REPO_ROOT / "data")
    with_data = set(pages.targets_with_data(dataset, periods.quarter_end("2025Q4")))
    for lang in ("zh", "en"):
        text = html.unescape((period_dir / f"briefing.{lang}.html").read_text(encoding="utf-8"))
        text = re.sub(r'<script type="application/json" class="chart-data">.*?</script>', "", text, flags=re.S)  # machine-read, not shown
        assert not re.findall(r"t00\d_[a-z0-9_]+", text), f"briefing.{lang} shows target ids"
        assert "<script>alert" not in text and f"annex.{lang}.html" in text
        for key in BRIEFING_HEADINGS:
            heading = t(key, lang).split("{")[0].strip()
            assert heading in text, f"briefing.{lang} lacks heading {key!r} ({heading!r})"
        annex = html.unescape((period_dir / f"annex.{lang}.html").read_text(encoding="utf-8"))
        for key in ANNEX_HEADINGS:
            assert t(key, lang) in annex, f"annex.{lang} lacks heading {key!r}"
        for page in ("dashboard", "audit", "retrospective", "peers"):
            assert (period_dir / f"{page}.{lang}.html").exists()
    for target_id in with_data:
        for lang in ("zh", "en"):
            assert (period_dir / "projection" / f"{target_id}.{lang}.html").exists()
    # curation notes (the notes columns of the data files) are for developers: no page shows them
    for page_file in sorted(period_dir.rglob("*.html")):
        page_text = html.unescape(page_file.read_text(encoding="utf-8"))
        assert not re.search(r"curation:|NOTES §|harvest", page_text), page_file.name
    assert "2025Q4/briefing.zh.html" in (out / "index.html").read_text(encoding="utf-8")


def test_pages_are_titled_and_labelled_in_their_readers_language():
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    nb = new_notebook(cells=[new_markdown_cell("# 指标预测 · Indicator projection"),
                             new_code_cell("lang = 'en'", metadata={"tags": ["parameters"]}),
                             new_markdown_cell("# Indicator projection: R&D intensity")])
    nb.cells[1].outputs = [nbformat.v4.new_output("display_data", {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"})]
    page = page_html.notebook_html(nb, "collapse", "2026Q3 · projection · t.en")
    assert "<title>Indicator projection: R&amp;D intensity</title>" in page
    assert "指标预测" not in page  # the notebook's bilingual label stays in JupyterLab, not in the page
    assert "No description has been provided" not in page and 'alt="Chart"' in page
    assert ">Show code</button>" in page and "代码" not in page
    zh = page_html.notebook_html(nb, "collapse", "2026Q3 · projection · t.zh")
    assert 'alt="图表"' in zh and ">显示代码</button>" in zh
    assert len(nb.cells) == 3  # the executed notebook itself keeps every cell
