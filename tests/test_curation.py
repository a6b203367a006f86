"""Curation rules of data/: reproducibility, reader-facing text, bounds, milestones, definition audit."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.data import coverage, loader, schema

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
HARVEST = ROOT.parent / "shared" / "data-harvest"


def rows(name: str) -> list[dict]:
    """Read one data table as dicts."""
    with (DATA / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.skipif(not (HARVEST / "observations_wave3_news.csv").exists(), reason="raw collection not available")
def test_curation_script_reproduces_data_byte_for_byte(tmp_path: Path) -> None:
    written = ("observations.csv", "sources.csv", "milestones.csv", "definition_audit.csv")
    for path in [*DATA.glob("*.csv"), DATA / "datapackage.json"]:  # configuration the intake replay checks against
        if path.name not in written:
            (tmp_path / path.name).write_bytes(path.read_bytes())
    subprocess.run([sys.executable, str(ROOT / "scripts" / "curate_harvest.py"), "--data-dir", str(tmp_path)], check=True, capture_output=True)
    for name in written:
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), name


def test_no_reader_cell_mentions_the_collection_or_its_notes() -> None:
    banned = re.compile(r"notes|harvest|\brow \d+", re.IGNORECASE)
    for path in sorted(DATA.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for line, record in enumerate(csv.reader(handle), start=1):
                if line == 1:
                    continue
                hits = [cell for cell in record if banned.search(cell)]
                assert not hits, f"{path.name}:{line}: {hits}"


@pytest.mark.parametrize("indicator, region, period, value, qualifier, status", [
    ("high_tech_enterprises", "ningbo", "2025", "10000", ">", "estimate"),
    ("national_high_tech_zone_rank", "ningbo", "2024", "10", "<=", None),
    ("hq_enterprises", "ningbo", "2019", "500", ">", None),
    ("high_tech_industry_va_share", "ningbo", "2018", "50", ">", None),
    ("national_innovative_city_rank", "ningbo", "2023", "21", ">=", None),
    ("labour_productivity", "ningbo", "2019", "21", ">", None),
])
def test_bounds_and_estimates_are_marked(indicator: str, region: str, period: str, value: str, qualifier: str, status: str | None) -> None:
    found = [o for o in rows("observations.csv") if (o["indicator_id"], o["region"], o["period"], o["value"]) == (indicator, region, period, value)]
    assert found, (indicator, period)
    for o in found:
        assert o["qualifier"] == qualifier
        if status:
            assert o["status"] == status


def test_mismatched_definitions_are_not_in_the_target_series() -> None:
    obs = rows("observations.csv")
    top = [o for o in obs if o["indicator_id"] == "global_top_talents_new"]
    assert all(o["unit"] == "人" for o in top)
    assert not [o for o in obs if o["indicator_id"] == "sci_tech_fund_size"]
    assert not [o for o in obs if o["indicator_id"] == "rd_personnel_per_10k_employed" and o["value"] == "95"]
    talents = [o for o in obs if o["indicator_id"] == "high_skilled_talents_total" and o["value"] == "562000"]
    assert [o["period"] for o in talents] == ["2021-03"]
    mobilised = [o for o in obs if o["indicator_id"] == "angel_fund_capital_mobilised"]
    assert [o["status"] for o in mobilised] == ["derived"]
    assert not [o for o in obs if o["indicator_id"].endswith("_target")]


def test_milestones_are_plans_with_known_values() -> None:
    milestones = {m["milestone_id"]: m for m in rows("milestones.csv")}
    assert milestones["m_ningbo_rd_gdp_ratio_2024"]["value"] == "3.3"
    assert milestones["m_ningbo_rd_gdp_ratio_2025"]["value"] == "3.6"
    assert milestones["m_ningbo_high_tech_enterprises_2024"]["comparator"] == ">"
    dataset = loader.load(DATA)
    assert len(dataset.milestones) == len(milestones)
    assert set(dataset.milestones["indicator_id"]) <= set(dataset.indicators["indicator_id"])


def test_every_figure_bearing_on_a_target_is_audited() -> None:
    from analysis.report import audit as audit_module

    dataset = loader.load(DATA)
    audit = dataset.definition_audit
    assert audit_module.undecided_figures(dataset) == []
    chinese = audit["reason_zh"]
    assert not chinese.str.contains(r"[,;:](?![0-9])", regex=True).any(), "Chinese reasons use full-width punctuation"
    assert chinese.str.endswith("。").all()


def test_targets_as_written() -> None:
    targets = {t["target_id"]: t for t in rows("targets.csv")}
    assert targets["t002_rd_gdp_ratio_2027"]["duplicate_of"] == "t001_rd_gdp_ratio_2027"
    assert sum(1 for t in targets.values() if t["duplicate_of"]) == 3
    assert {k for k, t in targets.items() if t["each_year"] == "true"} == {"t001_key_rd_projects_annual", "t001_iur_contract_value_annual"}
    assert {k for k, t in targets.items() if t["approximate"] == "true"} == {"t001_advantage_disciplines_2027", "t001_first_class_majors_2027"}
    assert targets["t001_fiscal_st_growth_2027"]["base_year"] == "2022"
    for t in targets.values():
        if t["target_type"] == "avg_growth":
            assert "Base year read from the clause" in t["notes"]
        if t["region"].startswith("wenzhou"):
            assert "Ningbo" not in t["where_published"] and "宁波" not in t["where_published"]


def test_missing_optional_tables_load_as_empty(tiny_data_dir: Path) -> None:
    dataset = loader.load(tiny_data_dir)
    assert dataset.milestones.empty and list(dataset.milestones.columns) == schema.COLUMNS["milestones"]
    assert dataset.definition_audit.empty


def curation_module():
    """Import scripts/curate_harvest.py as a module."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("curate_harvest", ROOT / "scripts" / "curate_harvest.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_avg_growth_base_years_are_the_clauses() -> None:
    targets = {t["target_id"]: t for t in rows("targets.csv") if t["target_type"] == "avg_growth"}
    assert {k: t["base_year"] for k, t in targets.items()} == {
        "t001_tech_transaction_growth_2027": "2022",
        "t001_fiscal_st_growth_2027": "2022",
        "t002_fiscal_st_talent_growth_2025": "2020",
        "t004_nbzone_tech_transaction_growth_2022": "2017",
        "t004_wzzone_tech_transaction_growth_2022": "2017",
        "t004_tech_smes_doubling_2022": "2017",
        "t004_high_tech_enterprises_doubling_2022": "2017",
    }


