"""Command line: ``python -m analysis <command>`` (the contract in DESIGN §6).

Each handler parses nothing itself and does no analysis: it calls one function of the module
that owns the logic and prints the result. Exit codes: 0 ok, 1 invalid input, 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from analysis.data import clock

if TYPE_CHECKING:
    from analysis.data import loader

EXIT_OK, EXIT_INVALID = 0, 1
# Same as data.DEFAULT_DATA_DIR; spelled here so that parsing a command imports no pandas
# (an unchanged `reports` rerun then costs a Python start-up, not a pandas import).
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "data"


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

    dataset = load_or_exit(args.data_dir)
    table = coverage.coverage_table(dataset, region=args.region, as_of=args.as_of)
    with_data = table[table["n_years"] > 0]
    without = table[table["n_years"] == 0]
    shown = with_data[["target_id", "region", "indicator_id", "years", "latest_period", "latest_shown", "latest_status", "source_id"]]
    print(shown.rename(columns={"latest_shown": "latest", "latest_status": "status"}).to_string(index=False))
    print(f"\n{len(with_data)} of {len(table)} targets have data (region: {args.region}).")
    if len(without):
        print(f"No data for {len(without)} targets (where the figures are published):")
        for row in without.itertuples():
            print(f"  {row.target_id} [{row.indicator_id}]: {row.where_published or 'publication not yet identified'}")
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    """Print every target's status as of a date."""
    from analysis.assess import statuses
    from analysis.report import status_formats

    dataset = load_or_exit(args.data_dir)
    table = statuses.status_table(dataset, as_of=args.as_of, region=args.region)
    sys.stdout.write(status_formats.format_status(table, args.format))
    return EXIT_OK


def cmd_forecast(args: argparse.Namespace) -> int:
    """Forecast every series of a series_id,t,value CSV."""
    from analysis.forecast import series_csv

    levels = tuple(int(x) for x in args.levels.split(","))
    return series_csv.forecast_csv(args.input, args.output, horizon=args.horizon, method=args.method, levels=levels)


def cmd_bench(args: argparse.Namespace) -> int:
    """Run a benchmark: m3, ningbo, china or probability."""
    from analysis.forecast import bench_m3, bench_ningbo, fit_calibration

    if args.suite == "china":
        from analysis.forecast import bench_china

        return bench_china.run_china_benchmark(args.data_dir, args.out_dir)
    if args.suite == "ningbo":
        lengths = [int(k) for k in (args.last or "2,3,4").split(",")]
        return bench_ningbo.run_ningbo_benchmark(args.data_dir, lengths)
    if args.data is None:
        print(f"error: bench {args.suite} needs --data PATH/m3_yearly.csv", file=sys.stderr)
        return EXIT_INVALID
    if args.suite == "probability":
        from analysis.assess import bench_probability

        return bench_probability.run_probability_benchmark(args.data, args.data_dir, args.out_dir, jobs=args.jobs)
    if args.calibrate:
        return fit_calibration.run_calibration(args.data, jobs=args.jobs)
    if args.last:
        try:
            lengths = [int(k) for k in args.last.split(",")]
        except ValueError:
            print(f"error: --last takes comma-separated integers, got {args.last!r}", file=sys.stderr)
            return EXIT_INVALID
        output = args.output.with_name(args.output.stem + "_last.csv") if args.output else None
        return bench_m3.run_short_benchmark(args.data, lengths, jobs=args.jobs, output=output)
    methods = args.methods.split(",") if args.methods else None
    return bench_m3.run_m3_benchmark(args.data, methods=methods, jobs=args.jobs, output=args.output)


def cmd_reports(args: argparse.Namespace) -> int:
    """Render the quarterly reports."""
    from analysis.report import render

    return render.main(args, today=clock.today())


def cmd_add(args: argparse.Namespace) -> int:
    """Append one sourced observation after checking it."""
    from analysis.data import add

    return add.main(args)


