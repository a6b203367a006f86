"""Backtest of Ningbo's own short science series (`bench ningbo`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from analysis.forecast import members, models, scales
from analysis.forecast.backtest import naive_mae, smape

NINGBO_HORIZON = 3


def ningbo_series(dataset, region: str = "ningbo") -> dict[str, tuple[pd.Series, list[pd.Series], str]]:
    """Positive annual series of a region with 3+ years: (series, other regions' series, growth_form) by indicator."""
    from analysis.data import vintage

    observations = dataset.observations
    regions = sorted(set(observations["region"]) - {region})
    forms = dataset.indicators.set_index("indicator_id").get("growth_form", pd.Series(dtype=str))
    out = {}
    for indicator in sorted(set(observations.loc[observations["region"] == region, "indicator_id"])):
        series = vintage.annual_series(dataset, indicator, region)
        if len(series) < 3 or not (series > 0).all():
            continue
        peers = [p for p in (vintage.annual_series(dataset, indicator, r) for r in regions) if len(p) >= 2]
        out[indicator] = (series, peers, str(forms.get(indicator, "") or ""))
    return out


def cut_scores(actual: np.ndarray, steps_ahead: np.ndarray, fc: models.Forecast) -> dict[str, float]:
    """sMAPE and 80 % hit rate of one forecast at the given steps."""
    lower, upper = fc.lower(80).to_numpy()[steps_ahead], fc.upper(80).to_numpy()[steps_ahead]
    return {"smape": float(smape(actual, fc.mean.to_numpy()[steps_ahead]).mean()),
            "hit80": float(np.mean((actual >= lower) & (actual <= upper)))}


def ningbo_short_rows(series: pd.Series, peers: list[pd.Series], lengths: Sequence[int]) -> list[dict]:
    """Naive, the pooled growth prior and the peers' growth on every cut of a series to its last k values before an origin."""
    rows = []
    for origin in range(min(lengths), len(series)):
        past, future = series.iloc[:origin], series.iloc[origin:]
        last = int(past.index[-1])
        future = future[future.index <= last + NINGBO_HORIZON]
        if future.empty:
            continue
        steps_ahead = future.index.to_numpy() - last - 1
        for k in lengths:
            if origin < k:
                continue
            cut = past.iloc[-k:]
            known_peers = [p[p.index <= last] for p in peers]  # only what was known at the origin
            with_peers = any(len(p) >= 2 for p in known_peers)
            for name, kwargs in (("naive", {"method": "naive"}), ("prior", {}), ("peers", {"peers": known_peers})):
                if name == "peers" and not with_peers:
                    continue
                fc = models.forecast(cut, NINGBO_HORIZON, **kwargs)
                rows.append({"k": k, "method": name, "with_peers": with_peers,
                             **cut_scores(future.to_numpy(dtype=float), steps_ahead, fc)})
    return rows


def ningbo_log_rows(series: pd.Series, form: str) -> list[dict]:
    """auto on the data scale against auto on the log scale at every origin with 5+ points."""
    rows = []
    for origin in range(models.MIN_POINTS_FULL, len(series)):
        past, future = series.iloc[:origin], series.iloc[origin:]
        last = int(past.index[-1])
        future = future[future.index <= last + NINGBO_HORIZON]
        if future.empty:
            continue
        steps_ahead = future.index.to_numpy() - last - 1
        scale = naive_mae(past)
        for name, scale_kind in (("auto", scales.IDENTITY), ("auto_log", scales.LOG)):
            path = scale_kind.inverse(members.point_path("auto", scales.prepare(past, scale_kind), NINGBO_HORIZON, {}))
            actual = future.to_numpy(dtype=float)
            rows.append({"growth_form": form, "method": name, "smape": float(smape(actual, path[steps_ahead]).mean()),
                         "ase": float(np.mean(np.abs(actual - path[steps_ahead])) / scale) if scale > 0 else np.nan})
    return rows


def ningbo_tables(dataset, lengths: Sequence[int] = (2, 3, 4)) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Short-cut scores (naive / prior / peers) and data- vs log-scale auto on the Ningbo series."""
    short, logs = [], []
    for indicator, (series, peers, form) in ningbo_series(dataset).items():
        short += [{"indicator": indicator, **row} for row in ningbo_short_rows(series, peers, lengths)]
        logs += ningbo_log_rows(series, form)
    short_frame = pd.DataFrame(short)
    short_table_ = (short_frame.groupby(["with_peers", "k", "method"], sort=True)
                    .agg(n_series=("indicator", "nunique"), n_cuts=("smape", "size"), sMAPE=("smape", "mean"),
                         cov80=("hit80", "mean")).reset_index())
    short_table_["cov80"] *= 100
    log_frame = pd.DataFrame(logs)
    log_table = (log_frame.groupby(["growth_form", "method"], sort=True)
                 .agg(n_origins=("smape", "size"), sMAPE=("smape", "mean"), MASE=("ase", "mean")).reset_index())
    return short_table_, log_table


def run_ningbo_benchmark(data_dir: Path, lengths: Sequence[int] = (2, 3, 4)) -> int:
    """The `bench ningbo` command: the short-series and log-scale checks on the project's own data."""
    from analysis.data import csvfile, loader

    try:
        dataset = loader.load(Path(data_dir))
    except csvfile.DataValidationError as err:
        for problem in err.problems:
            print(problem, file=sys.stderr)
        return 1
    short, logs = ningbo_tables(dataset, lengths)
    fmt = lambda v: f"{v:.2f}"  # noqa: E731
    print(f"Ningbo series cut to their last k values before each origin, horizon {NINGBO_HORIZON}; peers = the same "
          "indicator in the other regions, values up to the origin only:")
    print(short.to_string(index=False, float_format=fmt))
    print(f"\nauto on the data scale vs on the log scale, origins with {models.MIN_POINTS_FULL}+ points, horizon "
          f"{NINGBO_HORIZON}, by the indicator's growth_form:")
    print(logs.to_string(index=False, float_format=fmt))
    return 0
