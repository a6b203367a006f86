"""Render the quarterly reports of a period: papermill, nbconvert, index, manifest, atomic swap, lock (DESIGN §5).

``python -m analysis reports [--period 2026Q3 | --all] [--lang zh,en] [--out reports] [--jobs N]``

One quarter is rendered into ``<out>/.tmp-<period>-<pid>/`` and swapped in as ``<out>/<period>/``
only when every notebook succeeded; ``<out>/.lock`` keeps two runs apart. Notebooks run in the
warm kernel pool (``analysis.kernels``). ``manifest.json`` holds the sha256 of every input and
output: an unchanged input set makes a rerun a no-op. Executed notebooks are stripped of
wall-clock metadata so that two renders of a period are byte-identical. Quarter arithmetic lives
in ``analysis.periods``, the notebooks' parameter checks in ``analysis.params``.

This module imports nothing heavy at import time so that the no-change rerun stays fast.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import errno
import fcntl
import hashlib
import html
import importlib.util
import io
import json
import os
import re
import shutil
import signal
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

from analysis.kernels import KernelPool, default_workers
from analysis.params import LANGS, parse_langs
from analysis.periods import (
    FIRST_PERIOD, PERIOD_RE, check_period, latest_completed_quarter, parse_period, periods_between, quarter_end,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = REPO_ROOT / "notebooks"
SRC_DIR = Path(__file__).resolve().parent
LOCK_FILE = REPO_ROOT / "requirements.lock"

MANIFEST = "manifest.json"
TMP_PREFIX = ".tmp-"
OLD_PREFIX = ".old-"
FAILED_PREFIX = ".failed-"
PIPELINE_VERSION = 1
EXIT_OK, EXIT_INVALID, EXIT_FAILED = 0, 1, 1


class PipelineError(Exception):
    """A problem that stops the pipeline with one readable message and exit code 1."""


# ---------------------------------------------------------------------------
# Pages and jobs


@dataclass(frozen=True)
class Page:
    """One notebook of the report: its output name, file and how its code is shown."""

    name: str
    notebook: str
    code: str  # "exclude": no code cells; "collapse": code hidden behind a toggle
    per_target: bool = False


# In the order they are started: the briefings first (their PDFs are printed while the other pages
# run), then the longest pages first, the many short projections last (the workers finish together).
PAGES = (
    Page("briefing", "04_quarterly_briefing.ipynb", "exclude"),
    Page("audit", "01_data_audit.ipynb", "collapse"),
    Page("retrospective", "05_retrospective_2022.ipynb", "collapse"),
    Page("peers", "06_peer_comparison.ipynb", "collapse"),
    Page("annex", "07_briefing_annex.ipynb", "exclude"),
    Page("dashboard", "03_gap_dashboard.ipynb", "exclude"),
    Page("projection", "02_indicator_projection.ipynb", "collapse", per_target=True),
)
BRIEFING_PAGE = "briefing"


@dataclass(frozen=True)
class Job:
    """One notebook execution: input notebook, parameters, output stem (relative, no suffix)."""

    key: str
    notebook: str
    parameters: dict[str, Any] = field(hash=False)
    code: str = "collapse"
    title: str = ""


def page_parameters(page: Page, period: str, lang: str, data_dir: str, target_id: str | None = None) -> dict[str, Any]:
    """Return the papermill parameters of one page."""
    params: dict[str, Any] = {"as_of": quarter_end(period).isoformat(), "lang": lang, "data_dir": data_dir}
    if page.name == "briefing":
        params["period"] = period
    if page.name == "dashboard":
        params["output_dir"] = "."
    if target_id is not None:
        params["target_id"] = target_id
    return params


def plan_jobs(
    period: str, langs: Sequence[str], data_dir: str, target_ids: Sequence[str],
    notebooks_dir: Path = NOTEBOOKS_DIR, pages: Sequence[Page] = PAGES,
) -> list[Job]:
    """Return every notebook run of a period, in the order of ``pages`` (see PAGES)."""
    jobs: list[Job] = []
    for page in pages:
        for lang in langs:
            targets = sorted(target_ids) if page.per_target else [None]
            for target in targets:
                key = f"{page.name}/{target}.{lang}" if target else f"{page.name}.{lang}"
                params = page_parameters(page, period, lang, data_dir, target)
                title = f"{period} · {key.replace('/', ' · ')}"
                jobs.append(Job(key, str(notebooks_dir / page.notebook), params, page.code, title))
    return jobs


def targets_with_data(dataset: Any, as_of: date) -> list[str]:
    """Return the target ids whose indicator/region has an annual value published by as_of."""
    from analysis import data

    ids = []
    for target in dataset.targets.sort_values("target_id").itertuples():
        if len(data.annual_series(dataset, target.indicator_id, target.region, as_of)):
            ids.append(target.target_id)
    return ids


# ---------------------------------------------------------------------------
# Hashing and the manifest


def sha256_file(path: Path) -> str:
    """Return the hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def files_under(root: Path, pattern: str = "*") -> list[Path]:
    """Return the regular, non-hidden files matching a pattern directly in a directory, sorted."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.glob(pattern) if p.is_file() and not p.name.startswith("."))


def input_files(data_dir: Path, notebooks_dir: Path = NOTEBOOKS_DIR, src_dir: Path = SRC_DIR,
                lock_file: Path = LOCK_FILE) -> dict[str, Path]:
    """Return every input of a render keyed by a stable label: data, notebooks, source, lock."""
    files = {f"data/{p.name}": p for p in files_under(Path(data_dir))}
    files.update({f"notebooks/{p.name}": p for p in files_under(notebooks_dir, "*.ipynb")})
    files.update({f"src/analysis/{p.name}": p for p in files_under(src_dir, "*.py")})
    files.update({f"src/analysis/templates/{p.name}": p for p in files_under(src_dir / "templates", "*.j2")})
    if lock_file.is_file():
        files["requirements.lock"] = lock_file
    return files


def hash_files(files: dict[str, Path]) -> dict[str, str]:
    """Return the sha256 of each labelled file."""
    return {label: sha256_file(path) for label, path in sorted(files.items())}


def output_hashes(period_dir: Path) -> dict[str, str]:
    """Return the sha256 of every file of a rendered period but the manifest, by relative path."""
    out = {}
    for path in sorted(period_dir.rglob("*")):
        rel = path.relative_to(period_dir).as_posix()
        if path.is_file() and rel != MANIFEST:
            out[rel] = sha256_file(path)
    return out


def build_manifest(period: str, params: dict[str, Any], inputs: dict[str, str], outputs: dict[str, str]) -> dict[str, Any]:
    """Return the manifest of a period (no timestamps, sorted keys)."""
    return {"period": period, "pipeline_version": PIPELINE_VERSION, "parameters": params, "inputs": inputs, "outputs": outputs}


def manifest_text(manifest: dict[str, Any]) -> str:
    """Serialise a manifest deterministically."""
    return json.dumps(manifest, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


def read_manifest(period_dir: Path) -> dict[str, Any] | None:
    """Return the manifest of a rendered period, or None when absent or unreadable."""
    try:
        return json.loads((period_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def stale_reason(period_dir: Path, params: dict[str, Any], inputs: dict[str, str]) -> str | None:
    """Return why a period must be rendered again, or None when it is up to date."""
    manifest = read_manifest(period_dir)
    if manifest is None:
        return "not rendered yet" if not period_dir.exists() else "no manifest"
    if manifest.get("pipeline_version") != PIPELINE_VERSION or manifest.get("parameters") != params:
        return "parameters changed"
    old = manifest.get("inputs", {})
    changed = sorted(k for k in set(old) | set(inputs) if old.get(k) != inputs.get(k))
    if changed:
        return "inputs changed: " + ", ".join(changed[:5]) + (" ..." if len(changed) > 5 else "")
    if manifest.get("outputs") != output_hashes(period_dir):
        return "outputs modified"
    return None


def render_parameters(period: str, langs: Sequence[str], data_param: str) -> dict[str, Any]:
    """Return the parameters a period's output depends on (besides the input files)."""
    return {"period": period, "as_of": quarter_end(period).isoformat(), "langs": list(langs), "data_dir": data_param}


