"""The scenario folder's layout (SPEC §2): its tables, key columns, files and size limits."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel

from models import Department, Function, Lock, Organization, Rule, Staff, Unit

TABLES: dict[str, type[BaseModel]] = {
    "organizations": Organization,
    "units": Unit,
    "staff": Staff,
    "functions": Function,
    "departments": Department,
    "rules": Rule,
    "locks": Lock,
}
"""Every table of SPEC §2 by file stem, in the SPEC's order, with its row model."""

REQUIRED_TABLES = ("organizations", "units", "staff", "functions")
KEY_COLUMNS = {
    "organizations": "org_id",
    "units": "unit_id",
    "staff": "staff_id",
    "functions": "function_id",
    "departments": "dept_id",
}
PRIVATE_COLUMNS = frozenset({("staff", "name"), ("staff", "salary")})
"""Personal data: no message ever echoes these cells."""

SETTINGS_FILE = "scenario.toml"
WORKBOOK = "scenario.xlsx"

MAX_FILE_BYTES = 50 * 2**20
MAX_ROWS = 200_000
MAX_CELL_CHARS = 10_000


@dataclass(frozen=True)
class Limits:
    """Sizes beyond which an input is refused as absurd rather than read.

    Attributes
    ----------
    max_file_bytes
        Largest file (a CSV, the workbook, a Parquet file or scenario.toml).
    max_rows
        Most data rows in one table.
    max_cell_chars
        Longest cell of a known column, in characters.
    """

    max_file_bytes: int = MAX_FILE_BYTES
    max_rows: int = MAX_ROWS
    max_cell_chars: int = MAX_CELL_CHARS
