"""Random damage to a valid scenario never ends in an exception.

Hypothesis mutates the tiny fixture at random: cells replaced by random text,
numbers, special values or empties, rows dropped or duplicated, columns removed,
settings replaced. Whatever comes out, exactly one of two things happens:

- ``read_scenario`` raises ``InputError`` whose every line reads
  ``file:row:column: message`` (one line, no control character);
- or it returns a ``Scenario`` that ``planner.search.solve.solve(..., time_limit=5)``
  answers with ``optimal``, ``feasible``, ``infeasible`` or ``timeout`` (never
  ``invalid``: that is the solver and the checker disagreeing), and when there is
  a plan the independent checker passes it with the same terms.

Any other exception fails the test. Bounded: 30 examples, a few seconds each at most;
``FUZZ_EXAMPLES=2000`` runs a longer hunt.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import Status
from planner.checking.check import check
from planner.io import InputError, read_scenario
from planner.search.solve import solve
from tests.fixtures.scenario_files import TINY

LINE = re.compile(r"^[^:]+:\d+:[^:]+: .+$")
UNSAFE = re.compile(r"[\x00-\x1f\x7f]")
STEMS = ("organizations", "units", "staff", "functions", "departments", "rules", "locks")
ANSWERS = (Status.OPTIMAL, Status.FEASIBLE, Status.INFEASIBLE, Status.TIMEOUT)


def _records(stem: str) -> list[list[str]]:
    text = (TINY / f"{stem}.csv").read_text(encoding="utf-8")
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]


TABLES = {stem: _records(stem) for stem in STEMS}
SETTINGS_TEXT = (TINY / "scenario.toml").read_text(encoding="utf-8")
SETTING_LINES = [
    i for i, line in enumerate(SETTINGS_TEXT.splitlines()) if re.match(r"\w+ = ", line)
]

# Values that mean something somewhere in the scenario: ids, enums, lists, edge numbers.
MEANINGFUL = st.sampled_from(
    [
        "", " ", "0", "1", "-1", "0.5", "1.0", "2", "100", "1e309", "-0", "nan", "inf",
        "true", "false", "yes", "no", "MT", "CD", "MT-VP", "MT-TC", "CD-VP", "S1", "S6",
        "F1", "F4", "D1", "D2", "head", "deputy", "staff", "member", "exit", "shared",
        "divided", "reserved", "apart", "together", "staff", "function", "office",
        "domain:office", "domain:movement", "MT;CD", "CD;MT", ";", "office;finance",
    ]
)  # fmt: skip
CELL = st.one_of(
    MEANINGFUL,
    st.text(max_size=12),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
SETTING_VALUE = st.one_of(
    st.integers(min_value=-5, max_value=100).map(str),
    st.floats(min_value=-1, max_value=2, allow_nan=False).map(lambda x: repr(round(x, 3))),
    st.sampled_from(['"x"', "true", "nan", "[]", '"lexicographic"', "1e12"]),
)


@st.composite
def mutation(draw: st.DrawFn) -> tuple[object, ...]:
    kind = draw(st.sampled_from(["cell", "cell", "cell", "drop", "duplicate", "column", "setting"]))
    if kind == "setting":
        return (kind, draw(st.sampled_from(SETTING_LINES)), draw(SETTING_VALUE))
    stem = draw(st.sampled_from(STEMS))
    rows, columns = len(TABLES[stem]) - 1, len(TABLES[stem][0])
    if kind == "cell":
        return (
            kind,
            stem,
            draw(st.integers(1, rows)),
            draw(st.integers(0, columns - 1)),
            draw(CELL),
        )
    if kind in ("drop", "duplicate"):
        return (kind, stem, draw(st.integers(1, rows)))
    return (kind, stem, draw(st.integers(0, columns - 1)))


def _apply(folder: Path, mutations: list[tuple[object, ...]]) -> None:
    tables = {stem: [list(r) for r in records] for stem, records in TABLES.items()}
    settings_lines = SETTINGS_TEXT.splitlines()
    for m in mutations:
        kind = m[0]
        if kind == "setting":
            i, value = m[1], m[2]
            key = settings_lines[i].split(" = ")[0]  # type: ignore[index]
            settings_lines[i] = f"{key} = {value}"  # type: ignore[index]
            continue
        records = tables[m[1]]  # type: ignore[index]
        if kind == "cell":
            row, col, value = m[2], m[3], m[4]
            if row < len(records) and col < len(records[row]):  # type: ignore[operator]
                records[row][col] = value  # type: ignore[index]
        elif kind == "drop" and m[2] < len(records):  # type: ignore[operator]
            del records[m[2]]  # type: ignore[arg-type]
        elif kind == "duplicate" and m[2] < len(records):  # type: ignore[operator]
            records.insert(m[2], list(records[m[2]]))  # type: ignore[arg-type, index]
        elif kind == "column" and m[2] < len(records[0]):  # type: ignore[operator]
            for r in records:
                del r[m[2]]  # type: ignore[arg-type]
    for stem, records in tables.items():
        buffer = io.StringIO(newline="")
        csv.writer(buffer, lineterminator="\n").writerows(records)
        (folder / f"{stem}.csv").write_text(buffer.getvalue(), encoding="utf-8")
    (folder / "scenario.toml").write_text("\n".join(settings_lines) + "\n", encoding="utf-8")


@settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "30")),  # more for a bug hunt
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(st.lists(mutation(), min_size=1, max_size=4))
def test_damaged_scenario_is_an_input_error_or_solves_cleanly(
    mutations: list[tuple[object, ...]],
) -> None:
    folder = Path(tempfile.mkdtemp(prefix="fuzz-"))
    try:
        _apply(folder, mutations)
        try:
            scenario = read_scenario(folder)
        except InputError as exc:
            lines = exc.lines()
            assert lines, "an InputError without problems"
            for line in lines:
                assert LINE.match(line) and not UNSAFE.search(line), line
            return
        result = solve(scenario, time_limit=5, workers=1)
        assert result.status in ANSWERS, (result.status, result.violations)
        if result.plan is not None:
            report = check(scenario, result.plan)
            assert report.ok, report.lines()
            assert report.terms == result.terms
    finally:
        shutil.rmtree(folder, ignore_errors=True)
