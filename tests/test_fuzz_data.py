"""Every cell of every table fuzzed: junk anywhere gives `file:row:column: message`, exit 1, no traceback.

Tables and column kinds come from the schema constants of analysis.data (TABLE_FILES, COLUMNS,
NUMERIC, BOOLEAN, DATES, ENUMS, KEYS, FOREIGN_KEYS, OPTIONAL), so a new table is fuzzed as soon as
it is declared there. Most examples call ``data.validate_dir`` (what ``validate`` prints); a few
cases run the real command line.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.data import csvfile, schema, validate

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "data"
PROBLEM_LINE = re.compile(r"^(?P<file>[^\n:]+):(?P<row>\d+):(?P<column>[^:\n]+): (?P<message>.+)$")
TABLES = sorted(schema.TABLE_FILES)
FUZZ = settings(max_examples=90, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

# Junk that no typed column accepts (a plain decimal number written with ASCII digits is the only number).
BAD_NUMBERS = ["20x1", "nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e999", "12,3", "1_000", "٣", "１２",
               "0x10", "=1+2", "1.2.3", "--1", "+", ".", "1e", "'12", '"12"', "12%", "9" * 400]
BAD_INTEGERS = ["2020.5", "1e3", "2020.0", "99999999999999999999", "-99999999999999999999"]
BAD_DATES = ["20x1-01-01", "2024-02-30", "2024-13-01", "2024/01/01", "2024-1-1", "0001-01-01", "9999-12-31",
             "２０２４-01-01", "2024-01-01T00:00", "=TODAY()", "nan"]
BAD_BOOLEANS = ["TRUE", "False", "yes", "1", "0", "nan", "=TRUE()", "true "]
BAD_PERIODS = ["20x1", "2021-13", "2021-00", "2021Q1", "20211", "٢٠٢١", "2021-1", "nan", "inf", "=2021"]
BAD_IDS = ["Bad Id", "UPPER", "a-b", "_x", "=HYPERLINK(\"http://evil\")", "@sum(1)", "'quoted'", "a\nb", "é"]
CONTROL = ["\x00", "\x01", "\x07", "\x08", "\x0b", "\x0c", "\x1b", "\x7f", "\x85"]
FREE_TEXT = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1", "-1", "@SUM(A1)", 'say "hi", twice', "a,b,c",
             "line one\nline two", "line one\r\nline two", "<script>alert(1)</script>", "引号“中文”，逗号", "x" * 5000, "'"]


def kind_of(table: str, column: str) -> str:
    """Return how a column is checked, from the schema constants."""
    if column in schema.NUMERIC.get(table, {}):
        return "integer" if schema.NUMERIC[table][column] is int else "number"
    if column in schema.BOOLEAN.get(table, ()):
        return "boolean"
    if column in schema.DATES.get(table, ()):
        return "date"
    if (table, column) in schema.ENUMS:
        return "enum"
    if table == "observations" and column == "period":
        return "period"
    if schema.KEYS.get(table) == [column]:
        return "id"
    if any(fk[0] == column for fk in schema.FOREIGN_KEYS.get(table, [])):
        return "reference"
    return "text"


CELLS = [(table, column) for table in TABLES for column in schema.COLUMNS[table]]


def invalid_junk(table: str, column: str) -> st.SearchStrategy[str]:
    """Return a strategy of cell values the column must reject."""
    kind = kind_of(table, column)
    control = st.tuples(st.text(alphabet="abc12", max_size=3), st.sampled_from(CONTROL), st.text(alphabet="abc12", max_size=3)).map("".join)
    padded = st.sampled_from([" 1", "1 ", "\t1", "x\n", " true", "2024-01-01 "])
    options = [control, padded]
    if column not in schema.OPTIONAL.get(table, set()):
        options.append(st.just(""))
    kind = kind_of(table, column)
    if kind in ("number", "integer"):
        options.append(st.sampled_from(BAD_NUMBERS + (BAD_INTEGERS if kind == "integer" else [])))
        options.append(st.text(alphabet="0123456789.eE+-x,_ ", min_size=1, max_size=8).filter(not_a_number))
    elif kind == "boolean":
        options.append(st.sampled_from(BAD_BOOLEANS))
    elif kind == "date":
        options.append(st.sampled_from(BAD_DATES))
    elif kind == "period":
        options.append(st.sampled_from(BAD_PERIODS))
    elif kind == "enum":
        allowed = set(schema.ENUMS[(table, column)])
        options.append(st.sampled_from(["unknown", "=1+1", "OFFICIAL", ">>", "nan", "inf"]).filter(lambda v: v not in allowed))
    elif kind == "id":
        options.append(st.sampled_from(BAD_IDS))
    elif kind == "reference":
        options.append(st.text(alphabet="abcdefghij_0123", min_size=1, max_size=12).map(lambda s: "zz_unknown_" + s))
    return st.one_of(options)


def not_a_number(text: str) -> bool:
    """Return whether text is something other than a plain finite ASCII decimal number."""
    if not re.fullmatch(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", text):
        return True
    return not abs(float(text)) < float("inf")


def read_records(path: Path) -> list[list[str]]:
    """Read a CSV (BOM tolerated) as lists of strings."""
    text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text, newline="")))


def write_records(path: Path, records: list[list[str]]) -> None:
    """Write records as CSV with Unix line endings."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(records)
    path.write_bytes(buffer.getvalue().encode("utf-8"))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of data/ that each example changes and restores."""
    target = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(REAL, target)
    return target


ORIGINAL = {table: read_records(REAL / filename) for table, filename in schema.TABLE_FILES.items()}
LINES = {table: csvfile.read_raw(REAL / filename, table)[0].lines for table, filename in schema.TABLE_FILES.items()}


def with_cell(scratch: Path, table: str, index: int, column: str, value: str) -> tuple[list[csvfile.Problem], int]:
    """Validate the data with one cell replaced; return the problems and the cell's line number."""
    records = [list(r) for r in ORIGINAL[table]]
    records[index + 1][records[0].index(column)] = value
    path = scratch / schema.TABLE_FILES[table]
    original = path.read_bytes()
    write_records(path, records)
    try:
        return validate.validate_dir(scratch)[1], LINES[table][index]
    finally:
        path.write_bytes(original)


