"""The first workspace schema: blobs, scenarios, items, variants, runs, results, files, user state.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("codec", sa.String(16), nullable=False),
        sa.Column("data", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("sha256", name="pk_blobs"),
    )
    op.create_table(
        "scenarios",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("name", sa.String(400), nullable=False),
        sa.Column("blob_sha256", sa.String(64), nullable=False),
        sa.Column("staff", sa.Integer, nullable=False),
        sa.Column("units", sa.Integer, nullable=False),
        sa.Column("organizations", sa.Integer, nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_scenarios"),
        sa.UniqueConstraint("sha256", name="uq_scenarios_sha256"),
        sa.ForeignKeyConstraint(["blob_sha256"], ["blobs.sha256"], name="fk_scenarios_blob_sha256"),
    )
    op.create_table(
        "items",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("name", sa.String(200), nullable=True),
        sa.Column("scenario_id", sa.Integer, nullable=True),
        sa.Column("parent_id", sa.Integer, nullable=True),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_items"),
        sa.UniqueConstraint("name", name="uq_items_name"),
        sa.ForeignKeyConstraint(["scenario_id"], ["scenarios.id"], name="fk_items_scenario_id"),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["items.id"], name="fk_items_parent_id", ondelete="SET NULL"
        ),
    )
    op.create_index("ix_items_kind", "items", ["kind"])
    op.create_index("ix_items_created_at", "items", ["created_at"])
    op.create_table(
        "variants",
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("base_scenario_id", sa.Integer, nullable=True),
        sa.Column("settings_diff", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("item_id", name="pk_variants"),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name="fk_variants_item_id", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["base_scenario_id"], ["scenarios.id"], name="fk_variants_base_scenario_id"
        ),
    )
    op.create_table(
        "runs",
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("objective", sa.BigInteger, nullable=True),
        sa.Column("bound", sa.BigInteger, nullable=True),
        sa.Column("gap", sa.Float, nullable=True),
        sa.Column("runtime_s", sa.Float, nullable=False),
        sa.Column("input_sha256", sa.String(64), nullable=False),
        sa.Column("terms", sa.JSON, nullable=False),
        sa.Column("kpis", sa.JSON, nullable=False),
        sa.Column("solver", sa.JSON, nullable=False),
        sa.Column("has_plan", sa.Boolean, nullable=False),
        sa.PrimaryKeyConstraint("item_id", name="pk_runs"),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name="fk_runs_item_id", ondelete="CASCADE"
        ),
    )
    op.create_table(
        "results",
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("payload", sa.JSON, nullable=False),
        sa.PrimaryKeyConstraint("item_id", name="pk_results"),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name="fk_results_item_id", ondelete="CASCADE"
        ),
    )
    op.create_table(
        "item_files",
        sa.Column("item_id", sa.Integer, nullable=False),
        sa.Column("path", sa.String(500), nullable=False),
        sa.Column("blob_sha256", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("item_id", "path", name="pk_item_files"),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name="fk_item_files_item_id", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["blob_sha256"], ["blobs.sha256"], name="fk_item_files_blob_sha256"
        ),
    )
    op.create_index("ix_item_files_blob_sha256", "item_files", ["blob_sha256"])
    op.create_table(
        "user_state",
        sa.Column("user_name", sa.String(200), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.PrimaryKeyConstraint("user_name", "key", name="pk_user_state"),
    )


def downgrade() -> None:
    for table in ("user_state", "item_files", "results", "runs", "variants", "items"):
        op.drop_table(table)
    op.drop_table("scenarios")
    op.drop_table("blobs")
