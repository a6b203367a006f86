"""`status` and `coverage` fit a terminal by default (names, units, 100 columns); --wide prints every column; help shows examples."""

from __future__ import annotations

import pytest

from analysis import cli
from analysis.assess import statuses
from analysis.data import coverage, loader, schema
from analysis.report import status_formats, terminal
from analysis.report.wording import indicator_name

DATASET = loader.load(schema.DEFAULT_DATA_DIR)
AS_OF = "2026-09-30"
TABLES = {region: statuses.status_table(DATASET, AS_OF, None if region == "all" else region) for region in ("all", "ningbo")}


def widths(text: str) -> list[int]:
    """Return the display width of every line."""
    return [terminal.display_width(line) for line in text.splitlines()]


def column(text: str, k: int = 0) -> str:
    """Return the text of a terminal table's k-th column, every line's part joined (spaces dropped)."""
    lines = text.splitlines()
    spans, start = [], 0
    for dashes in lines[1].split("  "):  # the rule under the header: dashes as wide as each column
        spans.append((start, start + len(dashes)))
        start += len(dashes) + 2
    low, high = spans[k]
    parts = []
    for line in lines[2:]:
        if not line.strip():
            break
        used, kept = 0, []
        for char in line:
            if low <= used and used + terminal.char_width(char) <= high:
                kept.append(char)
            used += terminal.char_width(char)
        parts.append("".join(kept))
    return "".join(parts).replace(" ", "")


def test_display_width_counts_wide_characters_twice() -> None:
    assert terminal.display_width("宁波") == 4 and terminal.display_width("R&D") == 3
    assert terminal.display_width("（2027年）") == 2 + 4 + 2 + 2
    assert terminal.char_width("，") == 2 and terminal.char_width("a") == 1


@pytest.mark.parametrize("text", ["高新技术企业数（存量）≥13,000家（2027年）", "Enterprise R&D institutions at municipal level and above >5,000 firms (2027)",
                                  "温州国家高新区（浙南科技城）管委会 annual reports and 温州市科学技术局 work summaries (kjj.wenzhou.gov.cn)"])
@pytest.mark.parametrize("width", [7, 12, 20, 33])
def test_wrap_fits_keeps_every_character_and_never_starts_a_line_with_a_closing_mark(text: str, width: int) -> None:
    lines = terminal.wrap(text, width)
    assert all(terminal.display_width(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert not any(line[:1] in terminal.CLOSERS for line in lines)


@pytest.mark.parametrize("region", ["all", "ningbo"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_status_lines_fit_100_columns_with_names_and_units(region: str, lang: str) -> None:
    table = TABLES[region]
    text = status_formats.format_status(table, "table", DATASET, lang)
    assert max(widths(text)) <= terminal.WIDTH
    assert not any(tid in text for tid in table["target_id"])  # names, not ids
    joined = column(text)
    for indicator in set(table["indicator_id"]):
        assert indicator_name(DATASET, indicator, lang).replace(" ", "") in joined
    assert ("家" if lang == "zh" else "firms") in text and "%" in text
    wide = status_formats.format_status(table, "table", DATASET, lang, wide=True)
    assert max(widths(wide)) > terminal.WIDTH  # --wide: every column as before, lines as long as they need
    assert wide.splitlines()[0].split() == ["target_id", "year", "target", "latest", "progress", "R", "projected", "P(meet)", "status", "why"]
    assert all(tid in wide for tid in table["target_id"])


@pytest.mark.parametrize("region", ["all", "ningbo"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_coverage_lines_fit_100_columns_with_names_and_units(region: str, lang: str) -> None:
    table = coverage.coverage_table(DATASET, region, AS_OF)
    text = status_formats.coverage_text(DATASET, table, region, lang)
    assert max(widths(text)) <= terminal.WIDTH
    assert not any(tid in text for tid in table["target_id"])
    with_data = table[table["n_years"] > 0]
    years = column(text, 1)
    assert len(with_data) and all(y.replace(" ", "") in years for y in with_data["years"])
    names = column(text)
    assert all(indicator_name(DATASET, i, lang).replace(" ", "") in names for i in with_data["indicator_id"])
    wide = status_formats.coverage_text(DATASET, table, region, lang, wide=True)
    assert max(widths(wide)) > terminal.WIDTH
    for header in ("target_id", "region", "indicator_id", "years", "latest_period", "latest", "status", "source_id"):
        assert header in wide.splitlines()[0].split()
    assert all(tid in wide for tid in table["target_id"]) and all(s in wide for s in with_data["source_id"])


def test_a_region_without_targets_says_so() -> None:
    empty = statuses.status_table(DATASET, AS_OF, "zhejiang")
    assert status_formats.format_status(empty, "table", DATASET, "en") == "No targets for this region.\n"


def test_the_commands_print_fitting_lines_by_default_and_every_column_with_wide(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["status", "--region", "all", "--as-of", AS_OF]) == 0
    out = capsys.readouterr().out
    assert max(widths(out)) <= terminal.WIDTH and "Status" in out and "targets ahead (" in out
    assert cli.main(["coverage", "--region", "all", "--as-of", AS_OF, "--lang", "zh", "--wide"]) == 0
    out = capsys.readouterr().out
    assert max(widths(out)) > terminal.WIDTH and "t001_high_tech_enterprises_2027" in out


COMMANDS = ["validate", "coverage", "status", "forecast", "bench", "reports", "add", "request", "extract", "fonts"]


def help_text(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Return what --help prints."""
    with pytest.raises(SystemExit):
        cli.main(argv + ["--help"])
    return capsys.readouterr().out


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_examples_and_cites_no_missing_document(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    text = help_text([command], capsys)
    assert "examples:\n" in text and f"\n  python -m analysis {command}" in text
    assert "DESIGN" not in text


def test_main_help_and_the_terminal_commands_examples(capsys: pytest.CaptureFixture[str]) -> None:
    main = help_text([], capsys)
    assert "examples:\n" in main and "\n  python -m analysis status\n" in main and "DESIGN" not in main
    assert "DESIGN" not in (cli.__doc__ or "")
    status = help_text(["status"], capsys)
    assert "\n  python -m analysis status --wide\n" in status and "--lang" in status
    assert "\n  python -m analysis coverage --region all --lang zh\n" in help_text(["coverage"], capsys)
