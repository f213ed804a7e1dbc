"""A bound from the LP relaxation of any built CP-SAT model, solved at once by HiGHS.

CP-SAT proves its bound with its own LP, re-solved inside the search with iteration
limits and shared with every other subsolver on the machine. On models of tens of
thousands of rows (the roadmap: a period per view) it climbs for minutes: on the
embedded province's roadmap its bound was 52.1 M after 55 s of an objective near 60 M.
One HiGHS solve of the same relaxation takes about a second, and its value is what
CP-SAT's LP would reach without cuts.

The relaxation is read from the model's proto, so it rests on no knowledge of the
constraint families (every §3 family, §8 view and term is whatever the builders made).
Each constraint becomes rows that every integer solution satisfies:

- ``linear`` ``lo ≤ Σ a x ≤ hi`` (a domain with holes: its hull);
- ``linear`` enforced by literals ``ℓ_1 … ℓ_k``: each finite side with a big-M from the
  variables' bounds, ``Σ a x ≥ lo − (lo − min Σ a x) · Σ_i (1 − ℓ_i)`` and likewise for
  ``hi``;
- ``bool_or`` ``Σ ℓ ≥ 1 − Σ_i (1 − e_i)``; ``bool_and`` ``ℓ ≥ 1 − Σ_i (1 − e_i)`` for
  each ℓ; ``at_most_one`` ``Σ ℓ ≤ 1``; ``exactly_one`` ``Σ ℓ = 1`` (enforced ones with
  the same big-M);
- ``lin_max`` ``target ≥ expr`` for every expression (its "≤ some expr" side is not
  convex and is left out);
- anything else is left out, and counted in ``LpBound.dropped``.

A literal ``ℓ`` is a variable ``x`` or its negation ``1 − x``.

**Validity does not rest on HiGHS's tolerances.** The bound is the Lagrangian value at
HiGHS's row duals ``π`` (clipped to the sign each row's sides allow):

    L(π) = offset + Σ_i π_i · side_i(π_i) + Σ_j min(d_j · lo_j, d_j · hi_j),
    d_j = c_j − Σ_i π_i A_ij

valid for every π because each variable's box ``[lo_j, hi_j]`` is its CP-SAT domain's
hull. With integer objective coefficients (all of Khối's objectives) the bound is
``⌈L − ε⌉``, ε covering the floating-point error of the sums.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import highspy
import numpy as np
from highspy import _core
from ortools.sat.python import cp_model

log = logging.getLogger("planner.cpsat")

KINDS = (
    "linear",
    "bool_or",
    "bool_and",
    "at_most_one",
    "exactly_one",
    "lin_max",
    "int_prod",
    "int_div",
    "int_mod",
    "element",
    "table",
    "all_diff",
    "automaton",
    "bool_xor",
    "inverse",
    "interval",
    "no_overlap",
    "cumulative",
    "reservoir",
    "circuit",
    "routes",
)
"""Constraint kinds of ``ConstraintProto``, in the order they are looked up."""


@dataclass
class LpBound:
    """What one LP relaxation proved.

    ``bound``: every solution of the model has objective ≥ bound (None when HiGHS did
    not reach an optimal LP, or the objective is not a minimisation with integer
    coefficients). ``value``: the LP optimum as HiGHS reports it.
    """

    bound: int | None
    value: float | None
    seconds: float
    rows: int
    columns: int
    dropped: dict[str, int] = field(default_factory=dict)
    integral: bool = False
    """HiGHS's optimal LP solution is integral (every variable within 10⁻⁶ of an
    integer): it is then a solution of the model, and the bound is its optimum."""
    primal: np.ndarray | None = field(default=None, repr=False)
    """HiGHS's optimal LP solution, by the model's variable index (``benchmarks/gap_terms.py``
    reads the §4 terms' values there)."""


class _Rows:
    """Sparse rows ``lo ≤ Σ a x ≤ hi`` collected before one load into HiGHS."""

    def __init__(self) -> None:
        self.lo: list[float] = []
        self.hi: list[float] = []
        self.starts: list[int] = []
        self.index: list[int] = []
        self.value: list[float] = []

    def add(self, terms: dict[int, float], lo: float, hi: float) -> None:
        self.starts.append(len(self.index))
        for j, a in terms.items():
            if a:
                self.index.append(j)
                self.value.append(a)
        self.lo.append(lo)
        self.hi.append(hi)


def _literal(ref: int) -> tuple[int, float, float]:
    """A literal as ``(variable, coefficient, constant)``: its value is ``coef·x + const``."""
    return (ref, 1.0, 0.0) if ref >= 0 else (-ref - 1, -1.0, 1.0)


class _Relaxation:
    """The rows of one proto's relaxation (see the module docstring)."""

    def __init__(self, proto: Any) -> None:  # a CpModelProto (OR-Tools wrapper)
        # Repeated fields of OR-Tools' proto wrappers: no negative indexing, and reading
        # an unset oneof (``c.linear`` of a bool_or) would create it, so every access
        # below is by position and behind a ``has_*`` test.
        domains = [list(v.domain) for v in proto.variables]
        self.lo = np.array([float(d[0]) for d in domains])
        self.hi = np.array([float(d[len(d) - 1]) for d in domains])
        self.rows = _Rows()
        self.dropped: Counter[str] = Counter()
        self.partial = 0  # constraints relaxed on one side only (lin_max)

    def _activity(self, terms: dict[int, float]) -> tuple[float, float]:
        low = high = 0.0
        for j, a in terms.items():
            low += a * (self.lo[j] if a > 0 else self.hi[j])
            high += a * (self.hi[j] if a > 0 else self.lo[j])
        return low, high

    def _enforced(
        self, terms: dict[int, float], const: float, lo: float, hi: float, enforcement
    ) -> None:
        """``lo ≤ Σ terms + const ≤ hi`` when every enforcement literal is true."""
        lo, hi = lo - const, hi - const
        if not enforcement:
            self.rows.add(terms, lo, hi)
            return
        low, high = self._activity(terms)
        # Σ_i (1 − ℓ_i) as terms and a constant: it is 0 exactly when all ℓ_i hold.
        off: dict[int, float] = {}
        off_const = 0.0
        for ref in enforcement:
            j, coef, c0 = _literal(ref)
            off[j] = off.get(j, 0.0) - coef
            off_const += 1.0 - c0

        if lo > low and math.isfinite(lo):
            big = lo - low  # Σ a x ≥ lo − big · Σ (1 − ℓ_i)
            row = dict(terms)
            for j, a in off.items():
                row[j] = row.get(j, 0.0) + big * a
            self.rows.add(row, lo - big * off_const, math.inf)
        if hi < high and math.isfinite(hi):
            big = high - hi  # Σ a x ≤ hi + big · Σ (1 − ℓ_i)
            row = dict(terms)
            for j, a in off.items():
                row[j] = row.get(j, 0.0) - big * a
            self.rows.add(row, -math.inf, hi + big * off_const)

    def _literals(self, refs) -> tuple[dict[int, float], float]:
        terms: dict[int, float] = {}
        const = 0.0
        for ref in refs:
            j, coef, c0 = _literal(ref)
            terms[j] = terms.get(j, 0.0) + coef
            const += c0
        return terms, const

    def add(self, c) -> None:
        kind = next((k for k in KINDS if getattr(c, f"has_{k}")()), None)
        enforcement = list(c.enforcement_literal)
        if kind == "linear":
            terms: dict[int, float] = {}
            for j, a in zip(c.linear.vars, c.linear.coeffs, strict=True):
                terms[j] = terms.get(j, 0.0) + float(a)
            domain = list(c.linear.domain)
            if not domain:  # an empty domain: "not all enforcement literals hold"
                domain = [1, 0]
            lo = float(domain[0]) if domain[0] > cp_model.INT_MIN else -math.inf
            hi = float(domain[len(domain) - 1]) if domain[-1] < cp_model.INT_MAX else math.inf
            self._enforced(terms, 0.0, lo, hi, enforcement)
        elif kind == "bool_or":
            terms, const = self._literals(c.bool_or.literals)
            self._enforced(terms, const, 1.0, math.inf, enforcement)
        elif kind == "bool_and":
            for ref in c.bool_and.literals:
                terms, const = self._literals([ref])
                self._enforced(terms, const, 1.0, math.inf, enforcement)
        elif kind == "at_most_one":
            terms, const = self._literals(c.at_most_one.literals)
            self._enforced(terms, const, -math.inf, 1.0, enforcement)
        elif kind == "exactly_one":
            terms, const = self._literals(c.exactly_one.literals)
            self._enforced(terms, const, 1.0, 1.0, enforcement)
        elif kind == "lin_max":
            self.partial += 1
            target = c.lin_max.target
            for expr in c.lin_max.exprs:  # target − expr ≥ 0
                terms = {}
                for j, a in zip(target.vars, target.coeffs, strict=True):
                    terms[j] = terms.get(j, 0.0) + float(a)
                for j, a in zip(expr.vars, expr.coeffs, strict=True):
                    terms[j] = terms.get(j, 0.0) - float(a)
                const = float(target.offset) - float(expr.offset)
                self._enforced(terms, const, 0.0, math.inf, enforcement)
        elif kind is not None:
            self.dropped[kind] += 1


def lp_bound(model: cp_model.CpModel, *, time_limit: float = 30.0, method: str = "ipm") -> LpBound:
    """Solve the LP relaxation of ``model`` (minimised) and return its valid bound.

    The model's objective must be set (``model.minimize``); a maximisation or an
    objective with fractional coefficients gives ``bound=None``.
    """
    start = time.perf_counter()
    proto = model.proto
    if not proto.has_objective():
        return LpBound(None, None, time.perf_counter() - start, 0, len(proto.variables))
    objective = proto.objective
    scaling = objective.scaling_factor or 1.0
    n = len(proto.variables)
    relax = _Relaxation(proto)
    for i, c in enumerate(proto.constraints):
        relax.add(c)
        if i % 4096 == 4095 and time.perf_counter() - start > time_limit:
            log.info("LP relaxation: not written within %.1f s", time_limit)
            return LpBound(None, None, time.perf_counter() - start, len(relax.rows.lo), n)
    rows = relax.rows
    dropped = dict(relax.dropped)
    if scaling != 1.0:
        return LpBound(None, None, time.perf_counter() - start, len(rows.lo), n, dropped)
    cost = np.zeros(n)
    for j, a in zip(objective.vars, objective.coeffs, strict=True):
        if j < 0:  # an objective on a negated literal: a·(1 − x)
            cost[-j - 1] -= a
        else:
            cost[j] += a
    offset = float(objective.offset) + sum(
        float(a) for j, a in zip(objective.vars, objective.coeffs, strict=True) if j < 0
    )

    h = _highs(time_limit - (time.perf_counter() - start), method)
    h.addVars(n, relax.lo, relax.hi)
    h.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    m = len(rows.lo)
    if m:
        h.addRows(
            m,
            np.array(rows.lo),
            np.array(rows.hi),
            len(rows.index),
            np.array(rows.starts, dtype=np.int32),
            np.array(rows.index, dtype=np.int32),
            np.array(rows.value),
        )
    h.run()
    status = h.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        log.info("LP relaxation: HiGHS stopped with %s", h.modelStatusToString(status))
        return LpBound(None, None, time.perf_counter() - start, m, n, dropped)
    value = float(h.getInfo().objective_function_value) + offset
    solution = h.getSolution()
    duals = np.array(solution.row_dual) if m else np.zeros(0)
    primal = np.array(solution.col_value)
    # lin_max is relaxed on one side: an integral LP point need not satisfy it
    exact = not dropped and not relax.partial
    integral = exact and bool(np.all(np.abs(primal - np.round(primal)) <= 1e-6))
    bound = _lagrangian(relax, rows, cost, offset, duals)
    seconds = time.perf_counter() - start
    log.info(
        "LP relaxation: %d rows, %d columns, value %.1f, valid bound %s in %.2f s",
        m,
        n,
        value,
        bound,
        seconds,
    )
    return LpBound(bound, value, seconds, m, n, dropped, integral, primal)


class SideBound:
    """``lp_bound`` of a model, solved on a thread beside CP-SAT's search.

    The model is cloned first (the caller goes on adding hints and solving it). HiGHS
    releases the GIL while it solves, so the search's callbacks and the pages of the
    app keep running; its time limit is the search's, so the thread never outlives the
    run by more than HiGHS's last iteration. ``bound()`` never waits.
    """

    def __init__(self, model: cp_model.CpModel, time_limit: float) -> None:
        self._model = model.clone()
        self._limit = time_limit
        self.result: LpBound | None = None
        self._done = threading.Event()
        threading.Thread(target=self._run, name="lp-bound", daemon=True).start()

    def _run(self) -> None:
        try:
            self.result = lp_bound(self._model, time_limit=self._limit)
        except Exception:  # the bound is an extra: a failure must not end the search
            log.exception("LP relaxation failed; the bound is CP-SAT's alone")
        finally:
            self._done.set()

    def bound(self) -> int | None:
        """The valid bound when the LP has been solved, else None (never blocks)."""
        if not self._done.is_set() or self.result is None:
            return None
        return self.result.bound

    def wait(self, timeout: float) -> int | None:
        """The bound, waiting at most ``timeout`` seconds for it."""
        self._done.wait(max(0.0, timeout))
        return self.bound()

    def seconds(self) -> float | None:
        """How long the LP took, when it is done."""
        return None if self.result is None else round(self.result.seconds, 3)


def _highs(time_limit: float, method: str) -> _core._Highs:
    """A silent HiGHS: the public ``highspy.Highs()`` prints a banner on stdout at its
    first construction, before any option can be set (it would corrupt ``--json``)."""
    h = _core._Highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("time_limit", max(0.1, float(time_limit)))
    # No "threads" option: HiGHS's scheduler is global to the process, and once another
    # HiGHS (colgen's, HiGHS baselines) has started it, setting it makes run() fail.
    h.setOptionValue("solver", method)
    return h


def _lagrangian(
    relax: _Relaxation, rows: _Rows, cost: np.ndarray, offset: float, duals: np.ndarray
) -> int | None:
    """⌈L(π) − ε⌉ at the duals ``π`` clipped to their rows' finite sides."""
    lo_side = np.array(rows.lo)
    hi_side = np.array(rows.hi)
    pi = duals.copy()
    pi[(pi > 0) & ~np.isfinite(lo_side)] = 0.0
    pi[(pi < 0) & ~np.isfinite(hi_side)] = 0.0
    side = np.where(pi > 0, lo_side, np.where(pi < 0, hi_side, 0.0))
    total = float(np.dot(pi, side)) if len(pi) else 0.0
    reduced = cost.copy()
    if len(pi):
        counts = np.diff(np.append(np.array(rows.starts, dtype=np.int64), len(rows.index)))
        row_of = np.repeat(np.arange(len(pi)), counts)
        np.subtract.at(
            reduced, np.array(rows.index, dtype=np.int64), pi[row_of] * np.array(rows.value)
        )
    box = np.minimum(reduced * relax.lo, reduced * relax.hi)
    if not np.all(np.isfinite(box)):
        return None
    lagrangian = offset + total + float(box.sum())
    scale = abs(offset) + float(np.abs(pi * side).sum()) + float(np.abs(box).sum())
    return math.ceil(lagrangian - 1e-9 * scale - 1e-6)
