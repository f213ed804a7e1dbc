"""Khối: a CP-SAT planner for merging departments (see SPEC.md and README.md)."""
