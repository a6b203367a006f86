"""Check that the test suite bites: apply deliberate mutations to a copy of the project, run the tests
that should notice, and print which mutations were killed (a test failed) and which survived.

Usage: .venv/bin/python scripts/mutation_check.py [--only NAME ...] [--sample N [--seed S]] [--list]

`make mutation` runs them all and prints the kill rate; CI runs a sample of them (--sample, a
different sample for each commit, chosen from the commit id so a run can be repeated).

Each mutation replaces one exact snippet in one file of a temporary copy of the worktree (never the
worktree itself) and runs its tests there with PYTHONPATH pointing at the copy's src/. A snippet that
is no longer in the file (the code moved on) is reported as "n/a", not as a pass. Exit code 1 when a
mutation survived.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IGNORED = shutil.ignore_patterns(".venv", ".git", "reports", "bench-results", "__pycache__", ".hypothesis", ".pytest_cache", "*.egg-info")


@dataclass(frozen=True)
class Mutation:
    """One deliberate bug: replace ``old`` by ``new`` in ``path`` and expect ``tests`` to fail."""

    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]


MUTATIONS = (
    Mutation("gap.meets >= flipped to <=", "src/analysis/assess/rules.py",
             '">=": value >= target', '">=": value <= target', ("tests/test_gap.py",)),
    Mutation("gap.meets >= made strict", "src/analysis/assess/rules.py",
             '">=": value >= target', '">=": value > target', ("tests/test_gap.py",)),
    Mutation("gap.status_from_p band edge exclusive", "src/analysis/assess/rules.py",
             "    for code, edge in STATUS_BANDS:\n        if p >= edge:", "    for code, edge in STATUS_BANDS:\n        if p > edge:",
             ("tests/test_gap.py",)),
    Mutation("gap.new_observations includes the previous quarter's last day", "src/analysis/assess/changes.py",
             '(obs["published"] > start)', '(obs["published"] >= start)', ("tests/test_gap.py", "tests/test_hardening.py")),
    Mutation("tables.cell_html drops the HTML escape", "src/analysis/report/tables.py",
             "    return html.escape(str(value))\n", "    return str(value)\n", ("tests/test_tables.py", "tests/test_pipeline.py")),
    Mutation("models: every interval halved", "src/analysis/forecast/intervals.py",
             "    errors.setflags(write=False)", "    errors = errors * 0.5\n    errors.setflags(write=False)",
             ("tests/test_models.py",)),
    Mutation("data: non-finite numbers accepted", "src/analysis/data/cells.py",
             "    if not np.isfinite(number):", "    if False:", ("tests/test_fuzz_data.py", "tests/test_data.py")),
    Mutation("data: period pattern check dropped", "src/analysis/data/cells.py",
             'CELL_PATTERNS = {("observations", "period")', 'CELL_PATTERNS = {("observations", "no_such_column")',
             ("tests/test_fuzz_data.py", "tests/test_data.py")),
    Mutation("data: control characters accepted", "src/analysis/data/cells.py",
             "            if control:", "            if False:", ("tests/test_fuzz_data.py", "tests/test_data.py")),
    Mutation("data: unknown source accepted", "src/analysis/data/validate.py",
             "        if row.source_id not in sources:", "        if False:", ("tests/test_fuzz_data.py", "tests/test_data.py")),
    Mutation("data: duplicate keys accepted", "src/analysis/data/validate.py",
             'duplicated = frame.duplicated(subset=keys, keep="first")', 'duplicated = frame.duplicated(subset=keys, keep="first") & False',
             ("tests/test_fuzz_data.py", "tests/test_data.py")),
    Mutation("data: BOM rejected again", "src/analysis/data/csvfile.py",
             "    text = text.removeprefix(BOM)\n", "", ("tests/test_fuzz_data.py", "tests/test_data.py")),
    Mutation("data.select_as_of: earliest publication wins", "src/analysis/data/vintage.py",
             "ascending=[True, True, True, False, True, False, True, True]", "ascending=[True, True, True, False, True, True, True, True]",
             ("tests/test_data.py", "tests/test_one_rule.py")),
    Mutation("forecast input: non-finite values accepted", "src/analysis/forecast/series_csv.py",
             "            if problem:\n                raise fail(", "            if False:\n                raise fail(",
             ("tests/test_fuzz_forecast.py", "tests/test_models.py")),
    Mutation("add: every record rewritten", "src/analysis/data/csv_edit.py",
             "self.texts[index + 1] if index < len(self.rows) and row == self.rows[index] else self.record_text(row)",
             "self.record_text(row)", ("tests/test_add.py",)),
    Mutation("add: byte-order mark dropped", "src/analysis/data/csv_edit.py",
             'return ("\\ufeff" if self.bom else "")', 'return (""', ("tests/test_add.py",)),
    Mutation("i18n: English word of on_track swapped", "src/analysis/report/i18n.py",
             '"status.on_track": {"zh": "进展顺利", "en": "on track"}', '"status.on_track": {"zh": "进展顺利", "en": "likely"}',
             ("tests/test_i18n.py",)),
    Mutation("gap: interpolated past target's bridge probability on the wrong side", "src/analysis/assess/projection.py",
             "    above = float(norm.sf((edge - centre) / sd))", "    above = float(norm.cdf((edge - centre) / sd))",
             ("tests/test_gap.py",)),
    Mutation("gap: as-of selection cache ignores the table's content", "src/analysis/assess/evidence.py",
             "    key = (content, tuple(dataset.observations.columns), stamp, tuple(formulas))",
             "    key = (len(dataset.observations), tuple(dataset.observations.columns), stamp, tuple(formulas))",
             ("tests/test_gap.py",)),
    Mutation("layout: the data stage imports the report stage", "src/analysis/data/vintage.py",
             "from __future__ import annotations\n", "from __future__ import annotations\n\nfrom analysis.report import i18n  # noqa: F401\n",
             ("tests/test_layout.py",)),
    Mutation("layout: an import circle inside a stage", "src/analysis/assess/rules.py",
             "from __future__ import annotations\n", "from __future__ import annotations\n\nfrom analysis.assess import statuses  # noqa: F401\n",
             ("tests/test_layout.py",)),
    Mutation("add: no definition decision written for a figure of a target", "src/analysis/data/add.py",
             "        for row in audit_rows(f, target_records,", "        for row in [] and audit_rows(f, target_records,",
             ("tests/test_add.py",)),
    Mutation("request: no grace month before a figure is overdue", "src/analysis/data/request.py",
             "    index = (year + lag) * 12 + (month or UNKNOWN_MONTH) - 1 + grace + 1",
             "    index = (year + lag) * 12 + (month or UNKNOWN_MONTH) - 1 + 1", ("tests/test_request.py",)),
    Mutation("plausibility: distances halved (a slip by 10 looks like a factor of 3)", "src/analysis/data/plausibility.py",
             "    return abs(math.log10(a / b))", "    return abs(math.log10(a / b)) / 2", ("tests/test_plausibility.py",)),
)


# Both sides of every rule (issue 16 item 2): each comparator, qualifier, band edge and target kind.
BOTH = ("tests/test_rules_both_sides.py",)
RULE_MUTATIONS = (
    Mutation("rule: meets > made >=", "src/analysis/assess/rules.py", '">": value > target', '">": value >= target', BOTH),
    Mutation("rule: meets <= made strict", "src/analysis/assess/rules.py", '"<=": value <= target', '"<=": value < target', BOTH),
    Mutation("rule: meets <= flipped", "src/analysis/assess/rules.py", '"<=": value <= target', '"<=": value >= target', BOTH),
    Mutation("rule: meets < made <=", "src/analysis/assess/rules.py", '"<": value < target', '"<": value <= target', BOTH),
    Mutation("rule: simulated >= flipped", "src/analysis/assess/rules.py", '">=": values >= threshold', '">=": values <= threshold', BOTH),
    Mutation("rule: simulated > flipped", "src/analysis/assess/rules.py", '">": values > threshold', '">": values < threshold', BOTH),
    Mutation("rule: simulated <= flipped", "src/analysis/assess/rules.py", '"<=": values <= threshold', '"<=": values >= threshold', BOTH),
    Mutation("rule: simulated < flipped", "src/analysis/assess/rules.py", '"<": values < threshold', '"<": values > threshold', BOTH),
    Mutation("rule: > read as lower-is-better", "src/analysis/assess/rules.py",
             'return comparator in (">=", ">")', 'return comparator in (">=",)', BOTH),
    Mutation("qualifier: an upper bound read as a value", "src/analysis/assess/rules.py",
             "    return qualifier in LOWER_BOUNDS + UPPER_BOUNDS", "    return qualifier in LOWER_BOUNDS", BOTH),
    Mutation("qualifier: a lower bound read as a value", "src/analysis/assess/rules.py",
             "    return qualifier in LOWER_BOUNDS + UPPER_BOUNDS", "    return qualifier in UPPER_BOUNDS", BOTH),
    Mutation("qualifier: < no longer strict on the threshold", "src/analysis/assess/rules.py",
             'strict, inclusive = qualifier in (">", "<"), comparator in (">=", "<=")',
             'strict, inclusive = qualifier in (">",), comparator in (">=", "<=")', BOTH),
    Mutation("qualifier: <= target no longer inclusive", "src/analysis/assess/rules.py",
             'strict, inclusive = qualifier in (">", "<"), comparator in (">=", "<=")',
             'strict, inclusive = qualifier in (">", "<"), comparator in (">=",)', BOTH),
    Mutation("vintage: an upper bound competes as an exact figure", "src/analysis/data/vintage.py",
             "    if qualifier in LOWER_BOUNDS + UPPER_BOUNDS:\n        return 2", "    if qualifier in LOWER_BOUNDS:\n        return 2",
             ("tests/test_one_rule.py",) + BOTH),
    Mutation("vintage: a lower bound competes as an exact figure", "src/analysis/data/vintage.py",
             "    if qualifier in LOWER_BOUNDS + UPPER_BOUNDS:\n        return 2", "    if qualifier in UPPER_BOUNDS:\n        return 2",
             ("tests/test_one_rule.py",) + BOTH),
    Mutation("vintage: about (~) competes as exact", "src/analysis/data/vintage.py",
             'return 1 if qualifier in APPROX_QUALIFIERS or status == "estimate" else 0', 'return 1 if status == "estimate" else 0',
             ("tests/test_one_rule.py",) + BOTH),
    Mutation("vintage: an estimate (预计) competes as exact", "src/analysis/data/vintage.py",
             'return 1 if qualifier in APPROX_QUALIFIERS or status == "estimate" else 0', 'return 1 if qualifier in APPROX_QUALIFIERS else 0',
             ("tests/test_one_rule.py",) + BOTH),
    Mutation("vintage: the curator's preferred row not first", "src/analysis/data/vintage.py",
             '["indicator_id", "region", "period", "preferred", "_tier",', '["indicator_id", "region", "period", "_tier", "preferred",',
             ("tests/test_one_rule.py",) + BOTH),
    Mutation("about: lower-is-better loosened the wrong way", "src/analysis/assess/level.py",
             "((1 - ABOUT_TOLERANCE) if higher_is_better(a.comparator) else (1 + ABOUT_TOLERANCE))", "(1 - ABOUT_TOLERANCE)", BOTH),
    Mutation("about: higher-is-better loosened the wrong way", "src/analysis/assess/level.py",
             "((1 - ABOUT_TOLERANCE) if higher_is_better(a.comparator) else (1 + ABOUT_TOLERANCE))", "(1 + ABOUT_TOLERANCE)", BOTH),
    Mutation("band: progress edge exclusive", "src/analysis/assess/rules.py",
             "        if ratio >= edge:", "        if ratio > edge:", BOTH),
    Mutation("band: likelihood words' edge exclusive", "src/analysis/assess/rules.py",
             "    for code, edge in LIKELIHOOD_BANDS:\n        if p >= edge:", "    for code, edge in LIKELIHOOD_BANDS:\n        if p > edge:",
             ("tests/test_rules_both_sides.py", "tests/test_i18n.py", "tests/test_text.py")),
    Mutation("band: past outcome edge exclusive", "src/analysis/assess/rules.py",
             "    for code, edge in PAST_BANDS:\n        if p >= edge:", "    for code, edge in PAST_BANDS:\n        if p > edge:", BOTH),
    Mutation("kind rank: half a place on the same side for <", "src/analysis/assess/level.py",
             'threshold += RANK_HALF_STEP if a.comparator in ("<=", ">") else -RANK_HALF_STEP', "threshold += RANK_HALF_STEP", BOTH),
    Mutation("kind rank: half a place on the same side for <=", "src/analysis/assess/level.py",
             'threshold += RANK_HALF_STEP if a.comparator in ("<=", ">") else -RANK_HALF_STEP', "threshold -= RANK_HALF_STEP", BOTH),
    Mutation("kind rank: five ranks counted as too few", "src/analysis/assess/level.py",
             'if target.target_type == "rank" and len(series) < MIN_RANK_POINTS:', 'if target.target_type == "rank" and len(series) <= MIN_RANK_POINTS:', BOTH),
    Mutation("kind each year: a missed year ignored", "src/analysis/assess/level.py",
             "missed_years = [int(y) for y, v in window.items() if not meets(v, a.comparator, a.target_level)]", "missed_years = []", BOTH),
    Mutation("kind each year: any year instead of every year", "src/analysis/assess/level.py",
             "ok = np.all(sample_meets(samples[mask][:, columns], a.comparator, threshold), axis=1)",
             "ok = np.any(sample_meets(samples[mask][:, columns], a.comparator, threshold), axis=1)", BOTH),
    Mutation("kind average growth: one year too few compounded", "src/analysis/assess/level.py",
             "(a.target_year - by), LEVEL_DIGITS)", "(a.target_year - by - 1), LEVEL_DIGITS)", BOTH),
    Mutation("kind cumulative: a reached cap counted as met", "src/analysis/assess/cumulative.py",
             "    if higher_is_better(a.comparator) and meets(total, a.comparator, a.target_value):",
             "    if meets(total, a.comparator, a.target_value):", BOTH),
    Mutation("kind cumulative: the target year itself counted as future", "src/analysis/assess/cumulative.py",
             "    if last_year >= a.target_year:\n        judge_observed_window", "    if last_year > a.target_year:\n        judge_observed_window", BOTH),
    Mutation("past: a target-year value always meets", "src/analysis/assess/level.py",
             "        satisfied = meets(a.projected_value, a.comparator, a.target_level)", "        satisfied = True", BOTH),
    Mutation("past: a reported figure no longer decides", "src/analysis/assess/rules.py",
             'OUTCOME_STATUSES = ("official", "revised", "reported", "derived")', 'OUTCOME_STATUSES = ("official", "revised", "derived")', BOTH),
)

# One per hollow test rewritten in issue 16 (each test is named by the behaviour it pins).
HOLLOW_MUTATIONS = (
    Mutation("hollow test_assess_returns_the_forecast: projected only to the target year", "src/analysis/assess/level.py",
             "    horizon = max(PROJECT_TO, a.target_year) - last_year\n    try:", "    horizon = a.target_year - last_year\n    try:",
             ("tests/test_gap.py",)),
    Mutation("hollow min_points branches: three points needed", "src/analysis/forecast/models.py",
             "MIN_POINTS = 2\n", "MIN_POINTS = 3\n", ("tests/test_gap.py",)),
    Mutation("hollow quantile table: intervals stop widening past the table", "src/analysis/forecast/intervals.py",
             "(math.sqrt(h / last) if grow else 1.0)", "1.0", ("tests/test_models.py",)),
    Mutation("hollow XLSX byte identity: docProps dates kept", "src/analysis/report/exports.py",
             "    return fixed_zip(buffer.getvalue())", "    return buffer.getvalue()", ("tests/test_exports.py",)),
    Mutation("hollow dry runs: add --dry-run writes", "src/analysis/data/add.py",
             "    if args.dry_run:\n        print(", "    if False:\n        print(", ("tests/test_fuzz_add.py", "tests/test_add.py")),
    Mutation("hollow --keep-existing: the new vintage marked preferred", "src/analysis/data/add.py",
             "(True if args.prefer else False if args.keep_existing else None)", "(True if args.prefer or args.keep_existing else None)",
             ("tests/test_add.py",)),
    Mutation("hollow plots: no bars in the peer chart", "src/analysis/report/plots.py",
             '    ax.barh(ordered["label"], ordered["value"], color=colors)', '    ax.barh(ordered["label"], ordered["value"] * 0, color=colors)',
             ("tests/test_plots.py",)),
    Mutation("hollow plots: no fan band drawn", "src/analysis/report/target_charts.py",
             "            ax.fill_between(years, low, high,", "            (lambda *a, **k: None)(years, low, high,",
             ("tests/test_plots.py", "tests/test_target_charts.py")),
    Mutation("hollow text risks: no pace for a risk", "src/analysis/report/text.py",
             "        pace = record_text.at_recent_pace(dataset, r, lang)\n        if pace:", "        pace = record_text.at_recent_pace(dataset, r, lang)\n        if False:",
             ("tests/test_text.py",)),
    Mutation("hollow as-of: the status reads today's data", "src/analysis/assess/statuses.py",
             "    chosen = chosen_as_of(dataset, as_of)", "    chosen = chosen_as_of(dataset, None)", ("tests/test_hardening.py",)),
    Mutation("hollow clock: the report date ignored", "src/analysis/data/vintage.py",
             "    return pd.Timestamp(as_of).normalize()", "    return pd.Timestamp(clock.today())", ("tests/test_clock.py",)),
)

MUTATIONS = MUTATIONS + RULE_MUTATIONS + HOLLOW_MUTATIONS


# Appended to the copy's conftest: report the first failing example instead of shrinking it (minutes).
NO_SHRINK = """

