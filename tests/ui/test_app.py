"""The web app, driven headless with Streamlit's AppTest (no browser).

Every page renders on every embedded scenario; Solve on the province shows the
published figures; an infeasible setting shows its named conflicts with a
"relax" button, not an exception; a lock typed into the Settings editor is
honoured by the plan; uploads are parsed safely; both languages are complete.
"""

from __future__ import annotations

import io
import re
import time
import tomllib
import zipfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from models import TERMS, Status
from planner.ui import relax
from planner.ui.uploads import MAX_UNCOMPRESSED, UploadError, extract, extract_zip

ROOT = Path(__file__).resolve().parents[2]
APP = str(ROOT / "app.py")
DATA = ROOT / "data"
PROVINCE = DATA / "quang_ninh_province"
TINY = ROOT / "tests" / "fixtures" / "tiny"
UI = ROOT / "planner" / "ui"
PAGES = ("scenario", "settings", "plan", "tradeoffs", "roadmap", "compare", "export", "workspace")
EMBEDDED = (
    sorted(p.name for p in DATA.iterdir() if (p / "scenario.toml").is_file())
    if DATA.is_dir()
    else []
)
TIMEOUT = 60
SOLVE_TIMEOUT = 300

needs_province = pytest.mark.skipif(
    not (PROVINCE / "scenario.toml").is_file(), reason="data/quang_ninh_province is not there yet"
)


# -- helpers ------------------------------------------------------------------------------


def page(name: str) -> str:
    return f"planner/ui/{name}.py"


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def start(**context: object) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.context.update(context)
    at.run()
    no_exception(at)
    return at


def visit(at: AppTest, name: str) -> AppTest:
    at.switch_page(page(name)).run()
    no_exception(at)
    return at


def open_embedded(at: AppTest, name: str) -> None:
    visit(at, "scenario")
    at.selectbox(key="pick.embedded").set_value(name).run()
    if at.button(key="pick.open").disabled:  # already the open scenario
        return
    at.button(key="pick.open").click().run()
    no_exception(at)
    assert at.session_state["khoi.source"] == {"kind": "embedded", "name": name}


def zip_folder(folder: Path, prefix: str = "") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p in sorted(folder.iterdir()):
            zf.write(p, prefix + p.name)
    return buf.getvalue()


def upload(at: AppTest, files: list[tuple[str, bytes, str]]) -> None:
    visit(at, "scenario")
    at.file_uploader(key="pick.upload").set_value(files).run()
    at.button(key="pick.read").click().run()
    no_exception(at)


def wait_for_solve(at: AppTest, timeout: float = SOLVE_TIMEOUT):  # type: ignore[no-untyped-def]
    """Poll the Plan page (as its fragment does) until the running solve is collected."""
    at.switch_page(page("plan"))
    deadline = time.monotonic() + timeout
    while True:
        at.run()
        no_exception(at)
        job = at.session_state["khoi.job"]
        if (
            job.done
            and "khoi.collected" in at.session_state
            and at.session_state["khoi.collected"] is job
        ):
            break
        assert time.monotonic() < deadline, "the solve did not finish in time"
        time.sleep(0.5)
    assert "khoi.solve_error" not in at.session_state, at.session_state["khoi.solve_error"]
    return at.session_state["khoi.result"]


def solve_on_plan_page(at: AppTest, time_limit: float | None = None):  # type: ignore[no-untyped-def]
    visit(at, "plan")
    if time_limit is not None:
        at.number_input(key="plan.time_limit").set_value(float(time_limit)).run()
    at.button(key="plan.solve").click().run()
    no_exception(at)
    return wait_for_solve(at)


def metric_values(at: AppTest) -> list[str]:
    return [m.value for m in at.metric]


@pytest.fixture
def app():  # type: ignore[no-untyped-def]
    """A fresh app session; a solve still running at the end is stopped."""
    holder: list[AppTest] = []

    def make(**context: object) -> AppTest:
        at = start(**context)
        holder.append(at)
        return at

    yield make
    for at in holder:
        if "khoi.job" in at.session_state:
            job = at.session_state["khoi.job"]
            job.stop.set()
            job.join(30)


