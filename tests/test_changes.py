"""What changed lists only real changes, in the record's terms: old → new, status and P moves, and why."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.assess import changes, statuses
from analysis.data import loader, schema
from analysis.report import change_tables, periods

DATASET = loader.load(schema.DEFAULT_DATA_DIR)


def quarter(period: str) -> tuple[str, str]:
    """Return (previous quarter's end, this quarter's end) of a briefing period, as ISO dates."""
    _, _, end, previous_end = periods.briefing_dates(period, None)
    return str(previous_end), str(end)


def pairs(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """Return every (old, new) a reader sees in a table: the Before/Now columns and every 'a → b' cell."""
    found = []
    if len(frame.columns) > 3 and len(frame):
        for old, new in zip(frame.iloc[:, 2], frame.iloc[:, 3]):
            found.append((str(old), str(new)))
    for cell in frame.astype(str).to_numpy().ravel():
        for a, b in re.findall(r"([^→]+?)\s*→\s*([^→]+)", cell):
            found.append((a.strip(), b.strip()))
    return found


def test_a_republished_unchanged_value_is_no_change() -> None:
    # 2025Q4: GDP 2024 published again (18,147.7 亿元, the value already used): listed as published, not as changed
    before, after = quarter("2025Q4")
    published = changes.new_observations(DATASET, before, after)
    assert ("gdp", "2024") in set(zip(published["indicator_id"], published["period"]))
    changed = changes.what_changed(DATASET, before, after)
    assert ("gdp", "2024") not in set(zip(changed.figures["indicator_id"], changed.figures["period"]))
    assert set(changed.figures["kind"]) <= {"new_figure", "revision"}
    for lang in ("zh", "en"):
        shown = change_tables.new_figures(DATASET, changed.figures, lang)
        assert len(shown) == len(changed.figures) > 0
        text = shown.to_string()
        assert "1,815" not in text and "18,148" not in text


@pytest.mark.parametrize("period", ["2023Q1", "2023Q4", "2024Q1", "2024Q4", "2025Q1", "2025Q4", "2026Q1"])
def test_what_changed_never_shows_an_unchanged_value(period: str) -> None:
    before, after = quarter(period)
    changed = changes.what_changed(DATASET, before, after)
    table = statuses.status_table(DATASET, after)
    for lang in ("zh", "en"):
        for frame in (change_tables.new_figures(DATASET, changed.figures, lang),
                      change_tables.status_moves(DATASET, changed.changed_targets, table, lang)):
            assert all(old != new for old, new in pairs(frame)), frame.to_string()


def test_why_a_target_moved_in_the_records_terms() -> None:
    why = {}
    for period in ("2023Q1", "2023Q2", "2024Q4", "2025Q1"):
        moved = changes.what_changed(DATASET, *quarter(period)).changed_targets
        why.update({(period, r.target_id): (r.why, r.why_years) for r in moved.itertuples(index=False)})
    assert why[("2023Q2", "t001_high_tech_enterprises_2027")] == ("new_figure", "2022")
    assert why[("2025Q1", "t001_rd_gdp_ratio_2027")] == ("revision", "2023")  # 3.15 % revised to 3.08 %
    assert why[("2023Q1", "t004_ningbo_rd_gdp_ratio_2022")] == ("report_date", "")  # 2022 became a past year
    assert why[("2024Q4", "t001_high_tech_enterprises_2027")] == ("refit", "")  # no figure of its own changed


def test_status_moves_show_old_to_new_value_with_year_status_p_and_why() -> None:
    before, after = quarter("2025Q1")
    changed = changes.what_changed(DATASET, before, after)
    table = statuses.status_table(DATASET, after)
    en = change_tables.status_moves(DATASET, changed.changed_targets, table, "en").set_index("Target")
    row = en.loc["R&D intensity (R&D expenditure as % of GDP) ≥3.75% (2027)"]
    assert row["Latest figure"] == "about 3.15% (2023) → 3.08% (2023)"
    assert (row["Status"], row["P(meet)"]) == ("likely → uncertain", "74% → 63%")
    assert row["Why"] == "revision of a published figure (2023)"
    assert en.index.is_unique  # a target stated in two documents is listed once
    zh = change_tables.status_moves(DATASET, changed.changed_targets, table, "zh")
    assert "已公布数据修订（2023年）" in set(zh["原因"])


def test_figure_pair_shows_more_digits_when_rounding_would_hide_a_revision() -> None:
    old, new = change_tables.figure_pair(18147.7, "", 18150.2, "", "CNY 100 million", "en", False)
    assert old != new and old.startswith("CNY 1,814.") and new.startswith("CNY 1,815.")
    old, new = change_tables.figure_pair(3.081, "", 3.084, "", "%", "zh", False)
    assert old != new
    assert change_tables.figure_pair(float("nan"), "", 5.0, "", "家", "zh", False) == ("–", "5家")