# ---------------------------------------------------------------------------
# Deterministic notebooks and HTML

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


def postprocess_html(page_html: str) -> str:
    """Return a rendered page as it is written to disk (every HTML page of a report passes here)."""
    from analysis import fonts  # imported here: an unchanged rerun never loads fontTools

    return fonts.embed_cjk_subset(page_html)


@dataclass
class JobResult:
    """What a worker reports for one job."""

    key: str
    seconds: float
    error: str | None = None
    outputs: list[str] = field(default_factory=list)


def execute_job(job: Job, out_dir: str) -> JobResult:
    """Execute one job into out_dir (a worker task): notebook, HTML, and any files it writes."""
    import nbformat

    from analysis.kernels import execute_notebook

    start = time.perf_counter()
    out_root = Path(out_dir)
    target = out_root / f"{job.key}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    source_ids = source_cell_ids(job.notebook)
    before = {p for p in out_root.rglob("*") if p.is_file()}
    nb, error = execute_notebook(job.notebook, job.parameters, str(out_root))
    if nb is not None:
        clean_notebook(nb, source_ids, Path(job.notebook).name, dict(job.parameters))
        target.write_text(nbformat.writes(nb) + "\n", encoding="utf-8")
    if error is None:
        page_html = postprocess_html(notebook_html(nb, job.code, job.title or job.key))
        target.with_suffix(".html").write_text(page_html, encoding="utf-8")
    written = sorted(p.relative_to(out_root).as_posix() for p in out_root.rglob("*") if p.is_file() and p not in before)
    return JobResult(job.key, time.perf_counter() - start, error, written)