# -- every page, every embedded scenario ------------------------------------------------------


@pytest.mark.parametrize("name", EMBEDDED)
def test_every_page_renders_on_every_embedded_scenario(app, name: str) -> None:  # type: ignore[no-untyped-def]
    at = app()
    open_embedded(at, name)
    sc = at.session_state["khoi.scenario"]
    for p in PAGES:
        visit(at, p)
        assert at.title, f"page {p} has no title"
    visit(at, "scenario")
    assert [m.value for m in at.metric][:3] == [
        str(len(sc.organizations)),
        str(len(sc.units)),
        str(len(sc.staff)),
    ]


def test_pages_render_before_any_solve_and_without_a_scenario(app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from planner.ui import state

    monkeypatch.setattr(state, "DATA_DIR", ROOT / "no-such-folder")
    at = app()
    for p in PAGES:
        visit(at, p)
    assert any("data/" in i.value for i in at.info) or at.info


@needs_province
def test_newcomer_lands_on_the_province_and_one_click_shows_the_plan(app) -> None:  # type: ignore[no-untyped-def]
    at = app()
    assert at.session_state["khoi.source"] == {"kind": "embedded", "name": "quang_ninh_province"}
    assert at.title[0].value == "Kịch bản"  # Vietnamese by default
    at.button(key="scenario.solve").click().run()
    no_exception(at)
    assert at.title[0].value == "Giải & phương án"  # the click opened the Plan page
    result = wait_for_solve(at)
    assert result.status in (Status.OPTIMAL, Status.FEASIBLE)
    values = metric_values(at)
    assert "33 → 6" in values
    assert "87 → 18" in values
    assert at.tabs, "plan tabs"
    for p in ("compare", "export", "settings", "tradeoffs"):
        visit(at, p)
    visit(at, "export")
    assert len(at.download_button) >= 6


@needs_province
def test_an_infeasible_setting_shows_named_conflicts_and_relaxes_one_step(app) -> None:  # type: ignore[no-untyped-def]
    at = app()
    visit(at, "settings")
    at.number_input(key="set.targets.min_reduction").set_value(0.9).run()
    no_exception(at)
    result = solve_on_plan_page(at, time_limit=30)
    assert result.status is Status.INFEASIBLE
    assert "targets.min_reduction" in result.conflicts
    shown = " ".join(m.value for m in at.markdown)
    for name in result.conflicts:
        assert f"`{name}`" in shown  # every conflict named, with its sentence
    assert "90" in shown  # the sentence says today's value (90 %)
    i = result.conflicts.index("targets.min_reduction")
    at.button(key=f"plan.relax.{i}").click().run()
    no_exception(at)
    assert at.session_state["khoi.scenario"].settings.targets.min_reduction == pytest.approx(0.89)
    again = wait_for_solve(at)  # the relaxed scenario is solved again at once
    assert again.status is Status.INFEASIBLE


@needs_province
def test_too_few_leadership_posts_is_a_message_not_an_exception(app) -> None:  # type: ignore[no-untyped-def]
    at = app()
    visit(at, "settings")
    at.number_input(key="set.targets.max_leadership_posts").set_value(3).run()
    no_exception(at)
    assert at.session_state["khoi.scenario"].settings.targets.max_leadership_posts == 3
    result = solve_on_plan_page(at, time_limit=30)
    assert result.status is Status.INFEASIBLE
    assert at.error, "the infeasibility is said"
    shown = " ".join(m.value for m in at.markdown)
    assert "targets.max_leadership_posts" in shown
    if result.conflicts:  # named by the solver: relax it one step
        button = f"plan.relax.{result.conflicts.index('targets.max_leadership_posts')}"
        expected = 4
    else:  # not named: the page points at the settings changed since the file
        button, expected = "plan.restore.0", 18
    at.button(key=button).click().run()
    no_exception(at)
    assert at.session_state["khoi.scenario"].settings.targets.max_leadership_posts == expected
    wait_for_solve(at)


@needs_province
def test_a_lock_set_in_the_editor_is_honoured_in_the_plan(app) -> None:  # type: ignore[no-untyped-def]
    at = app()
    sc = at.session_state["khoi.scenario"]
    person = next(
        s for s in sc.staff if s.position.value == "head" and s.can_lead and not s.retiring
    )
    dept = sc.departments[-1].dept_id
    visit(at, "settings")
    key = next(d.key for d in at.data_editor if d.key and d.key.startswith("set.locks"))
    at.session_state[key] = {
        "edited_rows": {},
        "added_rows": [{"kind": "staff", "id": person.staff_id, "dept_id": dept, "role": "deputy"}],
        "deleted_rows": [],
    }
    at.run()
    no_exception(at)
    locks = at.session_state["khoi.scenario"].locks
    assert any(
        lk.id == person.staff_id and lk.dept_id == dept and lk.role.value == "deputy"
        for lk in locks
    )
    result = solve_on_plan_page(at, time_limit=30)
    assert result.plan is not None, result.status
    where = {a.staff_id: a for a in result.plan.staff}[person.staff_id]
    assert (where.dept_id, where.role.value) == (dept, "deputy")


# -- small and fast: the tiny fixture, uploaded -------------------------------------------------


def test_upload_a_zip_solve_relax_compare_and_export(app) -> None:  # type: ignore[no-untyped-def]
    at = app()
    upload(at, [("tiny.zip", zip_folder(TINY, "tiny/"), "application/zip")])
    assert at.session_state["khoi.source"]["kind"] == "upload"
    sc = at.session_state["khoi.scenario"]
    assert sc.settings.scenario.name == "Tiny — hai tổ chức"
    first = solve_on_plan_page(at, time_limit=10)
    assert first.status is Status.OPTIMAL
    assert "3 → 2" in metric_values(at)  # units -> departments
    # a second plan under another objective, to compare
    visit(at, "settings")
    at.number_input(key="set.objective.payroll").set_value(0).run()
    no_exception(at)
    second = solve_on_plan_page(at, time_limit=10)
    assert second.plan is not None
    visit(at, "compare")
    assert at.dataframe, "the KPI table"
    visit(at, "export")
    assert len(at.download_button) == 6


def wait_for_task(at: AppTest, kind: str, timeout: float = SOLVE_TIMEOUT) -> object:
    deadline = time.monotonic() + timeout
    while True:
        at.run()
        no_exception(at)
        task = at.session_state[f"khoi.task.{kind}"]
        if task.done:
            at.run()  # the page as it is once the task is over
            no_exception(at)
            assert task.error is None, task.error
            return task.result
        assert time.monotonic() < deadline, f"the {kind} task did not finish in time"
        time.sleep(0.5)


def test_pareto_points_open_as_plans_and_policies_have_a_price(app) -> None:  # type: ignore[no-untyped-def]
    at = app()
    upload(at, [("tiny.zip", zip_folder(TINY), "application/zip")])
    visit(at, "tradeoffs")
    at.selectbox(key="trade.x").set_value("payroll")
    at.selectbox(key="trade.y").set_value("disruption")
    at.number_input(key="trade.points").set_value(3)
    at.number_input(key="trade.limit").set_value(5.0).run()
    at.button(key="trade.go").click().run()
    no_exception(at)
    res = wait_for_task(at, "pareto")
    assert res.frontier.height >= 1
    assert at.get("arrow_vega_lite_chart") or at.get("vega_lite_chart"), "the curve is drawn"
    at.button(key="trade.open").click().run()  # open point 1 as the plan
    no_exception(at)
    assert at.session_state["khoi.result"] is res.points[0].result
    visit(at, "plan")
    assert "3 → 2" in metric_values(at)
    visit(at, "tradeoffs")
    at.number_input(key="price.limit").set_value(5.0).run()
    at.button(key="price.go").click().run()
    prices = wait_for_task(at, "price")
    assert prices.height >= 1
    assert "targets.min_reduction" in prices["setting"].to_list()


def test_upload_refuses_unsafe_zips_and_lists_invalid_rows(app) -> None:  # type: ignore[no-untyped-def]
    at = app()
    before = at.session_state.get("khoi.scenario")
    evil = io.BytesIO()
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("../evil.csv", "x")
    upload(at, [("evil.zip", evil.getvalue(), "application/zip")])
    assert at.error, "the refusal is shown"
    assert at.session_state.get("khoi.scenario") is before
    # an invalid staff row: the problem is located by file, row and column
    files = [(p.name, p.read_bytes(), "text/plain") for p in sorted(TINY.iterdir())]
    files = [
        (n, b.replace(b"12000000", b"twelve") if n == "staff.csv" else b, m) for n, b, m in files
    ]
    upload(at, files)
    assert at.error
    table = at.dataframe[0].value
    assert "staff.csv" in set(table.iloc[:, 0])
    assert "salary" in set(table.iloc[:, 2])


def test_a_vacuous_rule_is_a_warning_on_the_scenario_page(app) -> None:  # type: ignore[no-untyped-def]
    """A shared rules.csv naming a domain this scenario lacks: the scenario opens, and the
    page shows the warning with its file and row (an error table would block it)."""
    at = app()
    files = [(p.name, p.read_bytes(), "text/plain") for p in sorted(TINY.iterdir())]
    rules = b"rule,a,b\napart,F2,domain:supervision\napart,F1,domain:inspection\n"
    files = [(n, rules if n == "rules.csv" else b, m) for n, b, m in files]
    upload(at, files)
    assert not at.error
    assert at.session_state["khoi.source"]["kind"] == "upload"
    assert at.warning, "the warning is shown"
    table = at.dataframe[0].value
    assert list(table.iloc[0, :3]) == ["rules.csv", "3", "b"]
    assert "inspection" in table.iloc[0, 3]


# -- uploads, unit by unit --------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.mark.parametrize(
    "name", ["../up.csv", "/abs/staff.csv", "a/../../b.csv", "C:/x/staff.csv", "a\\..\\b.csv"]
)
def test_zip_members_with_unsafe_paths_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(UploadError, match="unsafe"):
        extract_zip(_zip({name: b"x"}), tmp_path)
    assert not any(tmp_path.rglob("*.csv"))


