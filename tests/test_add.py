"""`python -m analysis add`: a checked append, conflicts need a decision, bad values write nothing."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from analysis.data import loader, schema, validate, vintage

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
    dataset = loader.load(data_dir)
    assert vintage.annual_series(dataset, "gdp", "ningbo", "2025-12-31")[2023] == 17146.6
    assert vintage.annual_series(dataset, "gdp", "ningbo", "2024-12-31")[2023] == 16452.8
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


# ---------------------------------------------------------------------------
# Files saved by Excel or WPS keep their conventions; an edit rewrites no unrelated line


def excel_bytes(path: Path, quote_all: bool = False) -> bytes:
    """Return a CSV re-saved as Excel's "CSV UTF-8" does: byte-order mark, CRLF, quoted line breaks."""
    with path.open(encoding="utf-8", newline="") as handle:
        records = list(csv.reader(handle))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n", quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL).writerows(records)
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")


def as_excel(data_dir: Path, quote_all: bool = False) -> None:
    """Re-save every table as Excel would."""
    for filename in schema.TABLE_FILES.values():
        (data_dir / filename).write_bytes(excel_bytes(data_dir / filename, quote_all))


@pytest.mark.parametrize("quote_all", [False, True])
def test_add_to_excel_saved_files_keeps_every_other_line_byte_for_byte(tmp_path: Path, quote_all: bool) -> None:
    data_dir = without_revision(tmp_path)
    as_excel(data_dir, quote_all)
    path = data_dir / "observations.csv"
    rows = read_records(path)
    # an Alt+Enter line break inside a quote of an unrelated row
    rows[5][rows[0].index("quote")] = "第一行\n第二行"
    path.write_bytes(b"\xef\xbb\xbf" + to_csv(rows, "\r\n", quote_all).encode("utf-8"))
    before = path.read_bytes()
    sources_before = (data_dir / "sources.csv").read_bytes()
    assert validate.validate_dir(data_dir)[1] == []

    result = run_add(data_dir, *REVISION, "--prefer")
    assert result.returncode == 0, result.stderr

    after = path.read_bytes()
    assert after.startswith(b"\xef\xbb\xbf") and b"\n" not in after.replace(b"\r\n", b"").replace("第一行\n第二行".encode(), b"")
    old_lines, new_lines = before.split(b"\r\n"), after.split(b"\r\n")
    assert old_lines[-1] == b"" and new_lines[-1] == b""  # still ends with CRLF
    assert len(new_lines) == len(old_lines) + 1
    changed = [i for i, (old, new) in enumerate(zip(old_lines[:-1], new_lines)) if old != new]
    # exactly one old line changed: the preliminary 2023 GDP vintage is no longer preferred
    assert len(changed) == 1
    assert new_lines[changed[0]] == old_lines[changed[0]].replace(b"true,true,", b"true,false,").replace(b'"true","true",', b'"true","false",')
    appended = new_lines[-2].decode("utf-8")
    expected = "gdp,ningbo,2023,17146.6,亿元,,revised,nbtv_2025_01,2025-03-20,false,true,2023年全市地区生产总值修订为17146.6亿元,revised after the 5th economic census (2024 bulletin)"
    assert appended == (to_csv([expected.split(",")], "", True) if quote_all else expected)
    assert (data_dir / "sources.csv").read_bytes() == sources_before
    assert loader.load(data_dir).observations["quote"].iloc[4] == "第一行\n第二行"


def assert_existing_vintage_kept(data_dir: Path) -> None:
    """After --keep-existing: the preliminary 16452.8 stays the preferred 2023 GDP, the new 17146.6 is appended not preferred."""
    dataset = loader.load(data_dir)
    rows = dataset.observations.query("indicator_id == 'gdp' and region == 'ningbo' and period == '2023'")
    assert dict(zip(rows["value"], rows["preferred"])) == {16452.8: True, 17146.6: False}
    assert vintage.annual_series(dataset, "gdp", "ningbo", "2025-12-31")[2023] == 16452.8  # still the figure selected