# ---------------------------------------------------------------------------
# XLSX normalisation (temporary: analysis.exports will write deterministic XLSX bytes itself;
# delete this section and its call in render_period when it does)

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


# ---------------------------------------------------------------------------
# Directories: lock, stale temp cleanup, atomic swap


@contextlib.contextmanager
def locked(out_dir: Path, wait: bool = True) -> Iterator[None]:
    """Hold an exclusive lock on <out>/.lock; wait (saying so) or fail when another run holds it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / ".lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if not wait:
                raise PipelineError(f"another render holds {out_dir / '.lock'}; try again when it has finished")
            print(f"waiting for another render to finish ({out_dir / '.lock'}) ...", file=sys.stderr, flush=True)
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def cleanup_stale(out_dir: Path) -> list[str]:
    """Remove temp dirs of killed runs and restore a period a killed swap left aside (hold the lock)."""
    removed = []
    for path in sorted(out_dir.glob(OLD_PREFIX + "*")):
        period = path.name[len(OLD_PREFIX):].rsplit("-", 1)[0]
        if PERIOD_RE.fullmatch(period) and not (out_dir / period).exists():
            os.rename(path, out_dir / period)
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    for path in sorted(out_dir.glob(TMP_PREFIX + "*")):
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    return removed


RENAME_EXCHANGE = 2
AT_FDCWD = -100


def exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths with renameat2(RENAME_EXCHANGE); False where unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(a))


def swap_in(tmp: Path, final: Path) -> None:
    """Put a finished temp dir in place of final; the old final is removed only once replaced."""
    if not final.exists():
        os.rename(tmp, final)
        return
    if exchange(tmp, final):
        shutil.rmtree(tmp)
        return
    old = final.with_name(f"{OLD_PREFIX}{final.name}-{os.getpid()}")
    os.rename(final, old)
    os.rename(tmp, final)
    shutil.rmtree(old)


# ---------------------------------------------------------------------------
# Index


def period_languages(period_dir: Path) -> list[str]:
    """Return the languages a rendered period has pages in."""
    found = {p.name.split(".")[-2] for p in period_dir.glob("*.html")}
    return [lang for lang in LANGS if lang in found]


def index_html(out_dir: Path) -> str:
    """Return reports/index.html: every rendered period (newest first) and its pages per language."""
    esc = html.escape
    rows = []
    periods = sorted((p.name for p in out_dir.iterdir() if p.is_dir() and PERIOD_RE.fullmatch(p.name)),
                     key=parse_period, reverse=True)
    for period in periods:
        period_dir = out_dir / period
        cells = []
        for lang in period_languages(period_dir):
            pages = [p.name for p in PAGES if not p.per_target and (period_dir / f"{p.name}.{lang}.html").exists()]
            links = " · ".join(f'<a href="{esc(period)}/{esc(name)}.{esc(lang)}.html">{esc(name)}</a>' for name in pages)
            projections = sorted((period_dir / "projection").glob(f"*.{lang}.html"))
            if projections:
                inner = " · ".join(
                    f'<a href="{esc(period)}/projection/{esc(p.name)}">{esc(p.name[: -len(f".{lang}.html")])}</a>'
                    for p in projections
                )
                links += f"<br><small>projection: {inner}</small>"
            cells.append(f"<li><b>{esc(lang)}</b>: {links}</li>")
        extra = ' · <a href="{0}/status.csv">status.csv</a>'.format(esc(period)) if (period_dir / "status.csv").exists() else ""
        rows.append(f"<section><h2>{esc(period)} <small>(as of {esc(quarter_end(period).isoformat())}){extra}</small></h2>"
                    f"<ul>{''.join(cells)}</ul></section>")
    title = "宁波 2027 目标跟踪 · Ningbo 2027 target tracker"
    body = "\n".join(rows) or "<p>No reports yet. Run <code>make reports</code>.</p>"
    return (
        "<!DOCTYPE html>\n<html lang=\"zh\">\n<head><meta charset=\"utf-8\">"
        f"<title>{esc(title)}</title>\n<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto}}"
        "h2 small{font-weight:normal;color:#555}</style></head>\n"
        f"<body>\n<h1>{esc(title)}</h1>\n{body}\n</body>\n</html>\n"
    )


INDEX_SOURCE = ".index-source.html"


def write_index(out_dir: Path) -> bool:
    """Write <out>/index.html when the list of rendered pages changed; return whether it was written."""
    source = index_html(out_dir)
    page = out_dir / "index.html"
    kept = out_dir / INDEX_SOURCE
    if page.is_file() and kept.is_file() and kept.read_text(encoding="utf-8") == source:
        return False  # unchanged: a no-op rerun skips the page post-processing
    write_atomic(page, postprocess_html(source))
    write_atomic(kept, source)
    return True


def write_atomic(path: Path, text: str) -> None:
    """Write a text file through a temp file and rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


