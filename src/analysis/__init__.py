"""Ningbo 2027 target tracker: data, models, gap analysis and reports."""

__version__ = "0.1.0"