def named(problems: list[csvfile.Problem], filename: str, line: int, column: str) -> list[csvfile.Problem]:
    """Return the problems that name one cell."""
    return [p for p in problems if Path(p.file).name == filename and p.row == line and p.column == column]


def assert_well_formed(problems: list[csvfile.Problem]) -> None:
    """Every problem prints as one `file:row:column: message` line."""
    for problem in problems:
        assert PROBLEM_LINE.match(str(problem).split("\n")[0]), str(problem)


@FUZZ
@given(st.data())
def test_junk_in_any_cell_is_reported_at_that_cell(scratch: Path, draw: st.DataObject) -> None:
    table, column = draw.draw(st.sampled_from(CELLS), label="cell")
    index = draw.draw(st.integers(0, min(len(ORIGINAL[table]) - 2, 40)), label="record")
    junk = draw.draw(invalid_junk(table, column), label="junk")
    problems, line = with_cell(scratch, table, index, column, junk)
    assert problems, f"{table}.{column} accepted {junk!r}"
    assert_well_formed(problems)
    assert named(problems, schema.TABLE_FILES[table], line, column), (junk, [str(p)[:200] for p in problems[:5]])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.data())
def test_a_duplicated_key_is_reported_at_its_second_line(scratch: Path, draw: st.DataObject) -> None:
    table = draw.draw(st.sampled_from(TABLES), label="table")
    key = schema.KEYS[table]
    n = len(ORIGINAL[table]) - 1
    first = draw.draw(st.integers(0, n - 1), label="first")
    second = draw.draw(st.integers(0, n - 1).filter(lambda i: i != first), label="second")
    header = ORIGINAL[table][0]
    records = [list(r) for r in ORIGINAL[table]]
    for column in key:
        records[second + 1][header.index(column)] = records[first + 1][header.index(column)]
    path = scratch / schema.TABLE_FILES[table]
    original = path.read_bytes()
    write_records(path, records)
    try:
        problems = validate.validate_dir(scratch)[1]
    finally:
        path.write_bytes(original)
    assert_well_formed(problems)
    later = LINES[table][max(first, second)]
    hits = named(problems, schema.TABLE_FILES[table], later, key[0])
    assert any("duplicate" in p.message for p in hits), [str(p)[:200] for p in problems[:5]]


FREE_TEXT_CELLS = [(t, c) for t, c in CELLS if kind_of(t, c) == "text"]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_free_text_round_trips_or_is_reported_cleanly(scratch: Path, draw: st.DataObject) -> None:
    """Quotes, commas, line breaks, formula-looking and long text never crash; where valid they load verbatim."""
    table, column = draw.draw(st.sampled_from(FREE_TEXT_CELLS), label="cell")
    index = draw.draw(st.integers(0, min(len(ORIGINAL[table]) - 2, 40)), label="record")
    text = draw.draw(st.sampled_from(FREE_TEXT), label="text")
    records = [list(r) for r in ORIGINAL[table]]
    records[index + 1][records[0].index(column)] = text
    tables, problems = validate_with(scratch, table, records)
    assert_well_formed(problems)
    if not problems:
        frame = tables[table]
        assert frame.loc[frame["line_no"] == LINES[table][index], column].tolist() == [text]


def validate_with(scratch: Path, table: str, records: list[list[str]]) -> tuple[dict, list]:
    """Validate the scratch directory with `table` replaced by `records`, then restore the file."""
    path = scratch / schema.TABLE_FILES[table]
    original = path.read_bytes()
    write_records(path, records)
    try:
        return validate.validate_dir(scratch)
    finally:
        path.write_bytes(original)


@pytest.mark.parametrize("table, column", [("observations", "quote"), ("observations", "notes"), ("sources", "title"),
                                           ("indicators", "name_zh"), ("targets", "source_clause")])
