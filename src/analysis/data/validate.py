"""Validation of a data directory: schemas, referential and linked-table checks."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from analysis.data import clock, derive
from analysis.data.cells import cell_problems, typed
from analysis.data.csvfile import Problem, RawTable, display_path, frame_of, read_raw
from analysis.data.schema import (
    COLUMNS,
    COMPARATORS,
    DECISIONS,
    DEFAULT_DATA_DIR,
    FOREIGN_KEYS,
    GROWTH_FORMS,
    ID_PATTERN,
    INDICATOR_KINDS,
    KEYS,
    OPTIONAL_TABLES,
    PERIOD_PATTERN,
    QUALIFIERS,
    SOURCE_KINDS,
    STATUSES,
    TABLE_FILES,
    TARGET_TYPES,
    YEAR_MAX,
    YEAR_MIN,
)


def schemas() -> dict[str, pa.DataFrameSchema]:
    """Return the pandera schema of each typed table (value rules beyond types)."""
    ident = pa.Column(str, pa.Check.str_matches(ID_PATTERN, error="lowercase id [a-z0-9_]"))
    year = pa.Column("Int64", pa.Check.in_range(YEAR_MIN, YEAR_MAX, error=f"year outside {YEAR_MIN}-{YEAR_MAX}"), nullable=True)
    return {
        "regions": pa.DataFrameSchema({"region_id": ident}),
        "indicators": pa.DataFrameSchema({
            "indicator_id": ident,
            "kind": pa.Column(str, pa.Check.isin(INDICATOR_KINDS, error=f"kind must be one of {', '.join(INDICATOR_KINDS)}")),
            "growth_form": pa.Column(str, pa.Check.isin(GROWTH_FORMS, error=f"growth_form must be one of {', '.join(GROWTH_FORMS)}")),
        }),
        "targets": pa.DataFrameSchema({
            "target_id": ident,
            "target_type": pa.Column(str, pa.Check.isin(TARGET_TYPES, error=f"target_type must be one of {', '.join(TARGET_TYPES)}")),
            "comparator": pa.Column(str, pa.Check.isin(COMPARATORS, error=f"comparator must be one of {' '.join(COMPARATORS)}")),
            "base_year": year,
            "target_year": pa.Column("Int64", pa.Check.in_range(2000, YEAR_MAX, error=f"target_year outside 2000-{YEAR_MAX}")),
        }),
        "sources": pa.DataFrameSchema({
            "source_id": ident,
            "kind": pa.Column(str, pa.Check.isin(SOURCE_KINDS, error=f"kind must be one of {', '.join(SOURCE_KINDS)}")),
            "url": pa.Column(str, pa.Check(lambda s: (s == "") | s.str.match(r"^https?://"), element_wise=False, error="url must start with http:// or https://")),
        }),
        "observations": pa.DataFrameSchema({
            "period": pa.Column(str, pa.Check.str_matches(PERIOD_PATTERN, error="period must be YYYY or YYYY-MM")),
            "status": pa.Column(str, pa.Check.isin(STATUSES, error=f"status must be one of {', '.join(STATUSES)}")),
            "qualifier": pa.Column(str, pa.Check.isin(QUALIFIERS, error="qualifier must be empty or one of > >= < <= ~")),
            "year": pa.Column(int, pa.Check.in_range(YEAR_MIN, YEAR_MAX, error=f"year outside {YEAR_MIN}-{YEAR_MAX}")),
        }),
        "milestones": pa.DataFrameSchema({
            "milestone_id": ident,
            "comparator": pa.Column(str, pa.Check.isin(COMPARATORS, error=f"comparator must be one of {' '.join(COMPARATORS)}")),
            "year": pa.Column("Int64", pa.Check.in_range(YEAR_MIN, YEAR_MAX, error=f"year outside {YEAR_MIN}-{YEAR_MAX}")),
        }),
        "definition_audit": pa.DataFrameSchema({
            "decision": pa.Column(str, pa.Check.isin(DECISIONS, error=f"decision must be one of {', '.join(DECISIONS)}")),
            "period": pa.Column(str, pa.Check.str_matches(PERIOD_PATTERN, error="period must be YYYY or YYYY-MM")),
        }),
    }


def schema_problems(name: str, raw: RawTable, frame: pd.DataFrame) -> list[Problem]:
    """Run the pandera schema lazily and translate each failure to a Problem."""
    shown = display_path(raw.path)
    try:
        schemas()[name].validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases
        problems = []
        for case in cases.itertuples(index=False):
            index = case.index
            line = int(frame["line_no"].iloc[int(index)]) if index is not None and not pd.isna(index) else 1
            problems.append(Problem(shown, line, str(case.column), f"{case.failure_case!r}: {case.check}"))
        return problems
    return []


def referential_problems(tables: dict[str, pd.DataFrame], paths: dict[str, Path], failed: dict[str, set[str]] | None = None) -> list[Problem]:
    """Check ids across tables, units, bounds, keys and dates.

    ``failed`` holds, per table, the ids of rows dropped for a bad cell: a reference to one of them
    is not reported again (the bad cell is the cause, already reported).
    """
    problems: list[Problem] = []
    failed = failed or {}
    regions = set(tables["regions"]["region_id"]) | failed.get("regions", set())
    # A duplicated id is reported below; lookups use its first row.
    indicators = tables["indicators"].drop_duplicates("indicator_id").set_index("indicator_id")
    bad_indicators = failed.get("indicators", set())
    sources = set(tables["sources"]["source_id"]) | failed.get("sources", set())
    shown = {name: display_path(path) for name, path in paths.items()}

    for name, frame in tables.items():
        keys = KEYS[name]
        duplicated = frame.duplicated(subset=keys, keep="first")
        for line in frame.loc[duplicated, "line_no"]:
            problems.append(Problem(shown[name], int(line), keys[0], f"duplicate key ({', '.join(keys)})"))

    for row in tables["indicators"].itertuples():
        low, high = row.lower_bound, row.upper_bound
        if not pd.isna(low) and not pd.isna(high) and low >= high:
            problems.append(Problem(shown["indicators"], row.line_no, "upper_bound", f"upper_bound {high} is not above lower_bound {low}"))

    for row in tables["targets"].itertuples():
        where = shown["targets"]
        if row.indicator_id in bad_indicators:
            pass
        elif row.indicator_id not in indicators.index:
            problems.append(Problem(where, row.line_no, "indicator_id", f"unknown indicator {row.indicator_id!r} (not in indicators.csv)"))
        elif row.unit != indicators.at[row.indicator_id, "unit"] and row.target_type in ("level", "cumulative"):
            problems.append(Problem(where, row.line_no, "unit", f"unit {row.unit!r} differs from the indicator's unit {indicators.at[row.indicator_id, 'unit']!r}"))
        if row.region not in regions:
            problems.append(Problem(where, row.line_no, "region", f"unknown region {row.region!r} (not in regions.csv)"))
        if not pd.isna(row.base_year) and row.base_year >= row.target_year:
            problems.append(Problem(where, row.line_no, "base_year", f"base_year {row.base_year} is not before target_year {row.target_year}"))
        if row.target_type == "rank" and row.comparator not in ("<=", "<"):
            problems.append(Problem(where, row.line_no, "comparator", f"a rank target needs <= or < (a smaller rank is better), not {row.comparator!r}"))

    today = pd.Timestamp(clock.today())
    for row in tables["observations"].itertuples():
        where = shown["observations"]
        if row.indicator_id in bad_indicators:
            continue
        if row.indicator_id not in indicators.index:
            problems.append(Problem(where, row.line_no, "indicator_id", f"unknown indicator {row.indicator_id!r} (not in indicators.csv)"))
            continue
        meta = indicators.loc[row.indicator_id]
        if row.unit != meta["unit"]:
            problems.append(Problem(where, row.line_no, "unit", f"unit {row.unit!r} differs from the indicator's unit {meta['unit']!r}; convert the value"))
        if not pd.isna(meta["lower_bound"]) and row.value < meta["lower_bound"]:
            problems.append(Problem(where, row.line_no, "value", f"{row.value:g} is below the indicator's lower bound {meta['lower_bound']:g}"))
        if not pd.isna(meta["upper_bound"]) and row.value > meta["upper_bound"]:
            problems.append(Problem(where, row.line_no, "value", f"{row.value:g} is above the indicator's upper bound {meta['upper_bound']:g}"))
        if row.region not in regions:
            problems.append(Problem(where, row.line_no, "region", f"unknown region {row.region!r} (not in regions.csv)"))
        if row.source_id not in sources:
            problems.append(Problem(where, row.line_no, "source_id", f"unknown source {row.source_id!r} (not in sources.csv)"))
        if row.published > today:
            problems.append(Problem(where, row.line_no, "published", f"{row.published.date()} is in the future"))
        if row.published.year < row.year:
            problems.append(Problem(where, row.line_no, "published", f"published {row.published.date()} before its period {row.period} began"))
    return problems


def empty_table(name: str) -> pd.DataFrame:
    """Return a typed table with the columns of ``name`` and no rows."""
    return typed(name, pd.DataFrame({column: pd.Series(dtype=object) for column in COLUMNS[name]}))


def linked_table_problems(tables: dict[str, pd.DataFrame], paths: dict[str, Path], failed: dict[str, set[str]] | None = None) -> list[Problem]:
    """Check the foreign keys and units of the milestone and definition-audit tables (``failed``: as in referential_problems)."""
    problems: list[Problem] = []
    failed = failed or {}
    for name in OPTIONAL_TABLES:
        frame, shown = tables[name], display_path(paths[name])
        for column, resource, ref in FOREIGN_KEYS[name]:
            known = set(tables[resource][ref]) | failed.get(resource, set())
            for row in frame.loc[~frame[column].isin(known)].itertuples():
                problems.append(Problem(shown, int(row.line_no), column, f"unknown {ref} {getattr(row, column)!r} (not in {TABLE_FILES[resource]})"))
    # the first row of a duplicated indicator id (the duplicate itself is reported with its line)
    units = tables["indicators"].drop_duplicates("indicator_id").set_index("indicator_id")["unit"]
    for row in tables["milestones"].itertuples():
        if row.indicator_id in units.index and row.unit != units[row.indicator_id]:
            problems.append(Problem(display_path(paths["milestones"]), int(row.line_no), "unit",
                                    f"unit {row.unit!r} differs from the indicator's unit {units[row.indicator_id]!r}"))
    return problems


def validate_dir(data_dir: Path | str = DEFAULT_DATA_DIR) -> tuple[dict[str, pd.DataFrame], list[Problem]]:
    """Read and validate every table and derived.csv; return the typed tables and all problems found.

    Problems come cause first: every file's read and cell problems (tables in dependency order,
    then by row), then the cross-table ones; a reference to a row that failed its own cells is
    not reported again.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return {}, [Problem(display_path(data_dir), 0, "-", "data directory does not exist")]
    problems: list[Problem] = []
    tables: dict[str, pd.DataFrame] = {}
    failed: dict[str, set[str]] = {}
    paths = {name: data_dir / filename for name, filename in TABLE_FILES.items()}
    for name, path in paths.items():
        if name in OPTIONAL_TABLES and not path.exists():
            tables[name] = empty_table(name).assign(line_no=pd.Series(dtype=int))
            continue
        raw, found = read_raw(path, name)
        problems.extend(found)
        if raw is None:
            continue
        frame = frame_of(raw)
        cell_issues = cell_problems(raw, frame)
        problems.extend(cell_issues)
        if cell_issues:
            bad = frame["line_no"].isin({p.row for p in cell_issues})
            failed[name] = set(frame.loc[bad, KEYS[name][0]])
            frame = frame[~bad].reset_index(drop=True)
        frame = typed(name, frame)
        problems.extend(schema_problems(name, raw, frame))
        tables[name] = frame
    cross: list[Problem] = []
    if len(tables) == len(TABLE_FILES):
        cross += referential_problems(tables, paths, failed)
        cross += linked_table_problems(tables, paths, failed)
    derived = data_dir / derive.FILE
    if derived.exists():
        indicators = tables.get("indicators")
        known = None if indicators is None else set(indicators["indicator_id"])
        units = None if indicators is None else dict(zip(indicators["indicator_id"], indicators["unit"]))
        problems += derive.formula_problems(derived, known, units, failed.get("indicators", set()))[1]
    order = {display_path(path): index for index, path in enumerate([*paths.values(), derived])}

    def cause_first(problem: Problem) -> tuple:
        return (order.get(problem.file, len(order)), problem.row, problem.column, problem.message)

    return tables, sorted(problems, key=cause_first) + sorted(cross, key=cause_first)
