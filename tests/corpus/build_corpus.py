"""Build the corpus of damaged and unusual scenarios (``tests/corpus/cases/``).

Every case is a copy of ``tests/fixtures/tiny`` with one thing broken (or one
harmless variation), together with what ``planner validate`` must answer: the
exit code (0 or 2) and, for 2, the exact ``file:row:column`` of every problem.
A valid case may carry warnings (``warnings``: the ``file:row:column`` of each
``warning:`` line ``planner validate`` prints, e.g. a rule naming a domain no
function has, which holds vacuously). The expectations are written here by hand,
next to the damage, and copied into
``expected.toml``; they are never produced by running the reader.

Run from the repository root after changing a case, and commit the result::

    .venv/bin/python -m tests.corpus.build_corpus

Cases marked ``at_test_time`` (huge files) are not committed: ``tests/test_corpus.py``
builds them into a temporary folder with :func:`build_case`.

Rows of the tiny fixture, for reading the expectations: staff S1..S8 are
spreadsheet rows 2..9, functions F1..F6 rows 2..7, organisations MT, CD rows
2, 3, units MT-VP, MT-TC, CD-VP rows 2..4, locks rows 2..4 (S6 head of D2, F4
led by MT, S3 exits), rules rows 2..3, departments D1, D2 rows 2, 3. The lines
of scenario.toml are listed in ``tests/fixtures/tiny/scenario.toml``.
"""

from __future__ import annotations

import csv
import io
import random
import shutil
import sys
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl
import xlsxwriter

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TINY = ROOT / "tests" / "fixtures" / "tiny"
CASES = HERE / "cases"
EXPECTED = HERE / "expected.toml"

Build = Callable[[Path], None]


@dataclass(frozen=True)
class Case:
    """One corpus case: how to damage the tiny scenario and what ``validate`` must say.

    Attributes
    ----------
    name
        Folder name under ``cases/``.
    what
        One line for a reader of ``expected.toml``.
    build
        Edits a fresh copy of the tiny scenario in place.
    exit
        Expected exit code of ``planner validate``: 0 or 2.
    locations
        For exit 2, every ``file:row:column`` expected, exactly (no more, no less).
    absent
        Strings that must not appear in the output (personal data, raw control characters).
    warnings
        For exit 0, every ``file:row:column`` of a warning expected, exactly.
    at_test_time
        Too big to commit: built by the test into a temporary folder.
    """

    name: str
    what: str
    build: Build
    exit: int
    locations: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    at_test_time: bool = False
    warnings: tuple[str, ...] = ()


CORPUS: list[Case] = []


def case(
    what: str,
    *,
    exit: int = 2,
    locations: tuple[str, ...] = (),
    absent: tuple[str, ...] = (),
    at_test_time: bool = False,
    warnings: tuple[str, ...] = (),
) -> Callable[[Build], Build]:
    """Register the decorated builder as a case named after the function."""

    def register(build: Build) -> Build:
        assert (exit == 0) == (not locations), f"{build.__name__}: exit 2 needs locations"
        assert exit == 0 or not warnings, f"{build.__name__}: warnings belong to valid cases"
        CORPUS.append(
            Case(
                build.__name__,
                what,
                build,
                exit,
                tuple(locations),
                tuple(absent),
                at_test_time,
                tuple(warnings),
            )
        )
        return build

    return register


# -- raw table helpers (every cell a string, so any damage can be written) --------------


def read(folder: Path, stem: str) -> list[list[str]]:
    text = (folder / f"{stem}.csv").read_text(encoding="utf-8-sig")
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]


def write(folder: Path, stem: str, records: list[list[str]], *, encoding: str = "utf-8") -> None:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\n").writerows(records)
    (folder / f"{stem}.csv").write_bytes(buffer.getvalue().encode(encoding))


def set_cell(folder: Path, stem: str, row: int, column: str, value: str) -> None:
    """Set the cell at spreadsheet ``row`` (header = 1) and ``column``."""
    records = read(folder, stem)
    records[row - 1][records[0].index(column)] = value
    write(folder, stem, records)


