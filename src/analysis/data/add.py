"""Append new sourced observations (``python -m analysis add``) after validating them.

A new value is checked together with the whole data directory (in a temporary copy), and
written only when everything validates: observations.csv (and sources.csv for a new source)
are replaced atomically. A value that differs from an existing vintage of the same indicator,
region and period is a conflict: the user must say which vintage the analysis should prefer.
Each file keeps the conventions it was saved with (byte-order mark, CRLF, quoting): records that
do not change keep their exact bytes.

A figure that bears on a target (the target's own indicator and region, or a pair recorded as a
"related figure" of a target) gets its definition decision in definition_audit.csv in the same
write, so the audit page lists it: by default "used" for the target's own indicator (the person
adding it files it under the indicator whose definition the target uses) and the pair's recorded
decision and reason for a related figure; ``--decision`` with ``--reason-en``/``--reason-zh``
records another decision (e.g. a figure of a narrower scope kept as context)."""

from __future__ import annotations

import argparse
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from analysis.data import argcheck, csvfile, schema, validate
from analysis.data.csv_edit import CsvFile, lines_of_appended, physical_lines, read_table, replace_all_atomically
from analysis.data.entries import (
    SOURCE_COLUMNS,
    Entry,
    as_of_limit,
    entries_from_rows,
    entry_from_args,
    merged_notes,
    number_or_none,
    parsed_date,
    resolve_source,
)

AUDIT_KEY = ("indicator_id", "region", "period")


DEFAULT_REASON = {
    "en": "Filed under the target's own indicator; its definition is the indicator's.",
    "zh": "按目标本身的指标录入，口径与指标定义一致。",
}


SUB_ANNUAL_REASON = {  # as scripts/curate_harvest.py words it
    "en": "Year-to-date or month-end figure; the target is judged on annual values.",
    "zh": "年内累计或月末数据；目标按年度数值评估。",
}


@dataclass(frozen=True)
class Conflict:
    """An existing vintage whose value differs from the new one."""

    line: int
    value: str
    status: str
    source_id: str
    published: str
    preferred: str

    def __str__(self) -> str:
        return (f"observations.csv:{self.line}: existing vintage {self.value} ({self.status}, source {self.source_id}, "
                f"published {self.published}, preferred={self.preferred})")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of the add command."""
    parser.add_argument("--from", dest="from_file", type=argcheck.existing_file, metavar="FILE",
                        help="append every filled row of a request workbook (.xlsx, from python -m analysis request) or a CSV "
                             "(data/templates/observations_template.csv, or a sheet exported as CSV UTF-8): all or nothing")
    parser.add_argument("--from-csv", dest="from_file", type=argcheck.existing_file, metavar="FILE", help="the same as --from (kept for old scripts)")
    parser.add_argument("--indicator", dest="indicator_id")
    parser.add_argument("--region", default=None, help="region id (default: ningbo)")
    parser.add_argument("--period", help="YYYY for a year, YYYY-MM for year-to-date")
    parser.add_argument("--value")
    parser.add_argument("--unit", help="must equal the indicator's unit (default: the indicator's unit)")
    parser.add_argument("--qualifier", default=None, help="'' or > >= < <= ~ (for 突破/超过/约)")
    parser.add_argument("--status", default=None, help="official (default), revised, preliminary, reported, derived, estimate; "
                                                      "with --from: for rows that leave it empty")
    parser.add_argument("--source-id", required=False)
    parser.add_argument("--source-title")
    parser.add_argument("--publisher")
    parser.add_argument("--url", default=None)
    parser.add_argument("--source-kind", default=None, help="kind of a new source (default: bulletin)")
    parser.add_argument("--published", help="YYYY-MM-DD, the date the value became public")
    parser.add_argument("--published-estimated", action="store_true")
    parser.add_argument("--quote", default="", help="the short original phrase holding the number")
    parser.add_argument("--notes", default="", help="why; with --from, added to every row's notes")
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--prefer", action="store_true", help="mark the new vintage preferred (others of the key become not preferred)")
    choice.add_argument("--keep-existing", action="store_true", help="keep the existing preferred vintage; add the new one as not preferred")
    parser.add_argument("--decision", choices=schema.DECISIONS, default=None,
                        help="definition decision for every target the figure bears on (default: used for the target's own "
                             "indicator; a related figure keeps its recorded decision)")
    parser.add_argument("--reason-en", default="", help="why (English), with --decision")
    parser.add_argument("--reason-zh", default="", help="why (Chinese, full-width punctuation), with --decision")
    parser.add_argument("--confirm-unusual", metavar="REASON", default=None,
                        help="add a value far from its series anyway (the reason goes into the notes)")
    parser.add_argument("--as-of", type=argcheck.report_date, default=None, help="YYYY-MM-DD: no value may be published after it (default: today)")
    parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")


def differs(existing: str, new: str) -> bool:
    """Return whether two value strings are different numbers (unparseable ones are left to validation)."""
    try:
        return float(existing) != float(new)
    except ValueError:
        return False


def conflicts_with(table: CsvFile, rows: list[list[str]], new: dict[str, str]) -> list[Conflict]:
    """Return the existing vintages of the new row's key whose value differs."""
    header = table.header
    col = {name: i for i, name in enumerate(header)}
    found = []
    for line, row in zip(table.lines, rows):
        if len(row) != len(header):
            continue
        same_key = all(row[col[k]] == new.get(k, "") for k in ("indicator_id", "region", "period"))
        if same_key and differs(row[col["value"]], new["value"]):
            found.append(Conflict(line, row[col["value"]], row[col["status"]], row[col["source_id"]], row[col["published"]], row[col["preferred"]]))
    return found