def test_a_zip_bomb_stops_at_the_cap(tmp_path: Path) -> None:
    bomb = _zip({"staff.csv": b"0" * (MAX_UNCOMPRESSED + 1)})
    assert len(bomb) < 1_000_000  # tiny on the wire
    with pytest.raises(UploadError):
        extract_zip(bomb, tmp_path)


def test_too_many_members_are_refused(tmp_path: Path) -> None:
    with pytest.raises(UploadError, match="entries"):
        extract_zip(_zip({f"f{i}.csv": b"" for i in range(500)}), tmp_path)


def test_single_files_and_one_workbook_are_accepted(tmp_path: Path) -> None:
    root = extract([("organizations.csv", b"org_id\nA\n"), ("other.xlsx", b"PK")], tmp_path)
    assert root == tmp_path
    assert sorted(p.name for p in tmp_path.iterdir()) == ["organizations.csv", "scenario.xlsx"]
    with pytest.raises(UploadError):
        extract([("run.sh", b"rm -rf /")], tmp_path / "x")


# -- relaxing a conflict one step ----------------------------------------------------------------


def test_relax_steps() -> None:
    from planner.io import read_scenario

    sc = read_scenario(TINY)
    assert relax.relax(sc, "targets.min_reduction").settings.targets.min_reduction == pytest.approx(
        0.115
    )
    assert (
        relax.relax(sc, "targets.max_leadership_posts").settings.targets.max_leadership_posts == 5
    )
    assert relax.relax(sc, "organizations:MT.min_staff").organizations[0].min_staff == 1
    assert relax.relax(sc, "departments:D1.max_staff").departments[0].max_staff == 6
    assert relax.relax(sc, "departments.max_deputies").settings.departments.max_deputies == 2
    dropped = relax.relax(sc, "locks:row 2")  # spreadsheet row 2 = the first lock
    assert dropped.locks == sc.locks[1:]
    assert relax.relax(sc, "rules:row 3").rules == sc.rules[:1]
    assert relax.relax(sc, "staff.protected") is None  # data, fixed in the files
    assert relax.relax(sc, "departments.count") is None  # departments.csv decides
    assert relax.relax(sc, "nonsense") is None