def edit_text(folder: Path, name: str, old: str, new: str) -> None:
    """Replace ``old`` (which must occur) by ``new`` in the raw text of ``name``."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{name}: {old!r} not found"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def tables(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.csv"))


def write_xlsx(folder: Path, stems: list[str], *, native: bool = False) -> None:
    """Move tables ``stems`` into sheets of ``scenario.xlsx`` (text cells, or typed with ``native``).

    The creation date is fixed so that rebuilding the corpus gives the same bytes.
    """
    with xlsxwriter.Workbook(folder / "scenario.xlsx", {"strings_to_numbers": False}) as book:
        book.set_properties({"created": datetime(2018, 1, 1)})
        for stem in stems:
            sheet = book.add_worksheet(stem)
            for i, record in enumerate(read(folder, stem)):
                for j, cell in enumerate(record):
                    value: object = cell
                    if native and i > 0:
                        value = _native(cell)
                    if value == "":
                        continue
                    if isinstance(value, bool):
                        sheet.write_boolean(i, j, value)
                    elif isinstance(value, int | float):
                        sheet.write_number(i, j, value)
                    else:
                        sheet.write_string(i, j, str(value))
            (folder / f"{stem}.csv").unlink()


def _native(cell: str) -> object:
    if cell in ("true", "false", "yes", "no"):
        return cell in ("true", "yes")
    for kind in (int, float):
        try:
            return kind(cell)
        except ValueError:
            pass
    return cell


PARQUET_TYPES: dict[str, dict[str, type[pl.DataType]]] = {
    "organizations": {"min_staff": pl.Int64, "min_leaders": pl.Int64},
    "staff": {
        "salary": pl.Int64,
        "fte": pl.Float64,
        "can_lead": pl.Boolean,
        "retiring": pl.Boolean,
        "protected": pl.Boolean,
    },  # fmt: skip
    "functions": {"workload": pl.Float64},
    "departments": {"min_staff": pl.Int64, "max_staff": pl.Int64, "max_deputies": pl.Int64},
}


def write_parquet(folder: Path, stems: list[str], *, native: bool = False) -> None:
    """Replace tables ``stems`` by Parquet files: string columns, or typed with ``native``."""
    for stem in stems:
        header, *rows = read(folder, stem)
        types = PARQUET_TYPES.get(stem, {}) if native else {}
        data: dict[str, list[object]] = {}
        for j, name in enumerate(header):
            cells = [r[j] or None for r in rows]
            data[name] = (
                [None if c is None else _native(c) for c in cells] if name in types else cells
            )  # type: ignore[misc]
        schema = {name: types.get(name, pl.String) for name in header}
        pl.DataFrame(data, schema=schema).write_parquet(folder / f"{stem}.parquet")
        (folder / f"{stem}.csv").unlink()


# == invalid: files ======================================================================


@case("staff.csv removed", locations=("staff.csv:0:-",))
def missing_staff_file(d: Path) -> None:
    (d / "staff.csv").unlink()


@case("scenario.toml removed", locations=("scenario.toml:0:-",))
def missing_settings_file(d: Path) -> None:
    (d / "scenario.toml").unlink()


@case("functions.csv is zero bytes", locations=("functions.csv:0:-",))
def empty_file(d: Path) -> None:
    (d / "functions.csv").write_bytes(b"")


@case(
    "staff.csv has its header and no rows: the locks on S6 and S3 dangle",
    locations=("staff.csv:0:-", "locks.csv:2:id", "locks.csv:4:id"),
)
def header_only_staff(d: Path) -> None:
    write(d, "staff", read(d, "staff")[:1])


@case(
    "departments.csv has its header and no rows",
    locations=("departments.csv:0:-",),
)
def header_only_departments(d: Path) -> None:
    write(d, "departments", read(d, "departments")[:1])


@case("staff.csv is random bytes", locations=("staff.csv:1:-",))
def binary_garbage(d: Path) -> None:
    rng = random.Random(7)
    (d / "staff.csv").write_bytes(b"\xff\xfe\x00" + bytes(rng.randrange(256) for _ in range(2000)))


@case(
    "scenario.xlsx is not a workbook (and is the only table source)",
    locations=("scenario.xlsx:0:-",),
)
def corrupt_xlsx(d: Path) -> None:
    for stem in tables(d):
        (d / f"{stem}.csv").unlink()
    (d / "scenario.xlsx").write_bytes(b"PK\x03\x04 this is not a zip archive")


@case("staff.parquet is not a Parquet file", locations=("staff.parquet:0:-",))
def corrupt_parquet(d: Path) -> None:
    (d / "staff.csv").unlink()
    (d / "staff.parquet").write_bytes(b"PAR1 truncated")


@case("staff given twice: staff.csv and staff.parquet", locations=("staff.csv:0:-",))
def table_given_twice(d: Path) -> None:
    shutil.copy(d / "staff.csv", d / "extra.csv")
    write_parquet(d, ["extra"])
    (d / "extra.parquet").rename(d / "staff.parquet")


# == invalid: structure of a CSV ============================================================


@case("staff.csv lacks its salary column", locations=("staff.csv:1:salary",))
def missing_column(d: Path) -> None:
    records = read(d, "staff")
    j = records[0].index("salary")
    write(d, "staff", [r[:j] + r[j + 1 :] for r in records])


@case(
    "units.csv header says 'Org_ID' (names are compared exactly)", locations=("units.csv:1:org_id",)
)
def misnamed_column(d: Path) -> None:
    edit_text(d, "units.csv", "unit_id,org_id,name", "unit_id,Org_ID,name")


@case("staff.csv has the fte column twice", locations=("staff.csv:1:fte",))
def duplicate_column(d: Path) -> None:
    records = read(d, "staff")
    write(d, "staff", [r + [r[records[0].index("fte")]] for r in records])


@case("organizations.csv separated by semicolons", locations=("organizations.csv:1:-",))
def semicolon_delimiter(d: Path) -> None:
    text = (d / "organizations.csv").read_text(encoding="utf-8")
    (d / "organizations.csv").write_text(text.replace(",", ";"), encoding="utf-8")


@case("rules.csv separated by tabs", locations=("rules.csv:1:-",))
def tab_delimiter(d: Path) -> None:
    text = (d / "rules.csv").read_text(encoding="utf-8")
    (d / "rules.csv").write_text(text.replace(",", "\t"), encoding="utf-8")


@case("staff row 5 (S4) has one cell too many", locations=("staff.csv:5:-",))
def ragged_row_long(d: Path) -> None:
    edit_text(d, "staff.csv", "S4,Phạm Thị Dung,MT-TC,head,14000000,1,organisation,,false,false",
              "S4,Phạm Thị Dung,MT-TC,head,14000000,1,organisation,,false,false,extra")  # fmt: skip


@case("functions row 4 (F3) is cut short", locations=("functions.csv:4:-",))
def ragged_row_short(d: Path) -> None:
    edit_text(d, "functions.csv", "F3,Công tác tổ chức cán bộ,MT,MT-TC,organisation,reserved,1,organisation,",
              "F3,Công tác tổ chức cán bộ,MT")  # fmt: skip


@case("the quoted name of F6 (row 7) is never closed", locations=("functions.csv:7:-",))
def unclosed_quote(d: Path) -> None:
    edit_text(d, "functions.csv", 'phản biện",', "phản biện,")


@case(
    "a quote opened in row 3 (F2) is closed only in row 7: the problem is in row 3",
    locations=("functions.csv:3:-",),
)
def quote_opened_early(d: Path) -> None:
    edit_text(d, "functions.csv", "F2,Kế toán", 'F2,"Kế toán')


# == invalid: encodings =====================================================================


@case("staff.csv saved as Latin-1 (first non-ASCII byte on line 4)", locations=("staff.csv:4:-",))
def latin1_encoding(d: Path) -> None:
    records = read(d, "staff")
    names = ["Nguyen Van An", "Tran Thi Binh", "José Lê", "Pham Thi Dung", "Hoang Van Em",
             "Vu Thi Phuong", "Dang Van Giang", "Bui Thi Hoa"]  # fmt: skip
    for record, name in zip(records[1:], names, strict=True):
        record[1] = name
    write(d, "staff", records, encoding="latin-1")


@case("units.csv saved as UTF-16 with its BOM", locations=("units.csv:1:-",))
def utf16_encoding(d: Path) -> None:
    text = (d / "units.csv").read_text(encoding="utf-8")
    (d / "units.csv").write_bytes(text.encode("utf-16"))


@case("scenario.toml saved as Windows-1258 (Vietnamese ANSI)", locations=("scenario.toml:3:-",))
def cp1258_settings(d: Path) -> None:
    text = (d / "scenario.toml").read_text(encoding="utf-8")
    (d / "scenario.toml").write_bytes(to_cp1258(text.replace("—", "-")))


def to_cp1258(text: str) -> bytes:
    """Vietnamese text as Windows-1258 writes it: base letters, then combining tone marks."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        base, *marks = unicodedata.normalize("NFD", ch)
        composed = unicodedata.normalize("NFC", base + marks[0]) if marks else base
        if len(composed) == 1:  # e.g. o + circumflex = ô, which cp1258 has
            base, marks = composed, marks[1:]
        out += (base + "".join(marks)).encode("cp1258")
    return bytes(out)


