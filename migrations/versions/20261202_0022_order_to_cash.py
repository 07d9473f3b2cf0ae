"""order to cash: invoices, payments and their applications, credit notes, refunds, the
journal, bank statements; customers' invoicing policy and tax registration; orders'
settlement and short close

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02 12:25:18.278146
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

import app.repositories.base

revision: str = "0022"
down_revision: str | Sequence[str] | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "bank_statements",
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=True),
        sa.Column("encoding", sa.String(length=16), nullable=False),
        sa.Column("imported_at", app.repositories.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=100), nullable=False),
        sa.Column("line_count", sa.Integer(), nullable=False),
        sa.Column("matched_count", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_statements")),
        sa.UniqueConstraint("digest", name=op.f("uq_bank_statements_digest")),
    )
    op.create_table(
        "journal_entries",
        sa.Column("posted_at", app.repositories.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("memo", sa.String(length=200), nullable=False),
        sa.Column("source_type", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_entries")),
    )
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.create_index("ix_journal_entries_posted_at_id", ["posted_at", "id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_journal_entries_source_id"), ["source_id"], unique=False
        )

    op.create_table(
        "invoices",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("invoice_type", sa.String(length=16), nullable=False, server_default="ordinary"),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column(
            "buyer",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=True,
        ),
        sa.Column("issue_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("net_total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("tax_total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("amount_paid", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("amount_credited", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("provider_number", sa.String(length=64), nullable=True),
        sa.Column("provider_url", sa.Text(), nullable=True),
        sa.Column("issued_at", app.repositories.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("issued_by", sa.String(length=100), nullable=True),
        sa.Column("voided_at", app.repositories.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("voided_by", sa.String(length=100), nullable=True),
        sa.Column("void_reason", sa.String(length=500), nullable=True),
        sa.Column(
            "overdue_raised_at", app.repositories.base.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.repositories.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.repositories.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "amount_paid + amount_credited <= total", name=op.f("ck_invoices_applied_within_total")
        ),
        sa.CheckConstraint(
            "amount_paid >= 0 AND amount_credited >= 0",
            name=op.f("ck_invoices_applied_not_negative"),
        ),
        sa.CheckConstraint("total >= 0", name=op.f("ck_invoices_total_not_negative")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_invoices_customer_id_customers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoices")),
        sa.UniqueConstraint("number", name=op.f("uq_invoices_number")),
    )
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.create_index("ix_invoices_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_invoices_customer_issue", ["customer_id", "issue_date"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_invoices_status"), ["status"], unique=False)
        batch_op.create_index("ix_invoices_status_due", ["status", "due_date"], unique=False)

    op.create_table(
        "journal_lines",
        sa.Column("entry_id", sa.Uuid(), nullable=False),
        sa.Column("account", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("debit", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("credit", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "debit = 0 OR credit = 0", name=op.f("ck_journal_lines_debit_or_credit")
        ),
        sa.CheckConstraint(
            "debit >= 0 AND credit >= 0", name=op.f("ck_journal_lines_amounts_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_journal_lines_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["entry_id"],
            ["journal_entries.id"],
            name=op.f("fk_journal_lines_entry_id_journal_entries"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_lines")),
    )
    with op.batch_alter_table("journal_lines", schema=None) as batch_op:
        batch_op.create_index(
            "ix_journal_lines_account_customer", ["account", "customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_journal_lines_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_journal_lines_entry_id"), ["entry_id"], unique=False)

    op.create_table(
        "credit_notes",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reason", sa.String(length=24), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("issue_date", sa.Date(), nullable=False),
        sa.Column("net_total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("tax_total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("amount_applied", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("amount_refunded", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("provider_number", sa.String(length=64), nullable=True),
        sa.Column("provider_url", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.repositories.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.repositories.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "amount_applied + amount_refunded <= total",
            name=op.f("ck_credit_notes_used_within_total"),
        ),
        sa.CheckConstraint(
            "amount_applied >= 0 AND amount_refunded >= 0",
            name=op.f("ck_credit_notes_used_not_negative"),
        ),
        sa.CheckConstraint("total > 0", name=op.f("ck_credit_notes_total_positive")),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_credit_notes_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_credit_notes_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_notes")),
        sa.UniqueConstraint("number", name=op.f("uq_credit_notes_number")),
    )
    with op.batch_alter_table("credit_notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_credit_notes_customer_issue", ["customer_id", "issue_date"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_credit_notes_invoice_id"), ["invoice_id"], unique=False
        )

    op.create_table(
        "payments",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("method", sa.String(length=24), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("amount_applied", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("amount_refunded", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("reversed_at", app.repositories.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("reversal_reason", sa.String(length=500), nullable=True),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", app.repositories.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", app.repositories.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_payments_amount_positive")),
        sa.CheckConstraint(
            "amount_applied + amount_refunded <= amount",
            name=op.f("ck_payments_used_within_amount"),
        ),
        sa.CheckConstraint(
            "amount_applied >= 0 AND amount_refunded >= 0",
            name=op.f("ck_payments_used_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_payments_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_payments_order_id_orders")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments")),
        sa.UniqueConstraint("number", name=op.f("uq_payments_number")),
    )
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.create_index("ix_payments_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_payments_customer_received", ["customer_id", "received_on"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_payments_order_id"), ["order_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_payments_status"), ["status"], unique=False)

    op.create_table(
        "bank_statement_lines",
        sa.Column("statement_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("booked_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payer_name", sa.String(length=200), nullable=False),
        sa.Column("payer_account", sa.String(length=64), nullable=True),
        sa.Column("memo", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=True),
        sa.Column("invoice_id", sa.Uuid(), nullable=True),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("matched_by", sa.String(length=100), nullable=True),
        sa.Column("matched_rule", sa.String(length=32), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_id"],
            ["customers.id"],
            name=op.f("fk_bank_statement_lines_customer_id_customers"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_bank_statement_lines_invoice_id_invoices"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_bank_statement_lines_payment_id_payments"),
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["bank_statements.id"],
            name=op.f("fk_bank_statement_lines_statement_id_bank_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bank_statement_lines")),
        sa.UniqueConstraint("fingerprint", name="bank_line_fingerprint"),
    )
    with op.batch_alter_table("bank_statement_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_bank_statement_lines_customer_id"), ["customer_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_bank_statement_lines_invoice_id"), ["invoice_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_bank_statement_lines_payment_id"), ["payment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_bank_statement_lines_statement_id"), ["statement_id"], unique=False
        )
        batch_op.create_index(
            "ix_bank_statement_lines_status", ["status", "booked_on"], unique=False
        )

    op.create_table(
        "credit_applications",
        sa.Column("credit_note_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("applied_at", app.repositories.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("applied_by", sa.String(length=100), nullable=False),
        sa.Column("reversed_at", app.repositories.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("reversed_by", sa.String(length=100), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("amount > 0", name=op.f("ck_credit_applications_amount_positive")),
        sa.ForeignKeyConstraint(
            ["credit_note_id"],
            ["credit_notes.id"],
            name=op.f("fk_credit_applications_credit_note_id_credit_notes"),
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"], ["invoices.id"], name=op.f("fk_credit_applications_invoice_id_invoices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_applications")),
    )
    with op.batch_alter_table("credit_applications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credit_applications_credit_note_id"), ["credit_note_id"], unique=False
        )
        batch_op.create_index(
            "ix_credit_applications_invoice", ["invoice_id", "reversed_at"], unique=False
        )

    op.create_table(
        "invoice_lines",
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("order_line_id", sa.Uuid(), nullable=False),
        sa.Column("shipment_id", sa.Uuid(), nullable=True),
        sa.Column("sku", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("unit_price", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("discount_percent", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("gross", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("discount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("net", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("tax", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_invoice_lines_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoice_lines_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["order_id"], ["orders.id"], name=op.f("fk_invoice_lines_order_id_orders")
        ),
        sa.ForeignKeyConstraint(
            ["order_line_id"],
            ["order_lines.id"],
            name=op.f("fk_invoice_lines_order_line_id_order_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"], ["shipments.id"], name=op.f("fk_invoice_lines_shipment_id_shipments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invoice_lines")),
    )
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoice_lines_invoice_id"), ["invoice_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_invoice_lines_order_id"), ["order_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_invoice_lines_order_line_id"), ["order_line_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_invoice_lines_shipment_id"), ["shipment_id"], unique=False
        )

    op.create_table(
        "invoiced_shipments",
        sa.Column("shipment_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_invoiced_shipments_invoice_id_invoices"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["shipment_id"],
            ["shipments.id"],
            name=op.f("fk_invoiced_shipments_shipment_id_shipments"),
        ),
        sa.PrimaryKeyConstraint("shipment_id", name=op.f("pk_invoiced_shipments")),
    )
    with op.batch_alter_table("invoiced_shipments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_invoiced_shipments_invoice_id"), ["invoice_id"], unique=False
        )

    op.create_table(
        "payment_applications",
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("invoice_id", sa.Uuid(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("applied", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("rate", sa.Numeric(precision=18, scale=8), nullable=True),
        sa.Column("applied_at", app.repositories.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("applied_by", sa.String(length=100), nullable=False),
        sa.Column("reversed_at", app.repositories.base.UtcDateTime(timezone=True), nullable=True),
        sa.Column("reversed_by", sa.String(length=100), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "amount > 0 AND applied > 0", name=op.f("ck_payment_applications_amount_positive")
        ),
        sa.ForeignKeyConstraint(
            ["invoice_id"],
            ["invoices.id"],
            name=op.f("fk_payment_applications_invoice_id_invoices"),
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments.id"],
            name=op.f("fk_payment_applications_payment_id_payments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payment_applications")),
    )
    with op.batch_alter_table("payment_applications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_payment_applications_invoice", ["invoice_id", "reversed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_payment_applications_payment_id"), ["payment_id"], unique=False
        )

    op.create_table(
        "refunds",
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("customer_id", sa.Uuid(), nullable=False),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("credit_note_id", sa.Uuid(), nullable=True),
        sa.Column("amount", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("method", sa.String(length=24), nullable=False),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("refunded_on", sa.Date(), nullable=False),
        sa.Column("created_at", app.repositories.base.UtcDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "(payment_id IS NULL) <> (credit_note_id IS NULL)", name=op.f("ck_refunds_one_source")
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_refunds_amount_positive")),
        sa.ForeignKeyConstraint(
            ["credit_note_id"],
            ["credit_notes.id"],
            name=op.f("fk_refunds_credit_note_id_credit_notes"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_id"], ["customers.id"], name=op.f("fk_refunds_customer_id_customers")
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_refunds_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_refunds")),
        sa.UniqueConstraint("number", name=op.f("uq_refunds_number")),
    )
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_refunds_credit_note_id"), ["credit_note_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_refunds_customer_id"), ["customer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_refunds_payment_id"), ["payment_id"], unique=False)

    op.create_table(
        "credit_note_lines",
        sa.Column("credit_note_id", sa.Uuid(), nullable=False),
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("invoice_line_id", sa.Uuid(), nullable=True),
        sa.Column("description", sa.String(length=200), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("tax_rate", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("net", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("tax", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("total", sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "quantity >= 0", name=op.f("ck_credit_note_lines_quantity_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["credit_note_id"],
            ["credit_notes.id"],
            name=op.f("fk_credit_note_lines_credit_note_id_credit_notes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invoice_line_id"],
            ["invoice_lines.id"],
            name=op.f("fk_credit_note_lines_invoice_line_id_invoice_lines"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credit_note_lines")),
    )
    with op.batch_alter_table("credit_note_lines", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_credit_note_lines_credit_note_id"), ["credit_note_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_credit_note_lines_invoice_line_id"), ["invoice_line_id"], unique=False
        )

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "invoicing_policy",
                sa.String(length=16),
                nullable=False,
                server_default="on_shipment",
            )
        )
        batch_op.add_column(sa.Column("invoicing_period", sa.String(length=8), nullable=True))
        batch_op.add_column(
            sa.Column(
                "invoice_type", sa.String(length=16), nullable=False, server_default="ordinary"
            )
        )
        batch_op.add_column(
            sa.Column(
                "tax_registration",
                sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
                nullable=True,
            )
        )

    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("settlement", sa.String(length=16), nullable=False, server_default="none")
        )
        batch_op.add_column(
            sa.Column(
                "short_closed_at", app.repositories.base.UtcDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(sa.Column("short_close_reason", sa.String(length=500), nullable=True))

    if op.get_bind().dialect.name == "postgresql":
        for name in SEQUENCES:
            op.execute(f"CREATE SEQUENCE IF NOT EXISTS {name}_number_seq")


SEQUENCES = ("invoice", "payment", "credit_note", "refund")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in SEQUENCES:
            op.execute(f"DROP SEQUENCE IF EXISTS {name}_number_seq")
    with op.batch_alter_table("orders", schema=None) as batch_op:
        batch_op.drop_column("short_close_reason")
        batch_op.drop_column("short_closed_at")
        batch_op.drop_column("settlement")

    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_column("tax_registration")
        batch_op.drop_column("invoice_type")
        batch_op.drop_column("invoicing_period")
        batch_op.drop_column("invoicing_policy")

    with op.batch_alter_table("credit_note_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_note_lines_invoice_line_id"))
        batch_op.drop_index(batch_op.f("ix_credit_note_lines_credit_note_id"))

    op.drop_table("credit_note_lines")
    with op.batch_alter_table("refunds", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_refunds_payment_id"))
        batch_op.drop_index(batch_op.f("ix_refunds_customer_id"))
        batch_op.drop_index(batch_op.f("ix_refunds_credit_note_id"))

    op.drop_table("refunds")
    with op.batch_alter_table("payment_applications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payment_applications_payment_id"))
        batch_op.drop_index("ix_payment_applications_invoice")

    op.drop_table("payment_applications")
    with op.batch_alter_table("invoiced_shipments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoiced_shipments_invoice_id"))

    op.drop_table("invoiced_shipments")
    with op.batch_alter_table("invoice_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_invoice_lines_shipment_id"))
        batch_op.drop_index(batch_op.f("ix_invoice_lines_order_line_id"))
        batch_op.drop_index(batch_op.f("ix_invoice_lines_order_id"))
        batch_op.drop_index(batch_op.f("ix_invoice_lines_invoice_id"))

    op.drop_table("invoice_lines")
    with op.batch_alter_table("credit_applications", schema=None) as batch_op:
        batch_op.drop_index("ix_credit_applications_invoice")
        batch_op.drop_index(batch_op.f("ix_credit_applications_credit_note_id"))

    op.drop_table("credit_applications")
    with op.batch_alter_table("bank_statement_lines", schema=None) as batch_op:
        batch_op.drop_index("ix_bank_statement_lines_status")
        batch_op.drop_index(batch_op.f("ix_bank_statement_lines_statement_id"))
        batch_op.drop_index(batch_op.f("ix_bank_statement_lines_payment_id"))
        batch_op.drop_index(batch_op.f("ix_bank_statement_lines_invoice_id"))
        batch_op.drop_index(batch_op.f("ix_bank_statement_lines_customer_id"))

    op.drop_table("bank_statement_lines")
    with op.batch_alter_table("payments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_status"))
        batch_op.drop_index(batch_op.f("ix_payments_order_id"))
        batch_op.drop_index("ix_payments_customer_received")
        batch_op.drop_index("ix_payments_created_at_id")

    op.drop_table("payments")
    with op.batch_alter_table("credit_notes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_credit_notes_invoice_id"))
        batch_op.drop_index("ix_credit_notes_customer_issue")

    op.drop_table("credit_notes")
    with op.batch_alter_table("journal_lines", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_journal_lines_entry_id"))
        batch_op.drop_index(batch_op.f("ix_journal_lines_customer_id"))
        batch_op.drop_index("ix_journal_lines_account_customer")

    op.drop_table("journal_lines")
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("ix_invoices_status_due")
        batch_op.drop_index(batch_op.f("ix_invoices_status"))
        batch_op.drop_index("ix_invoices_customer_issue")
        batch_op.drop_index("ix_invoices_created_at_id")

    op.drop_table("invoices")
    with op.batch_alter_table("journal_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_journal_entries_source_id"))
        batch_op.drop_index("ix_journal_entries_posted_at_id")

    op.drop_table("journal_entries")
    op.drop_table("bank_statements")
