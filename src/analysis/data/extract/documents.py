"""Read a saved document (.txt, .html, .pdf): its title, year, region, sentences and the page each is on."""

from __future__ import annotations

import bisect
import datetime as dt
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from analysis.data.extract.patterns import (
    ANNUAL_DOCUMENT,
    BLOCK_TAGS,
    DATE_AFTER_YEAR,
    DATE_LINE,
    DOCUMENT_WORDS,
    HEADING_END,
    PAGE_NUMBER_LINE,
    SENTENCE_END,
    YEAR,
)
from analysis.data.extract.phrases import ExtractError, normalise, standard_characters


@dataclass(frozen=True)
class Document:
    """A saved page: its title, full text, the date it was published (if known) and where each PDF page starts in the text."""

    title: str
    text: str
    published: dt.date | None = None
    page_starts: tuple[int, ...] = ()  # offset in text of pages 1, 2, … (a PDF); empty for other files

    def location(self, offset: int) -> str:
        """Return where a text offset is for a reader: 'p. 3' in a PDF, else ''."""
        return f"p. {bisect.bisect_right(self.page_starts, offset)}" if self.page_starts else ""


def read_document(path: Path, published: dt.date | None = None) -> Document:
    """Return the title and text of a saved .txt, .html/.htm or .pdf file."""
    if not path.is_file():
        raise ExtractError(f"{path}: file not found", exit_code=2)
    suffix = path.suffix.lower()
    starts: tuple[int, ...] = ()
    if suffix in (".html", ".htm"):
        title, text = html_title_text(decode(path.read_bytes(), path))
    elif suffix == ".pdf":
        pages = [without_page_numbers(page) for page in pdf_pages(path)]
        text, starts = join_pages(pages)
        title = title_line(text)
    elif suffix == ".txt":
        text = decode(path.read_bytes(), path)
        title = title_line(text)
    else:
        raise ExtractError(f"{path}: unsupported file type {suffix or '(none)'} (use .txt, .html or .pdf)", exit_code=2)
    if not text.strip():
        raise ExtractError(f"{path}: no text found (a scanned PDF needs OCR first)")
    if suffix == ".txt":
        text = join_wrapped_lines(text)
    return Document(title=standard_characters(title), text=standard_characters(text), published=published, page_starts=starts)


def decode(raw: bytes, path: Path) -> str:
    """Return bytes as text: UTF-8 (with or without BOM), else GB18030 as used by many Chinese sites."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ExtractError(f"{path}: text is neither UTF-8 nor GB18030")


def html_title_text(html: str) -> tuple[str, str]:
    """Return the <title> (else the first <h1>) and the visible text of an HTML page."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["script", "style", "noscript", "template"]):
        hidden.decompose()
    heading = soup.title or soup.find("h1")
    title = heading.get_text(" ", strip=True) if heading else ""
    for tag in soup.find_all(BLOCK_TAGS):
        tag.insert_before("\n")
        tag.append("\n")
    for tag in soup.find_all(["td", "th"]):
        tag.append(" ")
    for tag in soup.find_all("br"):
        tag.replace_with("\n")
    body = soup.body or soup
    return title, body.get_text("")  # inline tags (<span>18147.7</span>亿元) stay inside their sentence


