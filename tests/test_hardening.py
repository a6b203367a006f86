"""Bad input and failure: rejected before rendering, no partial damage, nothing from data executes,
and no report sees an observation published after its date."""

from __future__ import annotations

import csv
import dataclasses
import html
import os
import shutil
import signal
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import nbformat
import pandas as pd
import psutil
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.assess import changes, evidence, statuses
from analysis.data import loader, validate
from analysis.report import page_html, params, periods, render, swap

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "data"
SCRIPT_TITLE = "<script>alert(1)</script>"


# ---------------------------------------------------------------------------
# Parameters are checked before anything runs


@pytest.mark.parametrize("kwargs, message", [
    (dict(lang="fr"), "choose from zh, en"),
    (dict(lang="zh", as_of="2024-13-45"), "use YYYY-MM-DD"),
    (dict(lang="zh", period="2026Q5"), "2026Q5"),
    (dict(lang="zh", target_id="t001_nothing"), "choose one of t001_"),
])
def test_bad_notebook_parameters_name_the_valid_choices(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        params.check_parameters(["t001_rd_gdp_ratio_2027"], **kwargs)


def test_notebook_parameters_accept_the_defaults() -> None:
    params.check_parameters(["t001_rd_gdp_ratio_2027"], "zh", None, None, "t001_rd_gdp_ratio_2027")


def test_notebook_without_parameters_cell_is_rejected(tmp_path: Path) -> None:
    notebooks = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", notebooks)
    path = notebooks / "03_gap_dashboard.ipynb"
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        cell.metadata.pop("tags", None)
    nbformat.write(nb, path)
    with pytest.raises(swap.PipelineError, match="03_gap_dashboard.ipynb: no code cell tagged 'parameters'"):
        render.check_notebooks(notebooks)


def test_every_project_notebook_has_a_parameters_cell() -> None:
    assert all(render.has_parameters_cell(path) for path in sorted((ROOT / "notebooks").glob("*.ipynb")))


@pytest.mark.parametrize("options, message", [
    (["--period", "2026Q5"], "invalid period"),
    (["--period", "2099Q1"], "not completed yet"),
    (["--lang", "zh,fr"], "choose from zh, en"),
    (["--data-dir", "no/such/dir"], "folder not found"),
])
def test_reports_cli_rejects_bad_parameters(tmp_path: Path, options: list[str], message: str) -> None:
    result = subprocess.run([sys.executable, "-m", "analysis", "reports", "--out", str(tmp_path / "r"), *options],
                            capture_output=True, text=True, cwd=ROOT)
    # usage errors: checked by the command line before any work, one line, exit 2
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "r").exists() or not any((tmp_path / "r").glob("20*"))


def test_reports_cli_rejects_invalid_data_before_rendering(tmp_path: Path) -> None:
    broken = tmp_path / "data"
    shutil.copytree(REAL, broken)
    path = broken / "targets.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",>=,3.75,", ",=>,3.75,", 1), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "analysis", "reports", "--period", "2025Q4", "--data-dir", str(broken),
                             "--out", str(tmp_path / "r")], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 1
    assert "targets.csv:2:comparator:" in result.stderr and "nothing rendered" in result.stderr
    assert not list((tmp_path / "r").glob("20*"))


# ---------------------------------------------------------------------------
# A render killed midway leaves reports/ as it was; the next run cleans up


