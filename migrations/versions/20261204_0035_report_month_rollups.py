"""reports: the month roll-ups in tables of their own (report_sales_months,
report_fulfilment_months, report_lead_time_months), so a year by month reads month rows only;
the day tables lose their ``grain`` column. The rows move as they are (no rebuild needed).

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-04 01:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.repositories.base

revision: str = "0035"
down_revision: str | Sequence[str] | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MONEY = app.repositories.base.Money
QUANTITY = app.repositories.base.Quantity
FULFILMENT = (
    "orders", "shipped", "in_full", "promised_delivered", "on_time", "otif", "allocated",
    "lines_allocated", "lines_filled",
)  # fmt: skip
# day table, month table, key columns after dimension and period, the other columns
TABLES = (
    ("report_sales", "report_sales_months", ("key", "currency"),
     ("label", "orders", "units", "net")),
    ("report_fulfilment", "report_fulfilment_months", ("key",), ("label", *FULFILMENT)),
    ("report_lead_times", "report_lead_time_months", ("key", "stage", "hours"), ("orders",)),
)  # fmt: skip


def _keys() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column("dimension", sa.String(length=24), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "report_sales_months",
        *_keys(),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.Column("units", QUANTITY, nullable=False),
        sa.Column("net", MONEY, nullable=False),
        sa.PrimaryKeyConstraint(
            "dimension", "period", "key", "currency", name=op.f("pk_report_sales_months")
        ),
    )
    op.create_index(
        "ix_report_sales_months_key", "report_sales_months", ["dimension", "key", "period"]
    )
    op.create_table(
        "report_fulfilment_months",
        *_keys(),
        sa.Column("label", sa.String(length=200), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in FULFILMENT),
        sa.PrimaryKeyConstraint(
            "dimension", "period", "key", name=op.f("pk_report_fulfilment_months")
        ),
    )
    op.create_table(
        "report_lead_time_months",
        *_keys(),
        sa.Column("stage", sa.String(length=24), nullable=False),
        sa.Column("hours", sa.Integer(), nullable=False),
        sa.Column("orders", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            *("dimension", "period", "key", "stage", "hours"),
            name=op.f("pk_report_lead_time_months"),
        ),
    )
    for day, month, keys, others in TABLES:
        columns = ", ".join(("dimension", "period", *keys, *others))
        op.execute(
            f"INSERT INTO {month} ({columns}) SELECT {columns} FROM {day} WHERE grain = 'month'"
        )
        op.execute(f"DELETE FROM {day} WHERE grain = 'month'")
        with op.batch_alter_table(day) as batch:
            batch.drop_constraint(f"pk_{day}", type_="primary")
            batch.drop_column("grain")
            batch.create_primary_key(f"pk_{day}", ["dimension", "period", *keys])


def downgrade() -> None:
    for day, month, keys, others in TABLES:
        with op.batch_alter_table(day) as batch:
            batch.drop_constraint(f"pk_{day}", type_="primary")
            batch.add_column(
                sa.Column("grain", sa.String(length=8), nullable=False, server_default="day")
            )
            batch.create_primary_key(f"pk_{day}", ["grain", "dimension", "period", *keys])
        columns = ", ".join(("dimension", "period", *keys, *others))
        op.execute(f"INSERT INTO {day} (grain, {columns}) SELECT 'month', {columns} FROM {month}")
    op.drop_index("ix_report_sales_months_key", table_name="report_sales_months")
    op.drop_table("report_lead_time_months")
    op.drop_table("report_fulfilment_months")
    op.drop_table("report_sales_months")