def pdf_pages(path: Path) -> list[str]:
    """Return the text of every page of a PDF."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    pypdf_log = logging.getLogger("pypdf")
    level = pypdf_log.level
    pypdf_log.setLevel(logging.CRITICAL)  # its warnings would break the one-line error
    try:
        reader = PdfReader(str(path))
        return [page.extract_text() or "" for page in reader.pages]
    except (PyPdfError, OSError, ValueError, KeyError, TypeError) as err:
        raise ExtractError(f"{path}: cannot read this PDF ({type(err).__name__}: {err})") from None
    finally:
        pypdf_log.setLevel(level)


def title_line(text: str) -> str:
    """Return a document's title: the first of its first lines that names a document with its year
    ("2023年宁波市国民经济和社会发展统计公报" under the publisher's name), else its first line."""
    lines = [line.strip() for line in text.splitlines() if line.strip()][:HEAD_LINES]
    return next((line for line in lines if DOCUMENT_WORDS.search(line) and title_year(line) is not None
                 and not re.search(r"[。！？!?]", line)), lines[0] if lines else "")


def without_page_numbers(page: str) -> str:
    """Return a page's text without a page-number line at its top or bottom ("- 3 -", "第3页", "3/12"), which
    would otherwise be glued into a sentence running on to the next page."""
    lines = page.splitlines()
    while lines and (not lines[-1].strip() or PAGE_NUMBER_LINE.fullmatch(lines[-1].strip())):
        lines.pop()
    while lines and (not lines[0].strip() or PAGE_NUMBER_LINE.fullmatch(lines[0].strip())):
        lines.pop(0)
    return "\n".join(lines)


def join_pages(pages: list[str]) -> tuple[str, tuple[int, ...]]:
    """Return the text of all pages with wrapped lines joined (also across a page break) and where each page starts."""
    lines: list[tuple[str, int]] = [(line, number) for number, page in enumerate(pages) for line in page.splitlines()]
    text, line_starts = joined_lines([line for line, _ in lines])
    starts = [len(text)] * len(pages)
    for (_, number), start in zip(lines, line_starts):
        starts[number] = min(starts[number], start)
    for number in range(len(pages) - 2, -1, -1):  # a page without text starts where the next one does
        starts[number] = min(starts[number], starts[number + 1])
    return text, tuple(starts)


def sentences(text: str) -> list[str]:
    """Return the sentences of a text (split at 。！？, line breaks and English full stops)."""
    return [sentence for _, sentence in sentence_spans(text)]


def sentence_spans(text: str) -> list[tuple[int, str]]:
    """Return (offset, sentence) for the sentences of a text, the offset where each begins."""
    out, previous = [], 0
    for cut in [*SENTENCE_END.finditer(text), None]:
        end = cut.start() if cut else len(text)
        piece = text[previous:end]
        if piece.strip():
            out.append((previous + len(piece) - len(piece.lstrip()), piece.strip()))
        previous = cut.end() if cut else end
    return out


def join_wrapped_lines(text: str) -> str:
    """Return text with hard line wraps inside sentences removed (PDF and plain-text layout):
    a line of 15 or more characters that does not end a sentence continues on the next line."""
    return joined_lines(text.splitlines())[0]


def joined_lines(lines: list[str]) -> tuple[str, list[int]]:
    """Return lines joined as join_wrapped_lines does, with the offset in the result where each line begins."""
    out: list[str] = []
    starts: list[int] = []
    done = 0  # length of the finished lines before out[-1], with their line breaks
    for number, raw in enumerate(lines):
        line = raw.strip()
        if number > 1 and out and len(out[-1]) >= 15 and not re.search(r"[。！？!?:：.]$", out[-1]) and line \
                and not HEADING_END.search(out[-1]) and not DATE_LINE.fullmatch(line):
            glue = " " if re.search(r"[A-Za-z,]$", out[-1]) and re.match(r"[A-Za-z0-9]", line) else ""
            starts.append(done + len(out[-1]) + len(glue))
            out[-1] = out[-1] + glue + line
        else:
            if out:
                done += len(out[-1]) + 1
            starts.append(done)
            out.append(line)
    return "\n".join(out), starts


HEAD_LINES = 12  # lines at the top of a document searched for its title


def document_year(doc: Document) -> int | None:
    """Return the year a document's figures are about, never the year of a date in it ("2024年3月20日").

    The year of a title line (the title, else one of the first lines: "2023年宁波市国民经济和社会发展统计
    公报" under a publisher's name), else a year in the title; without one, the year before publication
    for an annual bulletin or yearbook, else the publication year.
    """
    head = [doc.title] + [line for line in doc.text.splitlines() if line.strip()][:HEAD_LINES]
    for line in head:
        year = title_year(line)
        if year is not None and DOCUMENT_WORDS.search(line):
            return year
    year = title_year(doc.title)
    if year is not None:
        return year
    if doc.published is None:
        return None
    annual = any(ANNUAL_DOCUMENT.search(line) for line in head)
    return doc.published.year - 1 if annual else doc.published.year


def title_year(line: str) -> int | None:
    """Return the first year named in a line that is not part of a date ("2024年3月20日", "2024-03-20"), else None."""
    text = normalise(line)
    for m in re.finditer(rf"{YEAR.pattern}|(?<!\d)((?:19|20)\d{{2}})(?!\d)", text):
        after = text[m.end():]
        if DATE_AFTER_YEAR.match(after) or (m.group(1) is None and re.match(r"\s?年", after)):
            continue
        return int(m.group(1) or m.group(2))
    return None
