"""Billing for ``bench.scale`` (SQL passes; ``$1`` is the run's "now"): one invoice per shipped
order issued an hour after its first shipment left, due after the customer's payment terms;
payments (prepaid storefront orders at order time, the others around the due date, some in
part, some not yet) applied to them; a few price-adjustment credit notes applied; then the
invoices' and orders' settled amounts and statuses, and the books: journal entries per
customer, month and kind of document (invoices, payments, applications, credit notes, credit
applications, refunds), balanced, so that each customer's receivable in the journal equals its
invoices less applied payments and credit (``lading check``, invariant 9)."""

from __future__ import annotations

from typing import Any


def _number(prefix: str, at: str, order: str) -> str:
    """``PREFIX-YYYY-NNNNNN`` numbered in ``order`` (one counter over the years, as the
    sequence gives them)."""
    n = f"row_number() OVER (ORDER BY {order})"
    return (
        f"'{prefix}-' || to_char({at}, 'YYYY') || '-' || "
        f"lpad(({n})::text, greatest(6, length(({n})::text)), '0')"
    )


def invoice_statements() -> list[str]:
    return [
        # Payment terms spread (the due dates follow them).
        """UPDATE customers SET payment_terms_days =
               (ARRAY[30, 30, 30, 15, 45, 60])[1 + floor(6 * pg_temp.r(id, 30))::int]""",
        f"""CREATE TEMP TABLE bench_inv AS
            WITH base AS (
                SELECT o.id AS order_id, o.customer_id, o.currency, o.created_at AS ordered_at,
                       o.channel = 'storefront' AND o.payment_status = 'paid' AS prepaid,
                       o.payment_reference, min(s.shipped_at) + interval '1 hour' AS issued_at,
                       (array_agg(s.id ORDER BY s.number))[1] AS first_shipment,
                       c.payment_terms_days AS terms
                FROM orders o JOIN shipments s ON s.order_id = o.id
                JOIN customers c ON c.id = o.customer_id
                WHERE s.status IN ('shipped', 'delivered')
                GROUP BY o.id, c.payment_terms_days),
            sums AS (
                SELECT order_id, sum(net) AS net, sum(tax) AS tax, sum(total) AS total,
                       sum(round(net * 0.05, 2) + round(tax * 0.05, 2)) AS adjustment
                FROM order_lines WHERE quantity_invoiced > 0 GROUP BY order_id)
            SELECT pg_temp.uid(b.order_id, 'inv') AS id, b.*,
                   -- One in a hundred gets 5 % off by a credit note (before it is paid).
                   NOT b.prepaid AND pg_temp.r(b.order_id, 50) < 0.01 AS adjusted,
                   (b.issued_at AT TIME ZONE 'UTC')::date AS issue_date,
                   (b.issued_at AT TIME ZONE 'UTC')::date + b.terms AS due_date,
                   s.net, s.tax, s.total, s.adjustment,
                   {_number("INV", "b.issued_at AT TIME ZONE 'UTC'", "b.issued_at, b.order_id")}
                       AS number
            FROM base b JOIN sums s USING (order_id)""",
        "ANALYZE bench_inv",
        """INSERT INTO invoices (id, number, customer_id, currency, status, invoice_type, source,
                issue_date, due_date, net_total, tax_total, total, amount_paid, amount_credited,
                issued_at, issued_by, created_by, created_at, updated_at, version)
           SELECT id, number, customer_id, currency, 'issued', 'ordinary', 'on_shipment',
                  issue_date, due_date, net, tax, total, 0, 0, issued_at, 'bench', 'bench',
                  issued_at, issued_at, 1
           FROM bench_inv""",
        """INSERT INTO invoice_lines (id, invoice_id, line_no, order_id, order_line_id,
                shipment_id, sku, description, quantity, unit_price, discount_percent, tax_rate,
                gross, discount, net, tax, total)
           SELECT pg_temp.uid(sl.id, 'invl'), i.id,
                  row_number() OVER (PARTITION BY i.id ORDER BY l.line_no), l.order_id, l.id,
                  sl.shipment_id, l.sku, l.name, sl.quantity, l.unit_price, l.discount_percent,
                  l.tax_rate, l.gross_before_discount, l.discount, l.net, l.tax, l.total
           FROM bench_inv i JOIN order_lines l ON l.order_id = i.order_id
           JOIN shipment_lines sl ON sl.order_line_id = l.id""",
        """INSERT INTO invoiced_shipments (shipment_id, invoice_id)
           SELECT s.id, i.id FROM bench_inv i JOIN shipments s ON s.order_id = i.order_id
           WHERE s.status IN ('shipped', 'delivered')""",
        # The plan of each invoice's payment: prepaid at order time; otherwise around its due
        # date (20 days early to 14 late) if that day has come — one in ten due in the last 90
        # days and one in fifty older left unpaid, one in twenty paid in part.
        """CREATE TEMP TABLE bench_pay AS
           WITH plan AS (
               SELECT i.*, pg_temp.r(i.id, 40) AS u,
                      i.total - CASE WHEN i.adjusted THEN i.adjustment ELSE 0 END AS owed,
                      CASE WHEN i.due_date >= $1::date - 90 THEN 0.10 ELSE 0.02 END AS unpaid,
                      CASE WHEN i.prepaid THEN (i.ordered_at AT TIME ZONE 'UTC')::date
                           ELSE greatest(i.issue_date + 1,
                                         i.due_date - 20 + floor(35 * pg_temp.r(i.id, 41))::int)
                      END AS received_on
               FROM bench_inv i)
           SELECT pg_temp.uid(id, 'pay') AS id, id AS invoice_id, customer_id, currency,
                  CASE WHEN prepaid THEN order_id END AS order_id, received_on,
                  CASE WHEN prepaid OR u >= unpaid + 0.05 THEN owed
                       ELSE round(owed * (0.3 + 0.4 * pg_temp.r(id, 43))::numeric, 2) END
                      AS amount,
                  CASE WHEN prepaid THEN 'storefront_gateway'
                       WHEN pg_temp.r(id, 42) < 0.85 THEN 'bank_transfer'
                       WHEN pg_temp.r(id, 42) < 0.92 THEN 'cash' ELSE 'card' END AS method,
                  CASE WHEN prepaid THEN payment_reference
                       ELSE 'BANK-' || upper(substr(md5(id::text), 1, 10)) END AS reference,
                  CASE WHEN prepaid THEN issued_at
                       ELSE least($1, (received_on + time '10:00') AT TIME ZONE 'UTC') END
                      AS applied_at,
                  CASE WHEN prepaid THEN ordered_at + interval '1 minute'
                       ELSE least($1, (received_on + time '10:00') AT TIME ZONE 'UTC') END
                      AS received_at
           FROM plan
           WHERE prepaid OR (u >= unpaid AND received_on <= $1::date)""",
        "ANALYZE bench_pay",
        f"""INSERT INTO payments (id, number, customer_id, amount, currency, method, reference,
                received_on, order_id, status, amount_applied, amount_refunded, created_by,
                created_at, updated_at, version)
            SELECT id, {_number("PAY", "received_on", "received_on, id")}, customer_id, amount,
                   currency, method, reference, received_on, order_id, 'received', amount, 0,
                   'bench', received_at, received_at, 1
            FROM bench_pay""",
        """INSERT INTO payment_applications (id, payment_id, invoice_id, amount, applied,
                applied_at, applied_by)
           SELECT pg_temp.uid(id, 'app'), id, invoice_id, amount, amount, applied_at, 'bench'
           FROM bench_pay""",
    ]