def apply_preference(header: list[str], rows: list[list[str]], new: dict[str, str], prefer_new: bool) -> None:
    """Set the preferred flags of one key: the new vintage or the existing ones keep it."""
    col = {name: i for i, name in enumerate(header)}
    same = [row for row in rows if len(row) == len(header) and all(row[col[k]] == new.get(k, "") for k in ("indicator_id", "region", "period"))]
    if not same:
        new["preferred"] = "true"
        return
    new["preferred"] = "true" if prefer_new else "false"
    if prefer_new:
        for row in same:
            row[col["preferred"]] = "false"


def audit_rows(new: dict[str, str], targets: list[dict[str, str]], audit: list[dict[str, str]],
               decision: str | None = None, reasons: dict[str, str] | None = None) -> list[dict[str, str]]:
    """Return the definition-audit rows a new figure needs (none for a key already decided)."""
    key = tuple(new.get(k, "") for k in AUDIT_KEY)
    decided = {(row["target_id"], *(row[k] for k in AUDIT_KEY)) for row in audit}
    wanted: dict[str, tuple[str, str, str]] = {}
    for target in targets:
        if (target["indicator_id"], target["region"]) == key[:2]:
            annual = re.fullmatch(r"\d{4}", key[2]) is not None
            reason = DEFAULT_REASON if annual else SUB_ANNUAL_REASON
            wanted[target["target_id"]] = ("used" if annual else "excluded", reason["en"], reason["zh"])
    for row in audit:  # a pair already kept as context for a target: the same decision for its new period
        if (row["indicator_id"], row["region"]) == key[:2] and row["decision"] != "used":
            wanted[row["target_id"]] = (row["decision"], row["reason_en"], row["reason_zh"])
    if decision:
        reasons = reasons or {}
        wanted = {t: (decision, reasons.get("en", ""), reasons.get("zh", "")) for t in wanted}
    return [
        {"target_id": target_id, **dict(zip(AUDIT_KEY, key)), "decision": d, "reason_en": en, "reason_zh": zh}
        for target_id, (d, en, zh) in sorted(wanted.items()) if (target_id, *key) not in decided
    ]


