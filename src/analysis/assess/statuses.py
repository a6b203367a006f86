"""The status table: one assessment per target, typed, and the counts of the headline."""

from __future__ import annotations

import pandas as pd

from analysis.assess.evidence import chosen_as_of
from analysis.assess.judge import assess_target
from analysis.assess.record import BOOL_COLUMNS, EXTRA_COLUMNS, INT_COLUMNS, STATUS_COLUMNS, STRING_COLUMNS
from analysis.assess.rules import ALL_STATUSES, DateLike
from analysis.data import loader


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


def status_table(dataset: loader.Dataset, as_of: DateLike = None, region: str | None = "ningbo") -> pd.DataFrame:
    """Return one row per target with base, path, gap, progress, projection, P(meet) and status."""
    chosen = chosen_as_of(dataset, as_of)
    cache: dict = {}
    rows = [assess_target(dataset, t, chosen, cache, as_of).as_row() for t in select_targets(dataset, region).itertuples(index=False)]
    if not rows:
        return empty_status_table()
    return typed_status(pd.DataFrame(rows, columns=STATUS_COLUMNS + EXTRA_COLUMNS)).reset_index(drop=True)


def counted_once(table: pd.DataFrame) -> pd.DataFrame:
    """Return the rows counted in headline figures: a target stated in two documents once."""
    if "duplicate_of" not in table:
        return table
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
