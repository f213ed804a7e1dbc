"""Cells to row models: one converter per kind of field, each problem located by column.

The reading spec of a field (:class:`ColumnSpec`) is derived from the row
model's annotations; a row with problems becomes a placeholder model so that
its id still counts in references. Cells of ``PRIVATE_COLUMNS`` are never quoted.
"""

from __future__ import annotations

import difflib
import math
import re
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from functools import cache

from pydantic import BaseModel, ValidationError

from models import Function, FunctionKind
from planner.io.errors import WHOLE, error_column, error_message, preview
from planner.io.layout import KEY_COLUMNS, PRIVATE_COLUMNS, Limits

WHOLE_NUMBER = "not a whole number"
TRUE = frozenset({"true", "1", "yes"})
FALSE = frozenset({"false", "0", "no"})


class _BadCell(Exception):
    """A cell that cannot be converted; ``echo`` says whether the message may quote it."""

    def __init__(self, problem: str, *, echo: bool = True) -> None:
        super().__init__(problem)
        self.problem, self.echo = problem, echo

    def message(self, raw: object, *, private: bool) -> str:
        return f"{preview(raw)} is {self.problem}" if self.echo and not private else self.problem


@dataclass(frozen=True)
class ColumnSpec:
    """How to read one field of a row model from a cell."""

    kind: str  # str | list | int | float | bool | enum
    required: bool
    default: object = None
    enum: type[Enum] | None = None