def decision_problem(args: argparse.Namespace) -> str | None:
    """Return why --decision/--reason-* are inconsistent, or None."""
    decision = getattr(args, "decision", None)
    reasons = (getattr(args, "reason_en", "") or "", getattr(args, "reason_zh", "") or "")
    if decision and decision != "used" and not all(r.strip() for r in reasons):
        return f"--decision {decision} needs --reason-en and --reason-zh (the audit page shows the reason to readers)"
    if any(reasons) and not decision:
        return "--reason-en/--reason-zh need --decision"
    return None


def main(args: argparse.Namespace) -> int:
    """Check and append observations (one from the options, or every filled row of --from); return the exit code."""
    from analysis.data import batch, plausibility

    data_dir = Path(args.data_dir)
    tables, problems = validate.validate_dir(data_dir)
    if problems:
        print("error: the data directory does not validate before adding anything:", file=sys.stderr)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    try:
        limit, limit_name = as_of_limit(args)
    except ValueError:
        print(f"error: --as-of {args.as_of!r}: expected YYYY-MM-DD", file=sys.stderr)
        return 2
    problem = decision_problem(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    units = dict(zip(tables["indicators"]["indicator_id"], tables["indicators"]["unit"]))
    observations = read_table(data_dir / "observations.csv")
    sources = read_table(data_dir / "sources.csv")
    obs_header, obs_rows = observations.header, [list(row) for row in observations.rows]
    src_header, src_rows = sources.header, [list(row) for row in sources.rows]
    shown_obs = csvfile.display_path(data_dir / "observations.csv")
    from_file = getattr(args, "from_file", None)
    found: list[csvfile.Problem] = []
    notes: list[str] = []
    if from_file:
        single = [option for option, name in (("--indicator", "indicator_id"), ("--period", "period"), ("--value", "value"), ("--unit", "unit"))
                  if getattr(args, name, None)]
        if single:
            print(f"error: {', '.join(single)} describe one value; with --from each row gives its own (leave them out)", file=sys.stderr)
            return 2
        rows, read_problems, notes = batch.read(from_file)
        found += read_problems
        entries = entries_from_rows(rows, args, units)
        if not entries and not read_problems:
            for note in notes:
                print(f"note: {note}", file=sys.stderr)
            reviewed = sum(isinstance(note, batch.ReviewNote) for note in notes)
            why = (f"no row is marked accept in column accept ({reviewed} left out): mark the proposals to add" if reviewed
                   else "no row has a value: fill the value column of the figures you have")
            print(f"error: {csvfile.display_path(from_file)}: {why}", file=sys.stderr)
            return 1
    else:
        try:
            entries = [entry_from_args(args, units)]
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
    for note in notes:
        print(f"note: {note}", file=sys.stderr)

    # --- checks of each row before anything is rendered
    known_regions = set(tables["regions"]["region_id"])
    source_table = tables["sources"]
    source_by_id = {row.source_id: row for row in source_table.itertuples(index=False)}
    source_by_url = {row.url: row.source_id for row in source_table.itertuples(index=False) if row.url}
    taken_ids = set(source_by_id)
    batch_sources: dict[tuple[str, str], str] = {}
    existing = tables["observations"]
    recorded = {(r.indicator_id, r.region, r.period, r.source_id, float(r.value)): int(r.line_no) for r in existing.itertuples(index=False)}
    first_line = len(physical_lines("".join(observations.texts))) + 1
    for entry in entries:
        entry.line = first_line
        f = entry.fields
        where = lambda column, message, e=entry: found.append(e.problem(column, message, shown_obs))  # noqa: E731
        indicator = f["indicator_id"]
        if not indicator and entry.origin is not None:
            where("indicator_id", "empty: the key columns indicator_id, region and period name the figure (hidden in the request "
                                  "workbook; a figure it does not list goes in a CSV from data/templates/observations_template.csv)")
        elif indicator not in units:
            where("indicator_id", f"unknown indicator {indicator!r} (not in indicators.csv){plausibility.did_you_mean(indicator, units)}")
        if f["region"] not in known_regions:
            where("region", f"unknown region {f['region']!r} (not in regions.csv){plausibility.did_you_mean(f['region'], known_regions)}")
        if entry.origin is not None and not f["status"]:
            where("status", "empty: pick the status from the drop-down (official for the publisher's own figure)")
        day = parsed_date(f["published"])
        if day is not None and day > limit:
            where("published", f"{day.isoformat()} is after {limit_name}: a value cannot have been published by then; check the date")
        if entry.origin is not None and entry.decision:
            reasons = entry.reasons or {}
            if entry.decision != "used" and not all((reasons.get(k) or "").strip() for k in ("en", "zh")):
                where("decision", f"decision {entry.decision} needs reason_en and reason_zh")
        resolve_source(entry, source_by_id, source_by_url, taken_ids, batch_sources, where)
    # plausibility: against the data, then with the batch's other values of the same series that pass on their own as neighbours
    judged = [e for e in entries if number_or_none(e.fields["value"]) is not None and e.fields["indicator_id"] in units]
    alone = {id(e): plausibility.check(tables, e.fields["indicator_id"], e.fields["region"], e.fields["period"], e.fields["value"])
             for e in judged}
    for entry in judged:
        f = entry.fields
        number = number_or_none(f["value"])
        extra = [(e.fields["period"], number_or_none(e.fields["value"])) for e in judged
                 if e is not entry and alone[id(e)] is None and e.fields["indicator_id"] == f["indicator_id"] and e.fields["region"] == f["region"]]
        finding = alone[id(entry)] or plausibility.check(tables, f["indicator_id"], f["region"], f["period"], number, extra)
        if not finding:
            continue
        if entry.confirm.strip():
            f["notes"] = merged_notes(f["notes"], f"unusual value confirmed: {entry.confirm.strip()}")
            continue
        fix = ("if the value is right, write why in column confirm_unusual (it is kept in the notes)" if entry.origin is not None
               else 'if the value is right, add it with --confirm-unusual "REASON" (kept in the notes)')
        found.append(entry.problem("value", f"{finding}; {fix}", shown_obs))
    # already recorded, duplicates within the batch, conflicts between vintages
    seen: dict[tuple, Entry] = {}
    conflict_blocks: list[str] = []
    audit_path = data_dir / schema.TABLE_FILES["definition_audit"]
    audit_file = read_table(audit_path) if audit_path.exists() else None
    audit_records = [dict(zip(audit_file.header, row)) for row in audit_file.rows] if audit_file else []
    target_records = tables["targets"][["target_id", "indicator_id", "region"]].astype(str).to_dict("records")
    cli_reasons = {"en": getattr(args, "reason_en", "") or "", "zh": getattr(args, "reason_zh", "") or ""}
    if getattr(args, "decision", None) == "used" and not any(cli_reasons.values()):
        cli_reasons = dict(DEFAULT_REASON)
    new_audit: list[tuple[dict[str, str], Entry]] = []
    appended: list[Entry] = []
    line = first_line
    for entry in entries:
        f = entry.fields
        number = number_or_none(f["value"])
        key = (f["indicator_id"], f["region"], f["period"], f["source_id"], number)
        if number is not None and key in recorded and not entry.new_source:
            entry.skipped = f"already recorded at observations.csv:{recorded[key]} (same indicator, region, period, source and value)"
            continue
        if number is not None and key in seen:
            found.append(entry.problem("value", f"the same figure as {entry.other_label(seen[key])} (same indicator, region, period, "
                                                "source and value): delete one of the two rows", shown_obs))
            continue
        if number is not None:
            seen[key] = entry
        conflicts = conflicts_with(observations, obs_rows, f)
        conflicts += [f"{entry.other_label(other)}: this batch's value {other.fields['value']} (source {other.fields['source_id']})" for other in appended
                      if all(other.fields[k] == f[k] for k in ("indicator_id", "region", "period")) and differs(other.fields["value"], f["value"])]
        prefer = entry.prefer if entry.prefer is not None else (True if args.prefer else False if args.keep_existing else None)
        if conflicts and prefer is None:
            listed = "; ".join(str(c) for c in conflicts)
            if entry.origin is None:
                conflict_blocks.append(
                    f"conflict: {f.get('indicator_id')} {f.get('region')} {f.get('period')} = {f.get('value')} differs from:\n"
                    + "".join(f"  {c}\n" for c in conflicts)
                    + "say which vintage the analysis should prefer: --prefer (the new one, e.g. a revision or final figure) "
                      "or --keep-existing; and explain why in --notes")
            else:
                found.append(entry.problem("preferred", f"conflict: {f['value']} differs from {listed}; choose in column prefer: prefer (this "
                                                        "value is used from now on) or keep (added, the existing one stays in use), "
                                                        "and say why in notes", shown_obs))
        apply_preference(obs_header, obs_rows, f, prefer_new=bool(prefer))
        record = [f.get(name, "") for name in obs_header]
        obs_rows.append(record)
        entry.line = line
        line += len(physical_lines(observations.record_text(record)))
        appended.append(entry)
        decision = entry.decision or getattr(args, "decision", None)
        reasons = entry.reasons if entry.decision else cli_reasons
        if entry.decision == "used" and not any((entry.reasons or {}).values()):
            reasons = dict(DEFAULT_REASON)
        for row in audit_rows(f, target_records, audit_records + [r for r, _ in new_audit], decision, reasons):
            new_audit.append((row, entry))
        if entry.new_source and entry.source_fields is not None:
            sf = entry.source_fields
            src_id = f["source_id"]
            if src_id not in {r[src_header.index("source_id")] for r in src_rows if len(r) == len(src_header)}:
                src_rows.append([{
                    "source_id": src_id, "title": sf["title"], "publisher": sf["publisher"], "url": sf["url"],
                    "published": f["published"], "published_estimated": f["published_estimated"], "kind": sf["kind"] or "bulletin",
                    "weak": "false", "notes": "",
                }[name] for name in src_header])

    if new_audit and audit_file is None:
        print(f"error: the figure bears on a target, and {csvfile.display_path(audit_path)} is missing: "
              "create it with its header to record definition decisions", file=sys.stderr)
        return 1
    obs_text, src_text = observations.render(obs_rows), sources.render(src_rows)
    audit_text = audit_file.render(audit_file.rows + [[row.get(n, "") for n in audit_file.header] for row, _ in new_audit]) if audit_file else ""
    with tempfile.TemporaryDirectory() as scratch:
        trial = Path(scratch) / "data"
        shutil.copytree(data_dir, trial)
        (trial / "observations.csv").write_bytes(obs_text.encode("utf-8"))
        (trial / "sources.csv").write_bytes(src_text.encode("utf-8"))
        if new_audit:
            (trial / audit_path.name).write_bytes(audit_text.encode("utf-8"))
        _, trial_problems = validate.validate_dir(trial)
        trial_shown = {name: csvfile.display_path(trial / name) for name in ("observations.csv", "sources.csv", "definition_audit.csv")}
    found += map_problems(trial_problems, trial_shown, appended, sources, src_rows, audit_file, new_audit, units, shown_obs, trial, data_dir)
    found = unique(found)
    if from_file:  # in the file's order: sheet by sheet, row by row
        places = {place: index for index, place in enumerate(dict.fromkeys(e.origin.place for e in entries))}
        found.sort(key=lambda p: (places.get(p.file, len(places)), p.row if p.file in places else 0))
    if found or conflict_blocks:
        for block in conflict_blocks:
            print(block, file=sys.stderr)
        for problem in found:
            print(problem, file=sys.stderr)
        total = len(found) + len(conflict_blocks)
        print(f"{total} problem(s); nothing written" if from_file else "nothing written", file=sys.stderr)
        return 1
    skipped = [entry for entry in entries if entry.skipped]
    decided = "".join(f"\n  definition decision for {row['target_id']}: {row['decision']}" for row, _ in new_audit)
    new_sources = len(src_rows) - len(sources.rows)
    listing = "".join(f"\n  {entry.label() + ': ' if entry.origin is not None else ''}{entry.summary()}" for entry in appended)
    listing += "".join(f"\n  {entry.label()}: {entry.fields['indicator_id']} {entry.fields['period']}: {entry.skipped}, not added again"
                       for entry in skipped)
    sources_note = f" and {new_sources} new source(s) to {csvfile.display_path(data_dir / 'sources.csv')}" if new_sources else ""
    reviewed = sum(isinstance(note, batch.ReviewNote) for note in notes)
    listing += f"\n  {reviewed} row(s) left out by review (marked reject or not marked accept in column accept)" if reviewed else ""
    if args.dry_run:
        print(f"ok: {len(appended)} observation(s) would be added{' and ' + str(new_sources) + ' new source(s)' if new_sources else ''} "
              f"(dry run, nothing written){listing}{decided}")
        return 0
    if not appended:
        print(f"nothing to add: {len(skipped)} row(s) already recorded{listing}")
        return 0
    writes = []
    if src_rows != sources.rows:
        writes.append((data_dir / "sources.csv", src_text))
    if new_audit:
        writes.append((audit_path, audit_text))
    writes.append((data_dir / "observations.csv", obs_text))
    replace_all_atomically(writes)
    print(f"added {len(appended)} observation(s) to {csvfile.display_path(data_dir / 'observations.csv')}{sources_note}{listing}{decided}")
    return 0


def map_problems(problems: list[csvfile.Problem], shown: dict[str, str], appended: list[Entry], sources: CsvFile, src_rows: list[list[str]],
                 audit_file: CsvFile | None, new_audit: list[tuple[dict[str, str], Entry]], units: dict[str, str],
                 shown_obs: str, trial: Path, data_dir: Path) -> list[csvfile.Problem]:
    """Return the trial's validation problems, each on the batch cell (or command-line line) it comes from."""
    by_obs_line = {entry.line: entry for entry in appended}
    src_lines = lines_of_appended(sources, src_rows)
    source_entry = {}
    for line, row in src_lines:
        owner = next((e for e in appended if e.fields.get("source_id") == row[sources.header.index("source_id")]), None)
        if owner is not None:
            source_entry[line] = owner
    audit_entry = {}
    if audit_file is not None and new_audit:
        rows = audit_file.rows + [[r.get(n, "") for n in audit_file.header] for r, _ in new_audit]
        for (line, _), (_, entry) in zip(lines_of_appended(audit_file, rows), new_audit):
            audit_entry[line] = entry
    mapped = []
    for problem in problems:
        entry = None
        column = problem.column
        if problem.file == shown["observations.csv"]:
            entry = by_obs_line.get(problem.row)
            if entry is not None and column == "unit" and entry.fields.get("indicator_id") not in units:
                continue  # the unknown indicator is reported already
        elif problem.file == shown["sources.csv"]:
            entry = source_entry.get(problem.row)
            column = SOURCE_COLUMNS.get(column, column) if entry is not None else column
        elif problem.file == shown["definition_audit.csv"]:
            entry = audit_entry.get(problem.row)
        if entry is not None:
            mapped.append(entry.problem(column, problem.message, shown_obs))
        else:
            mapped.append(csvfile.Problem(problem.file.replace(str(trial), str(data_dir)), problem.row, problem.column, problem.message))
    return mapped


def unique(problems: list[csvfile.Problem]) -> list[csvfile.Problem]:
    """Return problems without a second one on the same file, row and column (the first, more specific, kept)."""
    seen, kept = set(), []
    for problem in problems:
        key = (problem.file, problem.row, problem.column)
        if key not in seen:
            seen.add(key)
            kept.append(problem)
    return kept
