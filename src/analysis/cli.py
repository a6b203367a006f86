"""Command line: ``python -m analysis <command>`` (the commands and options are listed in README.md).

Each handler parses nothing itself and does no analysis: it calls one function of the module
that owns the logic and prints the result. Exit codes: 0 ok, 1 invalid input (data or file
contents, printed as file:row:column lines), 2 usage error: every argument is checked before any
work (analysis.data.argcheck), and a bad one is reported on one line, ``python -m analysis
CMD: error: argument --x: ...``, without the usage block (``--help`` shows it).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, NoReturn, Sequence

from analysis.data import argcheck, clock

if TYPE_CHECKING:
    from analysis.data import loader

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
# Same as data.DEFAULT_DATA_DIR; spelled here so that parsing a command imports no pandas
# (an unchanged `reports` rerun then costs a Python start-up, not a pandas import).
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"


# Upper limits that keep a typo from asking for a million worker processes or forecast years.
MAX_JOBS, MAX_HORIZON, MAX_LAST = 256, 100, 100


class ArgumentParser(argparse.ArgumentParser):
    """argparse whose usage errors are one line (``prog: error: message``) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {one_line(message)}\n")

    def _get_values(self, action: argparse.Action, arg_strings: list[str]) -> object:
        # argparse drops a value of exactly '--' (`--region=--`) and gives the option [] unchecked
        if action.option_strings and action.nargs in (None, "?") and arg_strings == ["--"]:
            self.error(f"argument {'/'.join(action.option_strings)}: expected a value, not '--'")
        return super()._get_values(action, arg_strings)


def one_line(message: str) -> str:
    """Return a message on one line: line breaks a user typed into a value are shown as \\n."""
    return message.replace("\r", "\\r").replace("\n", "\\n").replace("\x85", "\\x85").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def print_problems(problems: Sequence[object]) -> int:
    """Print one line per problem to stderr and return the invalid-input exit code."""
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"{len(problems)} problem(s) found", file=sys.stderr)
    return EXIT_INVALID


def load_or_exit(data_dir: Path) -> loader.Dataset:
    """Load a data directory or raise SystemExit(1) after printing every problem."""
    from analysis.data import csvfile, loader

    try:
        return loader.load(data_dir)
    except csvfile.DataValidationError as err:
        raise SystemExit(print_problems(err.problems))


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate the data directory."""
    from analysis.data import csvfile, validate

    tables, problems = validate.validate_dir(args.data_dir)
    if problems:
        return print_problems(problems)
    counts = ", ".join(f"{len(frame)} {name}" for name, frame in tables.items())
    print(f"{csvfile.display_path(Path(args.data_dir))}: valid ({counts})")
    return EXIT_OK


def cmd_coverage(args: argparse.Namespace) -> int:
    """Print each target's data coverage for a region."""
    from analysis.data import coverage
    from analysis.report import status_formats

    dataset = load_or_exit(args.data_dir)
    table = coverage.coverage_table(dataset, region=args.region, as_of=args.as_of)
    sys.stdout.write(status_formats.coverage_text(dataset, table, args.region, args.lang, args.wide))
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    """Print every target's status as of a date."""
    from analysis.assess import statuses
    from analysis.report import status_formats

    dataset = load_or_exit(args.data_dir)
    table = statuses.status_table(dataset, as_of=args.as_of, region=args.region)
    sys.stdout.write(status_formats.format_status(table, args.format, dataset, args.lang, args.wide))
    return EXIT_OK


def cmd_forecast(args: argparse.Namespace) -> int:
    """Forecast every series of a series_id,t,value CSV."""
    from analysis.forecast import series_csv

    return series_csv.forecast_csv(args.input, args.output, horizon=args.horizon, method=args.method, levels=args.levels)