# -- roadmap -------------------------------------------------------------------------------


def test_roadmap_page_solves_and_shows_the_timeline(app) -> None:  # type: ignore[no-untyped-def]
    at = app()
    open_embedded(at, "quang_ninh_district")
    visit(at, "roadmap")
    at.number_input(key="roadmap.periods").set_value(2).run()
    at.number_input(key="roadmap.norm_by").set_value(2).run()
    at.text_input(key="roadmap.reduction").set_value("0.05, 0.155").run()
    at.number_input(key="roadmap.time_limit").set_value(30.0).run()
    at.button(key="roadmap.solve").click().run()
    no_exception(at)
    deadline = time.monotonic() + SOLVE_TIMEOUT
    while "khoi.roadmap.result" not in at.session_state:
        assert time.monotonic() < deadline, "the roadmap did not finish in time"
        time.sleep(0.5)
        at.run()
        no_exception(at)
    sc, result = at.session_state["khoi.roadmap.result"]
    assert result.status.has_plan and sc.settings.roadmap.periods == 2
    assert len(result.roadmap.periods) == 2
    assert str(result.kpis.early_exits) in metric_values(at)
    assert len(at.dataframe) == 1  # who leaves when and why
    at.text_input(key="roadmap.reduction").set_value("0.2, 0.1").run()
    no_exception(at)
    assert any("must not decrease" in e.value for e in at.error)


