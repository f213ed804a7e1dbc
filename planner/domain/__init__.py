"""The arithmetic of the domain: pure functions over models, no solver, no files.

``kpis`` (a plan's figures, payroll and the §4 terms), ``periods`` and ``retirement``
(a roadmap's periods and dates, SPEC §8), ``grouping`` (union-find and the ``apart``
test) and ``conflicts`` (plain-language sentences for named conflicts). The bottom
layer of ``planner`` with ``planner.io``: it imports nothing of ``planner``.
"""