# == invalid: identifiers and references ====================================================


@case("S2's id changed to S1 (row 3 repeats row 2)", locations=("staff.csv:3:staff_id",))
def duplicate_staff_id(d: Path) -> None:
    set_cell(d, "staff", 3, "staff_id", "S1")


@case("F6's id changed to F5 (row 7 repeats row 6)", locations=("functions.csv:7:function_id",))
def duplicate_function_id(d: Path) -> None:
    set_cell(d, "functions", 7, "function_id", "F5")


@case("S2 has an empty staff_id", locations=("staff.csv:3:staff_id",))
def empty_id(d: Path) -> None:
    set_cell(d, "staff", 3, "staff_id", "")


@case(
    "unit MT-TC's id is blanks only: the staff and functions of MT-TC now dangle",
    locations=(
        "units.csv:3:unit_id",
        "staff.csv:5:unit_id",
        "staff.csv:6:unit_id",
        "functions.csv:4:unit_id",
        "functions.csv:5:unit_id",
    ),  # fmt: skip
)
def blank_id(d: Path) -> None:
    set_cell(d, "units", 3, "unit_id", "   ")


@case("a 300-character staff_id (ids are at most 200)", locations=("staff.csv:2:staff_id",))
def overlong_id(d: Path) -> None:
    set_cell(d, "staff", 2, "staff_id", "S" * 300)


