"""Propose observations from a saved bulletin, report or news page (`python -m analysis extract`).

``patterns`` (the words and patterns read), ``phrases`` (indicator phrases from
data/indicator_phrases.csv), ``documents`` (read .txt/.html/.pdf), ``figures`` (find figures,
years and regions in a sentence), ``candidates`` (bind figures to indicators), ``proposals`` (the workbook to review for
``add --from``), ``recall``
(scripts/extract_recall.py) and ``command_line``.
"""
