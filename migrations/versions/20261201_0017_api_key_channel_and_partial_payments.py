"""api key channel, partial payment statuses

An integration key is bound to the sales channel it speaks for (it reports payments only for
that channel's orders); an order's payment may stand as partially_paid or partially_authorized,
which needs a wider column.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 23:53:38.340433
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.add_column(sa.Column("channel", sa.String(length=16), nullable=True))

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.alter_column(
            "payment_status",
            existing_type=sa.VARCHAR(length=16),
            type_=sa.String(length=24),
            existing_nullable=True,
        )


def downgrade() -> None:
    # The older schema knows no partial payments: they count as not paid (the order keeps
    # waiting for payment, as it does now).
    op.execute(
        "UPDATE orders SET payment_status = 'unpaid' "
        "WHERE payment_status IN ('partially_paid', 'partially_authorized')"
    )
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.alter_column(
            "payment_status",
            existing_type=sa.String(length=24),
            type_=sa.VARCHAR(length=16),
            existing_nullable=True,
        )

    with op.batch_alter_table("api_keys", schema=None) as batch_op:
        batch_op.drop_column("channel")
