"""Each language whole: what a reader sees in the briefing and its annex, checked in both languages.

The notebooks' code cells are run in-process with a ``display`` that collects what each cell
shows (Markdown, tables, figures); the visible text is then checked: Chinese punctuation beside
Chinese characters, no English words in the Chinese pages (beyond a few abbreviations), no
Chinese in the English pages' own wording, no target ids, no curation notes.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
PERIOD, AS_OF = "2026Q3", "2026-09-30"
ABBREVIATIONS = {"IPCC"}  # allowed in Chinese pages besides 2-3 letter abbreviations such as R&D, GDP
CJK = "\u4e00-\u9fff"
ASCII_BESIDE_CJK = re.compile(rf"[{CJK}][,.:;()!?]|[,:;()!?][{CJK}]")


def visible_text(obj: object) -> list[str]:
    """Return the reader-visible strings of one displayed object (Markdown, Styler, Figure)."""
    from matplotlib.figure import Figure

    if isinstance(obj, Figure):
        texts = []
        for ax in obj.axes:
            texts += [ax.get_title(loc="left"), ax.get_xlabel(), ax.get_ylabel()]
            texts += [label.get_text() for label in ax.get_yticklabels() + ax.get_xticklabels()]
            texts += [child.get_text() for child in ax.texts]
        for legend in obj.legends:
            texts += [entry.get_text() for entry in legend.get_texts()]
        return [t for t in texts if t]
    markup = obj.to_html() if hasattr(obj, "to_html") else getattr(obj, "data", str(obj))
    markup = re.sub(r"<style.*?</style>", " ", markup, flags=re.S)
    markup = re.sub(r"\]\([^)]*\)", "]", markup)  # Markdown link targets are not read
    markup = re.sub(r"<[^>]+>", " ", markup)
    return [html.unescape(markup)]


def run_notebook(name: str, lang: str, unchecked: tuple[str, ...] = ()) -> list[str]:
    """Run a notebook's code cells for the test quarter; return the visible text of what is displayed.

    Cells whose code contains one of ``unchecked`` still run, but their output is left out.
    """
    notebook = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    shown: list[object] = []
    namespace: dict[str, object] = {}
    cells = ["".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "code"]
    cells[0] += f"\nas_of = {AS_OF!r}\nlang = {lang!r}\nperiod = {PERIOD!r}\n"
    for cell in cells:
        cell = cell.replace("from IPython.display import Markdown, display", "from IPython.display import Markdown")
        namespace["display"] = shown.append
        before = len(shown)
        lines = cell.rstrip().splitlines()
        body, last = "\n".join(lines[:-1]), lines[-1] if lines else ""
        exec(compile(body, name, "exec"), namespace)  # noqa: S102 - the project's own notebooks
        try:
            result = eval(compile(last, name, "eval"), namespace)  # noqa: S307
        except SyntaxError:
            exec(compile(last, name, "exec"), namespace)  # noqa: S102
            result = None
        if result is not None:
            shown.append(result)
        if any(marker in cell for marker in unchecked):
            del shown[before:]
    return [s for obj in shown for s in visible_text(obj)]


# The annex's source list shows titles and publishers verbatim from data/sources.csv, and its
# full method is gap.method_note: both are checked where they are written, not here.
ANNEX_UNCHECKED = ("reader_sources", "method_note_markdown")


@pytest.fixture(scope="module", params=["04_quarterly_briefing.ipynb", "07_briefing_annex.ipynb"])
def pages(request) -> dict[str, str]:
    """Return the visible text of one page in both languages."""
    unchecked = ANNEX_UNCHECKED if "annex" in request.param else ()
    return {lang: "\n".join(run_notebook(request.param, lang, unchecked)) for lang in ("zh", "en")}


def ascii_punctuation_beside_chinese(page: str) -> list[str]:
    """Return each place where ASCII punctuation touches a Chinese character."""
    return [page[max(0, m.start() - 8): m.end() + 8] for m in ASCII_BESIDE_CJK.finditer(page)]


def english_words(page: str) -> list[str]:
    """Return English words of four or more letters (abbreviations excepted)."""
    return [w for w in re.findall(r"[A-Za-z]{4,}", page) if w not in ABBREVIATIONS]


def test_checks_catch_what_they_look_for() -> None:
    assert ascii_punctuation_beside_chinese("报告期:2026") and ascii_punctuation_beside_chinese("目标(2027)")
    assert not ascii_punctuation_beside_chinese("报告期：2026年，1,000家")
    assert english_words("状态 official 与 R&D、GDP") == ["official"]


def test_chinese_page_is_set_in_chinese(pages) -> None:
    zh = pages["zh"]
    assert ascii_punctuation_beside_chinese(zh) == []
    assert english_words(zh) == []


def test_english_page_has_no_chinese_of_its_own(pages) -> None:
    # Chinese is allowed only inside the titles of Chinese documents (cited by their own title)
    leftovers = [line for line in pages["en"].splitlines() if re.search(f"[{CJK}]", line) and "《" not in line]
    assert leftovers == []


def test_no_ids_and_no_curation_notes(pages) -> None:
    from analysis.data import loader, schema

    ids = set(loader.load(schema.DEFAULT_DATA_DIR).targets["target_id"])
    for page in pages.values():
        assert not re.search(r"\bt00\d_\w+", page)
        assert not [i for i in ids if i in page]
        assert not re.search(r"NOTES|harvest|Written:|已写出", page, re.I)