# ---------------------------------------------------------------------------
# Rendering


class RenderFailed(PipelineError):
    """One or more notebooks failed; the previous output was kept."""


def print_progress(done: int, total: int, result: JobResult) -> None:
    """Print one line for a finished job."""
    width = len(str(total))
    mark = "" if result.error is None else "  FAILED"
    print(f"[{done:>{width}}/{total}] {result.key:<28} {result.seconds:5.1f}s{mark}", flush=True)


def run_jobs(pool: KernelPool, jobs: Sequence[Job], tmp: Path,
             side: Callable[[Path], None] | None = None,
             after_briefings: Callable[[Path], Any] | None = None) -> list[JobResult]:
    """Run every job into tmp on the pool, printing progress; side(tmp) runs meanwhile in a thread,
    and after_briefings(tmp) in another as soon as every briefing page is written (PDFs while the rest runs)."""
    futures = {pool.submit(execute_job, job, str(tmp)): job for job in jobs}
    briefings = {job.key for job in jobs if job.key.split(".")[0] == BRIEFING_PAGE}
    results: list[JobResult] = []
    with ThreadPoolExecutor(2) as threads:
        side_future = threads.submit(timed_side, side, tmp) if side else None
        early = None
        for done, future in enumerate(as_completed(futures), 1):
            try:
                result = future.result()
            except Exception as err:  # noqa: BLE001 - a worker crash is a failed job
                result = JobResult(futures[future].key, 0.0, f"{futures[future].key}: worker failed: {type(err).__name__}: {err}")
            results.append(result)
            print_progress(done, len(futures), result)
            ready = briefings <= {r.key for r in results if r.error is None}
            if after_briefings and early is None and ready:
                early = threads.submit(after_briefings, tmp)
        if side_future is not None:
            result = side_future.result()
            results.append(result)
            print_progress(len(futures), len(futures), result)
        if early is not None:
            early.result()  # a printing error is raised here, after every notebook has finished
    return results


def timed_side(side: Callable[[Path], None], tmp: Path) -> JobResult:
    """Run a side task (status.csv) and report it like a notebook job."""
    start = time.perf_counter()
    try:
        side(tmp)
        return JobResult("status.csv", time.perf_counter() - start)
    except Exception as err:  # noqa: BLE001 - reported, then the run fails
        return JobResult("status.csv", time.perf_counter() - start, f"status.csv: {type(err).__name__}: {err}")


