"""The report date, never today (issue 16 item 4): one clock (analysis.data.clock.today, fixed by
ANALYSIS_TODAY), a report for a given date identical whatever today is, and no other reading of
the current date anywhere in the package, the scripts or the notebooks."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from analysis.cli import main as cli_main
from analysis.data import clock, validate, vintage
from analysis.report import periods

ROOT = Path(__file__).resolve().parents[1]
REAL = ROOT / "data"

# Ways of reading the wall clock's date; only analysis/data/clock.py may use them.
NOW = re.compile(r"\b(?:date\.today|datetime\.now|datetime\.today|datetime\.utcnow|Timestamp\.now|Timestamp\.today|"
                 r"time\.localtime|time\.gmtime|np\.datetime64\(\s*['\"]today|pd\.to_datetime\(\s*['\"](?:now|today))\s*\(?")


def test_today_is_the_environment_variable_when_set(monkeypatch) -> None:
    monkeypatch.setenv(clock.ENV, "2031-02-28")
    assert clock.today() == date(2031, 2, 28)
    assert vintage.to_timestamp(None).date() == date(2031, 2, 28)  # "no report date" means the clock's today
    assert periods.as_of_date(None) == date(2031, 2, 28)
    monkeypatch.delenv(clock.ENV)
    assert clock.today() == date.today()


@pytest.mark.parametrize("value", ["2031-02-30", "tomorrow", "20310228"])
def test_a_malformed_clock_is_a_usage_error_on_one_line(monkeypatch, capsys, value: str) -> None:
    monkeypatch.setenv(clock.ENV, value)
    with pytest.raises(ValueError, match=clock.ENV):
        clock.today()
    with pytest.raises(SystemExit) as exit_:
        cli_main(["validate"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and clock.ENV in err


def test_a_future_publication_date_is_judged_by_the_clock(monkeypatch) -> None:
    # Mutation: validate.py back to date.today() -> no figure is "in the future" of 2020 and this fails.
    monkeypatch.setenv(clock.ENV, "2020-01-01")
    future = [p for p in validate.validate_dir(REAL)[1] if p.message.endswith("is in the future")]
    assert future and all(p.file.endswith("observations.csv") and p.column == "published" for p in future)
    monkeypatch.setenv(clock.ENV, "2030-01-01")
    assert validate.validate_dir(REAL)[1] == []


def test_the_default_report_quarter_follows_the_clock(monkeypatch) -> None:
    monkeypatch.setenv(clock.ENV, "2026-04-01")
    assert periods.briefing_dates(None)[0] == "2026Q1"
    monkeypatch.setenv(clock.ENV, "2029-12-30")
    assert periods.briefing_dates(None)[0] == "2029Q3"
    monkeypatch.setenv(clock.ENV, "2029-12-31")  # the quarter's last day completes it
    assert periods.briefing_dates(None)[0] == "2029Q4"
    # a named quarter does not move with it
    assert periods.briefing_dates("2025Q4") == ("2025Q4", date(2025, 10, 1), date(2025, 12, 31), date(2025, 9, 30))


def run_status(today: str, *options: str) -> subprocess.Popen:
    """Start `python -m analysis status --format csv` with the clock fixed to ``today``."""
    env = {**os.environ, clock.ENV: today}
    return subprocess.Popen([sys.executable, "-m", "analysis", "status", "--format", "csv", *options],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)


def test_a_past_quarters_status_is_the_same_whatever_today_is() -> None:
    # Mutation: vintage.to_timestamp ignoring its as_of (reading clock.today()) -> the tables differ
    # (horizon_kind and the data seen change between 2026 and 2030) and this fails.
    runs = {
        "2026-12-07": run_status("2026-12-07", "--as-of", "2025-12-31"),
        "2030-01-01": run_status("2030-01-01", "--as-of", "2025-12-31"),
        # no --as-of: the clock's today is the report date (not the machine's: 2030 is years ahead of it)
        "default 2030": run_status("2030-01-01"),
        "as of 2030": run_status("2026-12-07", "--as-of", "2030-01-01"),
        "ningbo": run_status("2030-01-01", "--as-of", "2025-12-31", "--region", "ningbo", "--format", "json"),
    }
    out = {}
    for name, process in runs.items():
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, (name, stderr.decode())
        out[name] = stdout
    assert out["2026-12-07"] == out["2030-01-01"]
    assert out["default 2030"] == out["as of 2030"] != out["2030-01-01"]
    assert out["2026-12-07"].count(b"\n") > 10
    # the default is every region; --region keeps its own rows, the same whatever today is
    ningbo_rows = json.loads(out["ningbo"])
    assert {row["region"] for row in ningbo_rows} == {"ningbo"}
    every = {line.split(b",")[0].decode() for line in out["2026-12-07"].splitlines()[1:]}
    assert {row["target_id"] for row in ningbo_rows} < every


def source_files() -> list[tuple[str, str]]:
    """Return (name, code) of every Python file of the package and scripts and every notebook code cell."""
    files = [(str(p.relative_to(ROOT)), p.read_text(encoding="utf-8"))
             for p in sorted([*(ROOT / "src" / "analysis").rglob("*.py"), *(ROOT / "scripts").rglob("*.py")])
             if p != Path(clock.__file__)]
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        files += [(f"{notebook.name}[{i}]", "".join(c["source"])) for i, c in enumerate(cells) if c["cell_type"] == "code"]
    return files


def test_nothing_but_the_clock_reads_todays_date() -> None:
    found = [f"{name}:{code[:m.start()].count(chr(10)) + 1}: {m.group()}"
             for name, code in source_files() for m in NOW.finditer(code)]
    assert found == [], "read the date through analysis.data.clock.today(): " + "; ".join(found)


@pytest.mark.parametrize("line", ["x = date.today()", "now = datetime.now(tz)", "pd.Timestamp.now()", "pd.Timestamp.today()",
                                  "dt.date.today()", "datetime.datetime.utcnow()"])
def test_the_source_check_catches_each_spelling(line: str) -> None:
    assert NOW.search(line)


def test_the_briefing_is_dated_by_its_data_not_by_today(monkeypatch) -> None:
    from dataclasses import replace

    import pandas as pd

    from analysis.data import loader
    from analysis.report import markdown

    dataset = loader.load(REAL)
    latest = max(dataset.observations["published"].max(), dataset.sources["published"].max()).date()
    cut_off = date(2023, 3, 31)
    assert vintage.edition_date(dataset, cut_off) == latest
    assert vintage.edition_date(dataset, date(2031, 3, 31)) == date(2031, 3, 31)  # never before its cut-off
    later = dataset.observations.iloc[[0]].copy()
    later["published"] = pd.Timestamp(latest) + pd.Timedelta(days=3)
    newer = replace(dataset, observations=pd.concat([dataset.observations, later], ignore_index=True))
    assert vintage.edition_date(newer, cut_off) == latest + pd.Timedelta(days=3).to_pytimedelta()
    titles = set()
    for today in ("2027-01-05", "2031-06-30"):
        monkeypatch.setenv(clock.ENV, today)
        titles.add(markdown.briefing_title("2023Q1", date(2023, 1, 1), cut_off, "en", vintage.edition_date(dataset, cut_off)))
    assert len(titles) == 1 and latest.strftime("%Y") in titles.pop()
    monkeypatch.setenv(clock.ENV, "2031-06-30")
    assert "2031" not in markdown.briefing_title("2023Q1", date(2023, 1, 1), cut_off, "en")  # no date given: the cut-off
