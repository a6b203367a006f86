"""Per-page input keys: a change re-renders only the pages that read it, and the result equals a full render."""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.data import derive, loader
from analysis.report import manifest, page_keys, render
from analysis.report.pages import Job

REPO_DATA = manifest.REPO_ROOT / "data"


@pytest.fixture(scope="module")
def real():
    dataset = loader.load(REPO_DATA)
    inputs = manifest.hash_files(manifest.input_files(REPO_DATA))
    return dataset, derive.dataset_formulas(dataset), inputs


def with_row(dataset: loader.Dataset, table: str, **changes) -> loader.Dataset:
    """Return the dataset with one more row in a table: a copy of its first row with the given cells changed."""
    frame = getattr(dataset, table)
    row = frame.iloc[[0]].copy()
    for column, value in changes.items():
        row[column] = value
    return dataclasses.replace(dataset, **{table: pd.concat([frame, row], ignore_index=True)})


def key_of(dataset, formulas, inputs, indicator_id):
    return page_keys.target_data_key(dataset, formulas, indicator_id, inputs)


def test_a_figure_of_another_indicator_leaves_the_key_alone(real):
    dataset, formulas, inputs = real
    before = key_of(dataset, formulas, inputs, "tech_little_giants")
    other = with_row(dataset, "observations", indicator_id="high_tech_enterprises", period="2031")
    assert key_of(other, formulas, inputs, "tech_little_giants") == before
    own = with_row(dataset, "observations", indicator_id="tech_little_giants", period="2031")
    assert key_of(own, formulas, inputs, "tech_little_giants") != before


def test_a_figure_of_an_input_of_a_derived_indicator_changes_its_key(real):
    dataset, formulas, inputs = real
    before = key_of(dataset, formulas, inputs, "labour_productivity")
    gdp = with_row(dataset, "observations", indicator_id="gdp", period="2031")
    assert key_of(gdp, formulas, inputs, "labour_productivity") != before
    assert key_of(gdp, formulas, inputs, "tech_little_giants") == key_of(dataset, formulas, inputs, "tech_little_giants")


def test_closure_follows_chains_and_stops_at_cycles(real):
    _, formulas, _ = real
    inputs_of = page_keys.derivation_inputs(formulas)
    assert page_keys.indicator_closure("labour_productivity", inputs_of) == ["employed_persons", "gdp", "labour_productivity"]
    # fiscal_st_expenditure is chained from its growth rate, which is derived from the level: a cycle
    assert page_keys.indicator_closure("fiscal_st_expenditure", inputs_of) == ["fiscal_st_expenditure", "fiscal_st_expenditure_yoy"]
    assert page_keys.indicator_closure("x", {}) == ["x"]


def test_only_cited_sources_and_read_files_count(real):
    dataset, formulas, inputs = real
    before = key_of(dataset, formulas, inputs, "tech_little_giants")
    uncited = with_row(dataset, "sources", source_id="zz_uncited_2031")
    assert key_of(uncited, formulas, inputs, "tech_little_giants") == before
    cited_id = dataset.observations.loc[dataset.observations["indicator_id"] == "tech_little_giants", "source_id"].iloc[0]
    sources = dataset.sources.copy()
    sources.loc[sources["source_id"] == cited_id, "title"] = "retitled"
    retitled = dataclasses.replace(dataset, sources=sources)
    assert key_of(retitled, formulas, inputs, "tech_little_giants") != before
    # the changelog is read by no page; targets.csv by every page
    assert key_of(dataset, formulas, {**inputs, "data/CHANGELOG.md": "x"}, "tech_little_giants") == before
    assert key_of(dataset, formulas, {**inputs, "data/targets.csv": "x"}, "tech_little_giants") != before


def test_page_key_holds_code_notebook_parameters_and_record():
    job = Job("projection/t1.zh", "/nb/02_indicator_projection.ipynb", {"lang": "zh", "target_id": "t1"}, "collapse", "T")
    inputs = {"src/analysis/a.py": "1", "notebooks/02_indicator_projection.ipynb": "n", "notebooks/other.ipynb": "o",
              "requirements.lock": "l", "data/targets.csv": "t"}
    base = page_keys.page_key(job, inputs, {"d": "1"}, {"p_meet": 0.5})
    assert page_keys.page_key(job, {**inputs, "notebooks/other.ipynb": "changed"}, {"d": "1"}, {"p_meet": 0.5}) == base
    for changed in ({**inputs, "src/analysis/a.py": "2"}, {**inputs, "requirements.lock": "2"},
                    {**inputs, "notebooks/02_indicator_projection.ipynb": "2"}):
        assert page_keys.page_key(job, changed, {"d": "1"}, {"p_meet": 0.5}) != base
    assert page_keys.page_key(job, inputs, {"d": "2"}, {"p_meet": 0.5}) != base
    assert page_keys.page_key(job, inputs, {"d": "1"}, {"p_meet": 0.6}) != base
    other_lang = dataclasses.replace(job, parameters={"lang": "en", "target_id": "t1"})
    assert page_keys.page_key(other_lang, inputs, {"d": "1"}, {"p_meet": 0.5}) != base


