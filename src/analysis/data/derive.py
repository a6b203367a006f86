"""Derived indicators: values computed from other indicators by formulas declared in data/derived.csv.

Each row of ``derived.csv`` declares one formula (``indicator_id,formula,inputs,factor,unit,
definition,notes``); ``inputs`` are space-separated indicator ids in the formula's order:

- ``ratio``: ``factor × a ÷ b`` (same region and year), e.g. labour productivity = GDP ÷ employed;
- ``product``: ``factor × a × b``;
- ``growth``: ``100 × (a[t] ÷ a[t−1] − 1)``, the annual growth rate (%) of a level series;
- ``chain``: ``a[t−1] × (1 + b[t] ÷ 100)``, a level carried forward by a published growth rate.

Vintage rule: a derived value is known from the day its last input was published (``published``
is the latest input's date; ``source_id`` is that input's source) and ``inputs`` lists every input
as ``indicator period source_id``. A value is never derived from a bound (qualifier > >= < <=);
an approximate or estimated input makes the derived value approximate (qualifier ``~``). Derived
rows never replace an observation of the same indicator, region and year (the caller ranks them)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.data import cells, csvfile

if TYPE_CHECKING:  # validate imports this module: no module-level import of the loader
    from analysis.data import loader

FILE = "derived.csv"


COLUMNS = ["indicator_id", "formula", "inputs", "factor", "unit", "definition", "notes"]


ARITY = {"ratio": 2, "product": 2, "growth": 1, "chain": 2}


BOUND_QUALIFIERS = (">", ">=", "<", "<=")


APPROX_STATUSES = ("estimate",)


STATUS = "derived"


@dataclass(frozen=True)
class Formula:
    """One declared formula: the indicator it yields, how, from which inputs."""

    indicator_id: str
    formula: str
    inputs: tuple[str, ...]
    factor: float
    unit: str
    definition: str


def read_formulas(path: Path | str, known: set[str] | None = None) -> list[Formula]:
    """Read derived.csv (BOM/CRLF accepted); raise data.DataValidationError naming file, row and column."""
    formulas, problems = formula_problems(Path(path), known)
    if problems:
        raise csvfile.DataValidationError(problems)
    return formulas


def formula_problems(path: Path, known: set[str] | None = None, units: dict[str, str] | None = None,
                     failed: set[str] = frozenset()) -> tuple[list[Formula], list[csvfile.Problem]]:
    """Return the formulas of derived.csv and a file:row:column problem for each bad declaration.

    ``known`` are the indicator ids of indicators.csv (None: not checked), ``units`` their units,
    ``failed`` ids whose indicators.csv row failed its own checks (no second problem for them).
    """
    shown = csvfile.display_path(path)
    raw, problems = csvfile.read_raw(path, "derived", COLUMNS)
    if raw is None:
        return [], problems
    formulas: list[Formula] = []
    declared: dict[str, int] = {}
    for line, record in zip(raw.lines, raw.rows):
        row = dict(zip(raw.header, record))
        found = declaration_problem(shown, line, row, known, units, failed, declared)
        if found is not None:
            problems.append(found)
            continue
        declared[row["indicator_id"]] = line
        factor = float(row["factor"] or 1)
        formulas.append(Formula(row["indicator_id"], row["formula"], tuple(row["inputs"].split()), factor, row["unit"], row["definition"]))
    return formulas, problems


def declaration_problem(shown: str, line: int, row: dict[str, str], known: set[str] | None, units: dict[str, str] | None,
                        failed: set[str], declared: dict[str, int]) -> csvfile.Problem | None:
    """Return the first problem of one derived.csv row (None when it is a usable formula)."""
    for column in COLUMNS:
        control = cells.CONTROL_CHARACTERS.search(row[column])
        if control:
            return csvfile.Problem(shown, line, column, f"contains the control character {control.group()!r}; remove it")
    inputs = tuple(row["inputs"].split())
    if not row["indicator_id"]:
        return csvfile.Problem(shown, line, "indicator_id", "empty; a value is required")
    if row["formula"] not in ARITY:
        return csvfile.Problem(shown, line, "formula", f"unknown formula {row['formula']!r} (use {', '.join(ARITY)})")
    if len(inputs) != ARITY[row["formula"]]:
        return csvfile.Problem(shown, line, "inputs", f"{row['formula']} needs {ARITY[row['formula']]} input(s), got {len(inputs)}")
    if row["factor"]:
        bad = cells.number_problem(shown, line, "factor", row["factor"], float)
        if bad:
            return bad[0]
    if row["indicator_id"] in declared:
        return csvfile.Problem(shown, line, "indicator_id", f"{row['indicator_id']!r} already has a formula (row {declared[row['indicator_id']]})")
    if known is not None:
        unknown = [i for i in (row["indicator_id"], *inputs) if i not in known and i not in failed]
        if unknown:
            column = "indicator_id" if row["indicator_id"] in unknown else "inputs"
            return csvfile.Problem(shown, line, column, f"unknown indicator(s) {', '.join(unknown)} (not in indicators.csv)")
    if units is not None and row["indicator_id"] in units and row["unit"] != units[row["indicator_id"]]:
        return csvfile.Problem(shown, line, "unit", f"unit {row['unit']!r} differs from the indicator's unit {units[row['indicator_id']]!r}")
    return None


def dataset_formulas(dataset: loader.Dataset) -> list[Formula]:
    """Return the formulas declared in the dataset's derived.csv ([] when the file is absent)."""
    path = Path(dataset.data_dir) / FILE
    if not path.exists():
        return []
    return read_formulas(path, set(dataset.indicators["indicator_id"]))