def _base_type(annotation: object) -> object:
    """``Annotated[int, …] | None`` -> ``int``."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        else:
            return annotation


@cache
def column_specs(model: type[BaseModel]) -> dict[str, ColumnSpec]:
    """The reading spec of every field of ``model``, derived from its annotations."""
    specs = {}
    for name, info in model.model_fields.items():
        base = _base_type(info.annotation)
        enum = base if isinstance(base, type) and issubclass(base, Enum) else None
        kind = {bool: "bool", int: "int", float: "float"}.get(base, "str")  # type: ignore[call-overload]
        if enum is not None:
            kind = "enum"
        elif typing.get_origin(base) is tuple:
            kind = "list"
        default = None if info.is_required() else info.default
        specs[name] = ColumnSpec(kind, info.is_required(), default, enum)
    return specs


def blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _to_text(value: object, spec: ColumnSpec) -> object:
    if isinstance(value, list | tuple):
        raise _BadCell("a list, expected text", echo=False)
    return value if isinstance(value, str) else str(value)


def _to_list(value: object, spec: ColumnSpec) -> object:
    return (
        ";".join(str(v) for v in value)
        if isinstance(value, list | tuple)
        else _to_text(value, spec)
    )


def _to_int(value: object, spec: ColumnSpec) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value) if re.fullmatch(r"[+-]?\d+", value) else _to_int(float(value), spec)
        except (ValueError, _BadCell) as exc:
            if isinstance(exc, _BadCell) and exc.problem != WHOLE_NUMBER:
                raise
            grouped = re.fullmatch(r"[+-]?\d{1,3}([.,\s]\d{3})+", value)
            raise _BadCell(
                WHOLE_NUMBER + (" (write digits only, no separators)" if grouped else "")
            ) from None
    if isinstance(value, float) and not math.isfinite(value):
        raise _BadCell("not a finite number")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise _BadCell(WHOLE_NUMBER)


def _to_float(value: object, spec: ColumnSpec) -> float:
    try:
        number = (
            float(value)
            if isinstance(value, str | int | float) and not isinstance(value, bool)
            else None
        )
    except ValueError:
        number = None
    if number is None:
        comma = isinstance(value, str) and re.fullmatch(r"[+-]?\d*,\d+", value)
        raise _BadCell("not a number" + (" (use a decimal point: 0.5, not 0,5)" if comma else ""))
    if not math.isfinite(number):
        raise _BadCell("not a finite number")
    return number


def _to_bool(value: object, spec: ColumnSpec) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if text in TRUE or text in FALSE:
        return text in TRUE
    raise _BadCell("not a boolean (use true/false, 1/0 or yes/no)")


def _to_enum(value: object, spec: ColumnSpec) -> Enum:
    assert spec.enum is not None
    allowed = [str(m.value) for m in spec.enum]
    text = str(value).strip().lower()
    if text not in allowed:
        raise _BadCell(f"not one of: {', '.join(allowed)}")
    return spec.enum(text)


_CONVERTERS: dict[str, Callable[[object, ColumnSpec], object]] = {
    "str": _to_text,
    "list": _to_list,
    "int": _to_int,
    "float": _to_float,
    "bool": _to_bool,
    "enum": _to_enum,
}


def _convert(raw: object, spec: ColumnSpec, limits: Limits) -> object:
    if isinstance(raw, str):
        if len(raw) > limits.max_cell_chars:
            raise _BadCell(f"longer than {limits.max_cell_chars} characters", echo=False)
        raw = raw.strip()
    return _CONVERTERS[spec.kind](raw, spec)


def missing_columns(model: type[BaseModel], columns: Sequence[str]) -> list[str]:
    return [
        name for name, spec in column_specs(model).items() if spec.required and name not in columns
    ]


def column_hint(column: str, columns: Sequence[str]) -> str:
    near = difflib.get_close_matches(column.lower(), [c.lower() for c in columns], n=1, cutoff=0.75)
    if not near:
        return ""
    found = next(c for c in columns if c.lower() == near[0])
    return f" (found {found!r}: column names are compared exactly)"


def check_row(
    stem: str, model: type[BaseModel], cells: dict[str, object], limits: Limits
) -> tuple[BaseModel, dict[str, str]]:
    """One row as a model, and its problems by column (a placeholder model when there are any)."""
    specs = column_specs(model)
    values: dict[str, object] = {}
    problems: dict[str, str] = {}
    for name, spec in specs.items():
        raw = cells.get(name)
        private = (stem, name) in PRIVATE_COLUMNS
        if blank(raw):
            if spec.required and name in cells:
                problems[name] = (
                    "empty identifier"
                    if KEY_COLUMNS.get(stem) == name
                    else "empty: a value is required"
                )
            continue
        try:
            values[name] = _convert(raw, spec, limits)
        except _BadCell as bad:
            problems[name] = bad.message(raw, private=private)
    try:
        return model.model_validate(values), problems
    except ValidationError as exc:
        for err in exc.errors():
            column = error_column(err, specs)
            if err["type"] != "missing" and column not in problems:
                problems[column] = error_message(err, echo=(stem, column) not in PRIVATE_COLUMNS)
    # Only "missing" errors: a required column is absent, reported once at the header.
    # The row is still bad, so that its placeholder's empty cells raise no dangling
    # reference ("unknown organisation 'None'") in the other tables.
    return _placeholder(model, values), problems or {WHOLE: ""}


def _placeholder(model: type[BaseModel], values: dict[str, object]) -> BaseModel:
    """An unvalidated stand-in for a bad row, so that its id still counts in references."""
    data: dict[str, typing.Any] = {
        n: values.get(n, spec.default) for n, spec in column_specs(model).items()
    }
    for name, spec in column_specs(model).items():
        if spec.kind == "list":
            value = data[name]
            data[name] = (
                tuple(dict.fromkeys(p.strip() for p in value.split(";") if p.strip()))
                if isinstance(value, str)
                else ()
            )
    if model is Function and data["org_id"] is None and data["kind"] is not FunctionKind.SHARED:
        # Scenario re-runs Function's own checks on it: a kind they would reject is left out.
        data["kind"] = (
            None
            if data["kind"] is FunctionKind.RESERVED or not data["lead_candidates"]
            else data["kind"]
        )
    return model.model_construct(**data)
