"""The README's examples run as written: every `python -m analysis` command of its ```bash blocks is
run against a temporary copy of data/ (with --data-dir added), and the ```text block after a command
block (its output) must appear in what the commands print; the plain ``` blocks showing output of
another state (a conflict before the revision was recorded, a workbook with two slips) are checked
by their own tests below.

A user's own part is played by the test: the saved page of the `extract` example is written, a
figure is filled into the request workbook before `add --from requests.xlsx`, and every proposal of
`extract --output proposals.xlsx` is marked accept before `add --from proposals.xlsx`. `make` lines are not
run here (the end-to-end tests render reports)."""

from __future__ import annotations

import datetime as dt
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from analysis.data import batch
from analysis.report import request_workbook

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[a-z]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$", re.M | re.S)
SAVED_PAGE = """<html><head><title>宁波市2025年国民经济和社会发展统计公报</title></head><body>
<p>年末全市有效科技型中小企业41000家。每万人口高价值发明专利拥有量19.5件。</p></body></html>"""


def blocks(text: str) -> list[tuple[str, str, int]]:
    """Return (language, body without its indentation, end offset) of every fenced block."""
    found = []
    for match in FENCE.finditer(text):
        indent = match.group("indent")
        body = "".join(line[len(indent):] if line.startswith(indent) else line for line in match.group("body").splitlines(keepends=True))
        found.append((match.group("lang"), body, match.start(), match.end()))
    return found


def commands(body: str) -> list[str]:
    """Return the analysis commands of a bash block (continuation lines joined)."""
    joined = re.sub(r"\\\n\s*", " ", body)
    return [line.split("#")[0].strip() for line in joined.splitlines()
            if re.match(r"\s*(\.venv/bin/)?python -m analysis ", line)]


def examples() -> list[tuple[list[str], str | None]]:
    """Return (commands, the output block right after them or None) of every bash block."""
    found = blocks(README)
    result = []
    for index, (lang, body, _start, end) in enumerate(found):
        if lang != "bash" or not commands(body):
            continue
        output = None  # the next ```text block, unless another bash block comes first (a plain ``` block is an illustration)
        if index + 1 < len(found) and found[index + 1][0] == "text":
            output = found[index + 1][1]
        result.append((commands(body), output))
    return result


def fill_one_figure(workbook: Path) -> None:
    """Play the bureau: type the 2024 R&D intensity into the request workbook, with its source."""
    book = load_workbook(workbook)
    sheet = book["宁波市统计局"]
    columns = {batch.header_field(c.value): c.column for c in sheet[request_workbook.HEADER_ROW] if batch.header_field(c.value)}
    row = next(r for r in range(request_workbook.FIRST_ROW, sheet.max_row + 1)
               if (sheet.cell(r, columns["indicator_id"]).value, sheet.cell(r, columns["period"]).value) == ("rd_gdp_ratio", "2024"))
    for name, value in (("value", 3.21), ("status", batch.STATUS_LABELS["official"][0]), ("published", dt.datetime(2026, 3, 20)),
                        ("source_title", "宁波市2025年国民经济和社会发展统计公报"), ("quote", "研发经费支出相当于地区生产总值的3.21%")):
        sheet.cell(row, columns[name], value)
    book.save(workbook)


def accept_every_proposal(path: Path) -> None:
    """Play the reviewer: mark every proposal of the extract workbook accept."""
    book = load_workbook(path)
    sheet = book.worksheets[1]
    columns = {batch.header_field(c.value): c.column for c in sheet[request_workbook.HEADER_ROW] if batch.header_field(c.value)}
    for row in range(request_workbook.FIRST_ROW, sheet.max_row + 1):
        if sheet.cell(row, columns["value"]).value is not None:
            sheet.cell(row, columns["accept"], batch.ACCEPT_LABELS["accept"][0])
    book.save(path)


def run(command: str, cwd: Path) -> subprocess.CompletedProcess:
    words = shlex.split(command)
    words = [sys.executable] + words[1:] + ["--data-dir", "data"]
    return subprocess.run(words, cwd=cwd, capture_output=True, text=True)


