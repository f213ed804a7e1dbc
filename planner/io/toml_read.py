"""Read ``scenario.toml``: the settings, with every bad key located by line (SPEC §2)."""

from __future__ import annotations

import difflib
import math
import re
import tomllib
import typing
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ValidationError

from models import Settings
from planner.io.errors import WHOLE, InputProblem, error_column, error_message
from planner.io.layout import SETTINGS_FILE
from planner.io.sources import decode, read_bytes


def read_settings(
    path: Path, out: list[InputProblem], max_bytes: int
) -> tuple[Settings, dict[str, int]]:
    """The settings (defaults where a section is bad) and the line of every ``section.key``."""
    if not path.is_file():
        out.append(
            InputProblem(
                SETTINGS_FILE, 0, WHOLE, "missing required file (an empty file means all defaults)"
            )
        )
        return Settings(), {}
    data = read_bytes(path, out, max_bytes)
    text = None if data is None else decode(data, SETTINGS_FILE, out)
    if text is None:
        return Settings(), {}
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
        line = int(found[1]) if found else text.count("\n") + 1
        out.append(InputProblem(SETTINGS_FILE, line, WHOLE, f"TOML syntax error: {exc}"))
        return Settings(), {}
    lines = _key_lines(text)
    sections = {}
    for name, body in document.items():
        kept = _known_keys(name, body, lines, out)
        if kept is not None:
            sections[name] = _section(name, kept, lines, out)
    return Settings(**sections), lines


def _key_lines(text: str) -> dict[str, int]:
    """The first line of every ``[section]`` and ``section.key`` in a TOML text."""
    lines: dict[str, int] = {}
    section = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if header := re.match(r"\s*\[\s*([\w.-]+)\s*\]", line):
            section = header[1]
            lines.setdefault(section, number)
        elif key := re.match(r"\s*([\w-]+)\s*=", line):
            lines.setdefault(f"{section}.{key[1]}" if section else key[1], number)
    return lines


def _did_you_mean(name: str, allowed: Iterable[str]) -> str:
    near = difflib.get_close_matches(name, list(allowed), n=1)
    return f" (did you mean {near[0]!r}?)" if near else ""


def _known_keys(
    name: str, body: object, lines: dict[str, int], out: list[InputProblem]
) -> dict[str, object] | None:
    """The keys of section ``name`` that exist and are finite; the others reported."""
    sections = list(Settings.model_fields)
    if name not in sections:
        where = (
            f"unknown section [{name}]"
            if isinstance(body, dict)
            else f"key {name!r} outside any section"
        )
        message = f"{where}{_did_you_mean(name, sections)}; sections are: {', '.join(sections)}"
        out.append(InputProblem(SETTINGS_FILE, lines.get(name, 0), name, message))
        return None
    if not isinstance(body, dict):
        out.append(
            InputProblem(
                SETTINGS_FILE, lines.get(name, 0), name, f"[{name}] must be a table of keys"
            )
        )
        return None
    keys = list(_section_model(name).model_fields)
    kept = {}
    for key, value in body.items():
        column = f"{name}.{key}"
        line = lines.get(column, lines.get(name, 0))
        if key not in keys:
            message = (
                f"unknown key{_did_you_mean(key, keys)}; keys of [{name}] are: {', '.join(keys)}"
            )
            out.append(InputProblem(SETTINGS_FILE, line, column, message))
        elif isinstance(value, float) and not math.isfinite(value):
            out.append(InputProblem(SETTINGS_FILE, line, column, f"{value} is not a finite number"))
        else:
            kept[key] = value
    return kept


def _section_model(name: str) -> type[BaseModel]:
    return typing.cast(type[BaseModel], Settings.model_fields[name].annotation)


def _section(
    name: str, body: dict[str, object], lines: dict[str, int], out: list[InputProblem]
) -> BaseModel:
    """Section ``name`` validated; bad keys are reported and left at their defaults."""
    model = _section_model(name)
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        bad = set()
        for err in exc.errors():
            key = error_column(err, model.model_fields)
            column = name if key == WHOLE else f"{name}.{key}"
            loc = err.get("loc") or ()
            if len(loc) > 1 and all(isinstance(part, str) for part in loc):
                column = ".".join(
                    (name, *map(str, loc))
                )  # a sub-table's key: roadmap.package.first_rate
            bad.add(key)
            out.append(
                InputProblem(
                    SETTINGS_FILE,
                    lines.get(column, lines.get(name, 0)),
                    column,
                    error_message(err, echo=True),
                )
            )
    try:
        return model.model_validate({k: v for k, v in body.items() if k not in bad})
    except ValidationError:
        return model()
