"""Runs keep the question a proven optimum answers whatever the time limit (``optimum_sha256``),
and both keys of a run are indexed: the solve queue looks proven runs up by them.

Runs saved before this revision keep ``optimum_sha256`` empty; they are still found by their
own ``input_sha256`` (the same settings and time limit).

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("optimum_sha256", sa.String(64), nullable=True))
    op.create_index("ix_runs_input_sha256", "runs", ["input_sha256"])
    op.create_index("ix_runs_optimum_sha256", "runs", ["optimum_sha256"])


def downgrade() -> None:
    op.drop_index("ix_runs_optimum_sha256", table_name="runs")
    op.drop_index("ix_runs_input_sha256", table_name="runs")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("optimum_sha256")