def test_the_readme_has_the_examples() -> None:
    found = [c for cs, _ in examples() for c in cs]
    assert any(" request " in c for c in found) and any("add --from requests.xlsx" in c for c in found)
    assert any("--indicator gdp" in c for c in found) and any(" extract " in c for c in found)
    assert any("--output proposals.xlsx" in c for c in found) and any("add --from proposals.xlsx" in c for c in found)


def test_every_readme_example_runs_as_written(tmp_path: Path) -> None:
    (tmp_path / "saved").mkdir()
    (tmp_path / "saved" / "2025_bulletin.html").write_text(SAVED_PAGE, encoding="utf-8")
    filled = False
    for block_commands, output in examples():
        shutil.rmtree(tmp_path / "data", ignore_errors=True)
        shutil.copytree(ROOT / "data", tmp_path / "data")  # each block on a fresh copy of data/
        printed = ""
        for command in block_commands:
            if "add --from requests.xlsx" in command and not filled:
                fill_one_figure(tmp_path / "requests.xlsx")
                filled = True
            if "add --from proposals.xlsx" in command:
                accept_every_proposal(tmp_path / "proposals.xlsx")
            result = run(command, tmp_path)
            printed += result.stdout + result.stderr
            assert "Traceback" not in result.stderr, (command, result.stderr)
            expected = 1 if output and "nothing written" in output else 0
            assert result.returncode == expected, (command, result.stdout, result.stderr)
        if output:
            for line in output.splitlines():
                assert line.strip() in printed, (block_commands, line, printed)


def test_the_readme_conflict_is_what_add_prints_without_the_revised_row(tmp_path: Path) -> None:
    from test_add import REVISION, run_add, without_revision

    shown = next(body for lang, body, _s, _e in blocks(README) if body.startswith("conflict: gdp ningbo 2023"))
    result = run_add(without_revision(tmp_path), *REVISION)
    assert result.returncode == 1
    for line in shown.splitlines():
        assert line in result.stderr


def test_the_readme_problems_are_what_add_prints(tmp_path: Path) -> None:
    shown = next(body for lang, body, _s, _e in blocks(README) if body.startswith("requests.xlsx:宁波市科学技术局:9:value"))
    shutil.copytree(ROOT / "data", tmp_path / "data")
    assert run("python -m analysis request --as-of 2026-12-07 --output requests.xlsx", tmp_path).returncode == 0
    book = load_workbook(tmp_path / "requests.xlsx")
    official = batch.STATUS_LABELS["official"][0]
    for sheet_name, indicator, value in (("宁波市科学技术局", "high_tech_enterprises", 1.35), ("宁波市人民政府", "young_talent_selection_share", "3.5%")):
        sheet = book[sheet_name]
        columns = {batch.header_field(c.value): c.column for c in sheet[request_workbook.HEADER_ROW] if batch.header_field(c.value)}
        row = next(r for r in range(request_workbook.FIRST_ROW, sheet.max_row + 1)
                   if (sheet.cell(r, columns["indicator_id"]).value, sheet.cell(r, columns["period"]).value) == (indicator, "2025"))
        for name, cell in (("value", value), ("status", official), ("published", dt.datetime(2026, 1, 21)),
                           ("source_title", "宁波市政府工作报告"), ("url", "http://news.cnnb.com.cn/system/2026/01/27/030739321.shtml")):
            sheet.cell(row, columns[name], cell)
    book.save(tmp_path / "requests.xlsx")
    result = run("python -m analysis add --from requests.xlsx", tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines() == shown.splitlines()


@pytest.mark.parametrize("name", ["request", "add --from FILE.xlsx|FILE.csv"])
def test_the_command_list_names_the_new_commands(name: str) -> None:
    listing = next(body for lang, body, _s, _e in blocks(README) if body.startswith("python -m analysis validate"))
    assert f"python -m analysis {name}" in listing
