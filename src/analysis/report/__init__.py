"""Stage 4, report: the pages a reader gets, rendered from the assessments.

Words: ``i18n`` (every label in zh and en), ``wording`` (numbers with units, names), ``text``
(sentences), ``markdown`` (page headings and links), ``method`` (the method note), ``pace``.
Tables and charts: ``tables`` (escaped HTML via pandas' Styler), ``source_tables``,
``status_tables``, ``plots``, ``exports`` (CSV/XLSX), ``status_formats`` (the `status` command),
``audit``. Rendering: ``periods``, ``params``, ``pages``, ``kernels``, ``render``, ``page_html``,
``manifest``, ``swap``, ``index_page``, ``browser`` (PDF and checks), ``fonts``.
"""