def annual_points(chosen: pd.DataFrame, indicator_id: str) -> dict[tuple[str, int], pd.Series]:
    """Return the chosen annual rows of one indicator keyed by (region, year)."""
    rows = chosen[(chosen["indicator_id"] == indicator_id) & chosen["is_annual"]]
    return {(str(r["region"]), int(r["year"])): r for _, r in rows.iterrows()}


def usable(row: pd.Series) -> bool:
    """Return whether an input value may enter a formula (not a bound, a number)."""
    return str(row.get("qualifier", "") or "") not in BOUND_QUALIFIERS and not pd.isna(row["value"])


def approximate(row: pd.Series) -> bool:
    """Return whether an input is approximate (~) or an estimate."""
    return str(row.get("qualifier", "") or "") == "~" or str(row["status"]) in APPROX_STATUSES


def combine(f: Formula, region: str, year: int, value: float, parts: list[pd.Series]) -> dict:
    """Return one derived observation row from its value and input rows (vintage: latest input)."""
    last = max(parts, key=lambda r: (r["published"], str(r["source_id"])))
    inputs = "; ".join(f"{r['indicator_id']} {r['period']} {r['source_id']}" for r in parts)
    return {
        "indicator_id": f.indicator_id, "region": region, "period": str(year), "value": float(value), "unit": f.unit,
        "qualifier": "~" if any(approximate(r) for r in parts) else "", "status": STATUS,
        "source_id": str(last["source_id"]), "published": last["published"], "published_estimated": bool(last.get("published_estimated", False)),
        "preferred": False, "quote": "", "notes": f"{f.formula}: {' '.join(f.inputs)}", "year": int(year), "is_annual": True,
        "inputs": inputs, "formula": f.formula,
    }


def derive_one(f: Formula, chosen: pd.DataFrame) -> list[dict]:
    """Return the derived rows of one formula from the chosen (as-of) observations."""
    a = annual_points(chosen, f.inputs[0])
    out: list[dict] = []
    if f.formula in ("ratio", "product"):
        b = annual_points(chosen, f.inputs[1])
        for key in sorted(set(a) & set(b)):
            ra, rb = a[key], b[key]
            if not (usable(ra) and usable(rb)) or (f.formula == "ratio" and float(rb["value"]) == 0):
                continue
            value = f.factor * (float(ra["value"]) / float(rb["value"]) if f.formula == "ratio" else float(ra["value"]) * float(rb["value"]))
            out.append(combine(f, key[0], key[1], value, [ra, rb]))
    elif f.formula == "growth":
        for (region, year) in sorted(a):
            prev = a.get((region, year - 1))
            now = a[(region, year)]
            if prev is None or not (usable(prev) and usable(now)) or float(prev["value"]) <= 0:
                continue
            value = f.factor * 100 * (float(now["value"]) / float(prev["value"]) - 1)
            out.append(combine(f, region, year, value, [prev, now]))
    elif f.formula == "chain":
        rates = annual_points(chosen, f.inputs[1])
        levels = {k: v for k, v in a.items() if usable(v)}
        for (region, year) in sorted(rates):
            rate = rates[(region, year)]
            prev = levels.get((region, year - 1))
            if (region, year) in a or prev is None or not usable(rate):
                continue
            value = float(prev["value"]) * (1 + f.factor * float(rate["value"]) / 100)
            row = combine(f, region, year, value, [prev, rate])
            out.append(row)
            levels[(region, year)] = pd.Series(row)  # a chained level carries the next year forward
    return out


def derive(chosen: pd.DataFrame, formulas: list[Formula]) -> pd.DataFrame:
    """Return every derived annual value (observation columns + inputs, formula) from the as-of selection."""
    rows = [row for f in formulas for row in derive_one(f, chosen)]
    columns = list(chosen.columns) + [c for c in ("inputs", "formula") if c not in chosen.columns]
    if not rows:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(rows)
    for column in columns:
        if column not in frame:
            frame[column] = math.nan
    return frame[columns].sort_values(["indicator_id", "region", "period"], kind="mergesort").reset_index(drop=True)


def with_derived(chosen: pd.DataFrame, formulas: list[Formula]) -> pd.DataFrame:
    """Return the as-of selection plus derived values for (indicator, region, year) not observed."""
    if not formulas:
        return chosen
    derived = derive(chosen, formulas)
    if derived.empty:
        return chosen
    have = set(zip(chosen["indicator_id"], chosen["region"], chosen["period"]))
    new = derived[[(i, r, p) not in have for i, r, p in zip(derived["indicator_id"], derived["region"], derived["period"])]]
    out = pd.concat([chosen.assign(inputs=chosen.get("inputs", ""), formula=chosen.get("formula", "")), new], ignore_index=True)
    out["inputs"] = out["inputs"].fillna("")
    out["formula"] = out["formula"].fillna("")
    return out
