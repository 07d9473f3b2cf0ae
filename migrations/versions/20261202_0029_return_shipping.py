"""return shipping: the return label's idempotency key and rate, the pickup's window and note

Revision ID: 0029
Revises: 0027
Create Date: 2026-12-02 22:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0029"
down_revision: str | Sequence[str] | None = "0027"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("label_key", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column(
                "label_rate",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )
        batch_op.add_column(sa.Column("pickup_window", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("pickup_note", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("returns", schema=None) as batch_op:
        batch_op.drop_column("pickup_note")
        batch_op.drop_column("pickup_window")
        batch_op.drop_column("label_rate")
        batch_op.drop_column("label_key")
