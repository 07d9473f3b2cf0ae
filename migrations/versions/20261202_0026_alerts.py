"""alerts: exception alerts, at most one unresolved per rule and subject (a partial unique
index on both engines)

Revision ID: 0026
Revises: 0023
Create Date: 2026-12-02 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import app.repositories.base

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UNRESOLVED = sa.text("state <> 'resolved'")


def upgrade() -> None:
    when = app.repositories.base.UtcDateTime(timezone=True)
    op.create_table(
        "alerts",
        sa.Column("rule", sa.String(length=40), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=200), nullable=False),
        sa.Column(
            "details",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("opened_at", when, nullable=False),
        sa.Column("opened_by", sa.String(length=100), nullable=False),
        sa.Column("acknowledged_at", when, nullable=True),
        sa.Column("acknowledged_by", sa.String(length=100), nullable=True),
        sa.Column("resolved_at", when, nullable=True),
        sa.Column("resolved_by", sa.String(length=100), nullable=True),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("resolution_reason", sa.String(length=500), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index(
            "uq_alerts_open_subject",
            ["rule", "subject_type", "subject_id"],
            unique=True,
            sqlite_where=UNRESOLVED,
            postgresql_where=UNRESOLVED,
        )
        batch_op.create_index("ix_alerts_subject", ["subject_type", "subject_id"], unique=False)
        batch_op.create_index("ix_alerts_opened", ["opened_at", "id"], unique=False)
        for column in ("rule", "severity", "role", "state"):
            batch_op.create_index(batch_op.f(f"ix_alerts_{column}"), [column], unique=False)


def downgrade() -> None:
    op.drop_table("alerts")
