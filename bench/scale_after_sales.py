"""After-sales for ``bench.scale`` (SQL passes after the invoices; ``$1`` is the run's "now"):
returns (RMA) of one line of about 2 % of the delivered orders, their reasons spread, most
received (restocked, or scrapped when damaged: the stock movements, levels and the lines'
returned quantity follow, as ``lading check`` compares them), those resolved by a refund
credited by a credit note (applied to the invoice when it is still open, refunded otherwise);
and service cases for about 1 % of the orders (half of the returns have one), most resolved."""

from __future__ import annotations

from bench.scale_billing import _number

REASONS = [
    ("damaged", 0.3),
    ("wrong_item", 0.2),
    ("not_as_described", 0.2),
    ("no_longer_wanted", 0.2),
    ("other", 0.1),
]
# priority, share, response hours, resolution hours (app.domain.after_sales.cases targets)
PRIORITIES = [
    ("low", 0.2, 24, 240),
    ("normal", 0.5, 8, 120),
    ("high", 0.2, 4, 48),
    ("urgent", 0.1, 1, 24),
]


def _spread(draw: str, values: list[tuple[str, float]]) -> str:
    """A CASE giving each value its share of the draw."""
    parts, acc = [], 0.0
    for value, share in values[:-1]:
        acc += share
        parts.append(f"WHEN {draw} < {acc:.4f} THEN '{value}'")
    return f"CASE {' '.join(parts)} ELSE '{values[-1][0]}' END"


def _priority_hours(column: int) -> str:
    whens = " ".join(f"WHEN '{p[0]}' THEN {p[column]}" for p in PRIORITIES)
    return f"CASE priority {whens} END"