def cmd_bench(args: argparse.Namespace) -> int:
    """Run a benchmark: m3, ningbo, china or probability."""
    from analysis.forecast import bench_m3, bench_ningbo, fit_calibration

    if args.suite == "china":
        from analysis.forecast import bench_china

        return bench_china.run_china_benchmark(args.data_dir, args.out_dir)
    if args.suite == "ningbo":
        return bench_ningbo.run_ningbo_benchmark(args.data_dir, args.last or [2, 3, 4])
    if args.suite == "probability":
        from analysis.assess import bench_probability

        return bench_probability.run_probability_benchmark(args.data, args.data_dir, args.out_dir, jobs=args.jobs)
    if args.calibrate:
        return fit_calibration.run_calibration(args.data, jobs=args.jobs)
    if args.last:
        output = args.output.with_name(args.output.stem + "_last.csv") if args.output else None
        return bench_m3.run_short_benchmark(args.data, args.last, jobs=args.jobs, output=output)
    return bench_m3.run_m3_benchmark(args.data, methods=args.methods, jobs=args.jobs, output=args.output)


def cmd_reports(args: argparse.Namespace) -> int:
    """Render the quarterly reports."""
    from analysis.report import render

    return render.main(args, today=clock.today())


def cmd_add(args: argparse.Namespace) -> int:
    """Append one sourced observation after checking it."""
    from analysis.data import add

    return add.main(args)


def cmd_request(args: argparse.Namespace) -> int:
    """Write the data-request workbook for the publishers of the missing and overdue figures."""
    from analysis.report import request_workbook

    return request_workbook.main(args)


def cmd_extract(args: argparse.Namespace) -> int:
    """Propose candidate observations from a saved bulletin, report or news page."""
    from analysis.data.extract import command_line

    return command_line.main(args)


def cmd_fonts(args: argparse.Namespace) -> int:
    """Check that a CJK font is available to matplotlib."""
    from analysis.report import plots

    print(f"CJK font: {plots.cjk_font_name()} ({plots.cjk_font_path()})")
    return EXIT_OK


def comma_list(text: str) -> list[str]:
    """Return the non-empty items of a comma-separated list (at least one)."""
    items = [part.strip() for part in text.split(",") if part.strip()]
    if not items:
        raise argparse.ArgumentTypeError(f"{text!r}: give one or more comma-separated names")
    return items


def period_argument(text: str) -> str:
    """Return a completed quarter YYYYQn (as `reports --period` wants it) or raise a usage error."""
    from analysis.report.periods import check_period

    try:
        return check_period(text, clock.today())
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def langs_argument(text: str) -> str:
    """Return a comma list of report languages (zh, en) or raise a usage error."""
    from analysis.report.params import parse_langs

    try:
        return ",".join(parse_langs(text))
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None


def output_file(text: str) -> Path:
    """Return the path of a file to write (not an existing folder)."""
    if argcheck.nonempty_path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text}: is a folder; give a file name")
    return Path(text)


def output_dir(text: str) -> Path:
    """Return the path of a folder to write into (existing or not, but not a file)."""
    if argcheck.nonempty_path(text).exists() and not Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text}: is a file, not a folder")
    return Path(text)


PROG = "python -m analysis"


# Example lines shown under each command's --help (and the main help): what a newcomer types first.
EXAMPLES: dict[str, tuple[tuple[str, str], ...]] = {
    "": (("status", "every target's status today, by name, fitting 100 columns"),
         ("coverage --region all", "which years each target has data for, and where missing figures are published"),
         ("reports --period 2026Q3", "render a quarter's briefings and pages into reports/"),
         ("status --help", "options and examples of one command")),
    "validate": (("validate", "check data/; exit 1 with one file:row:column line per problem"),
                 ("validate --data-dir /tmp/mydata", "check another data folder")),
    "coverage": (("coverage", "Ningbo's targets: years with data, latest figure with unit and year"),
                 ("coverage --region all --lang zh", "every region, names and units in Chinese"),
                 ("coverage --as-of 2025-12-31 --wide", "as known at the end of 2025, every column with ids")),
    "status": (("status", "every target: name, latest figure (year), projection, status (P(meet))"),
               ("status --lang zh --region ningbo", "Ningbo's targets in Chinese"),
               ("status --wide", "every column with ids: year, target, progress ratio, projection, P, flags"),
               ("status --as-of 2025-12-31 --format csv > status.csv", "every field, for a spreadsheet")),
    "forecast": (("forecast --input series.csv --horizon 3 --output fc.csv", "project each series 3 steps with 80/95% intervals"),),
    "bench": (("bench china", "the tracker's projection on data/'s long series, into bench-results/"),
              ("bench m3 --data ../shared/benchmarks/m3_yearly.csv --jobs 2", "the M3 yearly benchmark")),
    "reports": (("reports", "the latest completed quarter, zh and en, into reports/ (open reports/index.html)"),
                ("reports --period 2025Q4 --lang en", "one quarter, English only"),
                ("reports --all", "every quarter from 2023Q1")),
    "add": (("add --help", "the options of one sourced observation"),
            ("add --from filled.xlsx --dry-run", "check every filled row of a request workbook without writing")),
    "request": (("request --output requests.xlsx", "a workbook asking each publisher for the missing and overdue figures"),
                ("request --lang en --as-of 2026-09-30 --output requests.xlsx", "in English, as of a date")),
    "extract": (("extract bulletin.pdf --region ningbo --output candidates.csv", "candidate observations to review, then add --from"),),
    "fonts": (("fonts", "which CJK font the figures use"),),
}


