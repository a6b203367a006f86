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
import csv
import io
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from analysis.data import csvfile, schema, validate

SOURCE_FIELDS = ("source_title", "publisher", "url", "source_kind")


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
    parser.add_argument("--from-csv", type=Path, help="append every row of a CSV with the observations.csv columns (see data/templates/)")
    parser.add_argument("--indicator", dest="indicator_id")
    parser.add_argument("--region", default="ningbo")
    parser.add_argument("--period", help="YYYY for a year, YYYY-MM for year-to-date")
    parser.add_argument("--value")
    parser.add_argument("--unit", help="must equal the indicator's unit (default: the indicator's unit)")
    parser.add_argument("--qualifier", default="", help="'' or > >= < <= ~ (for 突破/超过/约)")
    parser.add_argument("--status", default="official")
    parser.add_argument("--source-id", required=False)
    parser.add_argument("--source-title")
    parser.add_argument("--publisher")
    parser.add_argument("--url", default="")
    parser.add_argument("--source-kind", default="bulletin")
    parser.add_argument("--published", help="YYYY-MM-DD, the date the value became public")
    parser.add_argument("--published-estimated", action="store_true")
    parser.add_argument("--quote", default="", help="the short original phrase holding the number")
    parser.add_argument("--notes", default="")
    choice = parser.add_mutually_exclusive_group()
    choice.add_argument("--prefer", action="store_true", help="mark the new vintage preferred (others of the key become not preferred)")
    choice.add_argument("--keep-existing", action="store_true", help="keep the existing preferred vintage; add the new one as not preferred")
    parser.add_argument("--decision", choices=schema.DECISIONS, default=None,
                        help="definition decision for every target the figure bears on (default: used for the target's own "
                             "indicator; a related figure keeps its recorded decision)")
    parser.add_argument("--reason-en", default="", help="why (English), with --decision")
    parser.add_argument("--reason-zh", default="", help="why (Chinese, full-width punctuation), with --decision")
    parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")


@dataclass
class CsvFile:
    """A CSV's records, the exact text of each, and the conventions it was saved with."""

    header: list[str]
    rows: list[list[str]]
    texts: list[str]
    lines: list[int]
    bom: bool
    newline: str
    quoting: int

    def render(self, rows: list[list[str]]) -> str:
        """Return the file with ``rows``: unchanged records keep their exact text, others are written in the file's style."""
        parts = [self.texts[0]] + [
            self.texts[index + 1] if index < len(self.rows) and row == self.rows[index] else self.record_text(row)
            for index, row in enumerate(rows)
        ]
        for index in range(len(parts) - 1):
            if not parts[index].endswith(("\n", "\r")):
                parts[index] += self.newline
        return ("\ufeff" if self.bom else "") + "".join(parts)

    def record_text(self, row: list[str]) -> str:
        """Return one record as CSV text with the file's quoting and line ending."""
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator=self.newline, quoting=self.quoting).writerow(row)
        return buffer.getvalue()


def physical_lines(text: str) -> list[str]:
    """Split text into lines that keep their endings (\\r\\n, \\n or \\r), as the csv module reads them."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def read_table(path: Path) -> CsvFile:
    """Read a CSV saved by any editor (BOM, CRLF, quoted line breaks) keeping each record's exact text."""
    text = path.read_bytes().decode("utf-8")
    bom = text.startswith(csvfile.BOM)
    text = text.removeprefix(csvfile.BOM)
    lines = physical_lines(text)
    reader = csv.reader(iter(lines))
    records, texts, starts = [], [], []
    consumed = 0
    for record in reader:
        records.append(record)
        texts.append("".join(lines[consumed:reader.line_num]))
        starts.append(consumed + 1)
        consumed = reader.line_num
    if not records:
        raise ValueError(f"{path}: empty file (expected a header row)")
    ending = re.search(r"\r\n|\r|\n", text)
    newline = ending.group() if ending else "\n"
    quote_all = io.StringIO()
    csv.writer(quote_all, lineterminator="", quoting=csv.QUOTE_ALL).writerow(records[0])
    quoting = csv.QUOTE_ALL if texts[0].rstrip("\r\n") == quote_all.getvalue() and records[0] else csv.QUOTE_MINIMAL
    return CsvFile(records[0], [list(r) for r in records[1:]], texts, starts[1:], bom, newline, quoting)


def replace_atomically(path: Path, text: str) -> None:
    """Write a file through a temporary sibling and an atomic rename."""
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
        out.write(text)
    os.replace(temp, path)


def observation_from_args(args: argparse.Namespace, units: dict[str, str]) -> dict[str, str]:
    """Return the new observation row (all strings) from command-line options."""
    missing = [name for name in ("indicator_id", "period", "value", "published") if not getattr(args, name)]
    if missing:
        raise ValueError("missing option(s): " + ", ".join("--" + m.replace("_id", "").replace("_", "-") for m in missing))
    if not args.source_id:
        raise ValueError("missing option --source-id (an existing id, or a new id with --source-title and --publisher)")
    return {
        "indicator_id": args.indicator_id, "region": args.region, "period": args.period, "value": args.value,
        "unit": args.unit or units.get(args.indicator_id, ""), "qualifier": args.qualifier, "status": args.status,
        "source_id": args.source_id, "published": args.published,
        "published_estimated": "true" if args.published_estimated else "false", "preferred": "true",
        "quote": args.quote, "notes": args.notes,
    }


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


