"""Signals (assess.signals): year-to-date figures and growth rates chosen for a target, never its annual value."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from analysis.assess import signals


def obs(indicator_id: str, period: str, value: float, published: str = "2025-06-05", unit: str = "%") -> dict:
    """Return one observation row as the loader types it."""
    return {"indicator_id": indicator_id, "region": "ningbo", "period": period, "value": value, "unit": unit, "qualifier": "",
            "status": "official", "source_id": f"s_{indicator_id}_{period}", "published": pd.Timestamp(published),
            "published_estimated": False, "preferred": True, "quote": "", "notes": ""}


INDICATORS = pd.DataFrame({"indicator_id": ["fiscal_st_expenditure", "fiscal_st_expenditure_yoy", "industrial_rd_intensity",
                                             "industrial_rd_expense_yoy"]})


def record(indicator_id: str, latest_period: str = "", base_year: int | None = 2022) -> SimpleNamespace:
    """Return the fields of a record the selection reads."""
    return SimpleNamespace(target_id=f"t_{indicator_id}", indicator_id=indicator_id, region="ningbo", latest_period=latest_period,
                           base_year=base_year)


def chosen(rows: list[dict], as_of: str = "2026-09-30") -> pd.DataFrame:
    """Return the candidate signals of these observations."""
    return signals.chosen_signals(pd.DataFrame(rows), INDICATORS, as_of)


def test_growth_rate_of_the_target_indicator_is_a_signal() -> None:
    candidates = chosen([obs("fiscal_st_expenditure_yoy", "2024", 20.8), obs("fiscal_st_expenditure", "2024", 40.0, unit="亿元")])
    found = signals.target_signals(record("fiscal_st_expenditure", "2024"), candidates, set(INDICATORS["indicator_id"]))
    assert [(s.indicator_id, s.period, s.value, s.kind) for s in found] == [("fiscal_st_expenditure_yoy", "2024", 20.8, "growth")]


def test_annual_value_is_never_a_signal() -> None:
    candidates = chosen([obs("industrial_rd_intensity", "2025", 2.6)])
    assert signals.target_signals(record("industrial_rd_intensity", ""), candidates, set(INDICATORS["indicator_id"])) == []


def test_year_to_date_and_linked_growth_newer_than_the_annual_figure() -> None:
    candidates = chosen([obs("industrial_rd_intensity", "2025-03", 2.57), obs("industrial_rd_expense_yoy", "2025-03", 9.6),
                         obs("industrial_rd_intensity", "2024-06", 2.4)])
    found = signals.target_signals(record("industrial_rd_intensity", "2024"), candidates, set(INDICATORS["indicator_id"]))
    assert sorted((s.indicator_id, s.period, s.kind) for s in found) == [
        ("industrial_rd_expense_yoy", "2025-03", "growth"), ("industrial_rd_intensity", "2025-03", "ytd")]


def test_year_to_date_of_a_year_already_published_is_dropped() -> None:
    candidates = chosen([obs("industrial_rd_intensity", "2025-03", 2.57)])
    assert signals.target_signals(record("industrial_rd_intensity", "2025"), candidates, set(INDICATORS["indicator_id"])) == []


def test_signal_published_after_the_report_date_is_not_shown() -> None:
    candidates = chosen([obs("fiscal_st_expenditure_yoy", "2024", 20.8, published="2025-03-13")], as_of="2025-01-01")
    assert signals.target_signals(record("fiscal_st_expenditure", "2023"), candidates, set(INDICATORS["indicator_id"])) == []


def test_older_than_base_year_without_latest_is_dropped_and_newest_per_indicator_kept() -> None:
    candidates = chosen([obs("fiscal_st_expenditure_yoy", "2010", 30.5), obs("fiscal_st_expenditure_yoy", "2023", 12.0),
                         obs("fiscal_st_expenditure_yoy", "2024", 20.8)])
    found = signals.target_signals(record("fiscal_st_expenditure", "", 2022), candidates, set(INDICATORS["indicator_id"]))
    assert [(s.period, s.value) for s in found] == [("2024", 20.8)]
