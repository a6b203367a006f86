"""Derived indicators (analysis.data.derive): hand-computed formulas, the vintage rule, bounds, declarations."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from conftest import indicator, obs, target, tiny_tables, write_data_dir

from analysis.assess import statuses
from analysis.data import csvfile, derive, loader, vintage

ROOT = Path(__file__).resolve().parents[1]
HEADER = "indicator_id,formula,inputs,factor,unit,definition,notes\n"


def dataset_with(tmp_path: Path, observations: list[dict], formulas: str, targets: list[dict] | None = None) -> loader.Dataset:
    """Return a dataset with gdp, employed persons, productivity and fiscal indicators plus a derived.csv."""
    tables = tiny_tables()
    tables["indicators"] += [
        indicator("employed", "万人", "count", "geometric", low="0"),
        indicator("productivity", "万元/人", "ratio", "geometric", low="0"),
        indicator("fiscal", "亿元", "amount", "geometric", low="0"),
        indicator("fiscal_yoy", "%", "rate", "linear"),
    ]
    tables["observations"] = observations
    tables["targets"] = targets or []
    path = write_data_dir(tmp_path / "data", tables)
    (path / derive.FILE).write_text(HEADER + formulas, encoding="utf-8")
    return loader.load(path)


RATIO = "productivity,ratio,gdp employed,1,万元/人,GDP ÷ employed,\n"


def test_ratio_carries_its_last_inputs_publication_date(tmp_path: Path) -> None:
    ds = dataset_with(tmp_path, [
        obs("gdp", 2024, 18000, "亿元", "bulletin_2025", "2025-03-01"),
        obs("employed", 2024, 600, "万人", "news_2025", "2025-06-01"),
    ], RATIO)
    formulas = derive.dataset_formulas(ds)
    out = derive.derive(vintage.select_as_of(ds.observations, "2026-01-01"), formulas)
    assert len(out) == 1
    row = out.iloc[0]
    assert row["value"] == pytest.approx(30.0)  # 18000 亿元 / 600 万人 = 30 万元/人
    assert row["published"] == pd.Timestamp("2025-06-01")  # the employed figure came last
    assert row["source_id"] == "news_2025" and row["status"] == "derived"
    assert row["inputs"] == "gdp 2024 bulletin_2025; employed 2024 news_2025"
    # before the last input was published the value does not exist
    assert derive.derive(vintage.select_as_of(ds.observations, "2025-05-31"), formulas).empty


def test_bounded_input_gives_no_value_and_estimate_gives_an_approximate_one(tmp_path: Path) -> None:
    ds = dataset_with(tmp_path, [
        obs("gdp", 2023, 17000, "亿元", "bulletin_2024", "2024-03-01", qualifier=">"),
        obs("employed", 2023, 590, "万人", "bulletin_2024", "2024-03-01"),
        obs("gdp", 2024, 18000, "亿元", "bulletin_2025", "2025-03-01", status="estimate"),
        obs("employed", 2024, 600, "万人", "bulletin_2025", "2025-03-01"),
    ], RATIO)
    out = derive.derive(vintage.select_as_of(ds.observations, "2026-01-01"), derive.dataset_formulas(ds))
    assert list(out["period"]) == ["2024"]  # 2023: ">17000" is a bound, not a value
    assert out.iloc[0]["qualifier"] == "~"


def test_growth_and_chain(tmp_path: Path) -> None:
    formulas = "fiscal_yoy,growth,fiscal,1,%,growth,\nfiscal,chain,fiscal fiscal_yoy,1,亿元,chained,\n"
    ds = dataset_with(tmp_path, [
        obs("fiscal", 2022, 100, "亿元", "bulletin_2023", "2023-03-01"),
        obs("fiscal", 2023, 125, "亿元", "bulletin_2024", "2024-03-01"),
        obs("fiscal_yoy", 2024, 20.8, "%", "bulletin_2025", "2025-03-01"),
        obs("fiscal_yoy", 2025, 10, "%", "bulletin_2026", "2026-03-01"),
    ], formulas)
    out = derive.derive(vintage.select_as_of(ds.observations, "2026-06-01"), derive.dataset_formulas(ds)).set_index(["indicator_id", "period"])
    assert out.loc[("fiscal_yoy", "2023"), "value"] == pytest.approx(25.0)  # 125 / 100 - 1
    assert out.loc[("fiscal", "2024"), "value"] == pytest.approx(151.0)  # 125 * 1.208
    assert out.loc[("fiscal", "2025"), "value"] == pytest.approx(166.1)  # 151 * 1.10, chained on the derived 2024
    assert out.loc[("fiscal", "2025"), "published"] == pd.Timestamp("2026-03-01")
    assert ("fiscal", "2023") not in out.index  # observed: never replaced


def test_derived_values_feed_the_status_table(tmp_path: Path) -> None:
    observations = [obs("gdp", y, 15000 + 1000 * i, "亿元", f"bulletin_{y + 1}", f"{y + 1}-03-01") for i, y in enumerate(range(2020, 2025))]
    observations += [obs("employed", y, 600, "万人", "news_2025", "2025-06-01") for y in range(2020, 2025)]
    ds = dataset_with(tmp_path, observations, RATIO, [target("t", "productivity", "level", ">=", 28, "万元/人", 2022, 2027)])
    row = statuses.status_table(ds, "2026-01-01", region=None).set_index("target_id").loc["t"]
    assert (row.latest_period, row.latest_value, row.base_value) == ("2024", pytest.approx(19000 / 600), pytest.approx(17000 / 600))
    assert row.source_id == "news_2025" and "derived (ratio)" in row.note
    assert statuses.status_table(ds, "2025-05-31", region=None).set_index("target_id").loc["t", "status"] == "no_data"


@pytest.mark.parametrize("text, column", [
    ("productivity,divide,gdp employed,1,u,d,\n", "formula"),
    ("productivity,ratio,gdp,1,u,d,\n", "inputs"),
    ("productivity,ratio,gdp nowhere,1,u,d,\n", "inputs"),
    ("productivity,ratio,gdp employed,x,u,d,\n", "factor"),
])
def test_bad_declaration_names_file_row_column(tmp_path: Path, text: str, column: str) -> None:
    path = tmp_path / derive.FILE
    path.write_bytes(("\ufeff" + HEADER + text).replace("\n", "\r\n").encode("utf-8"))  # BOM + CRLF as from Excel
    with pytest.raises(csvfile.DataValidationError) as err:
        derive.read_formulas(path, {"gdp", "employed", "productivity"})
    assert f"{derive.FILE}:2:{column}:" in str(err.value.problems[0])


def test_real_declarations_name_known_indicators() -> None:
    known = set(pd.read_csv(ROOT / "data" / "indicators.csv", dtype=str, encoding="utf-8-sig")["indicator_id"])
    formulas = derive.read_formulas(ROOT / "data" / derive.FILE, known)
    assert {f.indicator_id for f in formulas} >= {"labour_productivity", "rd_personnel_per_10k_employed"}
