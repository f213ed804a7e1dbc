"""Benchmarks of the planner (``python -m benchmarks.run``); see docs/benchmarks.md."""