@case("S2 works in unit MT-XX, which does not exist", locations=("staff.csv:3:unit_id",))
def dangling_unit(d: Path) -> None:
    set_cell(d, "staff", 3, "unit_id", "MT-XX")


@case(
    "unit CD-VP belongs to organisation CDX, which does not exist",
    locations=("units.csv:4:org_id",),
)
def dangling_org(d: Path) -> None:
    set_cell(d, "units", 4, "org_id", "CDX")


@case("F4 may be led by HND, which does not exist", locations=("functions.csv:5:lead_candidates",))
def dangling_lead_candidate(d: Path) -> None:
    set_cell(d, "functions", 5, "lead_candidates", "MT;HND")


@case(
    "units name org 'MẶT TRẬN' in decomposed Unicode (NFD), organizations in NFC: ids compare exactly",
    locations=("units.csv:2:org_id", "units.csv:3:org_id"),
)
def nfd_vs_nfc_id(d: Path) -> None:
    nfc = unicodedata.normalize("NFC", "MẶT TRẬN")
    set_cell(d, "organizations", 2, "org_id", nfc)
    for row in (2, 3):
        set_cell(d, "units", row, "org_id", unicodedata.normalize("NFD", nfc))
    for row in (4, 7):  # functions owned by MT
        set_cell(d, "functions", row, "org_id", nfc)
    set_cell(d, "functions", 5, "lead_candidates", f"{nfc};CD")
    edit_text(d, "locks.csv", "F4,,,MT", f"F4,,,{nfc}")


@case("locks row 2 fixes staff S99, who does not exist", locations=("locks.csv:2:id",))
def unknown_lock_staff(d: Path) -> None:
    set_cell(d, "locks", 2, "id", "S99")


@case("locks row 3 fixes function F99, which does not exist", locations=("locks.csv:3:id",))
def unknown_lock_function(d: Path) -> None:
    set_cell(d, "locks", 3, "id", "F99")


@case(
    "locks row 2 puts S6 in department D9, which does not exist", locations=("locks.csv:2:dept_id",)
)
def unknown_lock_department(d: Path) -> None:
    set_cell(d, "locks", 2, "dept_id", "D9")


@case("locks row 3 makes XX lead F4: not a lead candidate", locations=("locks.csv:3:lead_org",))
def lock_lead_not_candidate(d: Path) -> None:
    set_cell(d, "locks", 3, "lead_org", "XX")


