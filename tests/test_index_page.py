"""reports/index.html lists each period's targets by name, grouped by theme, with the record's status, linking to their pages."""

from __future__ import annotations

import csv
import html
import re
import shutil
from pathlib import Path

import pytest

from analysis.assess import statuses
from analysis.data import loader, schema
from analysis.report import index_page
from analysis.report.i18n import t
from analysis.report.wording import target_label

REAL = schema.DEFAULT_DATA_DIR
DATASET = loader.load(REAL)
AS_OF = "2026-09-30"
RECORDS = statuses.assessments(DATASET, AS_OF)
HIGH_TECH = "t001_high_tech_enterprises_2027"
RD = "t001_rd_gdp_ratio_2027"


def rendered(out: Path, with_record: bool = True) -> Path:
    """Write a rendered-looking period 2026Q3 (pages of both languages, two projections, the record) under ``out``."""
    period = out / "2026Q3"
    (period / "projection").mkdir(parents=True)
    for lang in ("zh", "en"):
        (period / f"briefing.{lang}.html").write_text("x", encoding="utf-8")
        for tid in (HIGH_TECH, RD):
            (period / "projection" / f"{tid}.{lang}.html").write_text("x", encoding="utf-8")
    if with_record:
        (period / "assessment.json").write_text(statuses.records_json(RECORDS), encoding="utf-8")
    return out


def language_part(page: str, lang: str) -> str:
    """Return one language's block of the page."""
    return re.search(rf'<div lang="{lang}">(.*?)</div>', page, re.S).group(1)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> str:
    return index_page.index_html(rendered(tmp_path_factory.mktemp("reports")), REAL)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_targets_are_listed_by_name_with_the_records_status_and_their_page(page: str, lang: str) -> None:
    part = language_part(page, lang)
    record = next(a for a in RECORDS if a.target_id == HIGH_TECH)
    label = html.escape(target_label(DATASET, record, lang))
    status = t(f"status.{record.status}", lang)
    link = f'<a href="2026Q3/projection/{HIGH_TECH}.{lang}.html">{label}</a> <span class="status s-{record.status}">{status}</span>'
    assert link in part
    assert not re.search(r">\s*t\d{3}_[^<]*</a>", part)  # no raw target id as link text
    assert f'href="2026Q3/briefing.{lang}.html">{t("index.page.briefing", lang)}</a>' in part
    counted = [a for a in RECORDS if a.counted]
    c = statuses.counts(statuses.table_of(RECORDS))
    assert t("index.targets", lang, n=c["targets"] + c["past"]) in part and len(counted) == c["targets"] + c["past"]
    for a in counted:  # every target of the headline counts, by name (escaped), with its status words
        name, words = html.escape(target_label(DATASET, a, lang)), t(f"status.{a.status}", lang)
        assert f"{name}</a> <span class=\"status s-{a.status}\">{words}</span>" in part or f"<li>{name} <span class=\"status s-{a.status}\">{words}" in part


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_targets_are_grouped_by_theme(page: str, lang: str) -> None:
    part = language_part(page, lang)
    themes = [html.unescape(h) for h in re.findall(r"<h4>([^<]*)</h4>", part)]
    assert themes[:2] == [t("theme.rd", lang), t("theme.firms", lang)] and len(themes) == len(set(themes)) >= 5
    firms = part.index(f"<h4>{html.escape(t('theme.firms', lang))}</h4>")
    rd = part.index(f"<h4>{html.escape(t('theme.rd', lang))}</h4>")
    assert rd < part.index(f"{RD}.{lang}.html") < firms < part.index(f"{HIGH_TECH}.{lang}.html")


def test_text_from_data_is_escaped_and_links_are_relative_report_paths(tmp_path: Path) -> None:
    data = tmp_path / "data"
    shutil.copytree(REAL, data)
    path = data / "indicators.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["indicator_id"] == "high_tech_enterprises":
            row["name_en"] = 'High-tech <script>alert("x")</script> firms'
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    page = index_page.index_html(rendered(tmp_path / "reports"), data)
    assert "<script>" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert hrefs and all(re.fullmatch(r"2026Q3/[\w./-]+\.(html|csv)", h) for h in hrefs)
    for bad in ("javascript:alert(1)", "/etc/passwd", "https://example.org/x"):
        with pytest.raises(ValueError):
            index_page.safe_href(bad)


def test_without_a_record_the_pages_are_still_listed_by_name(tmp_path: Path) -> None:
    page = index_page.index_html(rendered(tmp_path, with_record=False), REAL)
    label = target_label(DATASET, DATASET.targets.set_index("target_id").loc[HIGH_TECH].rename(HIGH_TECH), "en")
    assert f">{label}</a>" in language_part(page, "en")


def test_an_unchanged_index_is_not_rebuilt_and_a_new_record_rebuilds_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = rendered(tmp_path)
    monkeypatch.setattr(index_page, "postprocess_html", lambda page: page)
    assert index_page.write_index(out, REAL) is True
    monkeypatch.setattr(loader, "load", lambda *a, **k: pytest.fail("an unchanged index loaded the data"))
    assert index_page.write_index(out, REAL) is False
    monkeypatch.undo()
    monkeypatch.setattr(index_page, "postprocess_html", lambda page: page)
    records = statuses.assessments(DATASET, "2025-12-31")
    (out / "2026Q3" / "assessment.json").write_text(statuses.records_json(records), encoding="utf-8")
    assert index_page.write_index(out, REAL) is True