def unknown_indicators(table: CsvFile, header: list[str], new_rows: list[dict[str, str]], known: set[str], path: Path) -> list[csvfile.Problem]:
    """Return a problem for each new row whose indicator is not in indicators.csv (its unit cannot be filled in)."""
    line = len(physical_lines("".join(table.texts))) + 1
    problems = []
    for new in new_rows:
        indicator = new.get("indicator_id", "")
        if indicator not in known:
            problems.append(csvfile.Problem(csvfile.display_path(path), line, "indicator_id", f"unknown indicator {indicator!r} (not in indicators.csv)"))
        line += len(physical_lines(table.record_text([new.get(name, "") for name in header])))
    return problems


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
    """Check and append observations; return the exit code."""
    data_dir = Path(args.data_dir)
    tables, problems = validate.validate_dir(data_dir)
    if problems:
        print("error: the data directory does not validate before adding anything:", file=sys.stderr)
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    units = dict(zip(tables["indicators"]["indicator_id"], tables["indicators"]["unit"]))
    observations = read_table(data_dir / "observations.csv")
    sources = read_table(data_dir / "sources.csv")
    obs_header, obs_rows = observations.header, [list(row) for row in observations.rows]
    src_header, src_rows = sources.header, [list(row) for row in sources.rows]
    try:
        if args.from_csv:
            template = read_table(args.from_csv)
            for line, row in zip(template.lines, template.rows):
                if len(row) > 1 and not any(row):  # as validate: a blank line is skipped, a row of commas is not
                    raise ValueError(f"{csvfile.display_path(args.from_csv)}:{line}:-: a row of only commas (no value); delete it")
            new_rows = [dict(zip(template.header, row)) for row in template.rows if any(row)]
        else:
            new_rows = [observation_from_args(args, units)]
    except (ValueError, OSError, UnicodeDecodeError, csv.Error) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1

    problem = decision_problem(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    audit_path = data_dir / schema.TABLE_FILES["definition_audit"]
    audit_file = read_table(audit_path) if audit_path.exists() else None
    audit_records = [dict(zip(audit_file.header, row)) for row in audit_file.rows] if audit_file else []
    target_records = tables["targets"][["target_id", "indicator_id", "region"]].astype(str).to_dict("records")
    reasons = {"en": getattr(args, "reason_en", "") or "", "zh": getattr(args, "reason_zh", "") or ""}
    if getattr(args, "decision", None) == "used" and not any(reasons.values()):
        reasons = dict(DEFAULT_REASON)
    new_audit: list[dict[str, str]] = []

    unknown = unknown_indicators(observations, obs_header, new_rows, set(units), data_dir / "observations.csv")
    if unknown:
        for problem in unknown:
            print(problem, file=sys.stderr)
        print("nothing written", file=sys.stderr)
        return 1
    known_sources = {row[src_header.index("source_id")] for row in src_rows if len(row) == len(src_header)}
    for new in new_rows:
        if new.get("source_id", "") not in known_sources and not args.from_csv:
            if not (args.source_title and args.publisher):
                print(f"error: source {new['source_id']!r} is new: give --source-title and --publisher (and --url, --source-kind)", file=sys.stderr)
                return 1
            src_rows.append([{
                "source_id": new["source_id"], "title": args.source_title, "publisher": args.publisher, "url": args.url,
                "published": new["published"], "published_estimated": new["published_estimated"], "kind": args.source_kind,
                "weak": "false", "notes": "",
            }[name] for name in src_header])
            known_sources.add(new["source_id"])
        conflicts = conflicts_with(observations, obs_rows, new)
        if conflicts and not (args.prefer or args.keep_existing):
            print(f"conflict: {new.get('indicator_id')} {new.get('region')} {new.get('period')} = {new.get('value')} differs from:", file=sys.stderr)
            for conflict in conflicts:
                print(f"  {conflict}", file=sys.stderr)
            print("say which vintage the analysis should prefer: --prefer (the new one, e.g. a revision or final figure) "
                  "or --keep-existing; and explain why in --notes", file=sys.stderr)
            return 1
        apply_preference(obs_header, obs_rows, new, prefer_new=args.prefer)
        obs_rows.append([new.get(name, "") for name in obs_header])
        new_audit += audit_rows(new, target_records, audit_records + new_audit, getattr(args, "decision", None), reasons)

    if new_audit and audit_file is None:
        print(f"error: the figure bears on a target, and {csvfile.display_path(audit_path)} is missing: "
              "create it with its header to record definition decisions", file=sys.stderr)
        return 1
    obs_text, src_text = observations.render(obs_rows), sources.render(src_rows)
    audit_text = audit_file.render(audit_file.rows + [[row.get(n, "") for n in audit_file.header] for row in new_audit]) if audit_file else ""
    with tempfile.TemporaryDirectory() as scratch:
        trial = Path(scratch) / "data"
        shutil.copytree(data_dir, trial)
        (trial / "observations.csv").write_bytes(obs_text.encode("utf-8"))
        (trial / "sources.csv").write_bytes(src_text.encode("utf-8"))
        if new_audit:
            (trial / audit_path.name).write_bytes(audit_text.encode("utf-8"))
        _, problems = validate.validate_dir(trial)
    if problems:
        for problem in problems:
            print(str(problem).replace(str(trial), str(data_dir)), file=sys.stderr)
        print("nothing written", file=sys.stderr)
        return 1
    decided = "".join(f"\n  definition decision for {row['target_id']}: {row['decision']}" for row in new_audit)
    if args.dry_run:
        print(f"ok: {len(new_rows)} observation(s) would be added (dry run, nothing written){decided}")
        return 0
    if src_rows != sources.rows:
        replace_atomically(data_dir / "sources.csv", src_text)
    if new_audit:
        replace_atomically(audit_path, audit_text)
    replace_atomically(data_dir / "observations.csv", obs_text)
    print(f"added {len(new_rows)} observation(s) to {csvfile.display_path(data_dir / 'observations.csv')}{decided}")
    return 0