def obs_row(value: str, status: str = "official", qualifier: str = "", weak: bool = False, published: str = "2020-01-01", source: str = "s") -> dict:
    """Return a minimal curated observation for the preferred-vintage rule."""
    return {"value": value, "status": status, "qualifier": qualifier, "_weak": weak, "published": published, "source_id": source}


def test_agreeing_vintages_pick_the_more_precise_official_row() -> None:
    module = curation_module()
    rounded, precise = obs_row("11985", "reported", source="a"), obs_row("11985.1", "official", source="b")
    chosen, _ = module.agreeing_choice([rounded, precise])
    assert chosen is precise


def test_disagreeing_vintages_need_an_explicit_decision() -> None:
    module = curation_module()
    assert module.agreeing_choice([obs_row("6730.33"), obs_row("6810.1998")]) is None  # 1.2 % apart
    assert module.agreeing_choice([obs_row("25000", qualifier=">"), obs_row("25000")]) is None  # a bound is not the value
    assert module.agreeing_choice([obs_row("3.0", "estimate"), obs_row("3.0")]) is None


def test_copy_dates_use_the_original_calendar_capped_at_the_copy() -> None:
    module = curation_module()
    from datetime import date

    assert module.copy_release("copy_city_data", "2015", date(2026, 3, 20))[0] == date(2016, 10, 31)
    assert module.copy_release("copy_city_data", "2024", date(2025, 6, 1))[0] == date(2025, 6, 1)
    assert module.copy_release("copy_rd_bulletin", "2023", date(2025, 6, 9))[0] == date(2024, 9, 30)


def test_reader_text_removes_collection_references() -> None:
    module = curation_module()
    assert module.reader_text("技术交易额 (NOTES §3)") == "技术交易额"
    assert "harvest" not in module.reader_text("within the harvest's partial date '2021'").lower()
    with pytest.raises(SystemExit):
        module.reader_text("see footnotes")


def test_where_published_matches_the_target_region() -> None:
    dataset = loader.load(DATA)
    wenzhou_zone = coverage.where_published(dataset, "t004_wzzone_high_tech_industry_share_2022")
    assert "温州" in wenzhou_zone and "Ningbo" not in wenzhou_zone and "宁波" not in wenzhou_zone
    ningbo = coverage.where_published(dataset, "t001_high_tech_industry_share_2027")
    assert ningbo == dataset.indicator("high_tech_industry_va_share")["where_published"]
    covered = coverage.coverage_table(dataset, region="wenzhou_hightech_zone")
    assert not covered["where_published"].str.contains("Ningbo bulletin").any()


def test_rounding_step_of_printed_values() -> None:
    module = curation_module()
    assert module.rounding_step("11985") == 1.0
    assert module.rounding_step("2.40") == pytest.approx(0.01)
    assert module.rounding_step("12409.0") == 1.0
    assert module.agreeing_choice([obs_row("12409.0"), obs_row("12408.7")]) is not None
    assert module.agreeing_choice([obs_row("15700"), obs_row("15704.3")]) is None