def return_statements() -> list[str]:
    reason = _spread("pg_temp.r(order_id, 64)", REASONS)
    return [
        """CREATE TEMP TABLE bench_cn (id uuid, invoice_id uuid, customer_id uuid,
               currency text, reason text, issue_date date, at timestamptz, applied bool)""",
        """CREATE TEMP TABLE bench_cnl (credit_note_id uuid, invoice_line_id uuid, line_no int,
               description text, quantity numeric, tax_rate numeric, net numeric, tax numeric)""",
        f"""CREATE TEMP TABLE bench_ret AS
            WITH picked AS (
                SELECT DISTINCT ON (o.id) o.id AS order_id, o.customer_id, o.currency,
                       l.id AS line_id, l.product_id, l.sku, l.quantity_delivered AS delivered,
                       l.quantity_ordered, l.total AS line_total, s.warehouse_id,
                       s.delivered_at
                           + make_interval(hours => 24 + (216 * pg_temp.r(o.id, 66))::int)
                           AS requested_at
                FROM orders o JOIN order_lines l ON l.order_id = o.id
                JOIN shipment_lines sl ON sl.order_line_id = l.id
                JOIN shipments s ON s.id = sl.shipment_id
                WHERE o.fulfillment_status = 'delivered' AND pg_temp.r(o.id, 60) < 0.02
                ORDER BY o.id, pg_temp.r(l.id, 61)),
            drawn AS (
                SELECT p.*, pg_temp.uid(order_id, 'rma') AS id, {reason} AS reason,
                       least(delivered, 1 + floor(pg_temp.r(order_id, 62) * delivered)::numeric)
                           AS quantity,
                       CASE WHEN pg_temp.r(order_id, 63) < 0.03 THEN 'requested'
                            WHEN pg_temp.r(order_id, 63) < 0.06 THEN 'refused'
                            WHEN pg_temp.r(order_id, 63) < 0.08 THEN 'cancelled'
                            WHEN pg_temp.r(order_id, 63) < 0.15 THEN 'approved'
                            WHEN pg_temp.r(order_id, 63) < 0.40 THEN 'received'
                            ELSE 'resolved' END AS drawn_status,
                       requested_at + interval '3 days' AS arrival
                FROM picked p WHERE requested_at < $1 - interval '1 day')
            SELECT d.*,
                   CASE WHEN drawn_status IN ('received', 'resolved') AND arrival > $1
                            THEN 'approved'
                        WHEN drawn_status = 'resolved' AND arrival + interval '1 day' > $1
                            THEN 'received'
                        ELSE drawn_status END AS status,
                   CASE WHEN pg_temp.r(order_id, 65) < 0.7 THEN 'refund'
                        WHEN pg_temp.r(order_id, 65) < 0.9 THEN 'replacement'
                        ELSE 'exchange' END AS resolution,
                   round(line_total / quantity_ordered, 2) AS unit_value
            FROM drawn d""",
        f"""INSERT INTO returns (id, number, order_id, customer_id, status, reason, reason_note,
                resolution, method, warehouse_id, source, value, currency, approval,
                decided_at, decided_by, refusal_reason, requested_at, requested_by,
                received_at, received_by, resolved_at, resolved_by, updated_at, updated_by,
                version)
            SELECT id, {_number("RMA", "requested_at AT TIME ZONE 'UTC'", "requested_at, id")},
                   order_id, customer_id, status, reason, NULL, resolution,
                   CASE WHEN pg_temp.r(order_id, 67) < 0.5 THEN 'carrier_label'
                        WHEN pg_temp.r(order_id, 67) < 0.8 THEN 'pickup' ELSE 'drop_off' END,
                   warehouse_id, 'user', unit_value * quantity, currency,
                   CASE WHEN status <> 'requested' THEN 'automatic' END,
                   CASE WHEN status <> 'requested' THEN requested_at + interval '2 hours' END,
                   CASE WHEN status <> 'requested' THEN 'bench' END,
                   CASE WHEN status = 'refused' THEN 'Outside the return window' END,
                   requested_at, 'bench',
                   CASE WHEN status IN ('received', 'resolved') THEN arrival END,
                   CASE WHEN status IN ('received', 'resolved') THEN 'bench' END,
                   CASE WHEN status = 'resolved' THEN arrival + interval '1 day' END,
                   CASE WHEN status = 'resolved' THEN 'bench' END,
                   CASE status WHEN 'resolved' THEN arrival + interval '1 day'
                               WHEN 'received' THEN arrival
                               ELSE requested_at + interval '2 hours' END,
                   'bench', 1
            FROM bench_ret""",
        """INSERT INTO return_lines (id, return_id, line_no, order_line_id, product_id, sku,
                quantity, unit_value, exchange_product_id, received, restocked, quarantined,
                scrapped, released, quarantine_scrapped, credited, scrap_reason)
           SELECT pg_temp.uid(id, 'retl'), id, 1, line_id, product_id, sku, quantity,
                  unit_value, CASE WHEN resolution = 'exchange' THEN product_id END,
                  CASE WHEN got THEN quantity END,
                  CASE WHEN got AND reason <> 'damaged' THEN quantity ELSE 0 END, 0,
                  CASE WHEN got AND reason = 'damaged' THEN quantity ELSE 0 END, 0, 0,
                  CASE WHEN credit THEN quantity ELSE 0 END,
                  CASE WHEN got AND reason = 'damaged' THEN 'Damaged beyond resale' END
           FROM (SELECT *, status IN ('received', 'resolved') AS got,
                        status = 'resolved' AND resolution = 'refund' AS credit
                 FROM bench_ret) r""",
        # What came back enters the ledger (a return), what was damaged leaves it (a scrap).
        """INSERT INTO stock_movements (id, warehouse_id, product_id, kind, quantity, reason,
                reference, actor, created_at)
           SELECT pg_temp.uid(r.id, m.kind), r.warehouse_id, r.product_id, m.kind, m.quantity,
                  m.reason, t.number, 'bench', r.arrival
           FROM bench_ret r JOIN returns t ON t.id = r.id
           CROSS JOIN LATERAL (VALUES ('return', r.quantity, NULL, true),
                                      ('scrap', -r.quantity, 'Damaged beyond resale',
                                       r.reason = 'damaged')) AS m(kind, quantity, reason, moved)
           WHERE r.status IN ('received', 'resolved') AND m.moved""",
        """UPDATE stock_levels s SET on_hand = s.on_hand + x.quantity, updated_at = $1
           FROM (SELECT warehouse_id, product_id, sum(quantity) AS quantity FROM bench_ret
                 WHERE status IN ('received', 'resolved') AND reason <> 'damaged'
                 GROUP BY warehouse_id, product_id) x
           WHERE s.warehouse_id = x.warehouse_id AND s.product_id = x.product_id""",
        """UPDATE order_lines l SET quantity_returned = r.quantity,
                  quantity_credited = CASE WHEN r.status = 'resolved' AND r.resolution = 'refund'
                                           THEN r.quantity ELSE 0 END
           FROM bench_ret r WHERE r.line_id = l.id AND r.status IN ('received', 'resolved')""",
        # The credit notes of the refunded returns: what the returned quantity was invoiced at.
        """INSERT INTO bench_cnl (credit_note_id, invoice_line_id, line_no, description,
                quantity, tax_rate, net, tax)
           SELECT pg_temp.uid(r.id, 'cn'), il.id, 1, 'Returned ' || il.sku, r.quantity,
                  il.tax_rate, round(il.net * r.quantity / il.quantity, 2),
                  round(il.tax * r.quantity / il.quantity, 2)
           FROM bench_ret r JOIN invoice_lines il ON il.order_line_id = r.line_id
           WHERE r.status = 'resolved' AND r.resolution = 'refund'""",
        """INSERT INTO bench_cn (id, invoice_id, customer_id, currency, reason, issue_date, at,
                applied)
           SELECT l.credit_note_id, i.id, r.customer_id, r.currency, 'returned_goods',
                  ((r.arrival + interval '1 day') AT TIME ZONE 'UTC')::date,
                  r.arrival + interval '1 day',
                  i.total - coalesce(p.amount, 0)
                      - CASE WHEN i.adjusted THEN i.adjustment ELSE 0 END >= l.net + l.tax
           FROM bench_ret r JOIN bench_cnl l ON l.credit_note_id = pg_temp.uid(r.id, 'cn')
           JOIN bench_inv i ON i.order_id = r.order_id
           LEFT JOIN bench_pay p ON p.invoice_id = i.id""",
        f"""INSERT INTO refunds (id, number, customer_id, credit_note_id, amount, currency,
                method, reference, refunded_on, created_at, created_by)
            SELECT pg_temp.uid(c.id, 'rf'),
                   {_number("RF", "c.at AT TIME ZONE 'UTC'", "c.at, c.id")}, c.customer_id, c.id,
                   l.net + l.tax, c.currency,
                   CASE WHEN i.prepaid THEN 'storefront_gateway' ELSE 'bank_transfer' END,
                   NULL, (c.at AT TIME ZONE 'UTC')::date, c.at, 'bench'
            FROM bench_cn c JOIN bench_cnl l ON l.credit_note_id = c.id
            JOIN bench_inv i ON i.id = c.invoice_id
            WHERE NOT c.applied""",
        """UPDATE returns t SET credit_note_id = c.id,
                  refund_id = CASE WHEN NOT c.applied THEN pg_temp.uid(c.id, 'rf') END,
                  refunded_amount = CASE WHEN NOT c.applied THEN f.amount END
           FROM bench_cn c LEFT JOIN refunds f ON f.credit_note_id = c.id
           WHERE c.id = pg_temp.uid(t.id, 'cn')""",
        *case_statements(),
    ]