def cmd_extract(args: argparse.Namespace) -> int:
    """Propose candidate observations from a saved bulletin, report or news page."""
    from analysis.data.extract import command_line

    return command_line.main(args)


def cmd_fonts(args: argparse.Namespace) -> int:
    """Check that a CJK font is available to matplotlib."""
    from analysis.report import plots

    print(f"CJK font: {plots.cjk_font_name()} ({plots.cjk_font_path()})")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser for every subcommand."""
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, handler: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    def data_dir_option(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", type=Path, default=DEFAULT_DATA_DIR, help="data directory (default: data/)")

    p = command("validate", cmd_validate, "validate the data tables; exit 1 with file:row:column lines")
    data_dir_option(p)

    p = command("coverage", cmd_coverage, "which years each target's indicator has data for")
    data_dir_option(p)
    p.add_argument("--region", default="ningbo", help="region id, or 'all' for every target")
    p.add_argument("--as-of", default=None, help=f"report date YYYY-MM-DD (default: today, or ${clock.ENV})")

    p = command("status", cmd_status, "status of every target as of a date")
    data_dir_option(p)
    p.add_argument("--region", default="ningbo")
    p.add_argument("--as-of", default=None, help=f"report date YYYY-MM-DD (default: today, or ${clock.ENV})")
    p.add_argument("--format", choices=("table", "csv", "json"), default="table")

    p = command("forecast", cmd_forecast, "forecast a series_id,t,value CSV")
    p.add_argument("--input", type=Path, required=True)
    p.add_argument("--output", type=Path, required=True)
    p.add_argument("--horizon", type=int, required=True)
    p.add_argument("--method", default="auto")
    p.add_argument("--levels", default="80,95")

    p = command("bench", cmd_bench, "benchmarks (m3: the M3 yearly competition data; ningbo: the project's own series; "
                "china: rolling origins on every long series in data/, vintage-respecting; probability: Brier/reliability of P(meet))")
    p.add_argument("suite", choices=("m3", "ningbo", "china", "probability"))
    p.add_argument("--data", type=Path, default=None, help="path to m3_yearly.csv (m3, probability)")
    data_dir_option(p)
    p.add_argument("--methods", default=None, help="comma-separated method names (default: all)")
    p.add_argument("--jobs", type=int, default=None)
    p.add_argument("--output", type=Path, default=Path("bench-results/m3.csv"))
    p.add_argument("--out-dir", type=Path, default=Path("bench-results"), help="where china and probability write their tables")
    p.add_argument("--last", default=None, help="cut each training series to its last K values (e.g. 2,3,4) and score auto beside naive")
    p.add_argument("--calibrate", action="store_true", help="regenerate analysis/forecast/calibration.py from the training split only")

    p = command("reports", cmd_reports, "render the quarterly reports")
    data_dir_option(p)
    p.add_argument("--period", default=None, help="quarter like 2026Q3 (default: latest completed)")
    p.add_argument("--all", action="store_true", help="every quarter from 2023Q1 to the latest completed")
    p.add_argument("--lang", default="zh,en")
    p.add_argument("--out", type=Path, default=Path("reports"))
    p.add_argument("--jobs", type=int, default=None)
    p.add_argument("--force", action="store_true", help="render even when nothing changed")

    p = command("add", cmd_add, "append one sourced observation to observations.csv after checking it")
    data_dir_option(p)
    from analysis.data import add

    add.add_arguments(p)

    p = command("extract", cmd_extract, "propose observations (add --from-csv template) from a saved .txt, .html or .pdf page")
    data_dir_option(p)
    from analysis.data.extract import command_line

    command_line.add_arguments(p)

    p = command("fonts", cmd_fonts, "check the CJK font used by the figures")
    p.add_argument("--check", action="store_true")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    parser = build_parser()
    try:
        clock.today()
    except ValueError as err:
        parser.error(str(err))
    args = parser.parse_args(argv)
    return args.handler(args)
