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
_RETURNED_ZH = "{% for line in return.lines %}- {{ line.name }}（{{ line.sku }}）× {{ line.quantity }}\n{% endfor %}"
_RETURNED_EN = "{% for line in return.lines %}- {{ line.name }} ({{ line.sku }}) x {{ line.quantity }}\n{% endfor %}"
_ARRIVED_ZH = "{% for line in return.arrived %}- {{ line.name }}（{{ line.sku }}）× {{ line.quantity }}\n{% endfor %}"
_ARRIVED_EN = "{% for line in return.arrived %}- {{ line.name }} ({{ line.sku }}) x {{ line.quantity }}\n{% endfor %}"
_HOW_BACK_ZH = (
    "退回方式："
    "{% if return.method == 'carrier_label' %}快递寄回。我们将为您准备退货面单，请凭面单将商品寄回。"
    "{% elif return.method == 'pickup' %}上门取件。我们将派车上门取回商品{% if return.pickup_on %}（{{ return.pickup_on }}{% if return.pickup_window %} {{ return.pickup_window }}{% endif %}）{% endif %}。"
    "{% else %}自行送回。请将商品送至{{ return.warehouse or '我们的仓库' }}{% if return.warehouse_address %}（{{ return.warehouse_address }}）{% endif %}，并注明退货单号 {{ return.number }}。{% endif %}\n"
)
_HOW_BACK_EN = (
    "How it comes back: "
    "{% if return.method == 'carrier_label' %}by carrier, with a return label we prepare for you; please ship the goods with it."
    "{% elif return.method == 'pickup' %}our own fleet picks the goods up{% if return.pickup_on %} on {{ return.pickup_on }}{% if return.pickup_window %}, {{ return.pickup_window }}{% endif %}{% endif %}."
    "{% else %}please bring the goods to {{ return.warehouse or 'our warehouse' }}{% if return.warehouse_address %} ({{ return.warehouse_address }}){% endif %}, quoting {{ return.number }}.{% endif %}\n"
)
_RESOLVED_ZH = (
    "{% if return.resolution == 'refund' %}{% if return.refunded_amount %}已为您退款 {{ return.refunded_amount }} {{ return.currency }}。"
    "{% else %}退回商品的货款已记入您的账户。{% endif %}"
    "{% elif return.resolution == 'replacement' %}我们将为您补发商品，补发订单号 {{ return.resolution_order_number }}。"
    "{% else %}我们已为您创建换货订单 {{ return.resolution_order_number }}。{% endif %}"
)
_RESOLVED_EN = (
    "{% if return.resolution == 'refund' %}{% if return.refunded_amount %}{{ return.refunded_amount }} {{ return.currency }} is refunded to you."
    "{% else %}the value of the returned goods is credited to your account.{% endif %}"
    "{% elif return.resolution == 'replacement' %}we will send replacement goods with order {{ return.resolution_order_number }}."
    "{% else %}the goods you asked for instead come with exchange order {{ return.resolution_order_number }}.{% endif %}"
)

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
    ("return_approved", "zh-CN"): Template(
        "退货单 {{ return.number }} 已批准",
        _HELLO_ZH
        + "您的退货申请 {{ return.number }}（订单 {{ return.order_number }}）已批准。\n\n退回商品：\n"
        + _RETURNED_ZH
        + "\n"
        + _HOW_BACK_ZH,
    ),
    ("return_approved", "en"): Template(
        "Return {{ return.number }} approved",
        _HELLO_EN
        + "your return {{ return.number }} (order {{ return.order_number }}) is approved.\n\nComing back:\n"
        + _RETURNED_EN
        + "\n"
        + _HOW_BACK_EN,
    ),
    ("return_refused", "zh-CN"): Template(
        "退货单 {{ return.number }} 未获批准",
        _HELLO_ZH
        + "很抱歉，您的退货申请 {{ return.number }}（订单 {{ return.order_number }}）未获批准。\n"
        "原因：{{ return.refusal_reason }}\n",
    ),
    ("return_refused", "en"): Template(
        "Return {{ return.number }} refused",
        _HELLO_EN
        + "we are sorry: your return {{ return.number }} (order {{ return.order_number }}) was refused.\n"
        "Reason: {{ return.refusal_reason }}\n",
    ),
    ("return_received", "zh-CN"): Template(
        "退货单 {{ return.number }} 的商品已收到",
        _HELLO_ZH
        + "我们已收到退货单 {{ return.number }} 退回的商品：\n"
        + _ARRIVED_ZH
        + "\n我们将尽快为您处理。\n",
    ),
    ("return_received", "en"): Template(
        "Return {{ return.number }} received",
        _HELLO_EN
        + "we have received the goods of your return {{ return.number }}:\n"
        + _ARRIVED_EN
        + "\nWe will settle it soon.\n",
    ),
    ("return_resolved", "zh-CN"): Template(
        "退货单 {{ return.number }} 已处理完毕",
        _HELLO_ZH + "您的退货单 {{ return.number }} 已处理完毕：" + _RESOLVED_ZH + "\n",
    ),
    ("return_resolved", "en"): Template(
        "Return {{ return.number }} resolved",
        _HELLO_EN + "your return {{ return.number }} is resolved: " + _RESOLVED_EN + "\n",
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
    (
        "return_approved",
        "zh-CN",
    ): "【{{ company }}】退货单{{ return.number }}已批准，{% if return.method == 'carrier_label' %}请凭退货面单寄回商品{% elif return.method == 'pickup' %}我们将上门取件{% else %}请将商品送至{{ return.warehouse or '我们的仓库' }}{% endif %}。",
    (
        "return_approved",
        "en",
    ): "{{ company }}: return {{ return.number }} approved; {% if return.method == 'carrier_label' %}ship the goods with the return label{% elif return.method == 'pickup' %}we will pick the goods up{% else %}please bring the goods to {{ return.warehouse or 'our warehouse' }}{% endif %}.",
    (
        "return_refused",
        "zh-CN",
    ): "【{{ company }}】很抱歉，退货单{{ return.number }}未获批准：{{ return.refusal_reason }}",
    (
        "return_refused",
        "en",
    ): "{{ company }}: return {{ return.number }} was refused: {{ return.refusal_reason }}",
    (
        "return_received",
        "zh-CN",
    ): "【{{ company }}】退货单{{ return.number }}的商品已收到，我们将尽快处理。",
    (
        "return_received",
        "en",
    ): "{{ company }}: the goods of return {{ return.number }} arrived; we will settle it soon.",
    (
        "return_resolved",
        "zh-CN",
    ): "【{{ company }}】退货单{{ return.number }}已处理完毕：" + _RESOLVED_ZH,
    (
        "return_resolved",
        "en",
    ): "{{ company }}: return {{ return.number }} resolved: " + _RESOLVED_EN,
}


def default_template(kind: str, channel: str, language: str) -> Template | None:
    """The shipped template, or None when the kind is not sent on that channel."""
    if channel == "email":
        return EMAIL.get((kind, language))
    body = SMS.get((kind, language))
    return Template(None, body) if body is not None else None
