"""`extract FILE --output proposals.xlsx` → review → `add --from proposals.xlsx`, and what a real PDF showed:
the statistics year (not the publication year), the page in the quote's location, Kangxi-radical lookalikes
in quotes, and table rows of other places. Every document is written here (HTML, and PDFs made with
matplotlib's PDF backend and the project's CJK font), every add runs on a copy of data/."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

from analysis.data import batch, schema, workbook
from analysis.data.extract import candidates, documents, phrases

DATA = schema.DEFAULT_DATA_DIR
BULLETIN = "2023年宁波市国民经济和社会发展统计公报"


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], capture_output=True, text=True, timeout=180)


def write_pdf(path: Path, pages: list[list[str]]) -> None:
    """Write a PDF with one page per list of lines (text drawn in the CJK font, extractable)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.backends.backend_pdf import PdfPages
    from matplotlib.font_manager import FontProperties

    from analysis.report import plots

    font = FontProperties(fname=str(plots.cjk_font_path()))
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        for lines in pages:
            fig = plt.figure(figsize=(9, 5))
            for i, line in enumerate(lines):
                fig.text(0.02, 0.92 - 0.08 * i, line, fontproperties=font, fontsize=10)
            pdf.savefig(fig)
            plt.close(fig)


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def data_copy(tmp_path: Path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(DATA, target)
    return target


# A bulletin for 2023 as its PDF comes: the publisher's name above the title, a dateline in 2024 under it,
# a sentence running on to the next page across the page number, figures with and without a year.
PDF_PAGES = [
    ["宁波市统计局", BULLETIN, "2024年3月20日",
     "全年全市实现地区生产总值16452.8亿元，比上年增长5.5%。",
     "年末，全市有效高新技术企业突破",
     "1"],
    ["6500家，全市研究与试验发展经费支出占地区生产总值比重为3.08%。",
     "2023年，全市技术合同成交额突破700亿元。",
     "年末全市有效⾼新技术企业（含，）突破6500家。",
     "2"],
]


@pytest.fixture
def bulletin_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "bulletin.pdf"
    write_pdf(path, PDF_PAGES)
    return path


def test_a_2024_published_pdf_bulletin_gives_its_2023_figures(tmp_path: Path, bulletin_pdf: Path) -> None:
    result = run_cli("extract", str(bulletin_pdf), "--region", "ningbo", "--published", "2024-03-20", "--status", "official")
    assert result.returncode == 0, result.stderr
    rows = csv_rows(result.stdout)
    assert [(r["indicator_id"], r["period"], r["value"]) for r in rows] == [
        ("gdp", "2023", "16452.8"), ("high_tech_enterprises", "2023", "6500"), ("rd_gdp_ratio", "2023", "3.08"),
        ("tech_contract_value", "2023", "700")]


def test_the_page_of_each_quote_is_in_its_location(bulletin_pdf: Path) -> None:
    doc = documents.read_document(bulletin_pdf)
    cands = candidates.extract(doc, "ningbo", phrases.load_config(DATA))
    located = {(c.indicator_id, c.value): c.location for c in cands}
    # the sentence of the firms and R&D starts on page 1 and ends on page 2: its page is where it starts,
    # and the page number "1" between its halves is not read into the figure (not 16500 firms)
    assert located == {("gdp", "16452.8"): "p. 1", ("high_tech_enterprises", "6500"): "p. 1",
                       ("rd_gdp_ratio", "3.08"): "p. 1", ("tech_contract_value", "700"): "p. 2"}
    assert documents.Document("t", "x").location(0) == ""  # not a PDF: no page


def test_a_kangxi_radical_in_a_pdf_quote_is_stored_as_the_standard_character(bulletin_pdf: Path) -> None:
    assert "⾼" in "".join(documents.pdf_pages(bulletin_pdf))  # the PDF's text holds the lookalike (U+2FBC)
    result = run_cli("extract", str(bulletin_pdf), "--region", "ningbo", "--published", "2024-03-20")
    quotes = [r["quote"] for r in csv_rows(result.stdout)]
    assert "年末全市有效高新技术企业（含，）突破6500家。" not in quotes  # the same figure: the first quote is kept
    doc = documents.Document(BULLETIN, "年末全市有效⾼新技术企业（含，）突破6600家。")
    [cand] = candidates.extract(doc, "ningbo", phrases.load_config(DATA), own_region="ningbo")
    assert cand.quote == "年末全市有效高新技术企业（含，）突破6600家。"  # 高 standard, ，（） still full-width


@pytest.mark.parametrize("lookalike, standard", [
    ("⼈⺠⽣活", "人民生活"),        # Kangxi radicals (U+2F08, U+2F63) and a supplement form (U+2EA0)
    ("⻓江⻔户", "长江门户"),        # simplified supplement forms (U+2ED3, U+2ED4)
    ("⺟", "母"),                  # a supplement form with an NFKC mapping
    ("增长５％（全年），达１亿", "增长５％（全年），达１亿"),  # other full-width characters are left alone
])
def test_only_the_radical_blocks_are_mapped(lookalike: str, standard: str) -> None:
    assert phrases.standard_characters(lookalike) == standard


TABLE_HTML = """<html><head><title>2023年宁波市科技统计公报</title></head><body>
<p>2023年，全市R&amp;D经费投入强度达到3.08%。</p>
<p>鄞州区地区生产总值2500亿元。</p>
<table><tr><th>地区</th><th>指标</th><th>数值</th></tr>
<tr><td>嘉兴市</td><td>R&amp;D经费投入强度（%）</td><td>3.12</td></tr>
<tr><td>江山市</td><td>R&amp;D经费投入强度（%）</td><td>2.01</td></tr>
<tr><td>宁波市</td><td>R&amp;D经费投入强度（%）</td><td>3.01</td></tr>
<tr><td>鄞州区</td><td>R&amp;D经费投入强度（%）</td><td>3.5</td></tr>
</table></body></html>"""


def test_table_rows_of_other_places_are_not_proposed(tmp_path: Path) -> None:
    html = tmp_path / "table.html"
    html.write_text(TABLE_HTML, encoding="utf-8")
    pdf = tmp_path / "table.pdf"
    write_pdf(pdf, [["2023年宁波市科技统计公报", "表2 2023年各市R&D经费投入强度（%）", "江山市 2.01", "嘉兴 3.12", "宁波 3.01", "杭州 3.86"]])
    config = phrases.load_config(DATA)
    for path, expected in ((html, [("rd_gdp_ratio", "3.08"), ("rd_gdp_ratio", "3.01")]), (pdf, [("rd_gdp_ratio", "3.01")])):
        cands = candidates.extract(documents.read_document(path), "ningbo", config)
        assert [(c.indicator_id, c.value) for c in cands] == expected, path.name  # only the prose and the row of 宁波


def test_a_date_in_a_sentence_is_not_the_year_of_its_figures() -> None:
    config = phrases.load_config(DATA)
    doc = documents.Document(BULLETIN, "2024年3月20日,市统计局发布:全年全市实现地区生产总值16452.8亿元。截至2024年6月30日,全市有效高新技术企业突破7000家。")
    assert [(c.indicator_id, c.period) for c in candidates.extract(doc, "ningbo", config, own_region="ningbo")] == [
        ("gdp", "2023"), ("high_tech_enterprises", "2024")]


# ------------------------------------------------------------------------------------------- the workbook

def proposals(tmp_path: Path, source: Path, data_dir: Path, *options: str) -> Path:
    out = tmp_path / "proposals.xlsx"
    result = run_cli("extract", str(source), "--region", "ningbo", "--data-dir", str(data_dir), "--output", str(out), *options)
    assert result.returncode == 0, result.stderr
    assert "mark each accept or reject" in result.stderr
    return out


def sheet_rows(path: Path) -> tuple[object, dict[str, int], list[int]]:
    """Return the proposals sheet, its columns by field, and its filled rows."""
    book = load_workbook(path)
    sheet = book[book.sheetnames[1]]
    columns = {batch.header_field(cell.value): cell.column for cell in sheet[workbook.HEADER_ROW] if batch.header_field(cell.value)}
    columns["location"] = next(c.column for c in sheet[workbook.HEADER_ROW] if "found in" in str(c.value))
    rows = [r for r in range(workbook.FIRST_ROW, sheet.max_row + 1) if sheet.cell(r, columns["value"]).value is not None]
    return sheet, columns, rows


def test_the_proposals_workbook_has_the_request_layout_filled_in(tmp_path: Path, bulletin_pdf: Path) -> None:
    out = proposals(tmp_path, bulletin_pdf, DATA, "--published", "2024-03-20", "--status", "official",
                    "--publisher", "宁波市统计局", "--url", "https://tjj.ningbo.gov.cn/art/2024/3/20/x.html")
    sheet, columns, rows = sheet_rows(out)
    assert load_workbook(out).sheetnames == ["说明", "提取结果", "lists"]
    assert sheet.freeze_panes == f"B{workbook.FIRST_ROW}"
    cell = lambda row, name: sheet.cell(row, columns[name]).value  # noqa: E731
    assert [(cell(r, "indicator_id"), cell(r, "period"), cell(r, "value")) for r in rows] == [
        ("gdp", "2023", 16452.8), ("high_tech_enterprises", "2023", 6500), ("rd_gdp_ratio", "2023", 3.08),
        ("tech_contract_value", "2023", 700)]
    first = rows[0]
    assert cell(first, "quote") == "全年全市实现地区生产总值16452.8亿元，比上年增长5.5%。"
    assert (cell(first, "source_title"), cell(first, "publisher"), cell(first, "source_kind")) == (
        BULLETIN, "宁波市统计局", workbook.SOURCE_KIND_LABELS["bulletin"][0])
    assert cell(first, "published").date().isoformat() == "2024-03-20"  # a date cell
    assert cell(first, "status") == batch.STATUS_LABELS["official"][0]
    assert cell(rows[-1], "location") == "bulletin.pdf, p. 2" and cell(rows[-1], "notes") == "extract: bulletin.pdf, p. 2"
    assert all(cell(r, "accept") is None for r in rows)  # the reviewer decides
    letter = sheet.cell(1, columns["accept"]).column_letter
    drop_downs = [v for v in sheet.data_validations.dataValidation if v.type == "list" and letter in str(v.sqref)]
    assert len(drop_downs) == 1 and drop_downs[0].formula1.startswith("lists!")


def test_the_workbook_is_the_same_bytes_twice(tmp_path: Path, bulletin_pdf: Path) -> None:
    first = proposals(tmp_path, bulletin_pdf, DATA, "--published", "2024-03-20").read_bytes()
    second = proposals(tmp_path, bulletin_pdf, DATA, "--published", "2024-03-20").read_bytes()
    assert first == second


def review(path: Path, marks: dict[str, str | None]) -> Path:
    """Mark rows accept or reject by indicator id, as a reviewer would in Excel; save as reviewed.xlsx."""
    book = load_workbook(path)
    sheet = book[book.sheetnames[1]]
    _, columns, rows = sheet_rows(path)
    for row in rows:
        mark = marks.get(sheet.cell(row, columns["indicator_id"]).value)
        sheet.cell(row, columns["accept"], batch.ACCEPT_LABELS[mark][0] if mark else None)
    reviewed = path.with_name("reviewed.xlsx")
    book.save(reviewed)
    return reviewed


def observations(data_dir: Path) -> list[dict[str, str]]:
    return phrases.read_csv_rows(data_dir / "observations.csv")


@pytest.mark.parametrize("kind", ["html", "pdf"])
def test_extract_review_add_adds_the_accepted_rows_only(tmp_path: Path, data_copy: Path, kind: str) -> None:
    if kind == "html":
        source = tmp_path / "bulletin.html"
        source.write_text("<html><head><title>2026年宁波市国民经济和社会发展统计公报</title></head><body>"
                          "<p>全年全市实现地区生产总值20100.5亿元。</p><p>年末全市有效高新技术企业突破9100家。</p>"
                          "<p>全年全市技术合同成交额810亿元。</p></body></html>", encoding="utf-8")
    else:
        source = tmp_path / "bulletin.pdf"
        write_pdf(source, [["宁波市统计局", "2026年宁波市国民经济和社会发展统计公报", "2027年3月20日",
                            "全年全市实现地区生产总值20100.5亿元。"], ["年末全市有效高新技术企业突破9100家。", "全年全市技术合同成交额810亿元。"]])
    out = proposals(tmp_path, source, data_copy, "--published", "2026-11-01", "--status", "official", "--publisher", "宁波市统计局",
                    "--url", f"https://tjj.ningbo.gov.cn/art/2026/{kind}.html")
    reviewed = review(out, {"gdp": "accept", "high_tech_enterprises": "reject"})  # tech_contract_value left unmarked
    before = observations(data_copy)
    dry = run_cli("add", "--from", str(reviewed), "--data-dir", str(data_copy), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "ok: 1 observation(s) would be added" in dry.stdout
    assert "2 row(s) left out by review" in dry.stdout
    assert "marked reject in column accept, row skipped" in dry.stderr and "not marked accept in column accept" in dry.stderr
    assert observations(data_copy) == before
    added = run_cli("add", "--from", str(reviewed), "--data-dir", str(data_copy))
    assert added.returncode == 0, added.stderr
    new = observations(data_copy)[len(before):]
    assert [(r["indicator_id"], r["region"], r["period"], r["value"], r["status"]) for r in new] == [
        ("gdp", "ningbo", "2026", "20100.5", "official")]
    assert new[0]["quote"] == "全年全市实现地区生产总值20100.5亿元。"
    assert new[0]["notes"] == f"extract: bulletin.{kind}" + (", p. 1" if kind == "pdf" else "")
    assert run_cli("validate", "--data-dir", str(data_copy)).returncode == 0


def test_a_workbook_with_no_accepted_row_adds_nothing_and_says_why(tmp_path: Path, data_copy: Path) -> None:
    source = tmp_path / "b.html"
    source.write_text("<html><head><title>2026年宁波市统计公报</title></head><body><p>全年全市实现地区生产总值20100.5亿元。</p></body></html>",
                      encoding="utf-8")
    out = proposals(tmp_path, source, data_copy, "--published", "2026-11-01")
    result = run_cli("add", "--from", str(review(out, {"gdp": "reject"})), "--data-dir", str(data_copy), "--dry-run")
    assert result.returncode == 1
    assert "no row is marked accept in column accept (1 left out)" in result.stderr


def test_an_accept_cell_outside_the_choices_is_named(tmp_path: Path, data_copy: Path) -> None:
    source = tmp_path / "b.html"
    source.write_text("<html><head><title>2026年宁波市统计公报</title></head><body><p>全年全市实现地区生产总值20100.5亿元。</p></body></html>",
                      encoding="utf-8")
    out = proposals(tmp_path, source, data_copy, "--published", "2026-11-01")
    book = load_workbook(out)
    sheet = book[book.sheetnames[1]]
    _, columns, rows = sheet_rows(out)
    sheet.cell(rows[0], columns["accept"], "maybe")
    book.save(out)
    result = run_cli("add", "--from", str(out), "--data-dir", str(data_copy), "--dry-run")
    assert result.returncode == 1
    assert f":提取结果:{rows[0]}:accept: 'maybe' is not one of the choices (accept or reject)" in result.stderr
