"""`python -m analysis add` with junk in any option: `file:row:column: message` lines, exit 1,
no traceback, and the data files untouched."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[1]
PROBLEM_LINE = re.compile(r"^(?P<file>[^\n:]+):(?P<row>\d+):(?P<column>[^:\n]+): (?P<message>.+)$")
# A valid new vintage: the census revision of Ningbo's 2023 GDP (removed from the copy first).
GOOD = {"indicator": "gdp", "region": "ningbo", "period": "2023", "value": "17146.6", "status": "revised",
        "source-id": "nbtv_2025_01", "published": "2025-03-20", "qualifier": ""}
COLUMN_OF = {"indicator": "indicator_id", "source-id": "source_id"}
JUNK = {
    "period": ["20x1", "2024-13", "٢٠٢٤", "nan", "=2024"],
    "value": ["nan", "inf", "-inf", "1e400", "12,3", "1_000", "٣", "=1+1", ""],
    "published": ["2025-02-30", "20x1-01-01", "0001-01-01", "2025/03/20", "nan"],
    "status": ["rumour", "OFFICIAL", "=1"],
    "qualifier": [">>", "≈", "=1"],
    "indicator": ["no_such_indicator"],
    "region": ["atlantis"],
}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of data/ that every example must leave byte for byte as it was."""
    target = tmp_path_factory.mktemp("add") / "data"
    shutil.copytree(ROOT / "data", target)
    path = target / "observations.csv"
    lines = path.read_bytes().splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(b"gdp,ningbo,2023,17146.6,")]
    assert len(kept) == len(lines) - 1
    path.write_bytes(b"".join(kept))
    return target


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(option=st.sampled_from(sorted(JUNK)), data=st.data())
def test_junk_option_is_reported_and_nothing_is_written(data_dir: Path, capsys, option: str, data: st.DataObject) -> None:
    junk = data.draw(st.sampled_from(JUNK[option]), label="junk")
    before = {p.name: p.read_bytes() for p in sorted(data_dir.glob("*.csv"))}
    options = {**GOOD, option: junk}
    argv = ["add", "--data-dir", str(data_dir), "--keep-existing"] + [f"--{k}={v}" for k, v in options.items()]
    code = cli_main(argv)
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err
    assert {p.name: p.read_bytes() for p in sorted(data_dir.glob("*.csv"))} == before
    problems = [PROBLEM_LINE.match(line) for line in err.splitlines() if line.startswith(str(data_dir))]
    column = COLUMN_OF.get(option, option)
    if option == "value" and junk == "":
        assert "missing option(s): --value" in err
        return
    assert problems and all(problems), err
    assert any(m["file"].endswith("observations.csv") and m["column"] == column for m in problems), err


def file_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under a folder, by relative path."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_good_row_is_accepted(data_dir: Path, capsys, tmp_path: Path) -> None:
    before = file_bytes(data_dir)
    options = [f"--{k}={v}" for k, v in GOOD.items()]
    assert cli_main(["add", "--data-dir", str(data_dir), "--keep-existing", "--dry-run"] + options) == 0, capsys.readouterr().err
    assert "ok: 1 observation(s) would be added (dry run, nothing written)" in capsys.readouterr().out
    assert file_bytes(data_dir) == before  # a dry run writes nothing, anywhere in the data directory
    # without --dry-run the same row is written: the dry run said yes to a row that really is accepted
    copy = tmp_path / "data"
    shutil.copytree(data_dir, copy)
    assert cli_main(["add", "--data-dir", str(copy), "--keep-existing"] + options) == 0, capsys.readouterr().err
    added = (copy / "observations.csv").read_bytes()[len(before["observations.csv"]):].decode("utf-8")
    assert added.startswith("gdp,ningbo,2023,17146.6,") and added.count("\n") == 1
