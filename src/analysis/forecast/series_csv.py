"""`python -m analysis forecast`: read series_id,t,value and write the forecasts as CSV."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from analysis.forecast.models import METHODS, Forecast, forecast


class InputError(ValueError):
    """A malformed forecast input file (message names the file and row)."""


# Beyond this magnitude the simulated paths overflow float64 (measured: 1e300 gave hi80 below the mean).
MAX_INPUT_MAGNITUDE = 1e200


def read_forecast_input(path: Path) -> pd.DataFrame:
    """Read and check a series_id,t,value CSV; raise InputError naming file, row and column."""
    from analysis.data import cells, csvfile  # the project's number rule (finite, plain decimal) and CSV reader


    def fail(line: int, column: str, message: str) -> InputError:
        return InputError(f"{path}:{line}: column {column}: {message}")

    read = csvfile.read_records(Path(path))
    if isinstance(read, csvfile.Problem):
        raise InputError(f"{path}:{read.row}: cannot read CSV: {read.message}")
    records, lines = read
    header = records[0] if records else []
    missing = [c for c in ("series_id", "t", "value") if c not in header]
    if missing:
        raise InputError(f"{path}:1: missing column(s) {', '.join(missing)} (need series_id,t,value)")
    col = {name: header.index(name) for name in ("series_id", "t", "value")}
    rows = []
    for record, line in zip(records[1:], lines[1:]):
        if record == [] or record == [""]:
            continue
        if len(record) != len(header):
            raise InputError(f"{path}:{line}: has {len(record)} fields, the header has {len(header)}")
        series_id, t, value = (record[col[c]].strip() for c in ("series_id", "t", "value"))
        if not series_id:
            raise fail(line, "series_id", "empty")
        for column, cell in (("t", t), ("value", value)):
            if column == "value" and cell == "":
                continue  # a missing value
            problem = cells.number_problem(str(path), line, column, cell, int if column == "t" else float)
            if problem:
                raise fail(line, column, f"not a finite {'whole ' if column == 't' else ''}number: {cell!r}")
        if value and abs(float(value)) > MAX_INPUT_MAGNITUDE:
            raise fail(line, "value", f"{value!r} is larger in magnitude than {MAX_INPUT_MAGNITUDE:g}; rescale the series")
        rows.append((series_id, int(t), float(value) if value else np.nan, line))
    frame = pd.DataFrame(rows, columns=["series_id", "t", "value", "line"])
    dup = frame.duplicated(["series_id", "t"], keep="first")
    if dup.any():
        row = frame[dup].iloc[0]
        raise InputError(f"{path}:{row['line']}: duplicate t {row['t']} for series {row['series_id']}")
    return frame.drop(columns="line")


def forecast_rows(series_id: str, fc: Forecast, levels: Sequence[int]) -> pd.DataFrame:
    """One output row per forecast year: series_id,t,h,mean and lo/hi per level."""
    out = {"series_id": series_id, "t": fc.years, "h": list(range(1, len(fc.years) + 1)), "mean": fc.mean.to_numpy()}
    for level in levels:
        out[f"lo{level}"] = fc.lower(level).to_numpy()
        out[f"hi{level}"] = fc.upper(level).to_numpy()
    return pd.DataFrame(out)


def forecast_csv(input: Path, output: Path, horizon: int, method: str = "auto", levels: Sequence[int] = (80, 95)) -> int:
    """Forecast every series of a series_id,t,value CSV into a series_id,t,h,mean,lo..,hi.. CSV."""
    try:
        if method not in METHODS:
            raise InputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
        if any(not 0 < level < 100 for level in levels):
            raise InputError(f"levels must be between 0 and 100, got {list(levels)}")
        if horizon < 1:
            raise InputError(f"horizon must be at least 1, got {horizon}")
        frame = read_forecast_input(Path(input))
    except InputError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    parts, skipped = [], []
    for series_id, group in frame.groupby("series_id", sort=True):
        series = pd.Series(group["value"].to_numpy(dtype=float), index=group["t"].to_numpy())
        try:
            fc = forecast(series, horizon, method=method, levels=levels)
        except ValueError as err:
            skipped.append(f"{input}: series {series_id}: {err}")
            continue
        parts.append(forecast_rows(str(series_id), fc, levels))
    for message in skipped:
        print(f"warning: {message}", file=sys.stderr)
    columns = ["series_id", "t", "h", "mean"] + [f"{b}{lv}" for lv in levels for b in ("lo", "hi")]
    result = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    result.to_csv(output, index=False, float_format="%.10g")
    print(f"{output}: {len(result)} rows for {len(parts)} series ({len(skipped)} skipped)")
    return 0
