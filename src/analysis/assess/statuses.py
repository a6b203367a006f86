"""The status table: one assessment per target, typed, and the counts of the headline."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from analysis.assess.evidence import chosen_as_of
from analysis.assess.judge import assess_target
from analysis.assess.record import (
    BOOL_COLUMNS,
    EXTRA_COLUMNS,
    INT_COLUMNS,
    STATUS_COLUMNS,
    STRING_COLUMNS,
    Assessment,
    from_record_dict,
    record_dict,
)
from analysis.assess.rules import ALL_STATUSES, COUNTED_REGIONS, JUDGED_STATUSES, DateLike
from analysis.data import loader

GOOD = ("met", "on_track", "likely")
AT_RISK = ("unlikely", "off_track")
UNJUDGED = ("insufficient_data", "no_data")


def empty_status_table() -> pd.DataFrame:
    """Return a status table with no rows and the contracted columns."""
    return typed_status(pd.DataFrame(columns=STATUS_COLUMNS + EXTRA_COLUMNS))


def typed_status(table: pd.DataFrame) -> pd.DataFrame:
    """Give the status table its column types (Int64 years, float numbers, str text)."""
    out = table.copy()
    for column in out.columns:
        if column in INT_COLUMNS:
            out[column] = pd.array([None if v is None or pd.isna(v) else int(v) for v in out[column]], dtype="Int64")
        elif column in STRING_COLUMNS:
            out[column] = out[column].fillna("").astype(str)
        elif column in BOOL_COLUMNS:
            out[column] = out[column].fillna(False).astype(bool)
        else:
            out[column] = pd.to_numeric(out[column], errors="coerce").astype(float)
    return out


def select_targets(dataset: loader.Dataset, region: str | None) -> pd.DataFrame:
    """Return the targets of a region (None or 'all': every target), sorted by target_id."""
    targets = dataset.targets
    if region not in (None, "all"):
        targets = targets[targets["region"] == region]
    return targets.sort_values("target_id", kind="mergesort")


def assessments(dataset: loader.Dataset, as_of: DateLike = None, region: str | None = None) -> list[Assessment]:
    """Return the assessment record of every target (of a region, or all) as of a date, each marked counted or not."""
    chosen = chosen_as_of(dataset, as_of)
    cache: dict = {}
    found = [assess_target(dataset, t, chosen, cache, as_of) for t in select_targets(dataset, region).itertuples(index=False)]
    known = set(dataset.targets["target_id"])
    for a in found:
        a.counted = a.region in COUNTED_REGIONS and not (a.duplicate_of and a.duplicate_of in known)
    return found


def table_of(records: list[Assessment]) -> pd.DataFrame:
    """Return the records as the typed status table (one row per target, the scalar columns)."""
    if not records:
        return empty_status_table()
    return typed_status(pd.DataFrame([a.as_row() for a in records], columns=STATUS_COLUMNS + EXTRA_COLUMNS)).reset_index(drop=True)


def status_table(dataset: loader.Dataset, as_of: DateLike = None, region: str | None = None) -> pd.DataFrame:
    """Return one row per target with base, path, gap, progress, projection, P(meet), status and its evidence."""
    return table_of(assessments(dataset, as_of, region))


def counts(table: pd.DataFrame) -> dict[str, int]:
    """Return the headline counts, the one rule every page uses: counted targets only, future apart from past.

    ``targets`` (distinct targets still ahead), ``judged`` (with a status that says where they stand),
    ``good`` (met, on track or likely), ``uncertain``, ``at_risk`` (unlikely or off track),
    ``unjudged`` (insufficient or no data), one key per status (``future.<status>``, ``past.<status>``),
    ``past`` (targets whose year has passed), ``not_counted`` (stated twice, or another region's).
    """
    counted = table[table["counted"]] if "counted" in table else table
    future = counted[counted["horizon_kind"] != "past"]
    past = counted[counted["horizon_kind"] == "past"]
    out = {
        "targets": len(future), "judged": int(future["status"].isin(JUDGED_STATUSES).sum()),
        "good": int(future["status"].isin(GOOD).sum()), "uncertain": int((future["status"] == "uncertain").sum()),
        "at_risk": int(future["status"].isin(AT_RISK).sum()), "unjudged": int(future["status"].isin(UNJUDGED).sum()),
        "past": len(past), "not_counted": len(table) - len(counted),
    }
    for status in ALL_STATUSES:
        out[f"future.{status}"] = int((future["status"] == status).sum())
        out[f"past.{status}"] = int((past["status"] == status).sum())
    return out


def counted_once(table: pd.DataFrame) -> pd.DataFrame:
    """Return the rows counted in headline figures (the record's ``counted``: Ningbo and its zones, a target stated twice once)."""
    if "counted" in table:
        return table[table["counted"]]
    ids = set(table["target_id"])
    return table[[not (d and d in ids) for d in table["duplicate_of"].fillna("")]]


def status_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Return counts per (horizon_kind, status), each target counted once, future before past, statuses in order."""
    once = counted_once(table)
    kinds = once["horizon_kind"] if "horizon_kind" in once else pd.Series("future", index=once.index)
    rows = [
        {"horizon_kind": kind, "status": status, "count": int(((kinds == kind) & (once["status"] == status)).sum())}
        for kind in ("future", "past") for status in ALL_STATUSES
    ]
    return pd.DataFrame([r for r in rows if r["count"]], columns=["horizon_kind", "status", "count"])


def headline_counts(table: pd.DataFrame) -> list[str]:
    """Return the status counts, targets still ahead apart from past ones, each target counted once."""
    once = counted_once(table)
    kinds = once["horizon_kind"] if "horizon_kind" in once else pd.Series("future", index=once.index)
    lines = []
    for kind, label in (("future", "targets ahead"), ("past", "past targets")):
        part = once[kinds == kind]
        if part.empty:
            continue
        counts = part["status"].value_counts()
        with_p = int(part["p_meet"].notna().sum())
        lines.append(f"{label} ({len(part)}, {with_p} with P(meet)): " + "  ".join(f"{s}: {int(counts[s])}" for s in ALL_STATUSES if s in counts))
    return lines


def records_json(records: list[Assessment]) -> str:
    """Return the records as assessment.json: one object per target, every field, paths and figures (exact floats)."""
    return json.dumps([record_dict(a) for a in records], ensure_ascii=False, indent=1, allow_nan=False) + "\n"


def read_records(path: str | Path) -> list[Assessment]:
    """Return the records of an assessment.json (as written by records_json)."""
    return [from_record_dict(d) for d in json.loads(Path(path).read_text(encoding="utf-8"))]


def records_for(dataset: loader.Dataset, as_of: DateLike = None, assessment_file: str | None = None) -> list[Assessment]:
    """Return the report's records: read from the render's assessment.json when given, else assessed here (JupyterLab)."""
    if assessment_file:
        return read_records(assessment_file)
    return assessments(dataset, as_of)