def test_roadmap_page_says_infeasible_when_no_setting_was_named(app) -> None:  # type: ignore[no-untyped-def]
    """A proven infeasible roadmap whose explanation named nothing in time is not
    "out of time": the page says it is infeasible and where the cause may be."""
    from models import RoadmapResult, Status
    from planner.io import read_scenario

    at = app()
    open_embedded(at, "quang_ninh_district")
    visit(at, "roadmap")
    sc = read_scenario("data/quang_ninh_district")
    at.session_state["khoi.roadmap.result"] = (sc, RoadmapResult(status=Status.INFEASIBLE))
    at.run()
    no_exception(at)
    # in the page's language (Vietnamese by default): the unnamed-infeasible message,
    # which points to --draft, and not the timeout's warning
    assert any("--draft" in e.value for e in at.error)
    assert not at.warning


def test_roadmap_page_names_each_conflict_once(app) -> None:  # type: ignore[no-untyped-def]
    """A roadmap proven infeasible by its last period: each conflict is listed with its
    sentence, the setting's name once (the sentence starts with it)."""
    from models import RoadmapResult, Status
    from planner.io import read_scenario

    at = app()
    open_embedded(at, "quang_ninh_district")
    visit(at, "roadmap")
    sc = read_scenario("data/quang_ninh_district")
    sentence = "functions.skill: the staff holding each required skill must cover the work"
    result = RoadmapResult(
        status=Status.INFEASIBLE,
        conflicts=["functions.skill"],
        conflict_details=[f"{sentence}, in period 5"],
        stats={"proof": "period 5 has no plan"},
    )
    at.session_state["khoi.roadmap.result"] = (sc, result)
    at.run()
    no_exception(at)
    said = " ".join(m.value for m in at.markdown)
    assert "`functions.skill`: the staff holding each required skill" in said
    assert "functions.skill` — functions.skill" not in said
    assert at.error and not at.warning


# -- languages -------------------------------------------------------------------------------


def _flat(path: Path) -> dict[str, str]:
    from planner.ui.i18n import _flatten

    return _flatten(tomllib.loads(path.read_text(encoding="utf-8")))


