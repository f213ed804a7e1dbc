"""Write ``scenario.toml`` by hand: the standard library reads TOML but cannot write it.

Only what ``Settings`` holds is needed: tables of strings, booleans, integers,
floats and lists of strings. A key whose value is ``None`` (an unset target)
has no TOML spelling, so it is written as a comment.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date
from enum import Enum

from models import Settings

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def toml_value(value: object) -> str:
    """The TOML spelling of one value.

    Raises
    ------
    TypeError
        For a value TOML cannot hold here (``None``, a mapping, an object).
    """
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, date):
        return value.isoformat()  # a TOML local date
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML spelling for {type(value).__name__}")


def toml_document(sections: Mapping[str, Mapping[str, object]]) -> str:
    """A TOML document of one table per section, every key written (``None`` as a comment)."""
    blocks = []
    for name, body in sections.items():
        lines = [f"[{name}]"]
        tables = {k: v for k, v in body.items() if isinstance(v, Mapping)}  # [name.sub] after
        for key, value in body.items():
            if key in tables:
                continue
            lines.append(
                f"# {key} = (not set)" if value is None else f"{key} = {toml_value(value)}"
            )
        blocks.append("\n".join(lines))
        if tables:
            blocks.append(toml_document({f"{name}.{k}": v for k, v in tables.items()}).rstrip("\n"))
    return "\n\n".join(blocks) + "\n"


def settings_toml(settings: Settings) -> str:
    """``scenario.toml`` holding every section and key of ``settings``."""
    return toml_document(settings.model_dump(mode="python"))