@case(
    "locks row 4: a staff lock with role exit names a department", locations=("locks.csv:4:role",)
)
def lock_exit_with_department(d: Path) -> None:
    set_cell(d, "locks", 4, "dept_id", "D1")


@case("rules row 3 keeps F3 together with F99, which does not exist", locations=("rules.csv:3:b",))
def unknown_rule_function(d: Path) -> None:
    set_cell(d, "rules", 3, "b", "F99")


@case(
    "rules row 2 names domain:security, which no function has: valid (the rule holds vacuously), with a warning",
    exit=0,
    warnings=("rules.csv:2:b",),
)
def unknown_rule_domain(d: Path) -> None:
    set_cell(d, "rules", 2, "b", "domain:security")


@case(
    "D2 may host office work only: no department may host organisation, propaganda, movement",
    locations=("functions.csv:4:domain", "functions.csv:5:domain", "functions.csv:6:domain"),
)
def domain_without_department(d: Path) -> None:
    set_cell(d, "departments", 3, "domains", "office")


# == invalid: cells =========================================================================


@case("S1's salary written in words", locations=("staff.csv:2:salary",), absent=("mười lăm triệu",))
def wrong_type_salary(d: Path) -> None:
    set_cell(d, "staff", 2, "salary", "mười lăm triệu")


@case(
    "S1's salary with thousands separators (personal data: not echoed)",
    locations=("staff.csv:2:salary",),
    absent=("15.000.000",),
)
def grouped_salary(d: Path) -> None:
    set_cell(d, "staff", 2, "salary", "15.000.000")


@case("F2's workload is 'half'", locations=("functions.csv:3:workload",))
def wrong_type_workload(d: Path) -> None:
    set_cell(d, "functions", 3, "workload", "half")


@case("S3's fte is 1.5 (at most 1)", locations=("staff.csv:4:fte",))
def out_of_range_fte(d: Path) -> None:
    set_cell(d, "staff", 4, "fte", "1.5")


@case("S4's salary is negative", locations=("staff.csv:5:salary",), absent=("-1400",))
def negative_salary(d: Path) -> None:
    set_cell(d, "staff", 5, "salary", "-14000000")


@case(
    "S5's salary is 10^12 (at most 10^10)",
    locations=("staff.csv:6:salary",),
    absent=("1000000000000",),
)
def absurd_salary(d: Path) -> None:
    set_cell(d, "staff", 6, "salary", "1000000000000")


@case("CD's min_staff is -2", locations=("organizations.csv:3:min_staff",))
def negative_min_staff(d: Path) -> None:
    set_cell(d, "organizations", 3, "min_staff", "-2")


@case("F5's workload is NaN", locations=("functions.csv:6:workload",))
def nan_workload(d: Path) -> None:
    set_cell(d, "functions", 6, "workload", "NaN")


@case("S5's fte is inf", locations=("staff.csv:6:fte",))
def inf_fte(d: Path) -> None:
    set_cell(d, "staff", 6, "fte", "inf")


@case("S7's retiring is 'maybe'", locations=("staff.csv:8:retiring",))
def bad_boolean(d: Path) -> None:
    set_cell(d, "staff", 8, "retiring", "maybe")


@case("S2's position is 'boss'", locations=("staff.csv:3:position",))
def bad_enum_position(d: Path) -> None:
    set_cell(d, "staff", 3, "position", "boss")


@case("F1's kind is 'joint'", locations=("functions.csv:2:kind",))
def bad_enum_kind(d: Path) -> None:
    set_cell(d, "functions", 2, "kind", "joint")


@case("rules row 2 is a 'separate' rule", locations=("rules.csv:2:rule",))
def bad_enum_rule(d: Path) -> None:
    set_cell(d, "rules", 2, "rule", "separate")


@case("D1's min_staff 9 is above its max_staff 5", locations=("departments.csv:2:max_staff",))
def department_min_above_max(d: Path) -> None:
    set_cell(d, "departments", 2, "min_staff", "9")


@case("F1's name is 20,000 characters", locations=("functions.csv:2:name",))
def absurd_cell(d: Path) -> None:
    set_cell(d, "functions", 2, "name", "Hành chính " * 2000)


@case("S8's name is 20,000 characters (personal data: not echoed)", locations=("staff.csv:9:name",),
      absent=("Bùi Thị Hoa",))  # fmt: skip
