"""Benchmark `python -m analysis reports` (make bench-reports).

Measures in one run, on this machine:
- floor: papermill executing an empty one-cell notebook on a fresh kernel of the same interpreter
  (kernel start-up + shutdown: what every notebook would pay without kernel reuse), and the same
  on an already warm kernel (what the pipeline's warm engine pays per notebook);
- cold: a full render of one quarter, both languages, into an empty temp directory
  (a new process: Python start-up, data validation, worker and kernel start-up, every notebook);
- rerun: the same command again with nothing changed (must be a no-op);
- one figure: one new figure of one target (tech_little_giants, added to a temp copy of data/ with
  `analysis add`, never to data/ itself), rendered again over the cold render's output (only the
  pages whose inputs changed run), then a full render of the same data into an empty directory:
  the two must be equal byte for byte, and the ratio one-figure / full is reported.
Prints the times and the ratios against the floor and the full render; writes bench-results/reports.json.
Targets: cold <= 60 s, rerun <= 2 s, one figure <= 10 s.

    python scripts/bench_reports.py [--period 2026Q3] [--jobs N] [--compare-fresh]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from analysis.data import clock  # noqa: E402
from analysis.report import kernels, periods  # noqa: E402

COLD_TARGET_S, RERUN_TARGET_S, ONE_FIGURE_TARGET_S = 60.0, 2.0, 10.0


# A figure for the benchmark's temp copy of the data only (a count target with one published value).
BENCH_FIGURE = ["--indicator", "tech_little_giants", "--region", "ningbo", "--period", "2024", "--value", "55",
                "--status", "reported", "--source-id", "kczg_2023_01", "--published", "2025-03-01",
                "--quote", "55", "--notes", "benchmark figure (scripts/bench_reports.py), never in data/"]


def empty_notebook(path: Path) -> Path:
    """Write a notebook with one parameters cell and nothing else."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("x = 1", metadata={"tags": ["parameters"]})],
                      metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}})
    nb.cells[0]["id"] = "c0"
    nbformat.write(nb, path)
    return path


def floor_seconds(notebook: Path, repeat: int = 3) -> dict[str, float]:
    """Return the best time of papermill executing the empty notebook: fresh kernel and warm kernel."""
    import papermill

    os.environ.update(kernels.KERNEL_ENV)
    common = dict(parameters={"x": 2}, kernel_name="python3", progress_bar=False, request_save_on_cell_execute=False)
    fresh = []
    for _ in range(repeat):
        start = time.perf_counter()
        papermill.execute_notebook(str(notebook), None, **common)
        fresh.append(time.perf_counter() - start)
    kernels.worker_init(True, os.getppid())
    warm = []
    try:
        for _ in range(repeat + 1):
            start = time.perf_counter()
            papermill.execute_notebook(str(notebook), None, engine_name="warm", cwd=str(notebook.parent), **common)
            warm.append(time.perf_counter() - start)
    finally:
        kernels.stop_kernel()
    return {"fresh_kernel": min(fresh), "warm_kernel": min(warm[1:])}


def timed_command(argv: list[str]) -> tuple[float, str]:
    """Run a command, fail loudly on error, and return (seconds, stdout)."""
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"benchmark command failed ({done.returncode}): {' '.join(argv)}")
    return seconds, done.stdout


def reports_command(period: str, out: Path, jobs: int | None, data_dir: Path, extra: list[str] | None = None) -> list[str]:
    """Return the `python -m analysis reports` command line of one quarter."""
    argv = [sys.executable, "-m", "analysis", "reports", "--period", period, "--lang", "zh,en", "--out", str(out),
            "--data-dir", str(data_dir)]
    return argv + (["--jobs", str(jobs)] if jobs else []) + (extra or [])


