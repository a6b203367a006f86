"""Determinism across processes (issue 16 item 3): the same inputs give the same bytes in two separate runs.

Each of two runs, with different PYTHONHASHSEED values, is two subprocesses: ``python -m analysis status
--format csv`` on the real data, and a driver that runs ``analysis.cli.main`` (what ``python -m analysis``
runs) for ``status --format json`` and ``forecast`` of a small input file, then every export of
``analysis.exports``: the dashboard CSV and XLSX of each language via ``export_frame`` /
``write_dashboard`` (as notebook 03 writes them) and ``write_csv`` / ``write_xlsx`` of a frame with
text, numbers and gaps. The drivers set openpyxl's and zipfile's clocks to two dates 30 years apart
(checked to have taken effect), so XLSX files written at different times must be identical too.
Every pair of outputs must be byte-identical. (Four subprocesses, two at a time: ~7 s.)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-09-30"
HASH_SEEDS = ("0", "4242")
CLOCKS = ("2001-02-03T04:05:06", "2031-07-08T09:10:11")
FORECAST_INPUT = """series_id,t,value
long,2010,100
long,2011,107
long,2012,113
long,2013,122
long,2014,131
long,2015,139
long,2016,150
long,2017,161
short,2023,40
short,2024,46
gaps,2015,10
gaps,2017,12
gaps,2020,15
gaps,2021,
gaps,2022,18
gaps,2023,20
negative,2018,-3
negative,2019,-1
negative,2020,0.5
negative,2021,2
negative,2022,2.5
"""
# The driver subprocess: clocks set to CLOCK; status json and forecast through the CLI; every export function.
DRIVER = r"""
import contextlib, datetime, io, os, sys, time, types, zipfile
from pathlib import Path

import openpyxl
import openpyxl.writer.excel
import pandas as pd

when = datetime.datetime.fromisoformat(os.environ["CLOCK"])
stamp = when.timestamp()


class Frozen(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return when.replace(tzinfo=tz) if tz else when


openpyxl.writer.excel.datetime = types.SimpleNamespace(datetime=Frozen, timezone=datetime.timezone)
zipfile.time = types.SimpleNamespace(time=lambda: stamp, localtime=lambda secs=None: time.localtime(stamp))
raw = io.BytesIO()
openpyxl.Workbook().save(raw)  # openpyxl alone stamps the (frozen) save time: printed to show the clock took effect
print(zipfile.ZipFile(raw).read("docProps/core.xml").decode("utf-8").split("<dcterms:modified")[1].split("<")[0])

from analysis import cli
from analysis.assess import statuses
from analysis.data import loader, schema
from analysis.report import exports

out, as_of, series = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
out.mkdir()
with contextlib.redirect_stdout(io.StringIO()) as status_json:
    assert cli.main(["status", "--as-of", as_of, "--region", "all", "--format", "json"]) == 0
(out / "status.json").write_text(status_json.getvalue(), encoding="utf-8")
with contextlib.redirect_stdout(io.StringIO()):
    assert cli.main(["forecast", "--input", series, "--output", str(out / "forecast.csv"), "--horizon", "8"]) == 0
dataset = loader.load(schema.DEFAULT_DATA_DIR)
table = statuses.status_table(dataset, as_of)
for lang in ("zh", "en"):
    exports.write_dashboard(exports.export_frame(dataset, table, lang), out, lang)
frame = pd.DataFrame({"text": ["=1+1", "研发", None, "a\r\nb"], "value": [1.5, float("nan"), -3.0, 1e-7], "n": [1, 2, 3, 4]})
exports.write_csv(frame, out / "frame.csv")
exports.write_xlsx(frame, out / "frame.xlsx", sheet="数据")
"""


def env_with(hash_seed: str, **extra: str) -> dict[str, str]:
    """The environment of a subprocess: this one's, with PYTHONHASHSEED set (and extras)."""
    return {**os.environ, "PYTHONHASHSEED": hash_seed, **extra}


def run_in_pairs(commands: list[tuple[list[str], dict[str, str]]]) -> list[subprocess.CompletedProcess]:
    """Run the commands two at a time (the machine has two cores), in order; return their results."""
    results = []
    for start in range(0, len(commands), 2):
        running = [subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                   for cmd, env in commands[start:start + 2]]
        for process, (cmd, _) in zip(running, commands[start:start + 2]):
            stdout, stderr = process.communicate(timeout=300)
            results.append(subprocess.CompletedProcess(cmd, process.returncode, stdout, stderr))
    return results


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every output of the two runs: {run index: {"files": {name: bytes}, "clock": what the driver printed}}."""
    folder = tmp_path_factory.mktemp("determinism")
    series = folder / "series.csv"
    series.write_text(FORECAST_INPUT, encoding="utf-8")
    status = [([sys.executable, "-m", "analysis", "status", "--as-of", AS_OF, "--region", "all", "--format", "csv"], env_with(seed))
              for seed in HASH_SEEDS]
    drivers = [([sys.executable, "-c", DRIVER, str(folder / f"run{i}"), AS_OF, str(series)], env_with(seed, CLOCK=CLOCKS[i]))
               for i, seed in enumerate(HASH_SEEDS)]
    results = run_in_pairs(status + drivers)  # the two status runs side by side, then the two drivers
    for result in results:
        assert result.returncode == 0, (result.args, result.stderr.decode("utf-8", "replace")[-2000:])
    runs = {}
    for i in range(len(HASH_SEEDS)):
        status_csv, driver = results[i], results[len(HASH_SEEDS) + i]
        files = {"status.csv": status_csv.stdout, **{p.name: p.read_bytes() for p in sorted((folder / f"run{i}").iterdir())}}
        runs[i] = {"files": files, "clock": driver.stdout.decode("utf-8").strip()}
    return runs


EXPORT_FILES = ["dashboard.zh.csv", "dashboard.zh.xlsx", "dashboard.en.csv", "dashboard.en.xlsx", "frame.csv", "frame.xlsx"]
OUTPUTS = ["status.csv", "status.json", "forecast.csv"] + EXPORT_FILES


def test_every_output_is_written(outputs: dict) -> None:
    for run in outputs.values():
        assert sorted(run["files"]) == sorted(OUTPUTS)
    files = outputs[0]["files"]
    records = json.loads(files["status.json"])
    assert len(records) >= 60 and files["status.csv"].count(b"\n") == len(records) + 1  # every real target, both formats
    assert sum(r["p_meet"] is not None for r in records) >= 5
    assert files["forecast.csv"].count(b"\n") == 1 + 4 * 8  # four series, eight years each
    assert all(files[name][:2] == b"PK" for name in EXPORT_FILES if name.endswith(".xlsx"))


def test_the_driver_runs_had_different_clocks(outputs: dict) -> None:
    # openpyxl alone stamped each run's workbook with its own (frozen) time: the clocks really differed
    assert [run["clock"].rsplit(">", 1)[-1] for run in outputs.values()] == [f"{c}Z" for c in CLOCKS]


@pytest.mark.parametrize("name", OUTPUTS)
def test_two_processes_write_the_same_bytes(outputs: dict, name: str) -> None:
    first, second = (run["files"][name] for run in outputs.values())
    assert first == second, f"{name} differs between PYTHONHASHSEED={HASH_SEEDS[0]} and {HASH_SEEDS[1]}"