def render_period(
    pool: KernelPool, out_dir: Path, period: str, jobs: Sequence[Job], params: dict[str, Any],
    inputs: dict[str, str], side: Callable[[Path], None] | None = None,
) -> list[JobResult]:
    """Render one period into a temp dir, then swap it in; on failure keep the old one and raise."""
    tmp = out_dir / f"{TMP_PREFIX}{period}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    failed_dir = out_dir / f"{FAILED_PREFIX}{period}"
    try:
        results = run_jobs(pool, jobs, tmp, side, print_briefings)
        errors = sorted(r.error for r in results if r.error)
        if errors:
            shutil.rmtree(failed_dir, ignore_errors=True)
            os.rename(tmp, failed_dir)
            lines = "\n".join(f"  {e}" for e in errors)
            raise RenderFailed(f"{period}: {len(errors)} notebook(s) failed; {out_dir / period} left as it was "
                               f"(executed notebooks in {failed_dir}):\n{lines}")
        stamp = quarter_end(period).isoformat() + "T00:00:00Z"
        for xlsx in sorted(tmp.rglob("*.xlsx")):
            normalize_xlsx(xlsx, stamp)
        manifest = build_manifest(period, params, inputs, output_hashes(tmp))
        (tmp / MANIFEST).write_text(manifest_text(manifest), encoding="utf-8")
        swap_in(tmp, out_dir / period)
        shutil.rmtree(failed_dir, ignore_errors=True)
        return results
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def print_briefings(period_dir: Path) -> list[Path]:
    """Print each briefing to PDF and screenshot its first two pages, when Chromium is installed."""
    # Playwright's sync API refuses a thread that already drives a browser (a caller's, e.g. a
    # test's): a thread of its own keeps the render independent of its caller.
    with ThreadPoolExecutor(max_workers=1) as own_thread:
        return own_thread.submit(print_briefings_here, period_dir).result()


def print_briefings_here(period_dir: Path) -> list[Path]:
    """Print each briefing to PDF and screenshot its first two pages, in the calling thread."""
    from analysis import browser

    briefings = sorted(period_dir.glob("briefing.*.html"))
    if not briefings:
        return []
    if browser.find_chromium() is None:
        print("note: Chromium not found, so no briefing PDF was written; run `make setup-browser`", flush=True)
        return []
    written = []
    start = time.perf_counter()
    with browser.Browser() as chromium:
        for html_file in briefings:
            pdf = html_file.with_suffix(".pdf")
            written.append(browser.print_pdf(html_file, pdf, browser=chromium))
            shot = period_dir / f"screenshot.{html_file.stem}.png"
            browser.screenshot(html_file, shot, pages=2, browser=chromium)
            written.append(shot)
    print(f"[pdf] {', '.join(p.name for p in written)}  {time.perf_counter() - start:.1f}s", flush=True)
    return written


def status_writer(dataset: Any, as_of: date) -> Callable[[Path], None]:
    """Return a function writing status.csv (gap.status_table as of a date) into a directory."""
    def write(target_dir: Path) -> None:
        """Write the figure-free status table of the period."""
        from analysis import gap

        table = gap.status_table(dataset, as_of=as_of.isoformat())
        (target_dir / "status.csv").write_text(gap.format_status(table, "csv"), encoding="utf-8")

    return write


def data_param(data_dir: Path, out_dir: Path) -> str:
    """Return the data_dir given to notebooks: relative to a period dir (their working directory)."""
    return os.path.relpath(Path(data_dir).resolve(), (Path(out_dir) / "2000Q1").resolve())


def check_notebooks(notebooks_dir: Path, pages: Sequence[Page] = PAGES) -> None:
    """Raise PipelineError when a notebook of the report is missing or has no `parameters` cell."""
    missing = [p.notebook for p in pages if not (notebooks_dir / p.notebook).is_file()]
    if missing:
        raise PipelineError(f"missing notebook(s) in {notebooks_dir}: {', '.join(missing)}")
    for notebook in sorted({p.notebook for p in pages}):
        if not has_parameters_cell(notebooks_dir / notebook):
            raise PipelineError(f"{notebooks_dir / notebook}: no code cell tagged 'parameters' "
                                "(papermill injects the report's parameters after it); tag the first code cell")