def tree(root: Path) -> dict[str, bytes]:
    """Return every file under a directory by relative path, with its bytes."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def main() -> int:
    """Run the benchmark and write bench-results/reports.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--period", default=None, help="quarter (default: latest completed)")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--output", type=Path, default=ROOT / "bench-results" / "reports.json")
    args = parser.parse_args()
    period = args.period or periods.latest_completed_quarter(clock.today())
    os.environ.setdefault("PYTHONHASHSEED", "0")
    with tempfile.TemporaryDirectory(prefix="bench-reports-") as tmp:
        tmp_path = Path(tmp)
        floors = floor_seconds(empty_notebook(tmp_path / "empty.ipynb"))
        out, data_dir = tmp_path / "reports", tmp_path / "data"
        shutil.copytree(ROOT / "data", data_dir)
        cold, cold_log = timed_command(reports_command(period, out, args.jobs, data_dir))
        rerun, rerun_log = timed_command(reports_command(period, out, args.jobs, data_dir))
        if "(inputs unchanged)" not in rerun_log:
            reason = next((line for line in rerun_log.splitlines() if ": rendering " in line), rerun_log)
            raise SystemExit(f"the rerun was not a no-op (was an input edited meanwhile?): {reason}")
        period_dir = out / period
        notebooks = len(list(period_dir.rglob("*.ipynb")))
        size_mb = sum(p.stat().st_size for p in period_dir.rglob("*") if p.is_file()) / 1e6
        timed_command([sys.executable, "-m", "analysis", "add", "--data-dir", str(data_dir), *BENCH_FIGURE])
        one_figure, one_log = timed_command(reports_command(period, out, args.jobs, data_dir))
        rendered_line = next((line for line in one_log.splitlines() if ": rendering " in line), "")
        full_out = tmp_path / "full"
        full, _ = timed_command(reports_command(period, full_out, args.jobs, data_dir))
        identical = tree(out / period) == tree(full_out / period)
    floor = floors["fresh_kernel"]
    result = {
        "period": period,
        "cores": kernels.default_workers(),
        "jobs": args.jobs or kernels.default_workers(),
        "notebooks": notebooks,
        "output_mb": round(size_mb, 1),
        "floor_fresh_kernel_s": round(floor, 3),
        "floor_warm_kernel_s": round(floors["warm_kernel"], 3),
        "cold_s": round(cold, 2),
        "rerun_s": round(rerun, 3),
        "cold_over_floor": round(cold / floor, 1),
        "rerun_over_floor": round(rerun / floor, 2),
        "cold_per_notebook_s": round(cold / max(notebooks, 1), 3),
        "naive_fresh_kernel_lower_bound_s": round(notebooks * floor / (args.jobs or kernels.default_workers()), 1),
        "cold_target_s": COLD_TARGET_S,
        "rerun_target_s": RERUN_TARGET_S,
        "cold_ok": cold <= COLD_TARGET_S,
        "rerun_ok": rerun <= RERUN_TARGET_S,
        "one_figure_s": round(one_figure, 2),
        "one_figure_rendered": rendered_line.split(": rendering ")[-1].split(" (")[0],
        "full_after_figure_s": round(full, 2),
        "one_figure_over_full": round(one_figure / full, 3),
        "one_figure_equals_full": identical,
        "one_figure_target_s": ONE_FIGURE_TARGET_S,
        "one_figure_ok": one_figure <= ONE_FIGURE_TARGET_S,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(f"period {period}: {notebooks} notebooks, {result['jobs']} workers, {result['output_mb']} MB")
    print(f"floor (papermill, empty notebook): fresh kernel {floor:.2f}s, warm kernel {floors['warm_kernel']:.3f}s")
    print(f"cold render  {cold:6.1f}s  = {cold / floor:5.1f} x floor  (target <= {COLD_TARGET_S:.0f}s: "
          f"{'ok' if result['cold_ok'] else 'MISSED'})")
    print(f"no-op rerun  {rerun:6.2f}s  = {rerun / floor:5.2f} x floor  (target <= {RERUN_TARGET_S:.0f}s: "
          f"{'ok' if result['rerun_ok'] else 'MISSED'})")
    print(f"one figure   {one_figure:6.2f}s  = {one_figure / full:5.3f} x full render ({full:.1f}s) of the same data; "
          f"{result['one_figure_rendered']}; byte-equal to the full render: {identical}  (target <= {ONE_FIGURE_TARGET_S:.0f}s: "
          f"{'ok' if result['one_figure_ok'] else 'MISSED'})")
    print(f"without kernel reuse, the kernel start-ups alone would take >= {result['naive_fresh_kernel_lower_bound_s']}s")
    print(f"written {args.output}")
    return 0 if result["cold_ok"] and result["rerun_ok"] and result["one_figure_ok"] and identical else 1


if __name__ == "__main__":
    sys.exit(main())