def test_add_to_a_file_without_final_newline_appends_on_a_new_line(tmp_path: Path) -> None:
    data_dir = without_revision(tmp_path)
    path = data_dir / "observations.csv"
    path.write_bytes(path.read_bytes().rstrip(b"\n"))
    before = path.read_bytes()
    result = run_add(data_dir, *REVISION, "--keep-existing")
    assert result.returncode == 0, result.stderr
    after = path.read_bytes()
    assert after.startswith(before + b"\ngdp,ningbo,2023,17146.6,") and after.endswith(b"\n")
    assert_existing_vintage_kept(data_dir)


def test_template_saved_by_excel_is_added(tmp_path: Path) -> None:
    data_dir = without_revision(tmp_path)
    template = tmp_path / "new.csv"
    header = (ROOT / "data" / "templates" / "observations_template.csv").read_text(encoding="utf-8").strip().split(",")
    row = ["gdp", "ningbo", "2023", "17146.6", "亿元", "", "revised", "nbtv_2025_01", "2025-03-20", "false", "true",
           "2023年全市地区生产总值\n修订为17146.6亿元", "census revision"]
    template.write_bytes(b"\xef\xbb\xbf" + to_csv([header, row], "\r\n", False).encode("utf-8"))
    result = run_add(data_dir, "--from-csv", str(template), "--prefer")
    assert result.returncode == 0, result.stderr
    added = loader.load(data_dir).observations.query("value == 17146.6")
    assert added["quote"].tolist() == ["2023年全市地区生产总值\n修订为17146.6亿元"]


def read_records(path: Path) -> list[list[str]]:
    """Read a CSV (BOM tolerated) as lists of strings."""
    text = path.read_bytes().decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text, newline="")))


