"""Vietnamese vocabulary for synthetic scenarios: people, places, organisations, work.

The words themselves are data, in ``planner/data/names_vi.json`` (each entry says
what its rows hold); this module loads them once and draws names from them.
People's names are drawn from common family, middle and given names (weighted
family names, gendered middle and given names) and are generated, never taken
from real people; a short list of public figures' names is refused outright.

Function entries are ``(name, domain, kind, skill, lead_candidates, weight)``:
``kind`` is ``S`` shared, ``D`` divided, ``R`` reserved; ``skill`` may be
``None``; ``lead_candidates`` is ``"ORG;ORG"`` (most suitable first) or ``""``
for the owning organisation alone.
"""

from __future__ import annotations

import json
import random
from importlib.resources import files
from itertools import accumulate
from typing import Any


def _frozen(value: Any) -> Any:
    """JSON arrays back to the tuples the generators index and hash (objects stay dicts)."""
    if isinstance(value, list):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, dict):
        return {k: _frozen(v) for k, v in value.items()}
    return value


def _load() -> dict[str, Any]:
    text = files("planner").joinpath("data/names_vi.json").read_text(encoding="utf-8")
    raw = json.loads(text)
    return {name: _frozen(entry["value"]) for name, entry in raw.items() if name != "about"}


_WORDS = _load()

# -- people -----------------------------------------------------------------------------------------
_FAMILY: tuple[tuple[str, float], ...] = _WORDS["FAMILY"]
FAMILY_NAMES: tuple[str, ...] = tuple(n for n, _ in _FAMILY)
_FAMILY_CUM: tuple[float, ...] = tuple(accumulate(w for _, w in _FAMILY))
MIDDLE_MALE: tuple[str, ...] = _WORDS["MIDDLE_MALE"]
MIDDLE_FEMALE: tuple[str, ...] = _WORDS["MIDDLE_FEMALE"]
GIVEN_MALE: tuple[str, ...] = _WORDS["GIVEN_MALE"]
GIVEN_FEMALE: tuple[str, ...] = _WORDS["GIVEN_FEMALE"]
_REFUSED: frozenset[str] = frozenset(_WORDS["REFUSED"])
_PLACE_SYLLABLES: tuple[str, ...] = _WORDS["PLACE_SYLLABLES"]

# -- organisations and their work (shapes: see each entry's "about" in the JSON file) -------------
BLOCK_ORGS: dict[str, tuple[str, str]] = _WORDS["BLOCK_ORGS"]
AFFINITY: dict[str, tuple[str, ...]] = _WORDS["AFFINITY"]
PROVINCE_UNITS: tuple[tuple[str, str, str, int, float, tuple[str, ...], tuple[tuple, ...]], ...] = (
    _WORDS["PROVINCE_UNITS"]
)
PROVINCE_DEPARTMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = _WORDS["PROVINCE_DEPARTMENTS"]
DISTRICT_UNIT_NAMES: dict[str, str] = _WORDS["DISTRICT_UNIT_NAMES"]
DISTRICT_SHARED: tuple[tuple, ...] = _WORDS["DISTRICT_SHARED"]
DISTRICT_DIVIDED: tuple[tuple, ...] = _WORDS["DISTRICT_DIVIDED"]
DISTRICT_RESERVED: dict[str, tuple] = _WORDS["DISTRICT_RESERVED"]
DISTRICT_SKILLS: dict[str, tuple[str, ...]] = _WORDS["DISTRICT_SKILLS"]
DISTRICT_TWO_DEPARTMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = _WORDS[
    "DISTRICT_TWO_DEPARTMENTS"
]
DISTRICT_ONE_DEPARTMENT: tuple[str, str, tuple[str, ...]] = _WORDS["DISTRICT_ONE_DEPARTMENT"]
COMMUNE_ORDER: tuple[str, ...] = _WORDS["COMMUNE_ORDER"]
COMMUNE_SHARED: tuple[tuple, ...] = _WORDS["COMMUNE_SHARED"]
COMMUNE_MOVEMENTS: dict[str, str] = _WORDS["COMMUNE_MOVEMENTS"]
CENTRAL_ORGS: dict[str, str] = _WORDS["CENTRAL_ORGS"]
CENTRAL_UNITS: tuple[tuple[str, str, tuple[str, ...]], ...] = _WORDS["CENTRAL_UNITS"]
CENTRAL_DEPARTMENTS: tuple[tuple[str, tuple[str, ...]], ...] = _WORDS["CENTRAL_DEPARTMENTS"]
MINISTRY_ORGS: dict[str, str] = _WORDS["MINISTRY_ORGS"]
MINISTRY_COMMON_UNITS: tuple[tuple[str, tuple[str, ...]], ...] = _WORDS["MINISTRY_COMMON_UNITS"]
MINISTRY_SECTOR_UNITS: dict[str, tuple[tuple[str, str], ...]] = _WORDS["MINISTRY_SECTOR_UNITS"]
MINISTRY_DEPARTMENTS: tuple[tuple[str, tuple[str, ...]], ...] = _WORDS["MINISTRY_DEPARTMENTS"]
MINISTRY_SECTOR_LABELS: dict[str, str] = _WORDS["MINISTRY_SECTOR_LABELS"]
SECTOR_TASKS: tuple[tuple[str, str, str | None], ...] = _WORDS["SECTOR_TASKS"]
DOMAIN_TASKS: dict[str, tuple[tuple[str, str, str | None], ...]] = _WORDS["DOMAIN_TASKS"]


def person_name(rng: random.Random, female: bool) -> str:
    """A generated full name "Family Middle Given" (never one of the refused public names)."""
    middles, givens = (MIDDLE_FEMALE, GIVEN_FEMALE) if female else (MIDDLE_MALE, GIVEN_MALE)
    while True:
        family = rng.choices(FAMILY_NAMES, cum_weights=_FAMILY_CUM)[0]
        middle = rng.choice(middles)
        given = rng.choice(givens)
        name = f"{family} {middle} {given}"
        if given != middle and name not in _REFUSED:
            return name


def place_name(rng: random.Random) -> str:
    """A generated two-syllable place name such as "Tân Hòa"."""
    first = rng.choice(_PLACE_SYLLABLES)
    second = rng.choice(_PLACE_SYLLABLES)
    while second == first:
        second = rng.choice(_PLACE_SYLLABLES)
    return f"{first} {second}"