def test_both_languages_have_every_text() -> None:
    vi, en = _flat(UI / "lang" / "vi.toml"), _flat(UI / "lang" / "en.toml")
    assert set(vi) == set(en)
    for key in vi:
        assert set(re.findall(r"{(\w+)}", vi[key])) == set(re.findall(r"{(\w+)}", en[key])), key
    used = set()
    for py in UI.glob("*.py"):
        used |= set(
            re.findall(
                r"""\bt\(\s*"([a-z_]+(?:\.[a-z_0-9]+)+)"\s*[,)]""", py.read_text(encoding="utf-8")
            )
        )
    assert used, "the pattern finds the keys"
    assert not used - set(vi), sorted(used - set(vi))
    families = {
        "term": TERMS,
        "term_help": TERMS,
        "status": [s.value for s in Status],
        "role": ["head", "deputy", "member", "exit"],
        "position": ["head", "deputy", "staff"],
        "kind": ["shared", "divided", "reserved"],
        "setting.targets": [
            "min_reduction",
            "max_leadership_posts",
            "max_payroll",
            "min_income_raise",
            "workload_slack",
            "max_overstaff",
            "max_leader_share",
            "min_lead_tasks",
        ],
        "conflict.targets": [
            "min_reduction",
            "max_leadership_posts",
            "max_payroll",
            "min_income_raise",
            "workload_slack",
            "max_overstaff",
            "max_leader_share",
            "min_lead_tasks",
        ],
        "conflict.departments": [
            "count",
            "min_staff",
            "max_staff",
            "min_deputies",
            "max_deputies",
            "max_deputy_share",
        ],
        "setting.objective": list(TERMS),
        "help.objective": list(TERMS),
    }
    for prefix, names in families.items():
        for n in names:
            assert f"{prefix}.{n}" in vi, f"{prefix}.{n}"


def test_language_follows_the_browser_then_the_switch(app) -> None:  # type: ignore[no-untyped-def]
    at = app(locale="en-US")
    assert at.title[0].value == "Scenario"
    at.segmented_control(key="lang").set_value("vi").run()
    no_exception(at)
    assert at.title[0].value == "Kịch bản"
    at = app(locale="fr-FR")
    assert at.title[0].value == "Kịch bản"  # neither language: Vietnamese


def test_pick_language_reads_accept_language() -> None:
    from planner.ui.i18n import pick_language

    assert pick_language(None, "fr-FR,en;q=0.8,vi;q=0.9") == "vi"
    assert pick_language(None, "de,en-GB;q=0.7") == "en"
    assert pick_language("vi-VN", "en") == "vi"
    assert pick_language(None, None) == "vi"


def test_progress_chart_leaves_out_an_unproven_bound() -> None:
    """A large scenario's first plans come with bound 0 (nothing proven): not drawn."""
    from planner.ui import charts

    spec = charts.progress([(1.0, 100.0, 0.0), (2.0, 90.0, 80.0)]).to_dict()
    rows = next(iter(spec["datasets"].values()))
    values = sorted((r["seconds"], r["value"]) for r in rows)
    assert values == [(1.0, 100.0), (2.0, 80.0), (2.0, 90.0)]


def test_tightening_after_a_proven_plan_reuses_it_and_says_so(app) -> None:  # type: ignore[no-untyped-def]
    at = app()
    open_embedded(at, "quang_ninh_district")
    first = solve_on_plan_page(at, time_limit=30)
    assert first.status is Status.OPTIMAL
    visit(at, "settings")
    at.number_input(key="set.targets.max_overstaff").set_value(0.45).run()
    no_exception(at)
    again = solve_on_plan_page(at)
    assert again.stats.get("reused_optimum") == ["targets.max_overstaff"]
    assert again.status is Status.OPTIMAL and again.plan == first.plan
    shown = " ".join(c.value for c in at.caption)
    assert "targets.max_overstaff" in shown and "giải lại" in shown  # Vietnamese by default