@pytest.mark.e2e
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL])
def test_killed_render_leaves_reports_intact(tmp_path: Path, sig: int) -> None:
    out = tmp_path / "reports"
    previous = out / "2025Q4"
    previous.mkdir(parents=True)
    (previous / "briefing.zh.html").write_text("<p>previous render</p>", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in previous.iterdir()}
    process = subprocess.Popen([sys.executable, "-m", "analysis", "reports", "--period", "2025Q4", "--out", str(out), "--force"],
                               cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + 120
    tree: list[psutil.Process] = []
    while time.monotonic() < deadline and not (any(out.glob(".tmp-*/*.html")) and any(map(is_kernel, tree))):
        time.sleep(0.2)
        tree = render_tree(process.pid)
    assert any(out.glob(".tmp-*")), "the render never started writing its temporary directory"
    kernels = [p for p in tree if is_kernel(p)]
    assert kernels, "no kernel of the render was running when it was killed: nothing to check"
    os.kill(process.pid, sig)
    process.wait(timeout=60)
    assert {p.name: p.read_bytes() for p in previous.iterdir()} == before
    removed = swap.cleanup_stale(out)
    assert removed and not any(out.glob(".tmp-*"))
    time.sleep(2)  # kernels and workers die with their parent (PR_SET_PDEATHSIG)
    survivors = [p for p in tree if still_running(p)]
    assert not survivors, f"processes of the killed render still run: {[(p.pid, p.name()) for p in survivors]}"


def render_tree(pid: int) -> list[psutil.Process]:
    """Return the processes descended from one render (its workers and their kernels), not the machine's."""
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def is_kernel(process: psutil.Process) -> bool:
    """Return whether a process is a Jupyter kernel."""
    try:
        return any("ipykernel" in part for part in process.cmdline())
    except psutil.Error:
        return False


def still_running(process: psutil.Process) -> bool:
    """Return whether the very process (same pid and start time) still runs and is not a zombie."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


# ---------------------------------------------------------------------------
# Text from data never executes: a source title with a script shows as text


@pytest.mark.e2e
def test_script_in_a_source_title_is_escaped(tmp_path: Path) -> None:
    import papermill

    data_dir = tmp_path / "data"
    shutil.copytree(REAL, data_dir)
    sources = pd.read_csv(data_dir / "sources.csv", dtype=str, keep_default_na=False)
    sources.loc[sources["source_id"] == "nbkjj_2025_01", "title"] = SCRIPT_TITLE
    sources.loc[sources["source_id"] == "nbkjj_2025_01", "publisher"] = "<img src=x onerror=alert(2)>"
    sources.to_csv(data_dir / "sources.csv", index=False, lineterminator="\n")
    assert validate.validate_dir(data_dir)[1] == []
    pages = {}
    for name, notebook in (("briefing", "04_quarterly_briefing.ipynb"), ("annex", "07_briefing_annex.ipynb")):
        executed = tmp_path / f"{name}.ipynb"
        papermill.execute_notebook(str(ROOT / "notebooks" / notebook), str(executed),
                                   parameters={"as_of": "2025-12-31", "lang": "en", "data_dir": str(data_dir)},
                                   kernel_name="ningbo-315", progress_bar=False, cwd=str(tmp_path))
        pages[name] = page_html.notebook_html(nbformat.read(executed, as_version=4), "exclude", f"{name}.en")
    for page in pages.values():
        assert SCRIPT_TITLE not in page and "<img src=x" not in page
    # The annex lists every source: the title is there, as text.
    assert html.escape(SCRIPT_TITLE) in pages["annex"]


# ---------------------------------------------------------------------------
# Vintage discipline: nothing published after the report date is used or shown


DATASET = loader.load(REAL)
PUBLISHED = DATASET.observations["published"]


def observation_keys_published_by(as_of: pd.Timestamp) -> set[tuple]:
    """Return (indicator, region, period, value, source) of every observation published by a date."""
    seen = DATASET.observations[PUBLISHED <= as_of]
    return set(zip(seen["indicator_id"], seen["region"], seen["period"], seen["value"].round(6), seen["source_id"]))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dates(min_value=date(2016, 1, 1), max_value=date(2026, 11, 1)))
def test_status_uses_only_observations_published_by_its_date(day: date) -> None:
    as_of = pd.Timestamp(day)
    # the status table, target by target (gap.status_table's own loop, keeping each assessment's history and forecast)
    assessments = statuses.assessments(DATASET, as_of)
    table = statuses.table_of(assessments)
    allowed = observation_keys_published_by(as_of)
    shown = table[table["source_id"].astype(str) != ""]
    for row in shown.itertuples():
        key = (row.indicator_id, row.region, str(row.latest_period), round(float(row.latest_value), 6), row.source_id)
        assert key in allowed, f"{row.target_id} as of {day} shows {key}, not published by then"
    # the whole row (base, path, progress, projection, P, status) is what the data published by then give
    restricted = dataclasses.replace(DATASET, observations=DATASET.observations[PUBLISHED <= as_of].reset_index(drop=True))
    pd.testing.assert_frame_equal(table, statuses.status_table(restricted, as_of=day, region=None))
    # and, target by target, the history, the base value and the forecast come from published values only
    published = {(i, r, p, v) for i, r, p, v, _ in allowed}
    published_periods = {(i, r, p) for i, r, p, _, _ in allowed}
    formulas = {f.indicator_id: f for f in evidence.dataset_formulas(DATASET)}
    for a in assessments:
        if a.history is None:
            continue
        for year, value in a.history.items():
            if (a.indicator_id, a.region, str(year), round(float(value), 6)) in published:
                continue
            # else a value derived (data/derived.csv) from inputs that were all published by then
            f = formulas.get(a.indicator_id)
            assert f is not None, (a.target_id, day, year, value)
            years = (year, year - 1) if f.formula == "growth" else (year,)
            assert all((i, a.region, str(y)) in published_periods for i in f.inputs for y in years), (a.target_id, day, year)
        if a.base_estimated:  # interpolated between two published values
            assert (a.history.index < a.base_year_used).any() and (a.history.index > a.base_year_used).any(), a.target_id
        elif a.target_type != "cumulative" and not pd.isna(a.base_value):
            assert a.history[a.base_year_used] == a.base_value, (a.target_id, day)
        if a.forecast is not None:
            assert a.forecast.history.to_dict() == a.history.to_dict(), a.target_id  # fitted on the published history only
            assert min(a.forecast.years) == int(a.history.index.max()) + 1


def previous_quarter_end(day: date) -> date:
    """Return the last day of the quarter before the one holding ``day``."""
    first_month = 3 * ((day.month - 1) // 3) + 1
    return date(day.year, first_month, 1) - timedelta(days=1)


def published_between(start: date, end: date) -> list[tuple[str, str, str, str]]:
    """Return (indicator, region, period, source) of the rows of observations.csv published in (start, end], read with csv."""
    with (REAL / "observations.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return sorted((r["indicator_id"], r["region"], r["period"], r["source_id"]) for r in rows
                  if start.isoformat() < r["published"] <= end.isoformat())


def new_keys(day: date) -> list[tuple[str, str, str, str]]:
    """Return what the product lists as new in the quarter up to ``day``."""
    new = changes.new_observations(DATASET, previous_quarter_end(day), day, region=None)
    return sorted(zip(new["indicator_id"], new["region"], new["period"], new["source_id"]))


@settings(max_examples=30, deadline=None)
@given(st.dates(min_value=date(2016, 1, 1), max_value=date(2026, 11, 1)))
def test_new_in_a_quarter_is_exactly_what_was_published_in_it(day: date) -> None:
    assert new_keys(day) == published_between(previous_quarter_end(day), day)


def test_new_in_a_busy_quarter_is_listed_and_nothing_later() -> None:
    day = date(2025, 3, 31)
    expected = published_between(date(2024, 12, 31), day)
    assert len(expected) >= 10, "the quarter chosen must have new observations for the check to mean anything"
    new = changes.new_observations(DATASET, date(2024, 12, 31), day, region=None)
    listed = sorted(zip(new["indicator_id"], new["region"], new["period"], new["source_id"]))
    assert listed == expected


@pytest.mark.e2e
def test_rendered_quarter_cites_no_source_published_after_its_date(rendered_quarter: Path) -> None:
    from conftest import E2E_PERIOD

    as_of = pd.Timestamp(periods.quarter_end(E2E_PERIOD))
    by_source = DATASET.observations.groupby("source_id")["published"].min()
    later = set(by_source[by_source > as_of].index)
    urls = DATASET.sources.set_index("source_id")["url"]
    later_urls = {urls[s] for s in later if urls[s]}
    assert later_urls, "the data has sources published after the quarter: the check must have something to find"
    period_dir = rendered_quarter / E2E_PERIOD
    for page in sorted(period_dir.rglob("*.html")):
        text = html.unescape(page.read_text(encoding="utf-8"))
        leaked = sorted(url for url in later_urls if url in text)
        assert not leaked, f"{page.name} cites sources published after {as_of.date()}: {leaked[:3]}"
    status = pd.read_csv(period_dir / "assessment.csv", dtype=str, keep_default_na=False)
    assert not set(status["source_id"]) & later