def settle_statements() -> list[str]:
    return [
        # Price adjustments and discounts after invoicing: 5 % of the invoices chosen, one
        # credit line per invoice line, applied to the invoice a week after it was issued.
        """INSERT INTO bench_cn (id, invoice_id, customer_id, currency, reason, issue_date, at,
                applied)
           SELECT pg_temp.uid(i.id, 'adj'), i.id, i.customer_id, i.currency,
                  CASE WHEN pg_temp.r(i.id, 51) < 0.6 THEN 'price_adjustment' ELSE 'discount' END,
                  (least($1, i.issued_at + interval '7 days') AT TIME ZONE 'UTC')::date,
                  least($1, i.issued_at + interval '7 days'), true
           FROM bench_inv i WHERE i.adjusted""",
        """INSERT INTO bench_cnl (credit_note_id, invoice_line_id, line_no, description,
                quantity, tax_rate, net, tax)
           SELECT c.id, il.id, il.line_no, 'Price adjustment ' || il.sku, 0, il.tax_rate,
                  round(il.net * 0.05, 2), round(il.tax * 0.05, 2)
           FROM bench_cn c JOIN invoice_lines il ON il.invoice_id = c.invoice_id
           WHERE c.reason <> 'returned_goods'""",
        f"""INSERT INTO credit_notes (id, number, invoice_id, customer_id, currency, reason,
                issue_date, net_total, tax_total, total, amount_applied, amount_refunded,
                created_by, created_at, updated_at, version)
            SELECT c.id, {_number("CN", "c.issue_date", "c.issue_date, c.id")}, c.invoice_id,
                   c.customer_id, c.currency, c.reason, c.issue_date, l.net, l.tax,
                   l.net + l.tax, CASE WHEN c.applied THEN l.net + l.tax ELSE 0 END,
                   CASE WHEN c.applied THEN 0 ELSE l.net + l.tax END, 'bench', c.at, c.at, 1
            FROM bench_cn c JOIN (SELECT credit_note_id, sum(net) AS net, sum(tax) AS tax
                                  FROM bench_cnl GROUP BY credit_note_id) l
                 ON l.credit_note_id = c.id""",
        """INSERT INTO credit_note_lines (id, credit_note_id, line_no, invoice_line_id,
                description, quantity, tax_rate, net, tax, total)
           SELECT pg_temp.uid(invoice_line_id, credit_note_id::text), credit_note_id, line_no,
                  invoice_line_id, description, quantity, tax_rate, net, tax, net + tax
           FROM bench_cnl""",
        """INSERT INTO credit_applications (id, credit_note_id, invoice_id, amount, applied_at,
                applied_by)
           SELECT pg_temp.uid(c.id, 'capp'), c.id, c.invoice_id, n.total, c.at, 'bench'
           FROM bench_cn c JOIN credit_notes n ON n.id = c.id WHERE c.applied""",
        """UPDATE invoices i SET amount_paid = coalesce(p.paid, 0),
                  amount_credited = coalesce(k.credited, 0)
           FROM bench_inv b
           LEFT JOIN (SELECT invoice_id, sum(applied) AS paid FROM payment_applications
                      GROUP BY invoice_id) p ON p.invoice_id = b.id
           LEFT JOIN (SELECT invoice_id, sum(amount) AS credited FROM credit_applications
                      GROUP BY invoice_id) k ON k.invoice_id = b.id
           WHERE i.id = b.id""",
        # The orders' settlement and billing status (as app.domain.orders.billing_status and
        # app.domain.billing.invoices.settlement_of derive them; bench.scale checks a sample
        # against the domain), and the fulfilment status of orders with returns.
        """UPDATE orders o SET settlement = x.settlement,
                  billing_status = CASE
                      WHEN x.invoiced > 0 AND x.credited >= x.invoiced THEN 'credited'
                      WHEN x.invoiced >= x.ordered AND x.settlement = 'full' THEN
                          CASE WHEN x.credited > 0 THEN 'partially_credited' ELSE 'paid' END
                      WHEN x.settlement <> 'none' THEN 'partially_paid'
                      WHEN x.invoiced >= x.ordered THEN 'invoiced'
                      ELSE 'partially_invoiced' END,
                  fulfillment_status = CASE
                      WHEN x.delivered >= x.ordered AND x.returned > 0 THEN
                          CASE WHEN x.returned >= x.delivered THEN 'returned'
                               ELSE 'partially_returned' END
                      ELSE o.fulfillment_status END
           FROM (SELECT b.order_id,
                        CASE WHEN i.total - i.amount_paid - i.amount_credited <= 0 THEN 'full'
                             WHEN i.amount_paid + i.amount_credited <= 0 THEN 'none'
                             ELSE 'partial' END AS settlement,
                        sum(l.quantity_ordered) AS ordered, sum(l.quantity_invoiced) AS invoiced,
                        sum(l.quantity_credited) AS credited,
                        sum(l.quantity_delivered) AS delivered,
                        sum(l.quantity_returned) AS returned
                 FROM bench_inv b JOIN invoices i ON i.id = b.id
                 JOIN order_lines l ON l.order_id = b.order_id
                 GROUP BY b.order_id, i.total, i.amount_paid, i.amount_credited) x
           WHERE o.id = x.order_id""",
        *journal_statements(),
    ]