def absurd_private_cell(d: Path) -> None:
    set_cell(d, "staff", 9, "name", "Bùi Thị Hoa " * 1700)


@case(
    "S2's unit is a terminal escape sequence: reported, never replayed raw",
    locations=("staff.csv:3:unit_id",),
    absent=("\x1b", "\x07"),
)
def control_characters_in_id(d: Path) -> None:
    set_cell(d, "staff", 3, "unit_id", "MT-\x1b]0;pwned\x07\x1b[31mRED")


@case(
    "S2's unit holds a line break: still one line per problem",
    locations=("staff.csv:3:unit_id",),
)
def newline_in_id(d: Path) -> None:
    set_cell(d, "staff", 3, "unit_id", "MT\nVP")


@case(
    "S2's unit is ':fire:[bold]x[/bold]': echoed as written, not as an emoji or markup",
    locations=("staff.csv:3:unit_id",),
)
def markup_in_id(d: Path) -> None:
    set_cell(d, "staff", 3, "unit_id", ":fire:[bold]x[/bold]")


# == invalid: scenario.toml =================================================================


@case("scenario.toml line 10 reads 'max_staff = = 6'", locations=("scenario.toml:10:-",))
def toml_syntax_error(d: Path) -> None:
    edit_text(d, "scenario.toml", "max_staff = 6", "max_staff = = 6")


@case("scenario.toml sets departments.min_staff twice (line 10)", locations=("scenario.toml:10:-",))
def toml_duplicate_key(d: Path) -> None:
    edit_text(d, "scenario.toml", "max_staff = 6", "min_staff = 3")


@case('departments.count = "two"', locations=("scenario.toml:8:departments.count",))
def setting_wrong_type(d: Path) -> None:
    edit_text(d, "scenario.toml", "count = 2", 'count = "two"')


@case(
    "targets.min_reduction = 1.5 (a share)", locations=("scenario.toml:20:targets.min_reduction",)
)
def setting_out_of_range(d: Path) -> None:
    edit_text(d, "scenario.toml", "min_reduction = 0.125", "min_reduction = 1.5")


@case("targets.max_payroll = nan", locations=("scenario.toml:22:targets.max_payroll",))
def setting_nan(d: Path) -> None:
    edit_text(
        d,
        "scenario.toml",
        "max_leadership_posts = 4",
        "max_leadership_posts = 4\nmax_payroll = nan",
    )


@case(
    "targets.min_reductoin (a typo) is not a setting",
    locations=("scenario.toml:20:targets.min_reductoin",),
)
def unknown_setting_key(d: Path) -> None:
    edit_text(d, "scenario.toml", "min_reduction = 0.125", "min_reductoin = 0.125")


@case("[solvr] is not a section", locations=("scenario.toml:29:solvr",))
def unknown_setting_section(d: Path) -> None:
    edit_text(d, "scenario.toml", "[solver]", "[solvr]")


@case(
    "departments.min_staff 7 above max_staff 6",
    locations=("scenario.toml:9:departments.min_staff",),
)
def settings_min_above_max(d: Path) -> None:
    edit_text(d, "scenario.toml", "min_staff = 2", "min_staff = 7")


@case("objective.priority names 'payrol'", locations=("scenario.toml:27:objective.priority",))
def setting_unknown_term(d: Path) -> None:
    edit_text(
        d, "scenario.toml", '"involuntary_exits", "payroll"]', '"involuntary_exits", "payrol"]'
    )


# == invalid: many problems at once =========================================================


@case(
    "one problem in each of five files: all reported together",
    locations=(
        "organizations.csv:2:min_leaders",
        "units.csv:4:org_id",
        "staff.csv:7:position",
        "functions.csv:3:workload",
        "scenario.toml:30:solver.time_limit",
    ),  # fmt: skip
)
def many_problems(d: Path) -> None:
    set_cell(d, "organizations", 2, "min_leaders", "một")
    set_cell(d, "units", 4, "org_id", "LĐLĐ")
    set_cell(d, "staff", 7, "position", "chief")
    set_cell(d, "functions", 3, "workload", "0,5")
    edit_text(d, "scenario.toml", "time_limit = 10", "time_limit = -1")


# == invalid: too big (built at test time, never committed) ==================================


