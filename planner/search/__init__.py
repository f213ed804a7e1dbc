"""The search for a plan: ``solve`` and ``roadmap``, the entry points, and their stages.

``precheck`` (counting proofs of infeasibility), ``construct`` (the constructive first
plan), ``reuse`` (a proven optimum kept after a narrowing change), ``pipeline`` (the
stages solve and roadmap share) and ``ties`` (plans with the same figures). Above
``planner.cpsat``, ``planner.checking``, ``planner.io`` and ``planner.domain``; below
everything that runs a search for someone else (``planner.services`` and up).
"""