ACCOUNT_OF_METHOD = (
    "CASE method WHEN 'bank_transfer' THEN '1002' WHEN 'cash' THEN '1001' ELSE '1012' END"
)


def journal_statements() -> list[str]:
    """The legs of every money document, then one entry per (kind, customer, month) with one
    line per account: each document's legs balance, so each entry does."""
    legs = f"""
        SELECT 'invoice' AS kind, customer_id, currency, issued_at AS at,
               unnest(ARRAY['1122', '6001', '22210106']) AS account,
               unnest(ARRAY[total, -net_total, -tax_total]) AS amount
        FROM invoices WHERE status = 'issued'
        UNION ALL
        SELECT 'payment', customer_id, currency, created_at,
               unnest(ARRAY[{ACCOUNT_OF_METHOD}, '2203']), unnest(ARRAY[amount, -amount])
        FROM payments
        UNION ALL
        SELECT 'application', p.customer_id, p.currency, a.applied_at,
               unnest(ARRAY['2203', '1122']), unnest(ARRAY[a.amount, -a.amount])
        FROM payment_applications a JOIN payments p ON p.id = a.payment_id
        UNION ALL
        SELECT 'credit_note', customer_id, currency, created_at,
               unnest(ARRAY['6001', '22210106', '2203']),
               unnest(ARRAY[net_total, tax_total, -total])
        FROM credit_notes
        UNION ALL
        SELECT 'credit_application', n.customer_id, n.currency, a.applied_at,
               unnest(ARRAY['2203', '1122']), unnest(ARRAY[a.amount, -a.amount])
        FROM credit_applications a JOIN credit_notes n ON n.id = a.credit_note_id
        UNION ALL
        SELECT 'refund', customer_id, currency, created_at,
               unnest(ARRAY['2203', {ACCOUNT_OF_METHOD}]), unnest(ARRAY[amount, -amount])
        FROM refunds"""
    return [
        f"""CREATE TEMP TABLE bench_legs AS
            SELECT kind, customer_id, currency, at, account, amount,
                   date_trunc('month', at AT TIME ZONE 'UTC')::date AS month
            FROM ({legs}) x""",
        "ANALYZE bench_legs",
        """CREATE TEMP TABLE bench_entries AS
           SELECT md5(kind || customer_id::text || currency || month::text)::uuid AS id,
                  kind, customer_id, currency, month, max(at) AS posted_at
           FROM bench_legs GROUP BY kind, customer_id, currency, month""",
        """INSERT INTO journal_entries (id, posted_at, memo, source_type, source_id, action,
                actor)
           SELECT e.id, e.posted_at,
                  initcap(replace(e.kind, '_', ' ')) || 's of ' || c.code || ', '
                      || to_char(e.month, 'YYYY-MM') || ' (bench: per customer and month)',
                  CASE e.kind WHEN 'application' THEN 'payment'
                              WHEN 'credit_application' THEN 'credit_note' ELSE e.kind END,
                  'bench:' || c.code || ':' || to_char(e.month, 'YYYY-MM'),
                  CASE e.kind WHEN 'invoice' THEN 'issued' WHEN 'payment' THEN 'received'
                              WHEN 'credit_note' THEN 'issued' WHEN 'refund' THEN 'refunded'
                              ELSE 'applied' END,
                  'bench'
           FROM bench_entries e JOIN customers c ON c.id = e.customer_id""",
        """INSERT INTO journal_lines (id, entry_id, account, customer_id, currency, debit,
                credit)
           SELECT md5(e.id::text || l.account)::uuid, e.id, l.account,
                  CASE WHEN l.account IN ('1122', '2203') THEN e.customer_id END, e.currency,
                  greatest(l.amount, 0), greatest(-l.amount, 0)
           FROM (SELECT kind, customer_id, currency, month, account, sum(amount) AS amount
                 FROM bench_legs GROUP BY kind, customer_id, currency, month, account) l
           JOIN bench_entries e USING (kind, customer_id, currency, month)
           WHERE l.amount <> 0""",
    ]


SEQUENCES = {
    "invoice_number_seq": "invoices",
    "payment_number_seq": "payments",
    "credit_note_number_seq": "credit_notes",
    "refund_number_seq": "refunds",
    "return_number_seq": "returns",
    "service_case_number_seq": "service_cases",
}


async def set_sequences(conn: Any) -> None:
    """Each numbered document's sequence after the numbers handed out."""
    for sequence, table in SEQUENCES.items():
        n = await conn.fetchval(f"SELECT count(*) FROM {table}")
        await conn.execute(f"SELECT setval('{sequence}', {max(n, 1)}, {bool(n)})")
