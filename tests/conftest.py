"""Shared fixtures: a small, valid, hand-made data directory (the five CSVs of analysis.data).

``tiny_tables()`` returns the tables as lists of dicts (fresh copies: change them freely),
``write_data_dir(path, tables)`` writes any such tables as a data directory (missing cells
filled with defaults), ``tiny_data_dir`` writes the tiny tables into ``tmp_path / "data"`` and
``tiny_dataset`` loads them.

What the tiny data hold (published dates in brackets; "today" must be after 2026-03-01):
- rd_gdp_ratio (share, %, linear) for ningbo 2017-2024, with 2023 first preliminary 3.1
  [2024-03-01] then revised 3.15 [2025-03-01]; for zhejiang 2022-2023.
- gdp (amount, 亿元, geometric) for ningbo 2019-2024 plus a year-to-date value 2025-09.
- new_firms (count of new firms per year, 家, geometric) 2023-2025 [2024..2026].
- tech_trade (amount, 亿元, geometric) 2022-2024.
- city_rank (rank, 位, linear, lower is better) 2021-2024.
- patents_per_10k (ratio, 件): no observation at all.
Targets: one per target type (level, cumulative, avg_growth, rank), an old 2017->2022 target,
a no-data target and a zhejiang target.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from analysis.data import loader, schema

DEFAULTS = {
    "regions": {"kind": "city", "notes": ""},
    "indicators": {"lower_bound": "", "upper_bound": "", "definition": "", "where_published": ""},
    "targets": {"source_doc": "test_plan.txt", "source_clause": "test clause", "notes": "", "duplicate_of": "", "each_year": "false", "approximate": "false", "where_published": ""},
    "sources": {"url": "", "published": "", "published_estimated": "false", "weak": "false", "notes": ""},
    "observations": {"qualifier": "", "status": "official", "published_estimated": "false", "preferred": "false", "quote": "", "notes": ""},
}


def indicator(indicator_id: str, unit: str, kind: str, form: str, higher: bool = True, low: str = "", high: str = "", **extra: str) -> dict:
    """Return one indicators.csv row."""
    return {
        "indicator_id": indicator_id, "name_zh": indicator_id, "name_en": indicator_id, "unit": unit, "kind": kind,
        "lower_bound": low, "upper_bound": high, "growth_form": form, "higher_is_better": "true" if higher else "false", **extra,
    }


def target(target_id: str, indicator_id: str, target_type: str, comparator: str, value: float, unit: str,
           base_year: int | str, target_year: int, region: str = "ningbo") -> dict:
    """Return one targets.csv row."""
    return {
        "target_id": target_id, "indicator_id": indicator_id, "region": region, "target_type": target_type,
        "comparator": comparator, "target_value": f"{value:g}", "unit": unit, "base_year": str(base_year),
        "target_year": str(target_year),
    }


def obs(indicator_id: str, period: str | int, value: float, unit: str, source_id: str, published: str,
        region: str = "ningbo", **extra: str) -> dict:
    """Return one observations.csv row."""
    return {
        "indicator_id": indicator_id, "region": region, "period": str(period), "value": f"{value:g}", "unit": unit,
        "source_id": source_id, "published": published, **extra,
    }


def tiny_tables() -> dict[str, list[dict]]:
    """Return the tiny hand-made tables (a fresh copy each call)."""
    sources = [
        {"source_id": f"bulletin_{y}", "title": f"宁波市{y - 1}年国民经济和社会发展统计公报", "publisher": "宁波市统计局",
         "url": f"https://tjj.ningbo.gov.cn/{y}.html", "published": f"{y}-03-01", "kind": "bulletin"}
        for y in range(2018, 2027)
    ] + [
        {"source_id": "news_2025", "title": "news report", "publisher": "宁波日报", "published": "2025-06-01", "kind": "news"},
        {"source_id": "plan_2023", "title": "test plan", "publisher": "宁波市人民政府", "published": "2023-01-01", "kind": "policy"},
    ]
    rd = [2.6, 2.7, 2.8, 2.85, 2.9, 3.0]
    observations = [obs("rd_gdp_ratio", 2017 + i, v, "%", f"bulletin_{2018 + i}", f"{2018 + i}-03-01") for i, v in enumerate(rd)]
    observations += [
        obs("rd_gdp_ratio", 2023, 3.1, "%", "bulletin_2024", "2024-03-01", status="preliminary"),
        obs("rd_gdp_ratio", 2023, 3.15, "%", "bulletin_2025", "2025-03-01", status="revised"),
        obs("rd_gdp_ratio", 2024, 3.2, "%", "bulletin_2025", "2025-03-01"),
        obs("rd_gdp_ratio", 2022, 3.1, "%", "bulletin_2023", "2023-03-01", region="zhejiang"),
        obs("rd_gdp_ratio", 2023, 3.2, "%", "bulletin_2024", "2024-03-01", region="zhejiang"),
    ]
    gdp = {2019: 12000.0, 2020: 12400.0, 2021: 14600.0, 2022: 15700.0, 2023: 16450.0, 2024: 18100.0}
    observations += [obs("gdp", y, v, "亿元", f"bulletin_{y + 1}", f"{y + 1}-03-01") for y, v in gdp.items()]
    observations += [obs("gdp", "2025-09", 14000, "亿元", "news_2025", "2025-10-30", status="reported")]
    observations += [obs("new_firms", y, v, "家", f"bulletin_{y + 1}", f"{y + 1}-03-01") for y, v in {2023: 900, 2024: 1100, 2025: 1200}.items()]
    observations += [obs("tech_trade", y, v, "亿元", f"bulletin_{y + 1}", f"{y + 1}-03-01") for y, v in {2022: 100, 2023: 130, 2024: 165}.items()]
    observations += [obs("city_rank", y, v, "位", f"bulletin_{y + 1}", f"{y + 1}-03-01") for y, v in {2021: 14, 2022: 13, 2023: 12, 2024: 11}.items()]
    return {
        "regions": [
            {"region_id": "ningbo", "name_zh": "宁波", "name_en": "Ningbo", "kind": "city"},
            {"region_id": "zhejiang", "name_zh": "浙江", "name_en": "Zhejiang", "kind": "province"},
        ],
        "indicators": [
            indicator("rd_gdp_ratio", "%", "share", "linear", low="0", high="100"),
            indicator("gdp", "亿元", "amount", "geometric", low="0"),
            indicator("new_firms", "家", "count", "geometric", low="0"),
            indicator("tech_trade", "亿元", "amount", "geometric", low="0"),
            indicator("city_rank", "位", "rank", "linear", higher=False, low="1"),
            indicator("patents_per_10k", "件", "ratio", "linear", low="0", where_published="市统计公报"),
        ],
        "targets": [
            target("t_rd_2027", "rd_gdp_ratio", "level", ">=", 3.5, "%", 2022, 2027),
            target("t_rd_2022", "rd_gdp_ratio", "level", ">=", 3.0, "%", 2017, 2022),
            target("t_gdp_2027", "gdp", "level", ">=", 20000, "亿元", 2022, 2027),
            target("t_firms_cum", "new_firms", "cumulative", ">=", 5000, "家", 2022, 2027),
            target("t_trade_growth", "tech_trade", "avg_growth", ">=", 30, "%", 2022, 2027),
            target("t_rank_2027", "city_rank", "rank", "<=", 10, "位", 2022, 2027),
            target("t_patents_2027", "patents_per_10k", "level", ">=", 20, "件", 2022, 2027),
            target("t_zj_rd_2027", "rd_gdp_ratio", "level", ">=", 3.3, "%", 2022, 2027, region="zhejiang"),
        ],
        "sources": sources,
        "observations": observations,
    }


def write_data_dir(path: Path, tables: dict[str, list[dict]]) -> Path:
    """Write tables (lists of dicts, missing cells defaulted) as a data directory; return it."""
    path.mkdir(parents=True, exist_ok=True)
    for name, filename in schema.TABLE_FILES.items():
        columns = schema.COLUMNS[name]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for row in tables.get(name, []):
            full = {**DEFAULTS.get(name, {}), **row}
            writer.writerow([full.get(column, "") for column in columns])
        (path / filename).write_text(buffer.getvalue(), encoding="utf-8")
    return path


@pytest.fixture
def tiny_data_dir(tmp_path: Path) -> Path:
    """A small valid data directory written into tmp_path/data."""
    return write_data_dir(tmp_path / "data", tiny_tables())


@pytest.fixture
def tiny_dataset(tiny_data_dir: Path) -> loader.Dataset:
    """The tiny data directory, loaded and validated."""
    return loader.load(tiny_data_dir)


E2E_PERIOD = "2025Q4"


@pytest.fixture(scope="session")
def rendered_quarter(tmp_path_factory):
    """Render one real quarter (both languages) once per session; return its reports directory."""
    import argparse

    from analysis.report import manifest, render

    out = tmp_path_factory.mktemp("e2e") / "reports"
    args = argparse.Namespace(period=E2E_PERIOD, all=False, lang="zh,en", out=out, jobs=None, force=False,
                              data_dir=manifest.REPO_ROOT / "data")
    assert render.main(args) == 0
    return out
