# ruff: noqa: E501 - a template reads best as the one line it renders to
"""The templates shipped with Lading, per kind, channel and language; an admin's saved one
replaces its default (``notification_templates``). Variables: ``app.services.notifications.
samples`` (the README lists them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Template:
    subject: str | None  # email only
    body: str


_LINES_ZH = "{% for line in order.lines %}- {{ line.name }}（{{ line.sku }}）× {{ line.quantity }}\n{% endfor %}"
_LINES_EN = "{% for line in order.lines %}- {{ line.name }} ({{ line.sku }}) x {{ line.quantity }}\n{% endfor %}"
_TRACK_ZH = "承运商：{{ shipment.carrier_name or shipment.carrier }}\n运单号：{{ shipment.tracking_number or '—' }}\n预计送达：{{ shipment.expected_arrival or '待定' }}\n物流跟踪：{{ shipment.tracking_link }}\n"
_TRACK_EN = "Carrier: {{ shipment.carrier_name or shipment.carrier }}\nTracking number: {{ shipment.tracking_number or '-' }}\nExpected arrival: {{ shipment.expected_arrival or 'to be confirmed' }}\nTrack it: {{ shipment.tracking_link }}\n"
_HELLO_ZH = "{{ customer.name }}，您好：\n\n"
_HELLO_EN = "Dear {{ customer.name }},\n\n"

EMAIL: dict[tuple[str, str], Template] = {
    ("order_confirmed", "zh-CN"): Template(
        "订单确认：{{ order.number }}",
        _HELLO_ZH
        + "您的订单 {{ order.number }} 已确认，预计交货日期：{{ order.promised_date or '待定' }}。\n\n"
        + _LINES_ZH
        + "\n合计：{{ order.total }} {{ order.currency }}\n",
    ),
    ("order_confirmed", "en"): Template(
        "Order {{ order.number }} confirmed",
        _HELLO_EN + "your order {{ order.number }} is confirmed; promised date: "
        "{{ order.promised_date or 'to be confirmed' }}.\n\n"
        + _LINES_EN
        + "\nTotal: {{ order.total }} {{ order.currency }}\n",
    ),
    ("shipped", "zh-CN"): Template(
        "订单 {{ order.number }} 已发货",
        _HELLO_ZH
        + "您的订单 {{ order.number }} 已发货（发货单 {{ shipment.number }}）。\n\n"
        + _TRACK_ZH,
    ),
    ("shipped", "en"): Template(
        "Order {{ order.number }} has shipped",
        _HELLO_EN
        + "your order {{ order.number }} has shipped (shipment {{ shipment.number }}).\n\n"
        + _TRACK_EN,
    ),
    ("out_for_delivery", "zh-CN"): Template(
        "订单 {{ order.number }} 正在派送",
        _HELLO_ZH + "您的订单 {{ order.number }} 今天正在派送。\n\n" + _TRACK_ZH,
    ),
    ("out_for_delivery", "en"): Template(
        "Order {{ order.number }} is out for delivery",
        _HELLO_EN + "your order {{ order.number }} is out for delivery today.\n\n" + _TRACK_EN,
    ),
    ("delivered", "zh-CN"): Template(
        "订单 {{ order.number }} 已送达",
        _HELLO_ZH + "您的订单 {{ order.number }}（发货单 {{ shipment.number }}）已于 "
        "{{ shipment.delivered_at or '' }} 送达{% if shipment.receiver_name %}，签收人：{{ shipment.receiver_name }}{% endif %}。\n",
    ),
    ("delivered", "en"): Template(
        "Order {{ order.number }} was delivered",
        _HELLO_EN + "your order {{ order.number }} (shipment {{ shipment.number }}) was delivered "
        "{{ shipment.delivered_at or '' }}{% if shipment.receiver_name %}, received by "
        "{{ shipment.receiver_name }}{% endif %}.\n",
    ),
    ("delivery_exception", "zh-CN"): Template(
        "订单 {{ order.number }} 配送异常",
        _HELLO_ZH
        + "您的订单 {{ order.number }} 配送遇到问题（{{ shipment.status }}），我们正在处理。\n\n"
        + _TRACK_ZH,
    ),
    ("delivery_exception", "en"): Template(
        "A problem with the delivery of order {{ order.number }}",
        _HELLO_EN + "the delivery of your order {{ order.number }} ran into a problem "
        "({{ shipment.status }}); we are on it.\n\n" + _TRACK_EN,
    ),
    ("refund_paid", "zh-CN"): Template(
        "退款已支付：{{ refund.number }}",
        _HELLO_ZH
        + "退款 {{ refund.number }} 共 {{ refund.amount }} {{ refund.currency }} 已于 {{ refund.refunded_on }} 支付。\n",
    ),
    ("refund_paid", "en"): Template(
        "Refund {{ refund.number }} paid",
        _HELLO_EN + "refund {{ refund.number }} of {{ refund.amount }} {{ refund.currency }} "
        "was paid on {{ refund.refunded_on }}.\n",
    ),
    ("invoice_issued", "zh-CN"): Template(
        "发票 {{ invoice.number }} 已开具",
        _HELLO_ZH
        + "发票 {{ invoice.number }} 已开具，金额 {{ invoice.total }} {{ invoice.currency }}，"
        "到期日 {{ invoice.due_date }}。\n",
    ),
    ("invoice_issued", "en"): Template(
        "Invoice {{ invoice.number }} issued",
        _HELLO_EN + "invoice {{ invoice.number }} for {{ invoice.total }} {{ invoice.currency }} "
        "was issued; it is due on {{ invoice.due_date }}.\n",
    ),
    ("invoice_overdue", "zh-CN"): Template(
        "付款提醒：发票 {{ invoice.number }} 已逾期 {{ invoice.days_overdue }} 天",
        _HELLO_ZH + "发票 {{ invoice.number }} 已于 {{ invoice.due_date }} 到期，尚欠 "
        "{{ invoice.balance }} {{ invoice.currency }}，请尽快付款。\n",
    ),
    ("invoice_overdue", "en"): Template(
        "Reminder: invoice {{ invoice.number }} is {{ invoice.days_overdue }} days overdue",
        _HELLO_EN + "invoice {{ invoice.number }} was due on {{ invoice.due_date }}; "
        "{{ invoice.balance }} {{ invoice.currency }} is still open. Please pay it soon.\n",
    ),
    ("alert_raised", "zh-CN"): Template(
        "[{{ alert.severity }}] 预警：{{ alert.message }}",
        "预警 {{ alert.rule }}（{{ alert.severity }}，由 {{ alert.role }} 处理）\n\n{{ alert.message }}\n\n"
        "对象：{{ alert.subject_type }} {{ alert.subject_id }}\n链接：{{ alert.link }}\n开始于：{{ alert.opened_at }}\n",
    ),
    ("alert_raised", "en"): Template(
        "[{{ alert.severity }}] Alert: {{ alert.message }}",
        "Alert {{ alert.rule }} ({{ alert.severity }}, for {{ alert.role }})\n\n{{ alert.message }}\n\n"
        "Subject: {{ alert.subject_type }} {{ alert.subject_id }}\nLink: {{ alert.link }}\n"
        "Opened at: {{ alert.opened_at }}\n",
    ),
}

SMS: dict[tuple[str, str], str] = {
    (
        "order_confirmed",
        "zh-CN",
    ): "【{{ company }}】订单{{ order.number }}已确认，预计交货{{ order.promised_date or '待定' }}。",
    (
        "order_confirmed",
        "en",
    ): "{{ company }}: order {{ order.number }} confirmed, promised {{ order.promised_date or 'TBC' }}.",
    (
        "shipped",
        "zh-CN",
    ): "【{{ company }}】订单{{ order.number }}已发货，{{ shipment.carrier_name or shipment.carrier }}运单号{{ shipment.tracking_number or '—' }}，跟踪：{{ shipment.tracking_link }}",
    (
        "shipped",
        "en",
    ): "{{ company }}: order {{ order.number }} shipped, {{ shipment.carrier_name or shipment.carrier }} {{ shipment.tracking_number or '' }}. Track: {{ shipment.tracking_link }}",
    (
        "out_for_delivery",
        "zh-CN",
    ): "【{{ company }}】订单{{ order.number }}正在派送，请保持电话畅通。",
    (
        "out_for_delivery",
        "en",
    ): "{{ company }}: order {{ order.number }} is out for delivery today.",
    ("delivered", "zh-CN"): "【{{ company }}】订单{{ order.number }}已送达。",
    ("delivered", "en"): "{{ company }}: order {{ order.number }} was delivered.",
    (
        "delivery_exception",
        "zh-CN",
    ): "【{{ company }}】订单{{ order.number }}配送异常，我们正在处理：{{ shipment.tracking_link }}",
    (
        "delivery_exception",
        "en",
    ): "{{ company }}: a problem with the delivery of order {{ order.number }}; we are on it. {{ shipment.tracking_link }}",
    (
        "refund_paid",
        "zh-CN",
    ): "【{{ company }}】退款{{ refund.number }}（{{ refund.amount }} {{ refund.currency }}）已支付。",
    (
        "refund_paid",
        "en",
    ): "{{ company }}: refund {{ refund.number }} of {{ refund.amount }} {{ refund.currency }} paid.",
    (
        "invoice_issued",
        "zh-CN",
    ): "【{{ company }}】发票{{ invoice.number }}已开具，金额{{ invoice.total }} {{ invoice.currency }}，到期日{{ invoice.due_date }}。",
    (
        "invoice_issued",
        "en",
    ): "{{ company }}: invoice {{ invoice.number }}, {{ invoice.total }} {{ invoice.currency }}, due {{ invoice.due_date }}.",
    (
        "invoice_overdue",
        "zh-CN",
    ): "【{{ company }}】发票{{ invoice.number }}已逾期{{ invoice.days_overdue }}天，尚欠{{ invoice.balance }} {{ invoice.currency }}，请尽快付款。",
    (
        "invoice_overdue",
        "en",
    ): "{{ company }}: invoice {{ invoice.number }} is {{ invoice.days_overdue }} days overdue, {{ invoice.balance }} {{ invoice.currency }} open.",
}


def default_template(kind: str, channel: str, language: str) -> Template | None:
    """The shipped template, or None when the kind is not sent on that channel."""
    if channel == "email":
        return EMAIL.get((kind, language))
    body = SMS.get((kind, language))
    return Template(None, body) if body is not None else None
