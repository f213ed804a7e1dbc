"""Write ``scenario.toml`` with tomlkit, keeping a planner's comments and layout.

The standard library reads TOML but cannot write it; tomlkit reads *and* writes a
document with its comments, blank lines, key order and spelling intact. When the
scenario was read from a file (``Scenario.settings_text``), that text is the
template: only the values that changed are replaced, in place, so a planner's
annotated scenario.toml survives the app's and ``--set``'s writes. Without a
template every section and key of :class:`~models.Settings` is written.

A key whose value is ``None`` (an unset target) has no TOML spelling: it is
written as the comment ``# key = (not set)``, and a key set later replaces that
comment where it stands.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from enum import Enum
from typing import Any

import tomlkit
from tomlkit.items import Comment, Item, Table, Trivia

from models import Settings

NOT_SET = "(not set)"


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes and control characters escaped."""
    return tomlkit.string(text).as_string()


def _plain(value: object) -> Any:
    """A settings value as TOML data: enums by value, tuples as lists."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def _unset_comment(key: str) -> Comment:
    return Comment(Trivia(comment_ws="", comment=f"# {key} = {NOT_SET}", trail="\n"))


def _is_unset_comment(item: Item, key: str) -> bool:
    text = item.trivia.comment if isinstance(item, Comment) else ""
    return re.fullmatch(rf"#\s*{re.escape(key)}\s*=.*", text.strip()) is not None


def _same(item: Item, value: Any) -> bool:
    """True when the document's value already equals ``value`` (its spelling is then kept)."""
    old = item.unwrap() if hasattr(item, "unwrap") else item
    if isinstance(old, bool) or isinstance(value, bool):
        return type(old) is type(value) and old == value
    if isinstance(old, float) and isinstance(value, float) and old != old and value != value:
        return True  # nan
    return bool(old == value)


def _set(table: Table, key: str, value: Any) -> None:
    """Set ``key`` in ``table``, in place: an existing key keeps its position and its
    end-of-line comment; an unset key's ``# key = (not set)`` comment is replaced where it
    stands; otherwise the key is added at the end of the table."""
    body = table.value.body
    if value is None:
        if key in table:
            index = next(i for i, (k, _) in enumerate(body) if k is not None and k.key == key)
            body[index] = (None, _unset_comment(key))
            table.value._map.pop(tomlkit.key(key), None)  # noqa: SLF001 - keep the index in step
            _reindex(table)
        elif not any(k is None and _is_unset_comment(item, key) for k, item in body):
            table.add(_unset_comment(key))
        return
    if key in table:
        old = table.item(key)
        if not isinstance(old, Item):  # a table split over the file: no trivia to keep
            table[key] = value
            return
        if _same(old, value):
            return
        new = tomlkit.item(value)
        new.trivia.comment_ws, new.trivia.comment = old.trivia.comment_ws, old.trivia.comment
        table[key] = new
        return
    for index, (k, item) in enumerate(body):
        if k is None and _is_unset_comment(item, key):
            new = tomlkit.item(value)
            body[index] = (tomlkit.key(key), new)
            _reindex(table)
            return
    table.add(key, value)


def _reindex(table: Table) -> None:
    """Rebuild tomlkit's key -> position map after the body was edited in place."""
    container = table.value
    container._map = {}  # noqa: SLF001
    for i, (k, _) in enumerate(container.body):
        if k is not None:
            container._map[k] = i  # noqa: SLF001


def toml_document(sections: Mapping[str, Mapping[str, object]], template: str | None = None) -> str:
    """A TOML document holding ``sections``: the template's text with the values that
    differ replaced (``None`` as a ``# key = (not set)`` comment), or a new document."""
    doc = tomlkit.parse(template) if template else tomlkit.document()
    for name, values in sections.items():
        if name not in doc:
            if len(doc.body) > 0:
                doc.add(tomlkit.nl())
            doc.add(name, tomlkit.table())
        table = doc[name]
        for key, value in values.items():
            if isinstance(table, Table):
                _set(table, key, _plain(value))
            elif value is None:  # an inline table ``targets = {…}``: no room for comments
                table.pop(key, None)
            else:
                table[key] = _plain(value)
    return doc.as_string()


def settings_toml(settings: Settings, template: str | None = None) -> str:
    """``scenario.toml`` holding every section and key of ``settings``.

    ``template``: the scenario.toml text the settings were read from; its comments,
    blank lines, order and spelling are kept and only changed values are replaced.
    """
    if template is not None and _reads_as(template, settings):
        return template  # nothing changed: the file as it was, byte for byte (and fast)
    return toml_document(settings.model_dump(mode="python"), template)


def _reads_as(template: str, settings: Settings) -> bool:
    """True when ``template`` holds exactly ``settings`` (tomllib is ~10x faster than tomlkit)."""
    try:
        return Settings.model_validate(tomllib.loads(template)) == settings
    except (tomllib.TOMLDecodeError, ValueError):
        return False
