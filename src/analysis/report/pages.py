"""Which pages a period renders (notebook, language, parameters)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Sequence

from analysis.report.manifest import NOTEBOOKS_DIR
from analysis.report.periods import quarter_end


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


RECORD_PAGES = ("briefing", "annex", "dashboard", "projection")  # pages that render the period's assessment.json
ASSESSMENT_FILE = "assessment.json"  # beside the pages (their working directory is the period folder)


def page_parameters(page: Page, period: str, lang: str, data_dir: str, target_id: str | None = None,
                    with_record: bool = False) -> dict[str, Any]:
    """Return the papermill parameters of one page."""
    params: dict[str, Any] = {"as_of": quarter_end(period).isoformat(), "lang": lang, "data_dir": data_dir}
    if with_record and page.name in RECORD_PAGES:
        params["assessment_file"] = ASSESSMENT_FILE
    if page.name == "briefing":
        params["period"] = period
    if page.name == "dashboard":
        params["output_dir"] = "."
    if target_id is not None:
        params["target_id"] = target_id
    return params


def plan_jobs(
    period: str, langs: Sequence[str], data_dir: str, target_ids: Sequence[str],
    notebooks_dir: Path = NOTEBOOKS_DIR, pages: Sequence[Page] = PAGES, with_record: bool = False,
) -> list[Job]:
    """Return every notebook run of a period, in the order of ``pages`` (see PAGES)."""
    jobs: list[Job] = []
    for page in pages:
        for lang in langs:
            targets = sorted(target_ids) if page.per_target else [None]
            for target in targets:
                key = f"{page.name}/{target}.{lang}" if target else f"{page.name}.{lang}"
                params = page_parameters(page, period, lang, data_dir, target, with_record)
                title = f"{period} · {key.replace('/', ' · ')}"
                jobs.append(Job(key, str(notebooks_dir / page.notebook), params, page.code, title))
    return jobs


def targets_with_data(dataset: Any, as_of: date) -> list[str]:
    """Return the target ids whose indicator/region has an annual value published by as_of."""
    from analysis.data import vintage

    ids = []
    for target in dataset.targets.sort_values("target_id").itertuples():
        if len(vintage.annual_series(dataset, target.indicator_id, target.region, as_of)):
            ids.append(target.target_id)
    return ids