def test_files_belong_to_the_page_named_in_them():
    keys = ["briefing.zh", "projection/t001_a.en", "projection/t001_a_b.en"]
    assert page_keys.owner_of("briefing.zh.pdf", keys) == "briefing.zh"
    assert page_keys.owner_of("screenshot.briefing.zh.png", keys) == "briefing.zh"
    assert page_keys.owner_of("projection/t001_a_b.en.html", keys) == "projection/t001_a_b.en"
    assert page_keys.owner_of("projection/t001_a.en.ipynb", keys) == "projection/t001_a.en"
    assert page_keys.owner_of("assessment.json", keys) is None
    owned, others = page_keys.outputs_by_page({"briefing.zh.html": "h", "assessment.json": "a"}, keys)
    assert owned["briefing.zh"] == {"briefing.zh.html": "h"} and others == ["assessment.json"]


def test_a_page_is_reused_only_with_its_key_and_untouched_files(tmp_path):
    period_dir = tmp_path / "2026Q3"
    period_dir.mkdir()
    (period_dir / "a.zh.html").write_text("A", encoding="utf-8")
    (period_dir / "b.zh.html").write_text("B", encoding="utf-8")
    outputs = manifest.output_hashes(period_dir)
    pages = render.page_entries(outputs, {"a.zh": "ka", "b.zh": "kb"})
    (period_dir / manifest.MANIFEST).write_text(manifest.manifest_text(manifest.build_manifest("2026Q3", {}, {}, outputs, pages)))
    assert manifest.reusable_pages(period_dir, {"a.zh": "ka", "b.zh": "kb"}) == {"a.zh", "b.zh"}
    assert manifest.reusable_pages(period_dir, {"a.zh": "ka", "b.zh": "new"}) == {"a.zh"}
    (period_dir / "a.zh.html").write_text("edited by hand", encoding="utf-8")
    assert manifest.reusable_pages(period_dir, {"a.zh": "ka", "b.zh": "kb"}) == {"b.zh"}
    # a file named after no page: nothing is recorded, so the next render runs every page
    assert render.page_entries({**outputs, "loose.csv": "x"}, {"a.zh": "ka"}) == {}
    assert render.page_entries({**outputs, "assessment.json": "x"}, {"a.zh": "ka", "b.zh": "kb"}) != {}


# ---------------------------------------------------------------------------
# End to end: one new figure re-renders the period pages and that target's page, nothing else

PERIOD = "2025Q4"
NEW_FIGURE = ["--indicator", "tech_little_giants", "--region", "ningbo", "--period", "2024", "--value", "55",
              "--status", "reported", "--source-id", "kczg_2023_01", "--published", "2025-03-01",
              "--quote", "55", "--notes", "test figure (tests/test_page_keys.py), never in data/"]


def render_into(out: Path, data_dir: Path, force: bool = False) -> None:
    args = argparse.Namespace(period=PERIOD, all=False, lang="zh", out=out, jobs=None, force=force, data_dir=data_dir)
    assert render.main(args) == 0


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.e2e
def test_one_new_figure_re_renders_only_what_reads_it_and_equals_a_full_render(tmp_path, capsys):
    data_dir = tmp_path / "data"
    shutil.copytree(REPO_DATA, data_dir)
    incremental, full = tmp_path / "incremental", tmp_path / "full"
    render_into(incremental, data_dir)
    capsys.readouterr()
    added = subprocess.run([sys.executable, "-m", "analysis", "add", "--data-dir", str(data_dir), *NEW_FIGURE],
                           capture_output=True, text=True)
    assert added.returncode == 0, added.stderr
    render_into(incremental, data_dir)
    log = capsys.readouterr().out
    rerun = {line.split("]")[1].split()[0] for line in log.splitlines() if line.startswith("[") and "/" in line.split("]")[0]}
    period_pages = {f"{page.name}.zh" for page in render.PAGES if not page.per_target}
    assert period_pages | {"projection/t001_tech_little_giants_2027.zh"} <= rerun
    assert "projection/t001_rd_gdp_ratio_2027.zh" not in rerun
    total = len(json.loads((incremental / PERIOD / manifest.MANIFEST).read_text())["pages"])
    assert len(rerun) < total / 2, f"{len(rerun)} of {total} pages re-rendered: {sorted(rerun)}"

    render_into(full, data_dir)
    assert tree(incremental / PERIOD) == tree(full / PERIOD)