@case("staff.csv is 51 MiB (the limit is 50 MiB)", locations=("staff.csv:0:-",), at_test_time=True)
def huge_file(d: Path) -> None:
    row = "S{},Nguyễn Văn An,MT-VP,staff,7000000,1,office,,false,false\n"
    with (d / "staff.csv").open("a", encoding="utf-8") as f:
        chunk = "".join(row.format(i) for i in range(9, 10_009))
        while f.tell() < 51 * 2**20:
            f.write(chunk)


@case(
    "staff.csv has 200,001 rows (the limit is 200,000)",
    locations=("staff.csv:0:-",),
    at_test_time=True,
)
def too_many_rows(d: Path) -> None:
    with (d / "staff.csv").open("a", encoding="utf-8") as f:
        f.writelines(f"X{i},,MT-VP,staff,1,1,,,,\n" for i in range(200_001 - 8))


# == valid: harmless variations ==============================================================


@case("every file starts with a UTF-8 BOM", exit=0)
def bom(d: Path) -> None:
    for path in [*d.glob("*.csv"), d / "scenario.toml"]:
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())


@case("every file has Windows line endings (CRLF)", exit=0)
def crlf(d: Path) -> None:
    for path in [*d.glob("*.csv"), d / "scenario.toml"]:
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))


@case("columns in reverse order in every table", exit=0)
def reordered_columns(d: Path) -> None:
    for stem in tables(d):
        write(d, stem, [r[::-1] for r in read(d, stem)])


@case("unknown columns (ghi_chú, note, an unnamed one) are kept and ignored", exit=0)
def extra_columns(d: Path) -> None:
    for stem in tables(d):
        records = read(d, stem)
        write(d, stem, [records[0] + ["ghi_chú", "note", ""]]
              + [r + ["xem lại, sau", "=1+1", "x"] for r in records[1:]])  # fmt: skip


@case("quoted commas, doubled quotes and a line break inside quoted names", exit=0)
def quoted_commas(d: Path) -> None:
    set_cell(d, "units", 3, "name", 'Ban "Tổ chức, Kiểm tra"')
    set_cell(d, "functions", 2, "name", "Hành chính,\nvăn phòng")
    set_cell(d, "organizations", 3, "name", 'Liên đoàn Lao động, "LĐLĐ"')


@case("Vietnamese identifiers (NFC) used consistently across tables", exit=0)
def vietnamese_ids(d: Path) -> None:
    for path in d.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        text = text.replace("MT-VP", "MTTQ-VĂN-PHÒNG").replace("D2", "Ban-Đoàn-Thể")
        path.write_text(text, encoding="utf-8")


@case("booleans as yes/no, 1/0, TRUE/False, with blanks around", exit=0)
def boolean_spellings(d: Path) -> None:
    spellings = [
        ("yes", "0", "1"),
        ("No", "FALSE", " yes "),
        ("1", "no", "True"),
        ("0", "false", "NO"),
    ]
    for i, row in enumerate(range(2, 10)):
        can_lead, retiring, protected = spellings[i % len(spellings)]
        if row in (2, 7):  # S1 and S6 are protected heads: keep them protected and able to lead
            can_lead, protected = "yes", "1"
        set_cell(d, "staff", row, "can_lead", can_lead)
        set_cell(d, "staff", row, "retiring", retiring)
        set_cell(d, "staff", row, "protected", protected)


@case("enum values in capitals (HEAD, Shared, APART, Staff)", exit=0)
def enum_case(d: Path) -> None:
    set_cell(d, "staff", 2, "position", "HEAD")
    set_cell(d, "functions", 2, "kind", "Shared")
    set_cell(d, "rules", 2, "rule", "APART")
    set_cell(d, "locks", 2, "kind", "Staff")


@case("whole numbers written 15000000.0 and 1.5e7, padded cells", exit=0)
def number_spellings(d: Path) -> None:
    set_cell(d, "staff", 2, "salary", "15000000.0")
    set_cell(d, "staff", 3, "salary", "1.2e7")
    set_cell(d, "organizations", 2, "min_staff", " 2 ")
    set_cell(d, "staff", 4, "staff_id", " S3 ")


@case("blank lines before the header, between rows and at the end", exit=0)
def blank_lines(d: Path) -> None:
    for path in d.glob("*.csv"):
        lines = path.read_text(encoding="utf-8").splitlines()
        path.write_text(
            "\n" + "\n".join([lines[0], "", *lines[1:], ",,,", "", ""]), encoding="utf-8"
        )


