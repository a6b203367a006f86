"""Executed notebook to reader page: cleaned notebook, HTML export, fixed XLSX stamps."""

from __future__ import annotations

import base64
import html
import io
import json
import re
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Sequence

ADDRESS_RE = re.compile(r" at 0x[0-9a-fA-F]{6,16}")


KERNEL_TMP_RE = re.compile(r"ipykernel_\d+")  # ipykernel names cell files /tmp/ipykernel_<pid>/<hash>.py


VOLATILE_CELL_METADATA = ("papermill", "execution", "collapsed", "scrolled")


def scrub_text(text: Any) -> Any:
    """Replace memory addresses (volatile between runs) in an output text."""
    if isinstance(text, list):
        text = "".join(text)
    if not isinstance(text, str):
        return text
    return KERNEL_TMP_RE.sub("ipykernel", ADDRESS_RE.sub(" at 0x0", text))


def source_cell_ids(notebook_path: str) -> list[str | None]:
    """Return the cell ids of a source notebook as stored (None where a cell has none)."""
    raw = json.loads(Path(notebook_path).read_text(encoding="utf-8"))
    return [cell.get("id") for cell in raw.get("cells", [])]


def clean_notebook(nb: Any, source_ids: Sequence[str | None], notebook_name: str, parameters: dict[str, Any]) -> Any:
    """Strip wall-clock and run-specific metadata from an executed notebook, in place."""
    nb.metadata["papermill"] = {"input_path": notebook_name, "parameters": parameters}
    nb.metadata.pop("widgets", None)
    ids = iter(source_ids)
    for index, cell in enumerate(nb.cells):
        tags = cell.get("metadata", {}).get("tags", [])
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        if "injected-parameters" in tags:
            cell["id"] = "injected-parameters"
        else:
            cell["id"] = next(ids, None) or f"cell-{index}"
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                output["text"] = scrub_text(output["text"])
            if output.get("output_type") == "error":
                output["traceback"] = [scrub_text(line) for line in output.get("traceback", [])]
            for mime in ("text/plain", "text/html"):
                if mime in output.get("data", {}):
                    output["data"][mime] = scrub_text(output["data"][mime])
    return nb


COLLAPSE_CSS = (
    "<style>body:not(.show-code) .jp-Cell-inputWrapper{display:none}"
    " .code-toggle{position:fixed;top:.5em;right:.5em;z-index:9;font:12px sans-serif}</style>"
)


COLLAPSE_BUTTON = (
    "<button class=\"code-toggle\" onclick=\"document.body.classList.toggle('show-code')\">"
    "{label}</button>"
)


CODE_LABEL = {"zh": "显示代码", "en": "Show code"}


def collapse_code(page_html: str, language: str = "en") -> str:
    """Hide code cells behind a toggle button labelled in the page's language (the code stays in the page)."""
    page_html = page_html.replace("</head>", COLLAPSE_CSS + "\n</head>", 1)
    button = COLLAPSE_BUTTON.format(label=CODE_LABEL.get(language, CODE_LABEL["en"]))
    return re.sub(r"(<body[^>]*>)", lambda m: m.group(1) + button, page_html, count=1)


REPORT_TEMPLATE = Path(__file__).resolve().parent / "templates" / "report.html.j2"


def page_language(title: str) -> str:
    """Return the HTML language code of a page named like 'briefing.zh'."""
    return "zh" if title.endswith(".zh") or ".zh." in title else "en"


def notebook_html(nb: Any, code: str, title: str) -> str:
    """Convert an executed notebook to one self-contained HTML page."""
    exclude = code == "exclude"
    language = page_language(title)
    body, _ = html_exporter(exclude, language).from_notebook_node(page_cells(nb), resources={"metadata": {"name": title}})
    body = reader_title(localized_alt(body, language))
    return body if exclude else collapse_code(body, language)


def page_cells(nb: Any) -> Any:
    """Return a copy of the notebook without the markdown cells above its parameters cell.

    Those cells name the notebook in both languages for JupyterLab; a page has its own title in
    the reader's language.
    """
    import copy

    first_code = next((i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"), len(nb.cells))
    page = copy.copy(nb)
    page.cells = [cell for i, cell in enumerate(nb.cells) if i >= first_code or cell.cell_type != "markdown"]
    return page


NBCONVERT_ALT = 'alt="No description has been provided for this image"'


FIGURE_ALT = {"zh": "图表", "en": "Chart"}


def localized_alt(page_html: str, language: str) -> str:
    """Replace nbconvert's English alt text of figures by a word in the page's language."""
    return page_html.replace(NBCONVERT_ALT, f'alt="{FIGURE_ALT.get(language, FIGURE_ALT["en"])}"')


def reader_title(page_html: str) -> str:
    """Give the page the title a reader sees (its first heading), not the job key (e.g. 'briefing.zh')."""
    heading = re.search(r"<h1[^>]*>(.*?)</h1>", page_html, re.S)
    if heading is None:
        return page_html
    words = html.unescape(re.sub(r"<[^>]+>", "", heading.group(1))).replace("¶", "").strip()
    if not words:
        return page_html
    return re.sub(r"<title>.*?</title>", lambda _: f"<title>{html.escape(words)}</title>", page_html, count=1, flags=re.S)


@lru_cache(maxsize=8)
def html_exporter(exclude_input: bool, language: str) -> Any:
    """Return the page exporter for these settings, made once per worker (loading its templates costs ~0.15 s)."""
    from nbconvert import HTMLExporter

    return HTMLExporter(
        template_name="lab", template_file=str(REPORT_TEMPLATE), language_code=language,
        exclude_input=exclude_input, exclude_input_prompt=True, exclude_output_prompt=True,
    )


SVG_IMAGE_RE = re.compile(r'<img[^>]*?\bsrc="data:image/svg\+xml;base64,([A-Za-z0-9+/=\s]+)"[^>]*>')
SVG_PROLOGUE_RE = re.compile(r"^\s*(<\?xml[^>]*\?>)?\s*(<!DOCTYPE[^>]*>)?\s*", re.S)


def inline_svg(page_html: str) -> str:
    """Put each chart's SVG into the page itself (nbconvert embeds it as an <img>): vector in print, its text
    searchable and drawn with the page's embedded font, its data (a JSON script inside) readable by tests.

    The SVG comes from the report's own figures (plots.svg_text), never from data: it is markup we wrote.
    """
    def inline(match: re.Match) -> str:
        svg = base64.b64decode(match.group(1)).decode("utf-8")
        return SVG_PROLOGUE_RE.sub("", svg, count=1)

    return SVG_IMAGE_RE.sub(inline, page_html)


def postprocess_html(page_html: str) -> str:
    """Return a rendered page as it is written to disk (every HTML page of a report passes here)."""
    from analysis.report import fonts  # imported here: an unchanged rerun never loads fontTools

    return fonts.embed_cjk_subset(inline_svg(page_html))


FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


CORE_DATE_RE = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


def normalize_xlsx(path: Path, stamp: str) -> None:
    """Rewrite an .xlsx (zip) with fixed entry times and document dates, for byte-identical output."""
    with zipfile.ZipFile(path) as archive:
        entries = [(info, archive.read(info.filename)) for info in archive.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, payload in entries:
            if info.filename == "docProps/core.xml":
                payload = CORE_DATE_RE.sub(rb"\g<1>" + stamp.encode() + rb"\g<2>", payload)
            fixed = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            archive.writestr(fixed, payload)
    path.write_bytes(buffer.getvalue())
