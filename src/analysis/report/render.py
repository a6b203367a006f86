"""`python -m analysis reports`: run the pages of each period and swap them into reports/."""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import shutil
import signal
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable, Sequence

from analysis.data import clock
from analysis.report.index_page import write_index
from analysis.report.kernels import KernelPool, default_workers
from analysis.report.manifest import (
    MANIFEST,
    NOTEBOOKS_DIR,
    REPO_ROOT,
    build_manifest,
    hash_files,
    input_files,
    manifest_text,
    output_hashes,
    read_manifest,
    render_parameters,
    reusable_pages,
    stale_reason,
)
from analysis.report.page_html import clean_notebook, normalize_xlsx, notebook_html, postprocess_html, source_cell_ids
from analysis.report.page_keys import PERIOD_FILES, outputs_by_page, page_key, target_data_key
from analysis.report.pages import BRIEFING_PAGE, PAGES, Job, Page, plan_jobs, targets_with_data
from analysis.report.params import parse_langs
from analysis.report.periods import FIRST_PERIOD, check_period, latest_completed_quarter, periods_between, quarter_end
from analysis.report.swap import FAILED_PREFIX, TMP_PREFIX, PipelineError, cleanup_stale, locked, swap_in

EXIT_OK, EXIT_INVALID, EXIT_FAILED = 0, 1, 1


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

    from analysis.report.kernels import execute_notebook

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


class RenderFailed(PipelineError):
    """One or more notebooks failed; the previous output was kept."""


def print_progress(done: int, total: int, result: JobResult) -> None:
    """Print one line for a finished job."""
    width = len(str(total))
    mark = "" if result.error is None else "  FAILED"
    print(f"[{done:>{width}}/{total}] {result.key:<28} {result.seconds:5.1f}s{mark}", flush=True)


def run_jobs(pool: KernelPool, jobs: Sequence[Job], tmp: Path,
             side: Callable[[Path], None] | None = None,
             after_briefings: Callable[[Path, Sequence[str]], Any] | None = None) -> list[JobResult]:
    """Run every job into tmp on the pool, printing progress; side(tmp) runs meanwhile in a thread, and
    after_briefings(tmp, keys) in another as soon as the briefing pages among the jobs are written (PDFs while the rest runs)."""
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
            if after_briefings and briefings and early is None and ready:
                early = threads.submit(after_briefings, tmp, sorted(briefings))
        if side_future is not None:
            result = side_future.result()
            results.append(result)
            print_progress(len(futures), len(futures), result)
        if early is not None:
            early.result()  # a printing error is raised here, after every notebook has finished
    return results


def timed_side(side: Callable[[Path], None], tmp: Path) -> JobResult:
    """Run a side task (the assessment record) and report it like a notebook job."""
    start = time.perf_counter()
    try:
        side(tmp)
        return JobResult(ASSESSMENT_JSON, time.perf_counter() - start)
    except Exception as err:  # noqa: BLE001 - reported, then the run fails
        return JobResult(ASSESSMENT_JSON, time.perf_counter() - start, f"{ASSESSMENT_JSON}: {type(err).__name__}: {err}")