def has_parameters_cell(path: Path) -> bool:
    """Return whether a notebook has a code cell tagged `parameters`."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    return any(cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", [])
               for cell in notebook.get("cells", []))


@dataclass
class Options:
    """Validated options of one `reports` run."""

    periods: list[str]
    langs: list[str]
    out_dir: Path
    data_dir: Path
    jobs: int
    force: bool
    notebooks_dir: Path = NOTEBOOKS_DIR


def parse_options(args: argparse.Namespace, today: date) -> Options:
    """Validate the command-line arguments before any work; ValueError names the valid choices."""
    langs = parse_langs(getattr(args, "lang", "zh,en") or "zh,en")
    data_dir = Path(getattr(args, "data_dir", None) or REPO_ROOT / "data")
    if not data_dir.is_dir():
        raise ValueError(f"data directory {data_dir} does not exist: pass --data-dir DIR (a folder with the data CSVs)")
    latest = latest_completed_quarter(today)
    if getattr(args, "all", False):
        if getattr(args, "period", None):
            raise ValueError("give either --period or --all, not both")
        periods = periods_between(FIRST_PERIOD, latest)
    else:
        periods = [check_period(args.period, today) if getattr(args, "period", None) else latest]
    jobs = getattr(args, "jobs", None) or default_workers()
    if jobs < 1:
        raise ValueError(f"--jobs must be at least 1, not {jobs}")
    return Options(periods, langs, Path(getattr(args, "out", None) or "reports"), data_dir, jobs, bool(getattr(args, "force", False)))


def load_dataset(data_dir: Path) -> Any:
    """Validate and load the data; raise PipelineError with every file:row:column line."""
    from analysis import data

    tables, problems = data.validate_dir(data_dir)
    if problems:
        lines = "\n".join(str(p) for p in problems)
        raise PipelineError(f"{lines}\n{len(problems)} problem(s) found in {data_dir}; nothing rendered")
    return data.load(data_dir)


def run(options: Options, reuse_kernels: bool = True, with_status: bool = True, pool: KernelPool | None = None) -> int:
    """Render every requested period that is not up to date; return the exit code."""
    started = time.perf_counter()
    out_dir = options.out_dir
    dparam = data_param(options.data_dir, out_dir)
    with locked(out_dir):
        inputs = hash_files(input_files(options.data_dir, options.notebooks_dir))
        for name in cleanup_stale(out_dir):
            print(f"removed stale {out_dir / name}")
        todo = []
        for period in options.periods:
            params = render_parameters(period, options.langs, dparam)
            reason = "forced" if options.force else stale_reason(out_dir / period, params, inputs)
            if reason is None:
                print(f"{period}: up to date (inputs unchanged)")
            else:
                todo.append((period, params, reason))
        if todo:
            render_all(options, todo, inputs, reuse_kernels, with_status, pool)
        write_index(out_dir)
    print(f"done: {len(todo)} period(s) rendered, {len(options.periods) - len(todo)} up to date "
          f"in {time.perf_counter() - started:.1f}s; index: {out_dir / 'index.html'}")
    return EXIT_OK


def render_all(options: Options, todo: list[tuple[str, dict[str, Any], str]], inputs: dict[str, str],
               reuse_kernels: bool, with_status: bool, pool: KernelPool | None = None) -> None:
    """Validate data and notebooks, then render each stale period with one shared worker pool."""
    check_notebooks(options.notebooks_dir)
    if with_status and importlib.util.find_spec("analysis.gap") is None:
        raise PipelineError("analysis.gap is missing (src/analysis/gap.py): cannot write status.csv")
    dataset = load_dataset(options.data_dir)
    dparam = data_param(options.data_dir, options.out_dir)
    n_jobs = max(1, options.jobs)
    with contextlib.nullcontext(pool) if pool else KernelPool(n_jobs, reuse_kernels) as pool:
        for period, params, reason in todo:
            as_of = quarter_end(period)
            targets = targets_with_data(dataset, as_of)
            jobs = plan_jobs(period, options.langs, dparam, targets, options.notebooks_dir)
            print(f"{period}: rendering {len(jobs)} notebooks ({reason}; as_of {as_of}, "
                  f"{len(targets)} targets with data, {n_jobs} workers)", flush=True)
            t0 = time.perf_counter()
            side = status_writer(dataset, as_of) if with_status else None
            render_period(pool, options.out_dir, period, jobs, params, inputs, side)
            print(f"{period}: {len(jobs)} notebooks in {time.perf_counter() - t0:.1f}s -> {options.out_dir / period}", flush=True)


def interrupt_on_sigterm_as_pid1() -> None:
    """As PID 1 (a container's entrypoint) SIGTERM is ignored unless handled: make it an interrupt."""
    if os.getpid() == 1:
        signal.signal(signal.SIGTERM, signal.default_int_handler)


def main(args: argparse.Namespace, today: date | None = None) -> int:
    """Entry point of `python -m analysis reports`; returns the exit code."""
    interrupt_on_sigterm_as_pid1()
    try:
        options = parse_options(args, today or date.today())
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INVALID
    try:
        return run(options)
    except PipelineError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"error: interrupted; {options.out_dir}/<period> left as it was", file=sys.stderr)
        return 130
