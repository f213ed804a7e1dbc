"""The workspace tables (SQLAlchemy Core). Alembic revisions in ``migrations/`` create them.

::

    blobs        sha256 PK · size · codec · data            one file's bytes, stored once
    scenarios    id PK · sha256 UNIQUE · name · blob_sha256 · staff/units/organizations
                 a scenario's full content (canonical JSON of every table and setting)
    items        id PK · kind · name UNIQUE · scenario_id · parent_id · author · created_at · note
                 every saved thing: kind ``variant``, ``run``, ``pareto``, ``price`` (``roadmap`` …)
    variants     item_id PK · base_scenario_id · settings_diff          a named variant
    runs         item_id PK · status · objective · bound · gap · runtime_s · input_sha256 ·
                 optimum_sha256 · terms · kpis · solver · has_plan        a solve and its plan
                 (optimum_sha256: the question a proven optimum answers, whatever the time
                 limit; :func:`planner.io.optimum_sha256`)
    results      item_id PK · payload                 a Pareto front, a price table (a roadmap …)
    item_files   item_id · path (PK together) · blob_sha256     the files of a plan folder
    user_state   user_name · key (PK together) · value · updated_at      e.g. the last item opened

Deleting an item deletes its rows in variants/runs/results/item_files (ON DELETE CASCADE);
blobs and scenarios no longer referenced are removed with it (:meth:`Store.remove`).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData(
    naming_convention={
        "pk": "pk_%(table_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ix": "ix_%(table_name)s_%(column_0_name)s",
    }
)

blobs = Table(
    "blobs",
    metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("codec", String(16), nullable=False),
    Column("data", LargeBinary, nullable=False),
)

scenarios = Table(
    "scenarios",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("name", String(400), nullable=False),
    Column("blob_sha256", String(64), ForeignKey("blobs.sha256"), nullable=False),
    Column("staff", Integer, nullable=False),
    Column("units", Integer, nullable=False),
    Column("organizations", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

items = Table(
    "items",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False, index=True),
    Column("name", String(200), nullable=True, unique=True),
    Column("scenario_id", Integer, ForeignKey("scenarios.id"), nullable=True),
    Column("parent_id", Integer, ForeignKey("items.id", ondelete="SET NULL"), nullable=True),
    Column("author", String(200), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, index=True),
    Column("note", Text, nullable=False, default=""),
)

variants = Table(
    "variants",
    metadata,
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("base_scenario_id", Integer, ForeignKey("scenarios.id"), nullable=True),
    Column("settings_diff", JSON, nullable=False),
)

runs = Table(
    "runs",
    metadata,
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("objective", BigInteger, nullable=True),
    Column("bound", BigInteger, nullable=True),
    Column("gap", Float, nullable=True),
    Column("runtime_s", Float, nullable=False),
    Column("input_sha256", String(64), nullable=False, index=True),
    Column("optimum_sha256", String(64), nullable=True, index=True),
    Column("terms", JSON, nullable=False),
    Column("kpis", JSON, nullable=False),
    Column("solver", JSON, nullable=False),
    Column("has_plan", Boolean, nullable=False),
)

results = Table(
    "results",
    metadata,
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("payload", JSON, nullable=False),
)

item_files = Table(
    "item_files",
    metadata,
    Column("item_id", Integer, ForeignKey("items.id", ondelete="CASCADE"), primary_key=True),
    Column("path", String(500), primary_key=True),
    Column("blob_sha256", String(64), ForeignKey("blobs.sha256"), nullable=False, index=True),
)

user_state = Table(
    "user_state",
    metadata,
    Column("user_name", String(200), primary_key=True),
    Column("key", String(100), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)
