"""order import progress: when a running import last saved its progress, and room for the
status completed_with_errors

Revision ID: 0021
Revises: 0016
Create Date: 2026-12-02 00:06:47.230622
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.repositories.base

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("order_imports", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "progressed_at", app.repositories.base.UtcDateTime(timezone=True), nullable=True
            )
        )
        batch_op.alter_column(
            "status",
            existing_type=sa.String(length=16),
            type_=sa.String(length=32),
            existing_nullable=False,
        )


def downgrade() -> None:
    op.execute(
        "UPDATE order_imports SET status = 'completed' WHERE status = 'completed_with_errors'"
    )
    with op.batch_alter_table("order_imports", schema=None) as batch_op:
        batch_op.alter_column(
            "status",
            existing_type=sa.String(length=32),
            type_=sa.String(length=16),
            existing_nullable=False,
        )
        batch_op.drop_column("progressed_at")