@case("every table as a text sheet of scenario.xlsx", exit=0)
def xlsx_text(d: Path) -> None:
    write_xlsx(d, tables(d))


@case("every table as a sheet of scenario.xlsx with typed cells (numbers, booleans)", exit=0)
def xlsx_typed(d: Path) -> None:
    write_xlsx(d, tables(d), native=True)


@case("every table as a Parquet file of strings", exit=0)
def parquet_text(d: Path) -> None:
    write_parquet(d, tables(d))


@case("every table as a Parquet file with typed columns", exit=0)
def parquet_typed(d: Path) -> None:
    write_parquet(d, tables(d), native=True)


@case("organizations in Parquet, units and staff in scenario.xlsx, the rest CSV", exit=0)
def mixed_formats(d: Path) -> None:
    write_parquet(d, ["organizations"])
    write_xlsx(d, ["units", "staff"])


@case("the optional tables (departments, rules, locks) left out: D1..D2 from count", exit=0)
def optional_tables_absent(d: Path) -> None:
    for stem in ("departments", "rules", "locks"):
        (d / f"{stem}.csv").unlink()


@case("rules.csv and locks.csv with their header only", exit=0)
def optional_tables_empty(d: Path) -> None:
    for stem in ("rules", "locks"):
        write(d, stem, read(d, stem)[:1])


@case("scenario.toml is empty: every setting takes its default", exit=0)
def empty_settings(d: Path) -> None:
    (d / "scenario.toml").write_bytes(b"")


@case("hostile but valid text: <script>, =HYPERLINK(...), ../ in ids", exit=0)
def hostile_text(d: Path) -> None:
    set_cell(d, "staff", 2, "name", '<script>alert("x")</script>')
    set_cell(d, "staff", 3, "name", '=HYPERLINK("http://evil.example","click")')
    set_cell(d, "units", 2, "name", "<img src=x onerror=alert(1)>")
    set_cell(d, "organizations", 3, "name", "@SUM(1+1)*cmd|' /C calc'!A0")
    for path in d.glob("*.csv"):
        text = path.read_text(encoding="utf-8").replace("S5", "../../S5")
        path.write_text(text, encoding="utf-8")


# == building ==================================================================================


def build_case(c: Case, folder: Path) -> Path:
    """Build case ``c`` into ``folder`` (replaced) and return it."""
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(TINY, folder)
    c.build(folder)
    return folder


def _toml_string(text: str) -> str:
    out = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in out) + '"'


def expected_toml() -> str:
    """``expected.toml``: one table per case, in corpus order."""
    lines = [
        "# Generated by tests/corpus/build_corpus.py from the expectations written there: do not",
        "# edit by hand. exit: planner validate's exit code; locations: every file:row:column",
        "# of the problems, exactly; warnings: every file:row:column of a valid case's warnings;",
        "# absent: text that must not appear in the output;",
        "# at_test_time: built by tests/test_corpus.py into a temporary folder (too big to commit).",
        "",
    ]
    for c in CORPUS:
        lines.append(f"[cases.{c.name}]")
        lines.append(f"what = {_toml_string(c.what)}")
        lines.append(f"exit = {c.exit}")
        lines.append("locations = [" + ", ".join(_toml_string(x) for x in c.locations) + "]")
        if c.absent:
            lines.append("absent = [" + ", ".join(_toml_string(x) for x in c.absent) + "]")
        if c.warnings:
            lines.append("warnings = [" + ", ".join(_toml_string(x) for x in c.warnings) + "]")
        if c.at_test_time:
            lines.append("at_test_time = true")
        lines.append("")
    return "\n".join(lines)


def build_all(root: Path = CASES) -> None:
    """(Re)build every committed case under ``root`` and write ``expected.toml`` beside it."""
    names = [c.name for c in CORPUS]
    assert len(set(names)) == len(names), "duplicate case names"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for c in CORPUS:
        if not c.at_test_time:
            build_case(c, root / c.name)
    (root.parent / EXPECTED.name).write_text(expected_toml(), encoding="utf-8")


if __name__ == "__main__":
    build_all()
    committed = sum(not c.at_test_time for c in CORPUS)
    print(
        f"{len(CORPUS)} cases ({committed} committed) in {CASES.relative_to(ROOT)}", file=sys.stderr
    )