def case_statements() -> list[str]:
    kinds = "ARRAY['exchange', 'replacement', 'complaint', 'inquiry', 'complaint', 'inquiry']"
    priority = _spread("pg_temp.r(id, 74)", [(p[0], p[1]) for p in PRIORITIES])
    return [
        f"""CREATE TEMP TABLE bench_case AS
            WITH src AS (
                SELECT r.order_id, r.customer_id, r.line_id, 'return' AS kind,
                       r.requested_at - interval '1 hour' AS opened_at, r.id AS return_id,
                       r.quantity
                FROM bench_ret r WHERE pg_temp.r(r.order_id, 70) < 0.5
                UNION ALL
                SELECT i.order_id, i.customer_id, l.id,
                       ({kinds})[1 + floor(6 * pg_temp.r(i.order_id, 72))::int],
                       least($1 - interval '2 hours', i.issued_at + make_interval(
                             days => 1 + floor(20 * pg_temp.r(i.order_id, 73))::int)),
                       NULL, NULL
                FROM bench_inv i JOIN order_lines l ON l.order_id = i.order_id AND l.line_no = 1
                WHERE pg_temp.r(i.order_id, 71) < 0.008
                  AND NOT EXISTS (SELECT 1 FROM bench_ret r WHERE r.order_id = i.order_id)),
            ided AS (SELECT pg_temp.uid(order_id, 'case') AS id, * FROM src),
            timed AS (
                SELECT *, {priority} AS priority, pg_temp.r(id, 75) AS u FROM ided)
            SELECT t.*,
                   opened_at + make_interval(hours => {_priority_hours(2)}) AS response_due,
                   opened_at + make_interval(hours => {_priority_hours(3)}) AS resolution_due,
                   opened_at + make_interval(mins => (60 * {_priority_hours(2)}
                       * (0.2 + 1.2 * pg_temp.r(id, 76)))::int) AS responded,
                   opened_at + make_interval(mins => (60 * {_priority_hours(3)}
                       * (0.1 + 1.1 * pg_temp.r(id, 77)))::int) AS resolved
            FROM timed t""",
        """ALTER TABLE bench_case ADD COLUMN state text""",
        """UPDATE bench_case SET state = CASE
               WHEN u < 0.08 OR responded > $1 THEN 'open'
               WHEN u < 0.13 OR resolved > $1 THEN 'in_progress'
               WHEN u < 0.16 THEN 'waiting_customer'
               WHEN u < 0.80 OR resolved + interval '3 days' > $1 THEN 'resolved'
               ELSE 'closed' END""",
        f"""INSERT INTO service_cases (id, number, customer_id, order_id, shipment_id, kind,
                priority, state, source, subject, description, assignee, resolution_reason,
                opened_at, opened_by, first_response_at, response_due_at, resolution_due_at,
                resolved_at, closed_at, updated_at, updated_by, version)
            SELECT c.id, {_number("SC", "c.opened_at AT TIME ZONE 'UTC'", "c.opened_at, c.id")},
                   c.customer_id, c.order_id, i.first_shipment,
                   c.kind, c.priority, c.state,
                   CASE WHEN pg_temp.r(c.id, 78) < 0.6 THEN 'staff'
                        WHEN pg_temp.r(c.id, 78) < 0.85 THEN 'api' ELSE 'tracking_page' END,
                   initcap(c.kind) || ' about ' || o.number, 'Opened by the bench seed.',
                   'agent-' || (1 + floor(8 * pg_temp.r(c.id, 79)))::int,
                   CASE WHEN c.state IN ('resolved', 'closed') THEN 'Settled with the customer'
                   END,
                   c.opened_at, 'bench',
                   CASE WHEN c.state <> 'open' THEN c.responded END,
                   c.response_due, c.resolution_due,
                   CASE WHEN c.state IN ('resolved', 'closed') THEN c.resolved END,
                   CASE WHEN c.state = 'closed' THEN c.resolved + interval '3 days' END,
                   CASE c.state WHEN 'open' THEN c.opened_at
                                WHEN 'closed' THEN c.resolved + interval '3 days'
                                WHEN 'resolved' THEN c.resolved ELSE c.responded END,
                   'bench', 1
            FROM bench_case c JOIN orders o ON o.id = c.order_id
            JOIN bench_inv i ON i.order_id = c.order_id""",
        """INSERT INTO case_lines (id, case_id, order_line_id, quantity)
           SELECT pg_temp.uid(id, 'line'), id, line_id, quantity FROM bench_case""",
        """UPDATE returns t SET case_id = c.id FROM bench_case c WHERE c.return_id = t.id""",
    ]
