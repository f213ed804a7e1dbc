"""Pseudonyms for people, so a plan can be shared without personal names.

``anonymize`` replaces every staff name with ``Cán bộ NNNN``: the number is
derived from a SHA-256 hash of the staff_id, so the same person gets the same
pseudonym in every run and every export, whatever the row order. Two ids whose
hashes give the same number are told apart deterministically (the next free
number, in order of hash then id). Everything else (ids, salaries, units) is
kept: the plan still has to add up. Used by ``planner export --anonymize``.
"""

from __future__ import annotations

import hashlib

from models import Scenario

PREFIX = "Cán bộ"
_SALT = b"khoi-pseudonym-v1:"


def _digest(staff_id: str) -> int:
    return int.from_bytes(hashlib.sha256(_SALT + staff_id.encode("utf-8")).digest()[:8], "big")


def pseudonyms(staff_ids: list[str] | tuple[str, ...]) -> dict[str, str]:
    """``{staff_id: "Cán bộ 0042"}``, unique within ``staff_ids`` and stable across runs.

    Four digits up to 2,000 people, more beyond (at least 100 numbers per
    person, so collisions stay rare and the probing below always ends).
    """
    digits = 4 if len(staff_ids) <= 2_000 else max(6, len(str(len(staff_ids) * 100)))
    space = 10**digits
    taken: set[int] = set()
    out: dict[str, str] = {}
    for sid in sorted(set(staff_ids), key=lambda s: (_digest(s), s)):
        n = _digest(sid) % space
        while n in taken:
            n = (n + 1) % space
        taken.add(n)
        out[sid] = f"{PREFIX} {n:0{digits}d}"
    return out


def anonymize(scenario: Scenario) -> Scenario:
    """A copy of ``scenario`` with every staff name replaced by its pseudonym."""
    names = pseudonyms([s.staff_id for s in scenario.staff])
    staff = tuple(s.model_copy(update={"name": names[s.staff_id]}) for s in scenario.staff)
    fields = {name: getattr(scenario, name) for name in type(scenario).model_fields}
    fields["staff"] = staff
    return type(scenario)(**fields)
