"""Stage 1, data: the sourced tables of data/ read, checked and selected as of a date.

``schema`` (the tables' contract), ``csvfile`` (the one CSV reader and its file:row:column
problems), ``cells`` and ``validate`` (checks), ``loader`` (a validated Dataset), ``vintage`` (what
was published by a date), ``derive`` (declared derived indicators), ``coverage``, ``datapackage``,
``add`` (append a sourced figure), ``extract`` (propose figures from a saved bulletin), ``clock``
(``today()``, the one reading of the current date) and ``argcheck`` (command-line values).
"""
