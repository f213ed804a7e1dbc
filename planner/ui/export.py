"""Export page: the plan's files, as ``planner solve --out`` and ``planner export`` write them.

Each download is generated when its button is pressed (a callable ``data``),
into a temporary folder that is removed at once.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

import streamlit as st

from models import Scenario, SolveResult
from planner.ui import state
from planner.ui.common import need_scenario, status_text, summary_of
from planner.ui.i18n import current, t


def render() -> None:
    st.title(t("export.title"))
    if need_scenario() is None:
        return
    res, sc = state.result(), state.result_scenario()
    kept = [k for k in state.kept() if k["result"].plan is not None]
    if (res is None or res.plan is None) and not kept:
        st.info(t("export.no_plan"))
        return
    options = list(range(len(kept)))[::-1]
    if res is not None and res.plan is not None and sc is not None:
        current_index = next((i for i, k in enumerate(kept) if k["result"] is res), None)
    else:
        current_index = None
    choice = st.selectbox(
        t("export.which"),
        options,
        index=options.index(current_index) if current_index in options else 0,
        format_func=lambda i: (
            f"{kept[i]['label']} · {status_text(kept[i]['result'].status.value)} · {kept[i]['created']}"
        ),
        key="export.which",
    )
    item = kept[choice]
    res, sc = item["result"], item["scenario"]
    slug = _slug(sc.settings.scenario.name) or "plan"
    lang = current()
    st.caption(t("export.intro"))
    files: list[tuple[str, str, str, str, Callable[[], bytes]]] = [
        (
            "export.tables",
            "export.tables_help",
            f"{slug}-plan.zip",
            "application/zip",
            lambda: _plan_zip(sc, res, tables_only=True),
        ),
        (
            "export.folder",
            "export.folder_help",
            f"{slug}-plan-folder.zip",
            "application/zip",
            lambda: _plan_zip(sc, res, tables_only=False),
        ),
        (
            "export.xlsx",
            "export.xlsx_help",
            f"{slug}-plan.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            lambda: _one(sc, res, "xlsx", lang),
        ),
        (
            "export.html",
            "export.html_help",
            f"{slug}-report.html",
            "text/html",
            lambda: _one(sc, res, "html", lang),
        ),
        (
            "export.svg",
            "export.svg_help",
            f"{slug}-structure.svg",
            "image/svg+xml",
            lambda: _one(sc, res, "svg", lang),
        ),
        (
            "export.json",
            "export.json_help",
            f"{slug}-plan.json",
            "application/json",
            lambda: _one(sc, res, "json", lang),
        ),
    ]
    for label, help_key, name, mime, make in files:
        with st.container(border=True):
            a, b = st.columns([3, 1], vertical_alignment="center")
            a.markdown(f"**{t(label)}** — `{name}`")
            a.caption(t(help_key))
            b.download_button(
                t("export.download"),
                data=make,
                file_name=name,
                mime=mime,
                on_click="ignore",
                icon=":material/download:",
                key=f"export.{label}",
                width="stretch",
            )


def _slug(text: str) -> str:
    """``Quảng Ninh 2018 – cơ quan khối`` -> ``quang-ninh-2018-co-quan-khoi`` (file names without accents)."""
    plain = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    keep = "".join(c if c.isascii() and c.isalnum() else "-" for c in plain.lower())
    words = [p for p in keep.split("-") if p]
    out = ""
    for w in words:  # whole words, at most ~40 characters
        if len(out) + len(w) + 1 > 40:
            break
        out = f"{out}-{w}" if out else w
    return out


def _plan_zip(sc: Scenario, res: SolveResult, *, tables_only: bool) -> bytes:
    """The plan folder of SPEC §5 (or only its CSV tables and summary.json) as a zip."""
    from planner.io.plan_io import write_plan_tables
    from planner.services.writer import write_plan_folder

    assert res.plan is not None, "only results with a plan are offered for export"
    summary = summary_of(res, sc)
    tmp = Path(tempfile.mkdtemp(prefix="khoi-export-"))
    try:
        folder = tmp / "plan"
        if tables_only:
            folder.mkdir()
            write_plan_tables(res.plan, summary, folder)
        else:
            write_plan_folder(sc, res, summary, folder)
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    zf.write(path, Path("plan") / path.relative_to(folder))
        return buf.getvalue()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _one(sc: Scenario, res: SolveResult, fmt: str, lang: str) -> bytes:
    """One export (xlsx, html, svg, json) written by ``planner.export`` and read back."""
    from planner.export import export

    assert res.plan is not None, "only results with a plan are offered for export"
    tmp = Path(tempfile.mkdtemp(prefix="khoi-export-"))
    try:
        path = export(fmt, sc, res.plan, summary_of(res, sc), tmp, lang=lang)
        return path.read_bytes()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    render()
