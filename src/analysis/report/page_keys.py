"""Per-page input keys: which pages of a period must run again after a change, and which files each owns.

A page of a period (``briefing.zh``, ``projection/<target>.en``) is rendered again only when its
key changes. Every key holds the package source, the lock file, the page's notebook and its
parameters, so a code change redoes every page. The data part differs by page:

- a period page (briefing, audit, annex, dashboard, peers, retrospective) reads the whole data
  directory: its key holds the hash of every data file;
- a projection page reads one target's record (from ``assessment.json``) and the rows of its own
  indicator: its key holds that record, the observations and definition-audit rows of the
  indicator and of every indicator it is derived from (``derived.csv``), the sources those rows
  and the small tables cite, and every other table whole. A figure of another indicator changes
  the key only when it changes this target's record (a peer prior, for instance), and then the
  record says so.

The end-to-end test checks the claim: after one new figure, a render that reuses the unchanged
pages equals a full render byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import pandas as pd

# Files of data/ that no page reads (the curation log, the folder's README, the package descriptor).
NOT_READ_BY_PAGES = ("data/CHANGELOG.md", "data/README.md", "data/datapackage.json")


# Tables a projection page reads only for its own indicators, and the column that says whose a row is.
SLICED_TABLES = {"observations": "indicator_id", "definition_audit": "indicator_id"}


SLICED_FILES = ("data/observations.csv", "data/definition_audit.csv", "data/sources.csv")


# Period-level files: written for the whole period on every render (cheap), owned by no page.
PERIOD_FILES = ("assessment.json", "assessment.csv", "requests.zh.xlsx", "requests.en.xlsx")


def digest(payload: Any) -> str:
    """Return the sha256 of a JSON-serialisable payload (sorted keys, exact text)."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def frame_digest(frame: pd.DataFrame) -> str:
    """Return the sha256 of a table's rows as CSV (columns and order as loaded)."""
    return hashlib.sha256(frame.to_csv(index=False, lineterminator="\n").encode("utf-8")).hexdigest()


def code_inputs(inputs: Mapping[str, str]) -> dict[str, str]:
    """Return the hashes of the package source and the lock file (what every page runs)."""
    return {k: v for k, v in inputs.items() if k.startswith("src/") or k == "requirements.lock"}


def data_inputs(inputs: Mapping[str, str]) -> dict[str, str]:
    """Return the hashes of the data files that pages read."""
    return {k: v for k, v in inputs.items() if k.startswith("data/") and k not in NOT_READ_BY_PAGES}


def derivation_inputs(formulas: Iterable[Any]) -> dict[str, list[str]]:
    """Return each derived indicator's input indicators, from the formulas of derived.csv."""
    out: dict[str, list[str]] = {}
    for f in formulas:
        out.setdefault(f.indicator_id, []).extend(f.inputs)
    return out


def indicator_closure(indicator_id: str, inputs_of: Mapping[str, Sequence[str]]) -> list[str]:
    """Return an indicator and every indicator it is derived from, directly or not, sorted."""
    seen: set[str] = set()
    todo = [indicator_id]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(inputs_of.get(current, ()))
    return sorted(seen)


def cited_sources(frames: Iterable[pd.DataFrame]) -> set[str]:
    """Return the source ids cited in the ``source_id`` column of any of the tables."""
    cited: set[str] = set()
    for frame in frames:
        if "source_id" in frame.columns:
            cited.update(str(s) for s in frame["source_id"].dropna())
    return cited


def target_data_key(dataset: Any, formulas: Sequence[Any], indicator_id: str, inputs: Mapping[str, str]) -> dict[str, str]:
    """Return the data a projection page of one indicator reads, as hashes: its rows of the sliced tables, the rest whole."""
    closure = set(indicator_closure(indicator_id, derivation_inputs(formulas)))
    key = {k: v for k, v in data_inputs(inputs).items() if k not in SLICED_FILES}
    own = {name: getattr(dataset, name) for name in SLICED_TABLES}
    own = {name: frame[frame[SLICED_TABLES[name]].isin(closure)] for name, frame in own.items()}
    whole = [dataset.targets, dataset.milestones, dataset.indicators, dataset.regions]
    sources = dataset.sources[dataset.sources["source_id"].isin(cited_sources([*own.values(), *whole]))]
    key.update({f"{name} of {' '.join(sorted(closure))}": frame_digest(frame) for name, frame in own.items()})
    key["sources cited"] = frame_digest(sources)
    return key


def page_key(job: Any, inputs: Mapping[str, str], data_key: Mapping[str, str], record: Mapping[str, Any] | None) -> str:
    """Return a page's key: code, its notebook, its parameters, the data it reads and (projection pages) its record."""
    notebook = f"notebooks/{Path(job.notebook).name}"
    return digest({"code": code_inputs(inputs), "notebook": inputs.get(notebook, ""), "parameters": job.parameters,
                   "title": job.title, "show_code": job.code, "data": dict(data_key), "record": record})


def owner_of(rel_path: str, keys: Iterable[str]) -> str | None:
    """Return the page that wrote a file of a period folder (``<key>.*`` or ``screenshot.<key>.png``), or None."""
    stem = rel_path[len("screenshot."):] if rel_path.startswith("screenshot.") else rel_path
    for key in keys:
        if stem.startswith(key + "."):
            return key
    return None


def outputs_by_page(outputs: Mapping[str, str], keys: Sequence[str]) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Return each page's output files with their hashes, and the files no page owns."""
    owned: dict[str, dict[str, str]] = {key: {} for key in keys}
    orphans = []
    for rel, sha in sorted(outputs.items()):
        owner = owner_of(rel, keys)
        if owner is None:
            orphans.append(rel)
        else:
            owned[owner][rel] = sha
    return owned, orphans
