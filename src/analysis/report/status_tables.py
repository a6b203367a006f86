"""Tables of target status: the scorecard, the annex table, moves and retrospective."""

from __future__ import annotations

import math
from datetime import date
from typing import Sequence

import pandas as pd

from analysis.data import loader
from analysis.forecast import tracker
from analysis.report import record_text
from analysis.report.i18n import t
from analysis.report.tables import html_table, relabel
from analysis.report.text import counted_targets
from analysis.report.wording import (
    DATA_GAP_STATUSES,
    RISK_STATUSES,
    indicator_name,
    indicator_unit_word,
    progress_label,
    quantity,
    region_name,
    status_label,
    target_label,
    target_phrase,
    target_text,
)


def status_display(dataset: loader.Dataset, table: pd.DataFrame, lang: str, clause: bool = True) -> pd.DataFrame:
    """Return the record of every target labelled for reading (the exports' display columns): every field as the pages show it."""
    targets = dataset.targets.set_index("target_id")
    sources = dataset.sources.set_index("source_id")
    rows = []
    for r in table.itertuples(index=False):
        source = sources.loc[r.source_id] if r.source_id in sources.index else None
        row = {
            "target_id": r.target_id,
            "indicator": indicator_name(dataset, r.indicator_id, lang),
            "region": region_name(dataset, r.region, lang),
            "target": target_phrase(dataset, r, lang),
            "target_year": int(r.target_year),
            "latest_period": r.latest_period,
            "standing": record_text.standing(dataset, r, lang),
            "figure": record_text.figure_kind(r, lang),
            "progress_category": progress_label(r.progress_category, lang),
            "recent_pace": record_text.recent_pace(dataset, r, lang) if r.latest_period else "",
            "needed_pace": record_text.needed_pace(dataset, r, lang) if r.latest_period else "",
            "projection": record_text.projection(dataset, r, lang),
            "p_meet": record_text.probability(r, lang),
            "status": record_text.status(r, lang),
            "reason": record_text.reason(dataset, r, lang),
            "title": "" if source is None else source["title"],
            "url": "" if source is None else source["url"],
        }
        if clause:
            row["source_clause"] = targets.at[r.target_id, "source_clause"] if r.target_id in targets.index else ""
        rows.append(row)
    return pd.DataFrame(rows)


def status_html(dataset: loader.Dataset, table: pd.DataFrame, lang: str, clause: bool = True) -> str:
    """Return the status table as escaped HTML, latest-value source titles linked."""
    shown = relabel(status_display(dataset, table, lang, clause), lang, {"title": "source"})
    return html_table(shown, links={t("source", lang): "url"})