def examples(name: str, lines: Sequence[tuple[str, str]]) -> str | None:
    """Return an --help epilog listing example command lines with what each does (None when there are none)."""
    if not lines:
        return None
    return "examples:\n" + "\n".join(f"  {PROG} {command}\n      {what}" for command, what in lines)


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every subcommand."""
    parser = ArgumentParser(prog=PROG, description=__doc__.splitlines()[0],
                            epilog=examples("", EXAMPLES[""]), formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text, epilog=examples(name, EXAMPLES.get(name, ())),
                           formatter_class=argparse.RawDescriptionHelpFormatter)
        p.set_defaults(handler=handler)
        return p

    def terminal_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--lang", choices=("zh", "en"), default="en", help="language of the names, units and words (default: en)")
        p.add_argument("--wide", action="store_true", help="every column with ids, lines as long as they need (default: lines fit 100 columns)")

    def data_dir_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", type=argcheck.existing_dir, default=DEFAULT_DATA_DIR, help="data directory (default: data/)")

    jobs = argcheck.whole_number(1, MAX_JOBS)
    as_of_help = f"report date YYYY-MM-DD (default: today, or ${clock.ENV})"

    p = command("validate", cmd_validate, "validate the data tables; exit 1 with file:row:column lines")
    data_dir_option(p)

    p = command("coverage", cmd_coverage, "which years each target's indicator has data for")
    data_dir_option(p)
    p.add_argument("--region", default="ningbo", help="region id of data/regions.csv, or 'all' for every target")
    p.add_argument("--as-of", type=argcheck.report_date, default=None, help=as_of_help)
    terminal_options(p)

    p = command("status", cmd_status, "status of every target as of a date")
    data_dir_option(p)
    p.add_argument("--region", default="all", help="region id of data/regions.csv, or 'all' (default: every target; the headline counts Ningbo and its zones)")
    p.add_argument("--as-of", type=argcheck.report_date, default=None, help=as_of_help)
    p.add_argument("--format", choices=("table", "csv", "json"), default="table",
                   help="table: for reading (names and units; --wide every column); csv/json: every field with ids")
    terminal_options(p)

    p = command("forecast", cmd_forecast, "forecast a series_id,t,value CSV")
    p.add_argument("--input", type=argcheck.existing_file, required=True)
    p.add_argument("--output", type=output_file, required=True)
    p.add_argument("--horizon", type=argcheck.whole_number(1, MAX_HORIZON), required=True, help=f"years ahead, 1-{MAX_HORIZON}")
    p.add_argument("--method", default="auto")
    p.add_argument("--levels", type=argcheck.levels, default=(80, 95), help="interval levels in percent, strictly between 0 and 100 (default: 80,95)")

    p = command("bench", cmd_bench, "benchmarks (m3: the M3 yearly competition data; ningbo: the project's own series; "
                "china: rolling origins on every long series in data/, vintage-respecting; probability: Brier/reliability of P(meet))")
    p.add_argument("suite", choices=("m3", "ningbo", "china", "probability"))
    p.add_argument("--data", type=argcheck.existing_file, default=None, help="path to m3_yearly.csv (m3, probability)")
    data_dir_option(p)
    p.add_argument("--methods", type=comma_list, default=None, help="comma-separated method names (default: all)")
    p.add_argument("--jobs", type=jobs, default=None, help=f"worker processes, 1-{MAX_JOBS}")
    p.add_argument("--output", type=output_file, default=Path("bench-results/m3.csv"))
    p.add_argument("--out-dir", type=output_dir, default=Path("bench-results"), help="where china and probability write their tables")
    p.add_argument("--last", type=argcheck.whole_numbers(2, MAX_LAST), default=None,
                   help=f"cut each training series to its last K values, K from 2 (one value gets no projection) to {MAX_LAST}, e.g. 2,3,4; score auto beside naive")
    p.add_argument("--calibrate", action="store_true", help="regenerate analysis/forecast/calibration.py from the training split only")

    p = command("reports", cmd_reports, "render the quarterly reports")
    data_dir_option(p)
    p.add_argument("--period", type=period_argument, default=None, help="completed quarter like 2026Q3 (default: latest completed)")
    p.add_argument("--all", action="store_true", help="every quarter from 2023Q1 to the latest completed")
    p.add_argument("--lang", type=langs_argument, default="zh,en")
    p.add_argument("--out", type=output_dir, default=Path("reports"))
    p.add_argument("--jobs", type=jobs, default=None, help=f"worker processes, 1-{MAX_JOBS}")
    p.add_argument("--force", action="store_true", help="render even when nothing changed")

    p = command("add", cmd_add, "append sourced observations (one from the options, or every filled row of --from FILE) after checking them")
    data_dir_option(p)
    from analysis.data import add

    add.add_arguments(p)

    p = command("request", cmd_request, "write a workbook asking each publisher for the targets' missing and overdue figures")
    data_dir_option(p)
    p.add_argument("--as-of", type=argcheck.report_date, default=None, help=f"date YYYY-MM-DD the request is made on (default: today, or ${clock.ENV})")
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help="language of the instructions and explanations")
    p.add_argument("--output", type=Path, required=True, help="the .xlsx workbook to write")

    p = command("extract", cmd_extract, "propose observations (add --from template) from a saved .txt, .html or .pdf page")
    data_dir_option(p)
    from analysis.data.extract import command_line

    command_line.add_arguments(p)

    p = command("fonts", cmd_fonts, "check the CJK font used by the figures")
    p.add_argument("--check", action="store_true")
    return parser


def argument_problem(args: argparse.Namespace) -> str | None:
    """Return what is wrong with arguments that depend on each other or on the data (None: all good)."""
    command = args.command
    region = getattr(args, "region", None)
    # (add's --region is a cell of the new row: checked with the row, file:row:column and exit 1)
    if command in ("coverage", "status", "extract"):
        known = argcheck.known_regions(args.data_dir)  # None: regions.csv is unreadable, `validate` says why
        if region is not None and known is not None:
            problem = argcheck.region_problem(region, known, allow_all=command in ("coverage", "status"))
            if problem:
                return f"argument --region: {problem}"
    for dest, flag in (("file", "FILE"),):
        value = getattr(args, dest, None)
        if value is not None:
            try:
                argcheck.existing_file(str(value))
            except argparse.ArgumentTypeError as err:
                return f"argument {flag}: {err}"
    if command == "forecast" or (command == "bench" and args.methods):
        from analysis.forecast.models import METHODS

        wanted = [args.method] if command == "forecast" else args.methods
        unknown = [m for m in wanted if m not in METHODS]
        if unknown:
            return f"argument --method{'s' if command == 'bench' else ''}: unknown method {', '.join(unknown)} (choose from {', '.join(METHODS)})"
    if command == "bench" and args.suite in ("m3", "probability") and args.data is None:
        return f"bench {args.suite} needs --data PATH/m3_yearly.csv"
    if command == "reports" and args.period and args.all:
        return "give either --period or --all, not both"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code (0 ok, 1 invalid input, 2 usage error)."""
    parser = build_parser()
    try:
        clock.today()
    except ValueError as err:
        parser.error(str(err))
    args = parser.parse_args(argv)
    problem = argument_problem(args)
    if problem:
        print(f"{parser.prog} {args.command}: error: {one_line(problem)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        return args.handler(args)
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly, as the Python docs advise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as err:  # a file that cannot be read or written (permissions, disk full): one line, no traceback
        print(f"{parser.prog} {args.command}: error: {one_line(str(err))}", file=sys.stderr)
        return EXIT_INVALID
