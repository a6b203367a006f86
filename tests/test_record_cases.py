"""The cases the reader found on the real data (issue 17), each pinned on the record as of 2026-09-30."""

from __future__ import annotations

import math

import pytest

from analysis.assess import statuses
from analysis.data import loader
from analysis.forecast import models
from analysis.report import method, record_text, wording

AS_OF = "2026-09-30"


@pytest.fixture(scope="module")
def dataset() -> loader.Dataset:
    return loader.load()


@pytest.fixture(scope="module")
def records(dataset) -> dict:
    return {a.target_id: a for a in statuses.assessments(dataset, AS_OF)}


def test_new_rd_institutions_are_not_on_track_on_interpolated_years(records) -> None:
    a = records["t001_new_rd_institutions_2027"]
    assert a.status != "on_track" and a.status_reason == "projection_missing_flows"
    assert a.running_total == 15 and a.running_total_qualifier == ">=" and a.missing_years == "2022,2023"
    assert a.needed_pace == 5 and a.recent_pace == 3  # on published figures: 5 a year needed against a latest 3


def test_national_industrial_clusters_are_met(records) -> None:
    a = records["t001_national_industrial_clusters_2027"]
    assert (a.status, a.status_reason, a.group) == ("met", "already_met", "met") and a.latest_value == 13


def test_the_high_skilled_target_follows_the_stated_projection_rule(records) -> None:
    a = records["t001_high_skilled_talents_2027"]
    assert a.n_obs == 2 and a.n_obs >= models.MIN_POINTS and "short_series" in a.forecast_flags  # 2 values: projected, leaning on peers
    for lang in ("zh", "en"):
        note = method.method_note(lang)
        assert str(models.MIN_POINTS) in note and str(models.MIN_POINTS_FULL - 1) in note


def test_about_60_reads_as_about_60(dataset, records) -> None:
    a = records["t001_advantage_disciplines_2027"]
    assert a.about
    assert "约60" in wording.target_label(dataset, a, "zh") and "about 60" in wording.target_label(dataset, a, "en")


def test_the_innovative_city_rank_is_a_risk_not_only_insufficient_data(dataset, records) -> None:
    a = records["t001_innovative_city_rank_2027"]
    assert a.group == "at_risk" and a.at_recent_pace_meets == "no"
    assert record_text.standing(dataset, a, "zh").startswith("未进前20")


def test_stale_figures_are_marked_wherever_shown(dataset, records) -> None:
    stale = [a for a in records.values() if a.latest_stale]
    assert {"t001_enterprise_rd_institutions_2027", "t001_fiscal_st_growth_2027"} <= {a.target_id for a in stale}
    for a in stale:
        assert a.status == "insufficient_data" and math.isnan(a.p_meet)
        assert "旧数据" in record_text.standing(dataset, a, "zh") and "stale" in record_text.standing(dataset, a, "en")


def test_rd_intensity_shows_the_recent_pace_beside_the_projection(dataset, records) -> None:
    a = records["t001_rd_gdp_ratio_2027"]
    exact = {p["year"]: p["value"] for p in a.points if p["qualifier"] == ""}
    recent = (exact[2023] - exact[2020]) / 3  # the last three years up to the figure shown (3.08 in 2023)
    assert (a.pace_from, a.recent_pace) == (2020, pytest.approx(recent))
    assert a.at_recent_pace == pytest.approx(3.08 + 4 * recent) and a.at_recent_pace < 3.75 and a.at_recent_pace_meets == "no"
    assert a.projected_value > a.at_recent_pace  # the model says more than the recent pace: the page shows both
    assert record_text.at_recent_pace(dataset, a, "en").startswith("at the recent pace, 2027 ≈ 3.")


def test_the_projection_page_says_which_values_it_rests_on(dataset, records) -> None:
    """Issue 20 item 4: the record carries Forecast.basis (years, and the estimates that count less) and the page words it."""
    from analysis.report import text

    rd = records["t001_rd_gdp_ratio_2027"]
    basis = rd.forecast.basis
    assert rd.basis_years == ",".join(str(y) for y in basis["year"])
    less = basis[basis["weight"] < 0.995]
    assert len(less) and set(less["kind"]) <= {"estimate", "approximate", "preliminary"}
    assert rd.basis_downweighted.split(",") == [f"{r.year}:{r.kind}:{r.weight:.2f}" for r in less.itertuples()]
    assert (basis.loc[basis["kind"] == "official", "weight"] == 1).all()  # a final figure counts fully
    zh = text.projection_paragraph(dataset, rd, AS_OF, "zh")
    en = text.projection_paragraph(dataset, rd, AS_OF, "en")
    first = less.iloc[0]
    assert f"{first.year}年（预计数，权重{first.weight:.2f}）" in zh or f"{first.year}年（约数，权重{first.weight:.2f}）" in zh
    assert f"The projection rests on {len(basis)} annual values" in en and f"{first.year} (" in en
    # a projection of final figures only says so, and a target without a projection says nothing of it
    final = next(a for a in records.values() if a.basis_years and not a.basis_downweighted)
    assert "each counted as a final figure" in text.projection_paragraph(dataset, final, AS_OF, "en")
    unprojected = next(a for a in records.values() if not a.basis_years)
    assert record_text.basis(unprojected, "en") == ""
