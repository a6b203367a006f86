"""The render manifest: input and output hashes, and whether a period is up to date."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Sequence

from analysis.report.periods import quarter_end

REPO_ROOT = Path(__file__).resolve().parents[3]


NOTEBOOKS_DIR = REPO_ROOT / "notebooks"


SRC_DIR = Path(__file__).resolve().parents[1]


LOCK_FILE = REPO_ROOT / "requirements.lock"


MANIFEST = "manifest.json"


PIPELINE_VERSION = 2  # 2: per-page keys and outputs (``pages``)


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
    files.update({f"src/analysis/{p.relative_to(src_dir).as_posix()}": p for p in package_files(src_dir)})
    if lock_file.is_file():
        files["requirements.lock"] = lock_file
    return files


def package_files(src_dir: Path) -> list[Path]:
    """Return every source and template file of the package, in every sub-package, sorted."""
    if not src_dir.is_dir():
        return []
    found = [p for pattern in ("*.py", "*.j2") for p in src_dir.rglob(pattern)]
    return sorted(p for p in found if p.is_file() and not any(part.startswith(".") or part == "__pycache__" for part in p.relative_to(src_dir).parts))


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


def build_manifest(period: str, params: dict[str, Any], inputs: dict[str, str], outputs: dict[str, str],
                   pages: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Return the manifest of a period (no timestamps, sorted keys); ``pages``: each page's key and output files."""
    return {"period": period, "pipeline_version": PIPELINE_VERSION, "parameters": params, "inputs": inputs, "outputs": outputs,
            "pages": pages or {}}


def reusable_pages(period_dir: Path, keys: dict[str, str]) -> set[str]:
    """Return the pages of a rendered period whose key is unchanged and whose files are still as rendered."""
    manifest = read_manifest(period_dir)
    if manifest is None or manifest.get("pipeline_version") != PIPELINE_VERSION:
        return set()
    kept = set()
    for name, page in manifest.get("pages", {}).items():
        outputs = page.get("outputs", {})
        if keys.get(name) == page.get("key") and outputs and all(
                (period_dir / rel).is_file() and sha256_file(period_dir / rel) == sha for rel, sha in outputs.items()):
            kept.add(name)
    return kept


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
