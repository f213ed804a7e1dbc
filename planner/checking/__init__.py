"""The independent checker: ``check`` (a plan, SPEC §3) and ``check_roadmap`` (SPEC §8).

It recomputes every constraint and term from a scenario and a plan with
``planner.domain`` alone, and never imports ``planner.cpsat`` or OR-Tools
(``make lint`` checks both).
"""
