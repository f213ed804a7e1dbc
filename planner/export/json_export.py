"""plan.json: the summary and the plan in one JSON document, with its JSON Schema.

The document is ``{"summary": Summary, "plan": Plan | null}``, dumped with
pydantic in JSON mode, so every reader in any language gets the same field
names as summary.json and the CSV files of SPEC §5. ``plan`` is ``null`` for a
run without a plan (infeasible, timeout), so the conflicts can still be shared.
"""

from __future__ import annotations

import json
import os
from typing import Any

from pydantic import BaseModel, ConfigDict

from models import Plan, Scenario, Summary
from planner.io.durable import write_text_atomically

SCHEMA_ID = "https://khoi.invalid/schemas/plan.json"  # a name, never fetched


class PlanDocument(BaseModel):
    """The content of plan.json."""

    model_config = ConfigDict(frozen=True, extra="forbid", title="Khối plan")

    summary: Summary
    plan: Plan | None


def plan_document(plan: Plan | None, summary: Summary) -> dict[str, Any]:
    """The plan.json document as plain JSON data."""
    return PlanDocument(summary=summary, plan=plan).model_dump(mode="json")


def plan_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of plan.json, generated from the pydantic models."""
    schema = PlanDocument.model_json_schema(mode="serialization")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def write_json(
    scenario: Scenario, plan: Plan | None, summary: Summary, path: str | os.PathLike[str]
) -> None:
    """Write plan.json (UTF-8, names as they are, not ``\\u`` escapes)."""
    text = json.dumps(plan_document(plan, summary), ensure_ascii=False, indent=2)
    write_text_atomically(path, text + "\n")
