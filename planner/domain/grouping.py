"""Grouping of functions for greedy placements: union-find and the ``apart`` test.

Pure Python, used by the constructive plan (``construct.py``) and the counting
precheck (``precheck.py``).
"""

from __future__ import annotations


class UnionFind:
    """Union-find over indices 0 … n−1 (path halving)."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        self.parent[self.find(i)] = self.find(j)


def breaks_apart(
    members: list[int], d: int, where: dict[int, int], apart: list[tuple[set[int], set[int]]]
) -> bool:
    """Would placing ``members`` in department ``d`` put both sides of an ``apart`` rule there?"""
    mine = set(members)
    for a, b in apart:
        for side, other in ((a, b), (b, a)):
            if mine & side and any(where.get(f) == d for f in other):
                return True
    return False
