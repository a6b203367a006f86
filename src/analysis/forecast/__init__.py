"""Stage 2, forecast: projections with honest intervals, and the benchmarks that check them.

``models`` (``forecast(series, horizon, method, levels) -> Forecast``), built from ``scales``
(identity, log, logit between bounds), ``members`` (the single methods' point paths) and
``intervals`` (calibrated error quantiles, short-series spreads); ``calibration`` (constants fitted
on M3's training part by ``fit_calibration``); ``backtest`` (rolling origins and metrics),
``bench_m3`` and ``bench_ningbo`` (the benchmarks); ``series_csv`` (the `forecast` command).
"""
