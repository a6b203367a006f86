"""Audit helpers next to the data: coverage, conflicting vintages, weak sources, definition notes.

These tables are for the audit page (ids are shown there: analysts join on them)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Iterable

import pandas as pd

from analysis.data import loader, schema, validate, vintage
from analysis.report.i18n import t
from analysis.report.source_tables import observation_rows, source_rows
from analysis.report.wording import indicator_name


def validation_text(data_dir: Path | str, lang: str, limit: int = 30) -> tuple[bool, str, list[str]]:
    """Validate a data directory; return (valid, one-line summary, first problems as text)."""
    tables, problems = validate.validate_dir(data_dir)
    if not problems:
        counts = ", ".join(t("nb01.table_counts", lang, n=len(frame), name=name) for name, frame in tables.items())
        return True, t("nb01.valid", lang, counts=counts), []
    shown = [str(p) for p in problems[:limit]]
    return False, t("nb01.invalid", lang, n=len(problems), shown=len(shown)), shown


def coverage_matrix(dataset: loader.Dataset, region: str, as_of: date | str | None, lang: str) -> pd.DataFrame:
    """Return indicator × year counts of annual values published by ``as_of`` (targeted indicators always shown)."""
    visible = vintage.published_by(dataset.observations, as_of)
    annual = visible[(visible["region"] == region) & visible["is_annual"]]
    targeted = set(dataset.targets.loc[dataset.targets["region"] == region, "indicator_id"])
    indicators = sorted(set(annual["indicator_id"]) | targeted)
    counts = annual.groupby(["indicator_id", "year"]).size().unstack(fill_value=0) if len(annual) else pd.DataFrame()
    years = list(range(int(annual["year"].min()), int(annual["year"].max()) + 1)) if len(annual) else []
    matrix = counts.reindex(index=indicators, columns=years, fill_value=0).fillna(0).astype(int)
    order = sorted(indicators, key=lambda i: (-int((matrix.loc[i] > 0).sum()), i))
    matrix = matrix.loc[order]
    matrix.index = [indicator_name(dataset, i, lang) for i in indicators]
    matrix.columns = [str(y) for y in years]
    return matrix


def kind_status_counts(dataset: loader.Dataset, as_of: date | str | None, lang: str) -> pd.DataFrame:
    """Return the number of values by source kind (rows) and observation status (columns), with totals."""
    joined = vintage.with_sources(dataset, vintage.published_by(dataset.observations, as_of))
    if joined.empty:
        return pd.DataFrame()
    table = pd.crosstab(joined["source_kind"], joined["status"], margins=True, margins_name=t("total", lang))
    statuses = [s for s in schema.STATUSES if s in table.columns] + [t("total", lang)]
    kinds = [k for k in schema.SOURCE_KINDS if k in table.index] + [t("total", lang)]
    table = table.reindex(index=kinds, columns=statuses)
    table.index = [t(f"kind.{k}", lang) if k in schema.SOURCE_KINDS else k for k in table.index]
    table.columns = [t(f"obs.{s}", lang) if s in schema.STATUSES else s for s in table.columns]
    table.index.name = t("source_kind", lang)
    return table


def conflicts(dataset: loader.Dataset, as_of: date | str | None, lang: str) -> pd.DataFrame:
    """Return every vintage of each (indicator, region, period) with more than one, marking the one used."""
    visible = vintage.published_by(dataset.observations, as_of)
    key = ["indicator_id", "region", "period"]
    multi = visible[visible.duplicated(key, keep=False)]
    if multi.empty:
        return pd.DataFrame()
    chosen = vintage.select_as_of(multi, as_of)
    used = set(zip(chosen["indicator_id"], chosen["region"], chosen["period"], chosen["source_id"], chosen["value"]))
    ordered = multi.sort_values([*key, "published", "source_id"], kind="mergesort")
    rows = observation_rows(dataset, ordered, lang)
    rows.insert(7, "preferred", [t("yes", lang) if p else "" for p in ordered["preferred"]])
    rows.insert(8, "nb01.used", [
        "✓" if (r.indicator_id, r.region, r.period, r.source_id, r.value) in used else ""
        for r in ordered.itertuples()
    ])
    return rows


def weak_sources(dataset: loader.Dataset, as_of: date | str | None, lang: str) -> pd.DataFrame:
    """Return the weak sources of the values published by ``as_of``, with how many values each provides."""
    visible = vintage.published_by(dataset.observations, as_of)
    counts = visible.groupby("source_id").size()
    weak = dataset.sources[dataset.sources["weak"] & dataset.sources["source_id"].isin(counts.index)].sort_values("source_id")
    rows = source_rows(dataset, weak["source_id"], lang).drop(columns="weak")
    rows["nb01.n_values"] = rows["source_id"].map(counts).fillna(0).astype(int)
    rows["notes"] = rows["source_id"].map(dataset.sources.set_index("source_id")["notes"])
    return rows


def definition_notes(dataset: loader.Dataset, indicator_ids: Iterable[str], lang: str) -> pd.DataFrame:
    """Return each indicator's definition and where it is published, for definitional caveats."""
    ids = list(indicator_ids)
    meta = dataset.indicators.set_index("indicator_id").reindex(ids)
    return pd.DataFrame({
        "indicator": [indicator_name(dataset, i, lang) for i in ids],
        "unit": meta["unit"].to_numpy(),
        "definition": meta["definition"].to_numpy(),
        "where_published": meta["where_published"].to_numpy(),
    })


def definition_decisions(dataset: loader.Dataset, lang: str) -> pd.DataFrame:
    """Return data/definition_audit.csv for readers: target id, indicator, region, period, decision, reason."""
    decisions = dataset.definition_audit.sort_values(["target_id", "decision", "indicator_id", "region", "period"])
    regions = dataset.regions.set_index("region_id")["name_zh" if lang == "zh" else "name_en"]
    return pd.DataFrame({
        "target_id": decisions["target_id"].to_numpy(),
        "indicator": [indicator_name(dataset, i, lang) for i in decisions["indicator_id"]],
        "region": decisions["region"].map(regions).fillna(decisions["region"]).to_numpy(),
        "period": decisions["period"].astype(str).to_numpy(),
        "audit.decision": [t(f"decision.{d}", lang) for d in decisions["decision"]],
        "audit.reason": decisions["reason_zh" if lang == "zh" else "reason_en"].to_numpy(),
    })


def undecided_figures(dataset: loader.Dataset) -> list[tuple[str, str, str, str]]:
    """Return (target, indicator, region, period) of every figure bearing on a target without a definition decision."""
    audit = dataset.definition_audit
    decided = set(zip(audit["target_id"], audit["indicator_id"], audit["region"], audit["period"].astype(str)))
    observations = dataset.observations
    pairs = {(t.target_id, t.indicator_id, t.region) for t in dataset.targets.itertuples()}
    pairs |= set(zip(audit.loc[audit["decision"] != "used", "target_id"], audit.loc[audit["decision"] != "used", "indicator_id"],
                     audit.loc[audit["decision"] != "used", "region"]))
    missing = []
    for target_id, indicator, region in sorted(pairs):
        own = observations[(observations["indicator_id"] == indicator) & (observations["region"] == region)]
        missing += [(target_id, indicator, region, str(p)) for p in sorted(set(own["period"].astype(str)))
                    if (target_id, indicator, region, str(p)) not in decided]
    return missing
