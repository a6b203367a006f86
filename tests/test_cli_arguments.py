"""No traceback from any command (issue 16 item 6): every argument checked before any work.

A usage error (a bad value, a missing file, an unknown region) is one line on stderr,
``python -m analysis CMD: error: ...``, without argparse's usage block, and exit code 2; bad data
(including data/derived.csv) is one file:row:column line per problem and exit code 1. A
hypothesis test runs every subcommand with random argument values in-process and checks that
nothing but SystemExit escapes, with exit codes 0, 1 or 2 only, and that data/, reports/ and the
calibration module are never written."""

from __future__ import annotations

import csv
import hashlib
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis import cli
from analysis.data import clock, validate

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "data"
TODAY = "2026-12-07"  # the clock of every case: "completed quarter" does not move with the machine's date


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    """Run the command line in-process; return (exit code, stdout, stderr)."""
    try:
        code = cli.main(argv)
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch) -> None:
    monkeypatch.setenv(clock.ENV, TODAY)


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    """A series CSV, an M3 file with one series, a saved page and a folder to write into."""
    series = tmp_path / "series.csv"
    series.write_text("series_id,t,value\na,2020,1\na,2021,2\na,2022,3\n", encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_text("2024年宁波市地区生产总值18147.7亿元。", encoding="utf-8")
    return {"series": str(series), "page": str(page), "dir": str(tmp_path), "out": str(tmp_path / "out.csv")}


CASES = [
    # (argv, message on the one stderr line); every case exits 2
    (["status", "--as-of", "2024-13-45"], "argument --as-of: '2024-13-45' is not a real calendar date (YYYY-MM-DD)"),
    (["status", "--as-of", "yesterday"], "argument --as-of: 'yesterday' is not a date in the form YYYY-MM-DD"),
    (["status", "--as-of", "2024-1-5"], "is not a date in the form YYYY-MM-DD"),
    (["status", "--as-of", "0001-01-01"], "outside the years 1900-2100"),
    (["coverage", "--as-of", "2024-13-45"], "argument --as-of: '2024-13-45' is not a real calendar date"),
    (["coverage", "--region", "nosuch"], "argument --region: unknown region 'nosuch' (known: china, dalian,"),
    (["status", "--region", "nosuch"], "argument --region: unknown region 'nosuch' (known: china, dalian,"),
    (["status", "--region", "ningob"], "unknown region 'ningob'; did you mean 'ningbo'? (known: china,"),
    (["coverage", "--region", "Ningbo"], "did you mean 'ningbo'?"),
    (["status", "--format", "xml"], "argument --format: invalid choice: 'xml'"),
    (["validate", "--data-dir", "{dir}/nowhere"], "argument --data-dir: {dir}/nowhere: folder not found"),
    (["status", "--data-dir", "{series}"], "argument --data-dir: {series}: is a file, not a folder"),
    (["forecast", "--input", "{series}", "--output", "{out}", "--horizon", "3", "--levels", "80,x"],
     "argument --levels: '80,x': each level must be a number strictly between 0 and 100 (e.g. 80,95), not 'x'"),
    (["forecast", "--input", "{series}", "--output", "{out}", "--horizon", "3", "--levels", "0,95"], "strictly between 0 and 100"),
    (["forecast", "--input", "{series}", "--output", "{out}", "--horizon", "3", "--levels", "80,100"], "not '100'"),
    (["forecast", "--input", "{series}", "--output", "{out}", "--horizon", "3", "--levels", "80,80"], "level 80 is given twice"),
    (["forecast", "--input", "{series}", "--output", "{out}", "--horizon", "0"], "argument --horizon: '0' is not a whole number from 1 to 100"),
    (["forecast", "--input", "{series}", "--output", "{out}", "--horizon", "2.5"], "argument --horizon: '2.5' is not a whole number"),
    (["forecast", "--input", "{series}", "--output", "{out}", "--horizon", "100000"], "from 1 to 100"),
    (["forecast", "--input", "{dir}/missing.csv", "--output", "{out}", "--horizon", "3"], "argument --input: {dir}/missing.csv: file not found"),
    (["forecast", "--input", "{dir}", "--output", "{out}", "--horizon", "3"], "argument --input: {dir}: is a folder, not a file"),
    (["forecast", "--input", "{series}", "--output", "{dir}", "--horizon", "3"], "argument --output: {dir}: is a folder; give a file name"),
    (["forecast", "--input", "{series}", "--output", "{out}", "--horizon", "3", "--method", "holt"], "argument --method: unknown method holt"),
    (["forecast", "--input", "{series}", "--output", "{out}"], "the following arguments are required: --horizon"),
    (["bench", "m3", "--data", "{series}", "--jobs", "0"], "argument --jobs: '0' is not a whole number from 1 to 256"),
    (["bench", "m3", "--data", "{series}", "--jobs", "-2"], "argument --jobs: '-2' is not a whole number"),
    (["bench", "m3", "--data", "{dir}/m3.csv"], "argument --data: {dir}/m3.csv: file not found"),
    (["bench", "m3"], "bench m3 needs --data PATH/m3_yearly.csv"),
    (["bench", "probability"], "bench probability needs --data"),
    (["bench", "m3", "--data", "{series}", "--methods", "naive,holt"], "argument --methods: unknown method holt"),
    (["bench", "ningbo", "--last", "2,x"], "argument --last: '2,x': give comma-separated whole numbers from 2 to 100"),
    (["bench", "nosuch"], "argument suite: invalid choice: 'nosuch'"),
    (["bench", "china", "--out-dir", "{series}"], "argument --out-dir: {series}: is a file, not a folder"),
    (["reports", "--period", "2026Q5"], "argument --period: invalid period '2026Q5': use YYYYQn with n in 1-4, e.g. 2026Q3"),
    (["reports", "--period", "2026-Q3"], "invalid period '2026-Q3'"),
    (["reports", "--period", "2099Q1"], "argument --period: period 2099Q1 is not completed yet: choose a quarter from 2023Q1 to 2026Q3"),
    (["reports", "--period", "2026Q4"], "not completed yet"),  # today is 2026-12-07
    (["reports", "--period", "2025Q4", "--all"], "give either --period or --all, not both"),
    (["reports", "--jobs", "0"], "argument --jobs: '0' is not a whole number from 1 to 256"),
    (["reports", "--lang", "fr"], "argument --lang: unknown language fr: choose from zh, en"),
    (["reports", "--out", "{series}"], "argument --out: {series}: is a file, not a folder"),
    (["add", "--from-csv", "{dir}/batch.csv", "--dry-run"], "argument --from-csv: {dir}/batch.csv: file not found"),
    (["extract", "{dir}/page.pdf", "--region", "ningbo"], "argument FILE: {dir}/page.pdf: file not found"),
    (["extract", "{page}", "--region", "ningob"], "unknown region 'ningob'; did you mean 'ningbo'?"),
    (["bench", "m3", "--data", "{series}", "--last", "1"], "whole numbers from 2 to 100"),  # one value gets no projection
    (["coverage", "--region=--"], "argument --region: expected a value, not '--'"),  # argparse would give it [] unchecked
    (["status", "--as-of=--"], "argument --as-of: expected a value, not '--'"),
    (["validate", "--data-dir", "{dir}/a\nb"], "argument --data-dir: {dir}/a\\nb: folder not found"),  # a typed line break stays on the line
    (["forecast", "--input", "", "--output", "{out}", "--horizon", "1"], "argument --input: '': an empty path"),
    (["nosuch"], "argument command: invalid choice: 'nosuch'"),
    ([], "the following arguments are required: command"),
    (["status", "--no-such-option"], "unrecognized arguments: --no-such-option"),
]


@pytest.mark.parametrize("argv, message", CASES, ids=[" ".join(a) or "(none)" for a, _ in CASES])
def test_a_bad_argument_is_one_line_and_exit_2(capsys, files, argv: list[str], message: str) -> None:
    argv = [a.format(**files) for a in argv]
    code, out, err = run(argv, capsys)
    assert code == 2, err
    assert err.count("\n") == 1 and err.endswith("\n"), f"not one line: {err!r}"  # no usage block
    assert err.startswith("python -m analysis") and ": error: " in err
    assert message.format(**files) in err, err
    assert out == "" and "Traceback" not in err


@pytest.mark.parametrize("argv", [
    ["status", "--as-of", "2024-13-45"], ["coverage", "--region", "nosuch"], ["forecast", "--levels", "80,x"],
])
def test_the_real_command_line_prints_no_traceback(argv: list[str]) -> None:
    env_argv = [sys.executable, "-m", "analysis", *argv]
    if argv[0] == "forecast":
        env_argv += ["--input", str(REAL / "regions.csv"), "--output", "/nonexistent/o.csv", "--horizon", "2"]
    result = subprocess.run(env_argv, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


@pytest.mark.parametrize("argv", [["status", "--region", "all"], ["coverage", "--region", "all"], ["status", "--region", "zhejiang"],
                                  ["extract", "x.txt", "--region", "ningbo"], ["add", "--region", "atlantis"]])
def test_good_regions_pass_the_check(argv: list[str]) -> None:
    # add's --region is a cell of the new row: it is checked with the row (file:row:column, exit 1), see test_fuzz_add
    args = cli.build_parser().parse_args(argv)
    args.file = None
    assert cli.argument_problem(args) is None


def test_a_region_without_targets_is_an_empty_coverage_not_a_crash(capsys) -> None:
    code, out, err = run(["coverage", "--region", "zhejiang"], capsys)
    assert (code, out, err) == (0, "0 of 0 targets have data (region: Zhejiang).\n", "")


def test_levels_are_numbers_kept_as_written() -> None:
    assert cli.build_parser().parse_args(["forecast", "--input", str(REAL / "regions.csv"), "--output", "o.csv", "--horizon", "1",
                                          "--levels", "50, 97.5,80.0"]).levels == (50, 97.5, 80)


# ---------------------------------------------------------------------------
# Bad data: one problem per cause, cause first, and `status` says it instead of crashing


def copy_data(tmp_path: Path) -> Path:
    """Return a copy of data/ to break."""
    shutil.copytree(REAL, tmp_path / "data")
    return tmp_path / "data"


def problems(data_dir: Path) -> list[str]:
    return [str(p) for p in validate.validate_dir(data_dir)[1]]


def test_a_repeated_header_row_is_one_problem(tmp_path: Path) -> None:
    data_dir = copy_data(tmp_path)
    path = data_dir / "observations.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    n = len(lines)
    path.write_text("".join(lines + lines[:1] + ["gdp,ningbo,2030,1,亿元,,estimate,cnnb_2,2026-01-01,false,false,,\n"]), encoding="utf-8")
    found = problems(data_dir)
    assert found[0].endswith(f"observations.csv:{n + 1}:-: the header row is repeated here (files joined?)")
    assert not any(f":{n + 1}:" in p for p in found[1:])  # not also five cell errors


def test_a_file_separated_by_semicolons_is_named_so(tmp_path: Path) -> None:
    data_dir = copy_data(tmp_path)
    rows = list(csv.reader((REAL / "targets.csv").open(encoding="utf-8-sig")))
    with (data_dir / "targets.csv").open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out, delimiter=";").writerows(rows)
    found = problems(data_dir)
    assert found == [f"{data_dir}/targets.csv:1:-: columns are separated by ';' — save as CSV UTF-8 (comma-separated)"]


def test_one_bad_cell_is_reported_first_without_its_follow_on_errors(tmp_path: Path) -> None:
    # Mutation: validate_dir without the `failed` ids (or sorted by file name again) puts 13
    # "unknown target_id" lines of definition_audit.csv ahead of the real problem.
    data_dir = copy_data(tmp_path)
    rows = list(csv.reader((REAL / "targets.csv").open(encoding="utf-8-sig")))
    column = rows[0].index("target_year")
    line = next(i for i, r in enumerate(rows, start=1) if r[0] == "t001_high_tech_enterprises_2027")
    rows[line - 1][column] = "20x7"
    with (data_dir / "targets.csv").open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    assert problems(data_dir) == [f"{data_dir}/targets.csv:{line}:target_year: '20x7' is not a number"]


def test_cell_problems_come_before_cross_table_ones(tmp_path: Path) -> None:
    # Mutation: problems sorted by (file, row) again -> definition_audit.csv's unknown id and
    # observations.csv's row 2 come before targets.csv's and observations.csv's bad cells.
    data_dir = copy_data(tmp_path)
    def edit(name: str, line: int, column: str, value: str) -> None:
        path = data_dir / name
        rows = list(csv.reader(path.open(encoding="utf-8-sig")))
        rows[line - 1][rows[0].index(column)] = value
        with path.open("w", encoding="utf-8", newline="") as out:
            csv.writer(out).writerows(rows)
    edit("definition_audit.csv", 2, "target_id", "t999_nowhere")
    edit("targets.csv", 3, "target_value", "lots")
    edit("observations.csv", 2, "source_id", "no_such_source")
    edit("observations.csv", 9, "value", "12,5")
    found = [p.split(f"{data_dir}/")[1].split(": ")[0] for p in problems(data_dir)]
    assert found == ["targets.csv:3:target_value", "observations.csv:9:value", "observations.csv:2:source_id", "definition_audit.csv:2:target_id"]


def test_a_bad_indicator_row_hides_no_other_problem(tmp_path: Path) -> None:
    data_dir = copy_data(tmp_path)
    path = data_dir / "indicators.csv"
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    rows[1][rows[0].index("lower_bound")] = "zero"  # gdp-like row referenced by targets and observations
    rows[2][rows[0].index("unit")] = " %"
    with path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    found = problems(data_dir)
    assert [p.split(f"{data_dir}/")[1] for p in found] == ["indicators.csv:2:lower_bound: 'zero' is not a number",
                                                          "indicators.csv:3:unit: leading or trailing whitespace in ' %'"]


@pytest.mark.parametrize("row, column, message", [
    ("labour_productivity_b,divide,gdp employed_persons,1,万元/人,d,", "formula", "unknown formula 'divide' (use ratio, product, growth, chain)"),
    ("labour_productivity_b,ratio,gdp,1,万元/人,d,", "inputs", "ratio needs 2 input(s), got 1"),
    ("labour_productivity_b,ratio,gdp nowhere,1,万元/人,d,", "indicator_id", "unknown indicator(s) labour_productivity_b, nowhere"),
    ("above_scale_industrial_va_yoy,ratio,gdp nowhere,1,%,d,", "inputs", "unknown indicator(s) nowhere (not in indicators.csv)"),
    ("above_scale_industrial_va_yoy,ratio,rd_expenditure gdp,1e999,%,d,", "factor", "'1e999' is not a finite number"),
    ("above_scale_industrial_va_yoy,ratio,rd_expenditure gdp,x,%,d,", "factor", "'x' is not a number"),
    ("labour_productivity,ratio,gdp employed_persons,1,万元/人,d,", "indicator_id", "'labour_productivity' already has a formula (row 2)"),
    ("above_scale_industrial_va_yoy,ratio,rd_expenditure gdp,100,‰,d,", "unit", "unit '‰' differs from the indicator's unit '%'"),
    (",ratio,rd_expenditure gdp,100,%,d,", "indicator_id", "empty; a value is required"),
    ('rd_gdp_ratio,ratio,"rd_expenditure gdp",100,%,"d', "-", "malformed CSV"),
])
def test_a_bad_derived_csv_fails_validate_and_status_says_so(tmp_path: Path, capsys, row: str, column: str, message: str) -> None:
    # Mutation: validate_dir without its derived.csv check -> validate exits 0 and status
    # crashes with a DataValidationError traceback (or a ParserError), as before the fix.
    data_dir = copy_data(tmp_path)
    path = data_dir / "derived.csv"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n", 1) + (row + "\n").encode("utf-8"))
    line = len(path.read_bytes().splitlines())
    for command in ("validate", "status"):
        code, out, err = run([command, "--data-dir", str(data_dir), "--as-of", "2025-12-31"][:None if command == "status" else 3], capsys)
        assert code == 1 and out == "" and "Traceback" not in err
        first = err.splitlines()[0]
        assert first.startswith(f"{data_dir}/derived.csv:") and message in first, err
        if column != "-":
            assert first.startswith(f"{data_dir}/derived.csv:{line}:{column}: "), err
        assert err.splitlines()[-1] == "1 problem(s) found"


# ---------------------------------------------------------------------------
# Every subcommand fuzzed in-process: nothing but SystemExit escapes, exit codes 0/1/2 only


def tree_digest(*paths: Path) -> str:
    """Return a digest of every file's path and bytes under the given folders (or files)."""
    digest = hashlib.sha256()
    for root in paths:
        for path in sorted([root] if root.is_file() else root.rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


PROTECTED = (ROOT / "data", ROOT / "reports", ROOT / "src" / "analysis" / "forecast" / "calibration.py")


JUNK = st.one_of(
    st.text(max_size=12),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8),
    st.dates().map(lambda d: d.isoformat()),
    st.integers(-10**12, 10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(["", "-", "--", "0", "1", "2", "-1", "nan", "1e999", "2026Q3", "2023Q1", "2026Q9", "all", "ningbo",
                     "zh", "en", "zh,en", "80,95", "80,,95", "2,3", "auto", "naive", "table", "csv", "json", "2024-02-29",
                     "2024-02-30", "宁波", "ｎｉｎｇｂｏ", "\x00", "a\nb", "../data", "/dev/null", "/"]),
)


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A copy of data/ and small input files in a temporary folder (the only places a fuzzed command may touch)."""
    root = tmp_path_factory.mktemp("fuzz_cli")
    shutil.copytree(REAL, root / "data")
    (root / "series.csv").write_text("series_id,t,value\na,2018,1\na,2019,2\na,2020,3\na,2021,5\n", encoding="utf-8")
    (root / "page.txt").write_text("2024年宁波市地区生产总值18147.7亿元，比上年增长5.4%。", encoding="utf-8")
    m3 = "series_id,category,split,t,value\n" + "".join(f"N1,MICRO,{'train' if t <= 14 else 'test'},{t},{100 + 7 * t + t % 3}\n" for t in range(1, 21))
    (root / "m3_yearly.csv").write_text(m3, encoding="utf-8")
    (root / "out").mkdir()
    return {"root": root, "data": root / "data", "series": root / "series.csv", "page": root / "page.txt",
            "m3": root / "m3_yearly.csv", "out": root / "out"}


def value_of(kind: str, box: dict[str, Path], junk: bool = False) -> st.SearchStrategy[str]:
    """Return a strategy for one option's value: mostly a valid one, sometimes a plausible mistake; or junk."""
    if junk:
        return JUNK.map(lambda s: s.lstrip("/")) if kind in ("output", "out_dir") else JUNK  # never an absolute path to write
    dates = st.dates(min_value=date(2016, 1, 1), max_value=date(2031, 12, 31)).map(lambda d: d.isoformat())
    root, out = box["root"], box["out"]
    valid, wrong = {
        "data_dir": ([box["data"]], [root / "nowhere", box["series"], ""]),
        "date": (dates, ["2024-13-45", "yesterday", "1899-12-31", "2024-2-3"]),
        "region": (["ningbo", "all", "zhejiang", "shenzhen", "china"], ["nosuch", "ningob", "Ningbo", ""]),
        "format": (["table", "csv", "json"], ["xml", "CSV"]),
        "number": (st.integers(1, 8).map(str), ["0", "-1", "101", "2,3", "2.5"]),
        "jobs": (["1"], ["0", "-1", "x", "1.5", "300", ""]),  # never more than one worker process
        "levels": (["80,95", "50", "97.5,80", "80,95,99"], ["80,x", "0,100", "80,80", ""]),
        "period": (["2025Q4", "2023Q1", "2026Q3", "2024q2"], ["2026Q5", "2099Q1", "2026Q4", "q"]),
        "input": ([box["series"]], [root / "missing.csv", root, box["m3"]]),
        "m3": ([box["m3"]], [box["series"], root / "missing.csv"]),
        "output": ([out / "o.csv", out / "new" / "o.csv", "rel.csv"], [out, ""]),
        "out_dir": ([out, out / "sub", "rel"], [box["series"], ""]),
        "page": ([box["page"]], [root / "missing.txt", box["m3"]]),
        "method": (["auto", "naive", "drift", "naive,drift", "loglinear"], ["holt", ""]),
        "last": (["2", "2,3", "3,4,6", "100"], ["0", "1", "2,x"]),
        "lang": (["zh", "en", "zh,en", "en,zh,en"], ["fr", ""]),
        "text": (["gdp", "rd_gdp_ratio", "2023", "2024", "17146.6", "revised", "cnnb_2", "2024-03-01", "~"], ["", "x"]),
    }[kind]
    valid = valid if isinstance(valid, st.SearchStrategy) else st.sampled_from([str(v) for v in valid])
    wrong = st.sampled_from([str(w) for w in wrong])
    return st.integers(0, 3).flatmap(lambda i: wrong if i == 3 else valid)  # 0 first: the shrinker keeps valid values


# Per subcommand: the options (flag, kind) the fuzz may give; the runner's heavy parts are stubbed where noted.
OPTIONS = {
    "validate": [("--data-dir", "data_dir")],
    "coverage": [("--data-dir", "data_dir"), ("--region", "region"), ("--as-of", "date")],
    "status": [("--data-dir", "data_dir"), ("--region", "region"), ("--as-of", "date"), ("--format", "format")],
    "forecast": [("--input", "input"), ("--output", "output"), ("--horizon", "number"), ("--method", "method"), ("--levels", "levels")],
    "bench": [("--data", "m3"), ("--methods", "method"), ("--last", "last"), ("--output", "output"), ("--out-dir", "out_dir"),
              ("--calibrate", ""), ("--data-dir", "data_dir")],
    "reports": [("--period", "period"), ("--all", ""), ("--lang", "lang"), ("--out", "out_dir"), ("--jobs", "jobs"),
                ("--force", ""), ("--data-dir", "data_dir")],
    "add": [("--indicator", "text"), ("--region", "region"), ("--period", "text"), ("--value", "text"), ("--source-id", "text"),
            ("--published", "date"), ("--status", "text"), ("--qualifier", "text"), ("--from-csv", "input"), ("--prefer", ""),
            ("--decision", "text"), ("--reason-en", "text")],
    "extract": [("--region", "region"), ("--published", "date"), ("--source-id", "text"), ("--status", "text"), ("--output", "output")],
}


@st.composite
def command_lines(draw, command: str, box: dict[str, Path]) -> list[str]:
    """Return one random command line of a subcommand: plausible values, at most one of them junk."""
    chosen = draw(st.lists(st.sampled_from(OPTIONS[command]), max_size=5, unique=True))
    junk = -3 + draw(st.integers(0, len(chosen) + 2))  # which value is junk: -3 none, -2 a stray word, -1 bench's suite
    argv = [command]
    if command == "bench":
        argv.append(draw(st.sampled_from(["m3", "m3", "ningbo", "china", "probability"]) if junk != -1 else JUNK))
        argv += ["--jobs", draw(value_of("jobs", box)), f"--output={box['out'] / 'm3.csv'}", f"--out-dir={box['out']}"]
    if command == "reports":
        argv.append(f"--out={box['out'] / 'reports'}")  # first: a drawn --out replaces it
    if command == "extract":
        argv += [draw(value_of("page", box)), "--region=ningbo"]  # first: a drawn --region replaces it
    if command == "forecast" and draw(st.booleans()):
        argv += ["--input", str(box["series"]), "--output", str(box["out"] / "f.csv"), "--horizon", "2"]
    for index, (flag, kind) in enumerate(chosen):
        argv += [flag] if not kind else [f"{flag}={draw(value_of(kind, box, junk=index == junk))}"]
    if command in ("add", "extract", "status", "coverage", "validate", "bench") and not any(a.startswith("--data-dir") for a in argv):
        argv.append(f"--data-dir={box['data']}")  # never the real data/
    if command == "add":
        argv.append("--dry-run")
    if junk == -2 and len(argv) > 1:
        argv.insert(draw(st.integers(1, len(argv))), draw(JUNK))  # a stray positional or flag
    return argv


# 40 fixed examples per subcommand (about 10 s in all); CLI_FUZZ_EXAMPLES=500 runs a longer, random search.
FUZZ = settings(max_examples=int(os.environ.get("CLI_FUZZ_EXAMPLES", 40)), deadline=None, derandomize="CLI_FUZZ_EXAMPLES" not in os.environ, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def stub(code: int = 0):
    """Return a stand-in for a heavy runner (a render, a benchmark over data/, the calibration fit)."""
    return mock.MagicMock(return_value=code)


@pytest.mark.parametrize("command", sorted(OPTIONS))
def test_every_subcommand_survives_random_arguments(command: str, sandbox: dict[str, Path], capsys, monkeypatch) -> None:
    before = tree_digest(*PROTECTED)
    monkeypatch.chdir(sandbox["out"])  # a relative path (../data, bench-results/) lands in the sandbox
    from analysis.assess import bench_probability
    from analysis.forecast import bench_china, bench_ningbo, fit_calibration
    from analysis.report import render

    with mock.patch.object(render, "run", stub()) as rendered, \
            mock.patch.object(bench_china, "run_china_benchmark", stub()), \
            mock.patch.object(bench_ningbo, "run_ningbo_benchmark", stub()), \
            mock.patch.object(bench_probability, "run_probability_benchmark", stub()), \
            mock.patch.object(fit_calibration, "run_calibration", stub()):

        @FUZZ
        @given(argv=command_lines(command, sandbox))
        def check(argv: list[str]) -> None:
            code, _, err = run(argv, capsys)
            assert code in (0, 1, 2), (argv, code, err)
            assert "Traceback" not in err, (argv, err)
            if code == 2:
                assert err.count("\n") == 1, (argv, err)

        check()
        if command == "reports":  # a render is never started for real, only validated options reach the stub
            assert all(isinstance(call.args[0], render.Options) for call in rendered.call_args_list)
    assert tree_digest(*PROTECTED) == before, "a fuzzed command wrote into data/, reports/ or calibration.py"