from hypothesis import Phase, settings as _settings

_settings.register_profile("mutation", phases=[Phase.explicit, Phase.generate], database=None)
_settings.load_profile("mutation")
"""


def copy_project(target: Path) -> None:
    """Copy the worktree (sources, tests, data, notebooks) without caches, venv or git; no shrinking."""
    shutil.copytree(ROOT, target, ignore=IGNORED)
    with (target / "tests" / "conftest.py").open("a", encoding="utf-8") as conftest:
        conftest.write(NO_SHRINK)


def run_tests(copy: Path, tests: tuple[str, ...]) -> subprocess.CompletedProcess:
    """Run the named tests in the copy, importing the copy's analysis package."""
    env = {**os.environ, "PYTHONPATH": str(copy / "src"), "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "pytest", "-q", "-x", "-m", "not e2e", "-p", "no:cacheprovider",
               "--hypothesis-seed=0", *tests]
    return subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True)


def imports_copy(copy: Path) -> bool:
    """Return whether Python started in the copy imports the copy's package (not the worktree's)."""
    env = {**os.environ, "PYTHONPATH": str(copy / "src")}
    out = subprocess.run([sys.executable, "-c", "import analysis; print(analysis.__file__)"], cwd=copy, env=env,
                         capture_output=True, text=True).stdout.strip()
    return out.startswith(str(copy))


