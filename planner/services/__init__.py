"""What runs searches for others and keeps their results.

``writer`` and ``roadmap_writer`` (plan and roadmap folders, checked before they reach
disk), ``batch`` (sweeps and many scenarios, on local processes or a Dask cluster) and
``solve_queue`` (the server's one bounded queue of solves). Above ``planner.search``;
below ``planner.tradeoffs``, ``planner.workspace`` and the top (``planner.cli``,
``planner.ui``).
"""
