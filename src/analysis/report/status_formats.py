"""The status table as text, CSV and JSON (the `status` command's formats)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from analysis.assess import rules
from analysis.assess.record import OUTPUT_COLUMNS
from analysis.assess.rules import fmt_num
from analysis.assess.statuses import headline_counts

SIG_DIGITS = 4  # derived values in csv/json


SIG_COLUMNS = ("required_value", "gap", "projected_value", "lo80", "hi80", "lo95", "hi95")


DECIMALS = {"gap_pct": 1, "progress_ratio": 3, "p_meet": 3}


def round_sig(x: float, digits: int = SIG_DIGITS) -> float:
    """Round a number to significant digits for output (NaN stays NaN)."""
    return rules.round_sig(x, digits)


def rounded(table: pd.DataFrame) -> pd.DataFrame:
    """Round derived numbers for output: values to 4 significant digits, ratios and P to decimals."""
    out = table.copy()
    for column in SIG_COLUMNS:
        if column in out:
            out[column] = out[column].map(round_sig).astype(float)
    for column, decimals in DECIMALS.items():
        if column in out:
            out[column] = out[column].round(decimals)
    return out


def plain(value: Any) -> Any:
    """Return a JSON-ready Python value (NaN/NA -> None, numpy -> int/float)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return int(value) if float(value).is_integer() and abs(value) < 1e15 else float(value)
    return value


def render_cells(cells: list[str], widths: list[int]) -> str:
    """Return one fixed-width line of left-aligned cells."""
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip()


def text_table(table: pd.DataFrame) -> str:
    """Return a readable fixed-width text table of the main columns."""
    headers = ["target_id", "year", "target", "latest", "progress", "R", "projected", "P(meet)", "status", "why"]
    lines = []
    for r in table.itertuples(index=False):
        latest = f"{r.latest_period}: {fmt_num(r.latest_value)}" if r.latest_period else "-"
        comparator = "~" if getattr(r, "about", False) else r.comparator
        suffix = "%/yr" if r.target_type == "avg_growth" else ("/yr" if getattr(r, "per_year", False) else "")
        qualifier = getattr(r, "latest_qualifier", "") or ""
        latest = f"{r.latest_period}: {qualifier}{fmt_num(r.latest_value)}" if r.latest_period else "-"
        lines.append([
            r.target_id, str(r.target_year), f"{comparator}{fmt_num(r.target_value)}{suffix}",
            latest, r.progress_category, "" if pd.isna(r.progress_ratio) else f"{r.progress_ratio:.2f}",
            fmt_num(r.projected_value), "" if pd.isna(r.p_meet) else f"{r.p_meet:.2f}", r.status, why(r),
        ])
    widths = [max([len(h)] + [len(line[i]) for line in lines]) for i, h in enumerate(headers)]
    out = [render_cells(headers, widths), render_cells(["-" * w for w in widths], widths)]
    out += [render_cells(line, widths) for line in lines]
    out.append("")
    out += headline_counts(table)
    return "\n".join(out) + "\n"


def why(row: Any) -> str:
    """Return the short flags of a row for the text table: story code, estimated base, interpolated years, duplicate."""
    parts = [getattr(row, "story", "") or ""]
    if getattr(row, "base_estimated", False) and parts[0] != "base_estimated":
        parts.append("base_estimated")
    if getattr(row, "interpolated_years", ""):
        parts.append(f"interpolated {row.interpolated_years}")
    if getattr(row, "duplicate_of", ""):
        parts.append(f"= {row.duplicate_of}")
    return "; ".join(p for p in parts if p)


def format_status(table: pd.DataFrame, fmt: str = "table") -> str:
    """Return the status table as text: 'table' (fixed width), 'csv' or 'json' (the contract)."""
    if fmt == "table":
        return text_table(table)
    columns = OUTPUT_COLUMNS
    out = rounded(table)[columns]
    if fmt == "csv":
        return out.to_csv(index=False, lineterminator="\n")
    if fmt == "json":
        records = [{c: plain(v) for c, v in zip(columns, row)} for row in out.itertuples(index=False)]
        return json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    raise ValueError(f"unknown format {fmt!r} (use table, csv or json)")
