"""scenario.toml written back with tomlkit: a planner's comments, order and unset-target
notes survive the app's and ``--set``'s writes (the embedded scenarios, annotated)."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from models import Settings
from planner.cli.commands import parse_sets
from planner.io import read_scenario, write_scenario
from planner.io.toml_write import settings_toml

DATA = Path(__file__).resolve().parents[2] / "data"
EMBEDDED = sorted(p.parent for p in DATA.glob("*/scenario.toml"))

ANNOTATIONS = {
    # a planner's notes: a header, a note above a section, an end-of-line note, blank lines
    "[scenario]": "# Kịch bản của Ban Tổ chức — đã duyệt 12/2026\n# (do not edit by hand)\n\n[scenario]",
    "[targets]": "# Chỉ tiêu theo Nghị quyết 18\n[targets]",
    "\nmin_reduction = ": "\n# at least 10 % (Resolution 18)\nmin_reduction = ",
}


def _comments(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip().startswith("#")]


def _keys(text: str) -> list[str]:
    """Every key in order, set or noted as unset (``# key = (not set)``)."""
    return [
        line.split("=")[0].strip().lstrip("# ")
        for line in text.splitlines()
        if "=" in line and not line.startswith("# ") or line.endswith("(not set)")
    ]


def _annotated(folder: Path, tmp: Path) -> Path:
    copy = tmp / folder.name
    shutil.copytree(folder, copy)
    text = (copy / "scenario.toml").read_text(encoding="utf-8")
    for anchor, replacement in ANNOTATIONS.items():
        assert anchor in text, anchor
        text = text.replace(anchor, replacement, 1)
    text = text.replace("\nmax_overstaff = 0.5\n", "\nmax_overstaff = 0.5  # as in 2018\n")
    (copy / "scenario.toml").write_text(text, encoding="utf-8")
    return copy


@pytest.mark.parametrize("folder", EMBEDDED, ids=lambda p: p.name)
def test_embedded_settings_round_trip_unchanged(folder: Path):
    sc = read_scenario(folder)
    text = (folder / "scenario.toml").read_text(encoding="utf-8")
    assert _comments(text), "the embedded files carry comments"
    assert settings_toml(sc.settings, sc.settings_text) == text


@pytest.mark.parametrize("folder", EMBEDDED, ids=lambda p: p.name)
def test_set_keeps_every_comment_and_the_order(folder: Path, tmp_path: Path):
    source = _annotated(folder, tmp_path)
    before = (source / "scenario.toml").read_text(encoding="utf-8")
    sc = read_scenario(source)
    # what `--set` does: overrides parsed as on the command line, applied to the settings
    sets = ["targets.min_reduction=0.12", "solver.time_limit=45"]
    if sc.settings.targets.max_payroll is None:
        sets.append("targets.max_payroll=900000000")  # an unset target gets a value
    changed = sc.with_settings(sc.settings.with_overrides(parse_sets(sets)))
    write_scenario(changed, tmp_path / "written")
    after = (tmp_path / "written" / "scenario.toml").read_text(encoding="utf-8")
    kept = [c for c in _comments(before) if c != "# max_payroll = (not set)"]
    assert [c for c in _comments(after) if c in kept] == kept  # every comment, in order
    assert "max_overstaff = 0.5  # as in 2018" in after
    assert _keys(after) == _keys(before)  # keys stay where they were
    assert "min_reduction = 0.12" in after and "time_limit = 45" in after
    assert Settings.model_validate(tomllib.loads(after)) == changed.settings
    assert read_scenario(tmp_path / "written") == changed
    # and back: a target unset again gets its note back where the key was
    again = read_scenario(tmp_path / "written")
    unset = again.with_settings(again.settings.with_overrides({"targets.max_payroll": None}))
    text = settings_toml(unset.settings, unset.settings_text)
    assert "# max_payroll = (not set)" in text
    assert _keys(text) == _keys(before)


def test_app_edits_keep_the_text(tmp_path: Path):
    sc = read_scenario(_annotated(EMBEDDED[0], tmp_path))
    edited = sc.replace(locks=())
    assert edited.settings_text == sc.settings_text


def test_fresh_document_without_template():
    text = settings_toml(Settings())
    assert [line for line in text.splitlines() if line.startswith("[")] == [
        f"[{s}]" for s in Settings.model_fields
    ] + ["[roadmap.package]", "[roadmap.objective]"]  # SPEC §8's sub-tables
    assert Settings.model_validate(tomllib.loads(text)) == Settings()


def test_sweep_plan_folders_keep_the_comments(tmp_path: Path):
    """A sweep sends the scenario to its workers as data: the settings' text goes along."""
    from planner.services.batch import sweep

    source = _annotated(EMBEDDED[0], tmp_path)
    sc = read_scenario(source)
    frame = sweep(
        sc,
        {"targets.min_reduction": [sc.settings.targets.min_reduction]},
        out=tmp_path / "runs",
        workers=1,
        exports=False,
        time_limit=20,
    )
    folder = tmp_path / "runs" / frame["folder"][0] / "scenario" / "scenario.toml"
    text = folder.read_text(encoding="utf-8")
    before = (source / "scenario.toml").read_text(encoding="utf-8")
    assert _comments(text) == _comments(before)