def check(mutation: Mutation, base: Path) -> tuple[str, float, str]:
    """Apply one mutation to a fresh copy and return (killed | survived | n/a, seconds, detail)."""
    copy = base / "project"
    if copy.exists():
        shutil.rmtree(copy)
    copy_project(copy)
    path = copy / mutation.path
    text = path.read_text(encoding="utf-8")
    if text.count(mutation.old) != 1:
        return "n/a", 0.0, f"snippet found {text.count(mutation.old)} times in {mutation.path}"
    path.write_text(text.replace(mutation.old, mutation.new), encoding="utf-8")
    started = time.monotonic()
    result = run_tests(copy, mutation.tests)
    seconds = time.monotonic() - started
    summary = (result.stdout.strip().splitlines() or [""])[-1]
    if result.returncode == 0:
        return "survived", seconds, summary
    if result.returncode in (1, 3):  # tests failed (3: an error while collecting, e.g. import-time crash)
        return "killed", seconds, summary
    return "error", seconds, summary + result.stderr[-300:]


def main(argv: list[str] | None = None) -> int:
    """Run the chosen mutations and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=None, help="run only mutations whose name contains one of these words")
    parser.add_argument("--sample", type=int, default=None, help="run only this many mutations, drawn at random")
    parser.add_argument("--seed", default="0", help="what the sample is drawn from (e.g. the commit id)")
    parser.add_argument("--list", action="store_true", help="list the mutations and exit")
    args = parser.parse_args(argv)
    chosen = [m for m in MUTATIONS if not args.only or any(word in m.name for word in args.only)]
    if args.sample is not None and args.sample < len(chosen):
        chosen = random.Random(args.seed).sample(chosen, args.sample)
    if args.list:
        for m in chosen:
            print(f"{m.name}  [{m.path}; {' '.join(m.tests)}]")
        return 0
    rows = []
    with tempfile.TemporaryDirectory(prefix="mutation-") as scratch:
        base = Path(scratch)
        copy_project(base / "project")
        if not imports_copy(base / "project"):
            print("error: the copy does not import its own src/ (is PYTHONPATH ignored?)", file=sys.stderr)
            return 2
        for mutation in chosen:
            outcome, seconds, detail = check(mutation, base)
            rows.append((mutation, outcome, seconds, detail))
            print(f"{outcome:8} {seconds:6.1f}s  {mutation.name}  ({detail})", flush=True)
    survived = [m.name for m, outcome, _, _ in rows if outcome != "killed"]
    killed = sum(o == 'killed' for _, o, _, _ in rows)
    print(f"\nkill rate {killed}/{len(rows)} ({100 * killed / max(len(rows), 1):.0f} %)")
    print(f"{killed} killed, {sum(o == 'survived' for _, o, _, _ in rows)} survived, "
          f"{sum(o not in ('killed', 'survived') for _, o, _, _ in rows)} n/a or error, of {len(rows)} mutations")
    return 1 if survived else 0


if __name__ == "__main__":
    sys.exit(main())
