"""The projection the tracker makes of a target's series: one method, seed and interval levels for every target."""

from __future__ import annotations

from typing import Sequence

import pandas as pd

from analysis.forecast import models
from analysis.forecast.intervals import AGGREGATE

SEED = 0
LEVELS = (80, 95)
FORECAST_METHOD = "auto"
PEER_REGIONS = ("zhejiang", "china")  # the same indicator there feeds a short series' growth prior


def bounds_of(meta: pd.Series) -> tuple[float, float] | None:
    """Return an indicator's (lower, upper) bounds (an indicators.csv row) when both are set, else None."""
    low, high = meta["lower_bound"], meta["upper_bound"]
    if pd.isna(low) or pd.isna(high):
        return None
    return float(low), float(high)


def run_forecast(series: pd.Series, horizon: int, bounds: tuple[float, float] | None, peers: Sequence[pd.Series] = (),
                 kinds: Sequence[str] | pd.Series | None = None, series_group: str = AGGREGATE) -> models.Forecast:
    """Return models.forecast of a series (method auto, fixed seed, LEVELS, the peers' series for a short one, each
    value's kind: its status, analysis.forecast.kinds; None = final figures; every series of data/ is an aggregate)."""
    return models.forecast(series, horizon=horizon, method=FORECAST_METHOD, levels=LEVELS, bounds=bounds, seed=SEED,
                           peers=tuple(peers), kinds=kinds, series_group=series_group)
