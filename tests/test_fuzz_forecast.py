"""`forecast --input`: junk in any cell is rejected naming file, row and column; what is accepted
gives finite intervals that contain their own mean."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.cli import main as cli_main
from analysis.forecast import models

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
JUNK = {
    "t": ["20x1", "2020.5", "nan", "inf", "1e400", "", "=2020", "٢٠٢٠", "2020 x", "1_000", "99999999999999999999"],
    "value": ["nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e999", "1e300", "12,3", "abc", "=1+1", "٣", "0x10", "1_0"],
    "series_id": [""],
}


def series_csv(rows: list[tuple[str, str, str]], newline: str = "\n", bom: bool = False) -> bytes:
    """Return series_id,t,value rows as CSV bytes."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator=newline)
    writer.writerow(["series_id", "t", "value"])
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode("utf-8")


def run(tmp_path: Path, content: bytes, capsys: pytest.CaptureFixture, horizon: int = 3, method: str = "auto") -> tuple[int, str, Path]:
    """Run the forecast command on CSV bytes; return exit code, stderr and the output path."""
    source, output = tmp_path / "series.csv", tmp_path / "out.csv"
    source.write_bytes(content)
    output.unlink(missing_ok=True)
    code = cli_main(["forecast", "--input", str(source), "--horizon", str(horizon), "--method", method, "--output", str(output)])
    return code, capsys.readouterr().err, output


GOOD = [("a", str(2015 + i), str(v)) for i, v in enumerate([10.0, 11.5, 12.1, 13.8, 15.0, 16.2])]


@SETTINGS
@given(column=st.sampled_from(sorted(JUNK)), data=st.data())
def test_junk_in_any_cell_names_file_row_and_column(tmp_path: Path, capsys, column: str, data: st.DataObject) -> None:
    junk = data.draw(st.sampled_from(JUNK[column]), label="junk")
    index = data.draw(st.integers(0, len(GOOD) - 1), label="row")
    rows = [list(r) for r in GOOD]
    rows[index][("series_id", "t", "value").index(column)] = junk
    code, err, output = run(tmp_path, series_csv([tuple(r) for r in rows]), capsys)
    assert code == 1 and "Traceback" not in err and not output.exists()
    assert re.search(rf"series\.csv:{index + 2}: column {column}: ", err), err


def test_excel_saved_input_with_bom_and_crlf_is_read(tmp_path: Path, capsys) -> None:
    plain = run(tmp_path, series_csv(GOOD), capsys)[2].read_bytes()
    code, err, output = run(tmp_path, series_csv(GOOD, newline="\r\n", bom=True), capsys)
    assert code == 0, err
    assert output.read_bytes() == plain


def test_series_named_na_is_a_series(tmp_path: Path, capsys) -> None:
    code, err, output = run(tmp_path, series_csv([("NA", t, v) for _, t, v in GOOD]), capsys)
    assert code == 0, err
    assert set(pd.read_csv(output, dtype={"series_id": str}, keep_default_na=False)["series_id"]) == {"NA"}


@SETTINGS
@given(scale=st.integers(-3, 199), method=st.sampled_from(sorted(models.METHODS)),
       growth=st.lists(st.floats(0.8, 1.3), min_size=4, max_size=8))
def test_accepted_input_gives_finite_intervals_around_the_mean(tmp_path: Path, capsys, scale: int, method: str, growth: list[float]) -> None:
    values = 10.0 ** scale * np.cumprod(growth)
    rows = [("s", str(2010 + i), repr(float(v))) for i, v in enumerate(values)]
    code, err, output = run(tmp_path, series_csv(rows), capsys, method=method)
    assert code == 0, err
    result = pd.read_csv(output)
    if result.empty:
        return  # the method declined the series (a warning says why)
    numbers = result[["mean", "lo80", "hi80", "lo95", "hi95"]].to_numpy()
    assert np.isfinite(numbers).all(), result
    tolerance = 1e-9 * np.abs(result["mean"])
    assert (result["lo95"] <= result["lo80"] + tolerance).all() and (result["lo80"] <= result["mean"] + tolerance).all(), result
    assert (result["mean"] <= result["hi80"] + tolerance).all() and (result["hi80"] <= result["hi95"] + tolerance).all(), result