def status_counts(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the headline counts (statuses.counts, the rule of every page): targets ahead by status, then past targets."""
    from analysis.assess import rules, statuses

    c = statuses.counts(table)
    labels = [status_label(s, lang) for s in rules.STATUSES if c[f"future.{s}"]]
    numbers = [c[f"future.{s}"] for s in rules.STATUSES if c[f"future.{s}"]]
    labels += [t("group.past", lang)] if c["past"] else []
    numbers += [c["past"]] if c["past"] else []
    return pd.DataFrame({t("status", lang): labels + [t("count.total", lang)], t("count", lang): numbers + [c["targets"] + c["past"]]})


def top_risks(table: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """Return the targets rated unlikely or off track, largest shortfall to the path first."""
    risky = table[table["status"].isin(RISK_STATUSES)]
    return risky.sort_values(["p_meet", "gap_pct", "target_id"], na_position="last", kind="mergesort").head(n)


def data_gaps(dataset: loader.Dataset, table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return the targets without enough data, with what they need and where it is published."""
    missing = table[table["status"].isin(DATA_GAP_STATUSES)]
    meta = dataset.indicators.set_index("indicator_id")
    return pd.DataFrame({
        "indicator": [indicator_name(dataset, i, lang) for i in missing["indicator_id"]],
        "region": [region_name(dataset, r, lang) for r in missing["region"]],
        "target": [target_text(r, lang) for r in missing.itertuples(index=False)],
        "status": [status_label(s, lang) for s in missing["status"]],
        "n_years": missing["n_obs"].astype(int).to_numpy(),
        "unit": [meta.at[i, "unit"] if i in meta.index else "" for i in missing["indicator_id"]],
        "where_published": [
            (meta.at[i, "where_published"] if i in meta.index and meta.at[i, "where_published"] else t("not_identified", lang))
            for i in missing["indicator_id"]
        ],
    })


def cited_source_ids(*frames: pd.DataFrame) -> list[str]:
    """Return the sorted source ids found in the ``source_id`` column of the frames."""
    ids: set[str] = set()
    for frame in frames:
        if frame is not None and "source_id" in frame:
            ids |= {s for s in frame["source_id"] if isinstance(s, str) and s}
    return sorted(ids)


def target_observations(dataset: loader.Dataset, assessment: object, as_of: date | str | None) -> pd.DataFrame:
    """Return the annual figures an assessment used (the ones of its record, one per year), with their sources, sorted by year."""
    from analysis.assess import evidence

    chosen = evidence.chosen_as_of(dataset, as_of)
    rows = chosen[(chosen["indicator_id"] == assessment.indicator_id) & (chosen["region"] == assessment.region) & chosen["is_annual"]]
    used = {(p["year"], p["source_id"]) for p in getattr(assessment, "points", [])}
    if used:
        rows = rows[[(int(y), str(s)) in used for y, s in zip(rows["year"], rows["source_id"])]]
    return rows.sort_values("year", kind="mergesort").reset_index(drop=True)


def backtest_result(dataset: loader.Dataset, assessment: object, lang: str) -> tuple[pd.DataFrame | None, str]:
    """Return (backtest table, '') or (None, reason) for an assessment's history."""

    try:
        from analysis.forecast import backtest
    except ImportError as err:  # the backtest module is optional for the rest of the report
        return None, t("nb02.backtest_none", lang, reason=str(err))
    history = assessment.history
    needed = backtest.BACKTEST_MIN_HISTORY + 1  # the rule backtest_table applies
    if history is None or len(history) < needed:
        n = 0 if history is None else len(history)
        return None, t("nb02.backtest_none", lang, reason=t("para.too_short", lang, name=indicator_name(dataset, assessment.indicator_id, lang), n=n,
                                                            needed=needed))
    try:
        table = backtest.backtest_table(history, bounds=tracker.bounds_of(dataset.indicator(assessment.indicator_id)))
    except ValueError as err:
        return None, t("nb02.backtest_none", lang, reason=str(err))
    return table, ""


def targets_for_year(dataset: loader.Dataset, year: int) -> list[str]:
    """Return the ids of every target whose target year is ``year`` (sorted)."""
    targets = dataset.targets
    return sorted(targets.loc[targets["target_year"] == year, "target_id"])


def outcome(assessment: object) -> tuple[float, bool | None]:
    """Return (target-year value, met?) when the target year is observed or bracketed; (nan, None) otherwise."""
    a = assessment
    observed = a.history is not None and a.target_year in a.history.index
    if a.status == "met" or (pd.notna(a.p_meet) and a.forecast is None and pd.notna(a.projected_value) and a.p_meet in (0.0, 1.0)):
        return float(a.projected_value), bool(a.p_meet == 1.0) if pd.notna(a.p_meet) else True
    if observed:
        return float(a.history[a.target_year]), None
    return math.nan, None


def retrospective(dataset: loader.Dataset, target_ids: Sequence[str], then: Sequence[str], now: date | str | None, lang: str) -> pd.DataFrame:
    """Return per target: the outcome as of ``now`` and what the method said on each date in ``then``."""
    from analysis.assess import judge

    rows = []
    for target_id in target_ids:
        final = judge.assess(dataset, target_id, now)
        value, met = outcome(final)
        unit = indicator_unit_word(dataset, final.indicator_id, lang)
        row = {
            "target_id": target_id,
            "indicator": indicator_name(dataset, final.indicator_id, lang),
            "region": region_name(dataset, final.region, lang),
            "target": target_phrase(dataset, final, lang),
            "nb05.outcome_col": quantity(value, unit, lang, "", record_text.is_rank(dataset, final)) if pd.notna(value) else "",
            "nb05.verdict": "" if met is None else status_label("met" if met else "missed", lang),
        }
        for day in then:
            past = judge.assess(dataset, target_id, day)
            said = record_text.status_with_p(past, lang)
            projected = record_text.projection(dataset, past, lang)
            if projected:
                said += f"; {t('projected_value', lang)} {projected}"
            row[f"{t('nb05.as_of_col', lang)} {day}"] = said
            row[f"_p_{day}"] = past.p_meet
        row["_met"] = met
        rows.append(row)
    return pd.DataFrame(rows)


HEADLINE_LIMIT = 8


def headline_targets(table: pd.DataFrame, as_of) -> pd.DataFrame:
    """Return the scorecard's targets: counted targets ahead with a current figure (not stale), one per indicator, judged first."""
    rows = counted_targets(table, as_of)
    rows = rows[(rows["latest_period"].astype(str) != "") & ~rows["latest_stale"]]
    judged = rows["status"].isin(("met", "on_track", "likely", "uncertain", "unlikely", "off_track"))
    rows = rows.assign(_judged=judged).sort_values(["_judged", "n_obs", "target_id"], ascending=[False, False, True], kind="mergesort")
    return rows.drop_duplicates("indicator_id").head(HEADLINE_LIMIT).drop(columns="_judged")


def scorecard(dataset: loader.Dataset, table: pd.DataFrame, as_of, lang: str) -> pd.DataFrame:
    """Return the headline scorecard from the record: target, standing (year), figure, paces, milestone, status with P."""
    rows = []
    for r in headline_targets(table, as_of).itertuples(index=False):
        rows.append({
            "brief.col_target": target_label(dataset, r, lang),
            "brief.col_latest": record_text.standing(dataset, r, lang),
            "brief.col_recent": record_text.recent_pace(dataset, r, lang),
            "brief.col_needed": record_text.needed_pace(dataset, r, lang),
            "brief.col_milestone": record_text.milestone(dataset, r, lang),
            "brief.col_status": record_text.status_with_p(r, lang),
        })
    frame = pd.DataFrame(rows, columns=["brief.col_target", "brief.col_latest", "brief.col_recent", "brief.col_needed",
                                        "brief.col_milestone", "brief.col_status"])
    if len(frame) and (frame["brief.col_milestone"] == "").all():
        frame = frame.drop(columns="brief.col_milestone")
    return relabel(frame, lang)


def annex_status(dataset: loader.Dataset, table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Return every target for the annex from the record: target, standing, progress, projection, P, status, reason (7 columns)."""
    rows = []
    for r in table.itertuples(index=False):
        note = " ".join(filter(None, [record_text.reason(dataset, r, lang) + ("。" if lang == "zh" else "."), story_of(r, lang)]))
        rows.append({
            "brief.col_target": target_label(dataset, r, lang),
            "brief.col_latest": record_text.standing(dataset, r, lang),
            "progress_category": progress_label(r.progress_category, lang),
            "brief.col_projected": record_text.projection(dataset, r, lang),
            "p_meet": record_text.probability(r, lang),
            "status": record_text.status(r, lang),
            "brief.col_note": note,
        })
    return relabel(pd.DataFrame(rows), lang)


def story_of(row: object, lang: str) -> str:
    """Return the story and interpolation sentences of a row ('' when none)."""
    from analysis.report.text import interpolated_sentence, story_sentence

    return " ".join(filter(None, [story_sentence(row, lang), interpolated_sentence(row, lang)]))