def render_period(
    pool: KernelPool, out_dir: Path, period: str, jobs: Sequence[Job], params: dict[str, Any],
    inputs: dict[str, str], side: Callable[[Path], None] | None = None,
    keys: dict[str, str] | None = None, kept: frozenset[str] | set[str] = frozenset(),
) -> list[JobResult]:
    """Render one period into a temp dir, then swap it in; on failure keep the old one and raise.

    ``keys`` are the pages' input keys (recorded in the manifest); the pages in ``kept`` are copied
    from the rendered period instead of run again (their keys are unchanged, see page_keys)."""
    tmp = out_dir / f"{TMP_PREFIX}{period}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    failed_dir = out_dir / f"{FAILED_PREFIX}{period}"
    try:
        copied = copy_kept_pages(out_dir / period, tmp, kept)
        if side is not None:  # the assessment record, which the pages read: written before they start
            result = timed_side(side, tmp)
            print_progress(0, len(jobs), result)
            if result.error:
                raise RenderFailed(f"{period}: {result.error}")
        results = run_jobs(pool, [job for job in jobs if job.key not in kept], tmp, None, print_briefings)
        errors = sorted(r.error for r in results if r.error)
        if errors:
            shutil.rmtree(failed_dir, ignore_errors=True)
            os.rename(tmp, failed_dir)
            lines = "\n".join(f"  {e}" for e in errors)
            raise RenderFailed(f"{period}: {len(errors)} notebook(s) failed; {out_dir / period} left as it was "
                               f"(executed notebooks in {failed_dir}):\n{lines}")
        stamp = quarter_end(period).isoformat() + "T00:00:00Z"
        for xlsx in sorted(tmp.rglob("*.xlsx")):
            if xlsx.relative_to(tmp).as_posix() not in copied:
                normalize_xlsx(xlsx, stamp)
        outputs = output_hashes(tmp)
        manifest = build_manifest(period, params, inputs, outputs, page_entries(outputs, keys or {}))
        (tmp / MANIFEST).write_text(manifest_text(manifest), encoding="utf-8")
        swap_in(tmp, out_dir / period)
        shutil.rmtree(failed_dir, ignore_errors=True)
        return results
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def copy_kept_pages(period_dir: Path, tmp: Path, kept: set[str] | frozenset[str]) -> set[str]:
    """Copy the files of the kept pages from the rendered period into tmp; return their relative paths."""
    manifest = read_manifest(period_dir) if kept else None
    copied: set[str] = set()
    for name in sorted(kept):
        for rel in (manifest or {}).get("pages", {}).get(name, {}).get("outputs", {}):
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(period_dir / rel, tmp / rel)
            copied.add(rel)
    return copied


