"""Ningbo 2027 target tracker: data -> forecast -> assess -> report, one sub-package per stage."""

__version__ = "0.1.0"