def to_csv(records: list[list[str]], newline: str, quote_all: bool) -> str:
    """Return records as CSV text."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL).writerows(records)
    return buffer.getvalue()


def test_add_keeps_hand_quoted_untouched_lines_verbatim(tmp_path: Path) -> None:
    """Quoting that a CSV writer would not produce (WPS's 'quote all text', a hand edit) survives an add."""
    data_dir = without_revision(tmp_path)
    path = data_dir / "observations.csv"
    lines = path.read_bytes().split(b"\n")
    fields = lines[9].split(b",")
    lines[9] = b",".join(b'"' + f + b'"' if f and not f.startswith(b'"') else f for f in fields[:4]) + b"," + b",".join(fields[4:])
    path.write_bytes(b"\n".join(lines))
    assert validate.validate_dir(data_dir)[1] == []
    before = path.read_bytes().split(b"\n")
    result = run_add(data_dir, *REVISION, "--keep-existing")
    assert result.returncode == 0, result.stderr
    after = path.read_bytes().split(b"\n")
    assert after[:-2] == before[:-1] and after[9].startswith(b'"')
    assert_existing_vintage_kept(data_dir)


# ---------------------------------------------------------------------------
# definition decisions written with the figure (the audit page lists every figure bearing on a target)

RD_2026 = ["--indicator", "rd_gdp_ratio", "--region", "ningbo", "--period", "2026", "--value", "3.7",
           "--source-id", "nbkjj_2025_01", "--published", "2026-11-30"]


def copy_data(tmp_path: Path) -> Path:
    """A copy of data/ to add to."""
    target = tmp_path / "data"
    shutil.copytree(ROOT / "data", target)
    return target


def audit_lines(data_dir: Path) -> list[str]:
    """The lines of definition_audit.csv."""
    return (data_dir / "definition_audit.csv").read_text(encoding="utf-8").splitlines()


def test_a_figure_of_a_target_gets_its_used_decision_for_every_target_it_feeds(tmp_path: Path) -> None:
    from analysis.report import audit

    data_dir = copy_data(tmp_path)
    before = audit_lines(data_dir)
    result = run_add(data_dir, *RD_2026)
    assert result.returncode == 0, result.stderr
    added = audit_lines(data_dir)[len(before):]
    assert audit_lines(data_dir)[: len(before)] == before
    # Ningbo's R&D intensity feeds three targets (2027 in documents 001 and 002, 2022 in 004): one decision each
    assert [line.split(",")[:5] for line in added] == [
        ["t001_rd_gdp_ratio_2027", "rd_gdp_ratio", "ningbo", "2026", "used"],
        ["t002_rd_gdp_ratio_2027", "rd_gdp_ratio", "ningbo", "2026", "used"],
        ["t004_ningbo_rd_gdp_ratio_2022", "rd_gdp_ratio", "ningbo", "2026", "used"],
    ]
    dataset = loader.load(data_dir)
    assert audit.undecided_figures(dataset) == []
    shown = audit.definition_decisions(dataset, "zh")
    assert "按目标本身的指标录入，口径与指标定义一致。" in set(shown["audit.reason"])


def test_a_related_figure_keeps_its_recorded_decision(tmp_path: Path) -> None:
    data_dir = copy_data(tmp_path)
    result = run_add(data_dir, "--indicator", "enterprise_rd_centers_provincial_plus", "--region", "ningbo", "--period", "2026",
                     "--value", "1500", "--source-id", "nbkjj_2025_01", "--published", "2026-11-30")
    assert result.returncode == 0, result.stderr
    assert audit_lines(data_dir)[-1] == ("t001_enterprise_rd_institutions_2027,enterprise_rd_centers_provincial_plus,ningbo,2026,related,"
                                         "Provincial level and above only; the target counts municipal level and above.,仅省级以上；目标统计市级以上。")


def test_a_figure_bearing_on_no_target_leaves_the_audit_file_untouched(tmp_path: Path) -> None:
    data_dir = copy_data(tmp_path)
    before = (data_dir / "definition_audit.csv").read_bytes()
    result = run_add(data_dir, "--indicator", "gdp", "--region", "ningbo", "--period", "2026", "--value", "19000",
                     "--source-id", "nbkjj_2025_01", "--published", "2026-11-30")
    assert result.returncode == 0, result.stderr
    assert (data_dir / "definition_audit.csv").read_bytes() == before


def test_another_decision_needs_reasons_in_both_languages_and_then_is_recorded(tmp_path: Path) -> None:
    data_dir = copy_data(tmp_path)
    files = {name: (data_dir / name).read_bytes() for name in ("observations.csv", "definition_audit.csv")}
    refused = run_add(data_dir, *RD_2026, "--decision", "related", "--reason-en", "Industrial enterprises only.")
    assert refused.returncode == 1 and "--reason-zh" in refused.stderr
    assert {name: (data_dir / name).read_bytes() for name in files} == files
    result = run_add(data_dir, *RD_2026, "--decision", "related", "--reason-en", "Industrial enterprises only.",
                     "--reason-zh", "仅规模以上工业企业。")
    assert result.returncode == 0, result.stderr
    assert audit_lines(data_dir)[-1].endswith("ningbo,2026,related,Industrial enterprises only.,仅规模以上工业企业。")


def test_a_year_to_date_figure_of_a_target_is_recorded_as_excluded(tmp_path: Path) -> None:
    data_dir = copy_data(tmp_path)
    result = run_add(data_dir, "--indicator", "rd_gdp_ratio", "--region", "ningbo", "--period", "2026-09", "--value", "3.5",
                     "--source-id", "nbkjj_2025_01", "--published", "2026-11-30")
    assert result.returncode == 0, result.stderr
    assert audit_lines(data_dir)[-3].startswith("t001_rd_gdp_ratio_2027,rd_gdp_ratio,ningbo,2026-09,excluded,Year-to-date")