def test_known_free_text_columns_keep_any_printable_text(scratch: Path, table: str, column: str) -> None:
    if column not in schema.COLUMNS[table]:
        pytest.skip(f"{table}.{column} no longer exists")
    records = [list(r) for r in ORIGINAL[table]]
    for index, text in enumerate(FREE_TEXT):
        records[index + 1][records[0].index(column)] = text
    tables, problems = validate_with(scratch, table, records)
    assert problems == []
    assert tables[table][column].tolist()[: len(FREE_TEXT)] == FREE_TEXT


# ---------------------------------------------------------------------------
# Files that are not even well-formed CSV


RAW_BREAKAGE = {
    "unbalanced quote": lambda text: text + 'x,"never closed\n',
    "text after a closing quote": lambda text: insert_line(text, '"a"b,c\n'),
    "NUL byte": lambda text: insert_line(text, "a\x00b\n"),
    "too few fields": lambda text: insert_line(text, "only,two\n"),
    "header repeats a column": lambda text: text.split("\n", 1)[0] + "," + text.split(",", 1)[0] + "\n" + text.split("\n", 1)[1],
    "only a BOM": lambda text: "\ufeff",
    "empty": lambda text: "",
}


def insert_line(text: str, line: str) -> str:
    """Insert a line after the header and first record."""
    head, first, rest = text.split("\n", 2)
    return f"{head}\n{first}\n{line}{rest}"


@pytest.mark.parametrize("table", TABLES)
@pytest.mark.parametrize("breakage", sorted(RAW_BREAKAGE))
def test_malformed_file_is_reported_with_a_line(scratch: Path, table: str, breakage: str) -> None:
    path = scratch / schema.TABLE_FILES[table]
    original = path.read_bytes()
    path.write_bytes(RAW_BREAKAGE[breakage](original.decode("utf-8")).encode("utf-8"))
    try:
        problems = validate.validate_dir(scratch)[1]
    finally:
        path.write_bytes(original)
    assert problems
    assert_well_formed(problems)
    assert any(Path(p.file).name == schema.TABLE_FILES[table] and p.row >= 1 for p in problems)


def test_invalid_utf8_names_its_line(scratch: Path) -> None:
    path = scratch / "sources.csv"
    original = path.read_bytes()
    head, first, rest = original.split(b"\n", 2)
    path.write_bytes(head + b"\n" + first + b"\n" + "标题".encode("gbk") + b"\n" + rest)
    try:
        problems = validate.validate_dir(scratch)[1]
    finally:
        path.write_bytes(original)
    assert [(p.row, p.column) for p in problems] == [(3, "-")] and "UTF-8" in problems[0].message


# ---------------------------------------------------------------------------
# The real command line: the two crashes of issue 11 and a few more, exit 1, no traceback


def run_validate(data_dir: Path) -> subprocess.CompletedProcess:
    """Run `python -m analysis validate` on a directory."""
    return subprocess.run([sys.executable, "-m", "analysis", "validate", "--data-dir", str(data_dir)],
                          capture_output=True, text=True, cwd=data_dir.parent)


def duplicate_first_indicator(data_dir: Path) -> tuple[str, int, str]:
    """Append a copy of the first indicator row; return the file, its line and the column named."""
    path = data_dir / "indicators.csv"
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    path.write_text(text + lines[1], encoding="utf-8")
    return "indicators.csv", len(lines) + 1, "indicator_id"


def typo_in_period(data_dir: Path) -> tuple[str, int, str]:
    """Make the first observation's period 20x1."""
    records = read_records(data_dir / "observations.csv")
    records[1][records[0].index("period")] = "20x1"
    write_records(data_dir / "observations.csv", records)
    return "observations.csv", 2, "period"


def overflowing_value(data_dir: Path) -> tuple[str, int, str]:
    """Make the third observation's value 1e400."""
    records = read_records(data_dir / "observations.csv")
    records[3][records[0].index("value")] = "1e400"
    write_records(data_dir / "observations.csv", records)
    return "observations.csv", 4, "value"


def infinite_target(data_dir: Path) -> tuple[str, int, str]:
    """Make the second target's value inf."""
    records = read_records(data_dir / "targets.csv")
    records[2][records[0].index("target_value")] = "inf"
    write_records(data_dir / "targets.csv", records)
    return "targets.csv", 3, "target_value"


@pytest.mark.parametrize("breakage", [duplicate_first_indicator, typo_in_period, overflowing_value, infinite_target])
def test_validate_command_reports_and_exits_1(tmp_path: Path, breakage) -> None:
    data_dir = tmp_path / "data"
    shutil.copytree(REAL, data_dir)
    filename, line, column = breakage(data_dir)
    result = run_validate(data_dir)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    problem_lines = result.stderr.splitlines()[:-1]
    assert problem_lines and all(PROBLEM_LINE.match(line) for line in problem_lines), result.stderr
    expected = f"data/{filename}:{line}:{column}: "
    assert any(text.startswith(expected) for text in problem_lines), result.stderr