def page_entries(outputs: dict[str, str], keys: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Return the manifest's pages: each page's key and the files it wrote, with their hashes.

    A file that is neither a period file nor named after its page (``<page>.*``) cannot be carried
    over with its page: then no page is recorded, and the next render runs every page."""
    owned, others = outputs_by_page(outputs, sorted(keys))
    if set(others) - set(PERIOD_FILES):
        return {}
    return {name: {"key": keys[name], "outputs": owned[name]} for name in sorted(keys)}


def print_briefings(period_dir: Path, keys: Sequence[str] | None = None) -> list[Path]:
    """Print each briefing (or those of ``keys``, e.g. briefing.zh) to PDF and screenshot its first two pages, when Chromium is installed."""
    # Playwright's sync API refuses a thread that already drives a browser (a caller's, e.g. a
    # test's): a thread of its own keeps the render independent of its caller.
    with ThreadPoolExecutor(max_workers=1) as own_thread:
        return own_thread.submit(print_briefings_here, period_dir, keys).result()


def print_briefings_here(period_dir: Path, keys: Sequence[str] | None = None) -> list[Path]:
    """Print each briefing (or those of ``keys``) to PDF and screenshot its first two pages, in the calling thread."""
    from analysis.report import browser

    briefings = sorted(period_dir.glob("briefing.*.html")) if keys is None else [period_dir / f"{key}.html" for key in sorted(keys)]
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


ASSESSMENT_JSON, ASSESSMENT_CSV = "assessment.json", "assessment.csv"


def assessment_writer(records: list[Any]) -> Callable[[Path], None]:
    """Return a function writing the period's assessment record (assessment.json and .csv) into a directory.

    The record is computed once per period, before any page runs; every page reads it from
    assessment.json, so every page, chart and export renders the same numbers.
    """
    def write(target_dir: Path) -> None:
        """Write assessment.json (every field, paths and figures) and assessment.csv (the scalar columns)."""
        from analysis.assess import statuses
        from analysis.report import status_formats

        (target_dir / ASSESSMENT_JSON).write_text(statuses.records_json(records), encoding="utf-8")
        table = statuses.table_of(records)
        (target_dir / ASSESSMENT_CSV).write_text(status_formats.format_status(table, "csv"), encoding="utf-8")

    return write


def period_writer(records: list[Any], dataset: Any, data_dir: Path, as_of: date, langs: Sequence[str]) -> Callable[[Path], None]:
    """Return a function writing a period's shared files: the assessment record and the request workbooks beside the briefing."""
    write_record = assessment_writer(records)

    def write(target_dir: Path) -> None:
        """Write assessment.json/.csv and requests.<lang>.xlsx (the data-gap list's figures, as of the report date)."""
        from analysis.data.request import read_calendar
        from analysis.report import request_workbook

        write_record(target_dir)
        request_workbook.write_beside(dataset, read_calendar(data_dir), as_of, list(langs), target_dir)

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
    from analysis.data import loader, validate

    tables, problems = validate.validate_dir(data_dir)
    if problems:
        lines = "\n".join(str(p) for p in problems)
        raise PipelineError(f"{lines}\n{len(problems)} problem(s) found in {data_dir}; nothing rendered")
    return loader.load(data_dir)


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
    if with_status and importlib.util.find_spec("analysis.assess.statuses") is None:
        raise PipelineError("analysis.assess.statuses is missing (src/analysis/assess/statuses.py): cannot write the assessment")
    dataset = load_dataset(options.data_dir)
    dparam = data_param(options.data_dir, options.out_dir)
    n_jobs = max(1, options.jobs)
    with contextlib.nullcontext(pool) if pool else KernelPool(n_jobs, reuse_kernels) as pool:
        for period, params, reason in todo:
            as_of = quarter_end(period)
            records = assessed(dataset, as_of) if with_status else None
            targets = [a.target_id for a in records if a.points] if records is not None else targets_with_data(dataset, as_of)
            jobs = plan_jobs(period, options.langs, dparam, targets, options.notebooks_dir, with_record=with_status)
            keys = job_keys(jobs, dataset, records, inputs)
            kept = set() if options.force else reusable_pages(options.out_dir / period, keys)
            print(f"{period}: rendering {len(jobs) - len(kept)} of {len(jobs)} notebooks ({reason}; {len(kept)} pages unchanged; "
                  f"as_of {as_of}, {len(targets)} targets with data, {n_jobs} workers)", flush=True)
            t0 = time.perf_counter()
            side = period_writer(records, dataset, options.data_dir, as_of, options.langs) if with_status else None
            render_period(pool, options.out_dir, period, jobs, params, inputs, side, keys, kept)
            print(f"{period}: {len(jobs) - len(kept)} notebooks in {time.perf_counter() - t0:.1f}s -> {options.out_dir / period}", flush=True)


def job_keys(jobs: Sequence[Job], dataset: Any, records: list[Any] | None, inputs: dict[str, str]) -> dict[str, str]:
    """Return each job's page key: a projection page's holds its target's record and indicator rows, a period page's all data."""
    from analysis.assess.record import record_dict
    from analysis.data import derive
    from analysis.report.page_keys import data_inputs

    by_target = {a.target_id: a for a in records or []}
    whole = data_inputs(inputs)
    formulas = derive.dataset_formulas(dataset) if by_target else []
    per_target: dict[str, tuple[dict[str, str], dict[str, Any]]] = {}  # a target's data and record, once for its pages in every language
    keys = {}
    for job in jobs:
        target = job.parameters.get("target_id")
        if target is None or target not in by_target:  # a period page, or a page without its record: all data
            keys[job.key] = page_key(job, inputs, whole, None)
            continue
        if target not in per_target:
            record = by_target[target]
            per_target[target] = (target_data_key(dataset, formulas, record.indicator_id, inputs), record_dict(record))
        keys[job.key] = page_key(job, inputs, *per_target[target])
    return keys


def assessed(dataset: Any, as_of: date) -> list[Any]:
    """Return every target's assessment record as of a report date (the one computation of a period)."""
    from analysis.assess import statuses

    return statuses.assessments(dataset, as_of.isoformat())


def interrupt_on_sigterm_as_pid1() -> None:
    """As PID 1 (a container's entrypoint) SIGTERM is ignored unless handled: make it an interrupt."""
    if os.getpid() == 1:
        signal.signal(signal.SIGTERM, signal.default_int_handler)


def main(args: argparse.Namespace, today: date | None = None) -> int:
    """Entry point of `python -m analysis reports`; returns the exit code."""
    interrupt_on_sigterm_as_pid1()
    try:
        options = parse_options(args, today or clock.today())
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
