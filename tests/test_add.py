"""`python -m analysis add`: a checked append, conflicts need a decision, bad values write nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

from analysis import data

ROOT = Path(__file__).resolve().parents[1]
# The README's example: the census revision of Ningbo's 2023 GDP, as printed in the 2024 bulletin.
REVISION = [
    "--indicator", "gdp", "--region", "ningbo", "--period", "2023", "--value", "17146.6",
    "--status", "revised", "--source-id", "nbtv_2025_01", "--published", "2025-03-20",
    "--quote", "2023年全市地区生产总值修订为17146.6亿元",
    "--notes", "revised after the 5th economic census (2024 bulletin)",
]


def without_revision(tmp_path: Path) -> Path:
    """Copy data/ and remove the revised 2023 GDP row, as before the 2024 bulletin."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    path = target / "observations.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith("gdp,ningbo,2023,17146.6,")]
    assert len(kept) == len(lines) - 1
    path.write_text("".join(kept).replace(
        "gdp,ningbo,2023,16452.8,亿元,,preliminary,tqbk_2024_01,2024-03-31,true,false,",
        "gdp,ningbo,2023,16452.8,亿元,,preliminary,tqbk_2024_01,2024-03-31,true,true,"), encoding="utf-8")
    return target


def run_add(data_dir: Path, *options: str) -> subprocess.CompletedProcess:
    """Run the add command on a data directory."""
    return subprocess.run([sys.executable, "-m", "analysis", "add", "--data-dir", str(data_dir), *options],
                          capture_output=True, text=True)


def test_conflicting_revision_needs_a_decision(tmp_path: Path) -> None:
    data_dir = without_revision(tmp_path)
    before = (data_dir / "observations.csv").read_bytes()
    result = run_add(data_dir, *REVISION)
    assert result.returncode == 1
    assert "conflict" in result.stderr and "16452.8" in result.stderr and "--prefer" in result.stderr
    assert (data_dir / "observations.csv").read_bytes() == before


def test_preferred_revision_is_appended_and_selected(tmp_path: Path) -> None:
    data_dir = without_revision(tmp_path)
    result = run_add(data_dir, *REVISION, "--prefer")
    assert result.returncode == 0, result.stderr
    dataset = data.load(data_dir)
    assert data.annual_series(dataset, "gdp", "ningbo", "2025-12-31")[2023] == 17146.6
    assert data.annual_series(dataset, "gdp", "ningbo", "2024-12-31")[2023] == 16452.8
    rows = dataset.observations.query("indicator_id == 'gdp' and region == 'ningbo' and period == '2023'")
    assert rows["preferred"].sum() == 1


def test_invalid_value_writes_nothing(tmp_path: Path) -> None:
    data_dir = without_revision(tmp_path)
    before = (data_dir / "observations.csv").read_bytes()
    result = run_add(data_dir, *[("17146,6" if x == "17146.6" else x) for x in REVISION], "--prefer")
    assert result.returncode == 1
    assert "observations.csv:" in result.stderr and ":value:" in result.stderr and "not a number" in result.stderr
    assert (data_dir / "observations.csv").read_bytes() == before


def test_new_source_needs_title_and_publisher(tmp_path: Path) -> None:
    data_dir = without_revision(tmp_path)
    options = [("new_source_2026" if x == "nbtv_2025_01" else x) for x in REVISION]
    result = run_add(data_dir, *options, "--prefer")
    assert result.returncode == 1 and "--source-title" in result.stderr


def test_template_rows_are_added(tmp_path: Path) -> None:
    data_dir = without_revision(tmp_path)
    template = tmp_path / "new.csv"
    header = (ROOT / "data" / "templates" / "observations_template.csv").read_text(encoding="utf-8")
    template.write_text(header + "gdp,ningbo,2023,17146.6,亿元,,revised,nbtv_2025_01,2025-03-20,false,true,"
                        "2023年全市地区生产总值修订为17146.6亿元,census revision\n", encoding="utf-8")
    result = run_add(data_dir, "--from-csv", str(template), "--prefer")
    assert result.returncode == 0, result.stderr
    observations = pd.read_csv(data_dir / "observations.csv", dtype=str)
    assert (observations["value"] == "17146.6").sum() == 1
