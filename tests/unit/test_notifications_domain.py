"""Notification rules without a database: which event makes which kind, who receives it, the
dunning steps, the sandbox, and every default template rendering against its kind's sample."""

from __future__ import annotations

from datetime import date
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from jinja2.exceptions import SecurityError, UndefinedError

from app.adapters.notifiers.base import OutboundMessage
from app.adapters.notifiers.smtp import build_message
from app.domain.errors import RuleViolation
from app.domain.notifications.dunning import due_window
from app.domain.notifications.kinds import (
    NotificationChannel,
    NotificationKind,
    kind_of,
    subject_of,
)
from app.domain.notifications.recipients import SkipReason, customer_recipient, staff_recipient
from app.services.notifications.context import sample_context
from app.services.notifications.defaults import default_template
from app.services.notifications.rendering import check_template, render_text
from app.services.notifications.templates import keys
from app.settings import Settings


@pytest.mark.parametrize(
    ("event_type", "payload", "kind"),
    [
        ("order.approved", {}, NotificationKind.ORDER_CONFIRMED),
        ("order.created", {}, None),
        ("order.allocated", {}, None),
        ("order.shipped", {}, NotificationKind.SHIPPED),
        ("order.delivered", {}, NotificationKind.DELIVERED),
        (
            "shipment.tracking_updated",
            {"status": "out_for_delivery"},
            NotificationKind.OUT_FOR_DELIVERY,
        ),
        ("shipment.tracking_updated", {"status": "exception"}, NotificationKind.DELIVERY_EXCEPTION),
        (
            "shipment.tracking_updated",
            {"status": "delivery_failed"},
            NotificationKind.DELIVERY_EXCEPTION,
        ),
        ("shipment.tracking_updated", {"status": "in_transit"}, None),
        ("refund.paid", {}, NotificationKind.REFUND_PAID),
        ("invoice.issued", {}, NotificationKind.INVOICE_ISSUED),
        ("return.requested", {}, None),
        ("return.approved", {}, NotificationKind.RETURN_APPROVED),
        ("return.refused", {}, NotificationKind.RETURN_REFUSED),
        ("return.received", {}, NotificationKind.RETURN_RECEIVED),
        ("return.refunded", {}, None),  # refund.paid tells the customer about the money
        ("return.resolved", {}, NotificationKind.RETURN_RESOLVED),
        ("return.label_purchased", {}, None),
        ("alert.raised", {}, NotificationKind.ALERT_RAISED),
        ("alert.resolved", {}, None),
    ],
)
def test_events_make_their_kinds(event_type, payload, kind) -> None:
    assert kind_of(event_type, payload) == kind


def test_shipping_kinds_are_about_the_shipment() -> None:
    subject = subject_of(NotificationKind.SHIPPED, "order", "o-1", {"shipment_id": "s-1"})
    assert (subject.type, subject.id) == ("shipment", "s-1")
    tracking = subject_of(
        NotificationKind.OUT_FOR_DELIVERY, "shipment", "s-2", {"shipment_id": "s-2"}
    )
    assert (tracking.type, tracking.id) == ("shipment", "s-2")
    assert subject_of(NotificationKind.ORDER_CONFIRMED, "order", "o-1", {}).id == "o-1"


def test_return_kinds_are_about_the_return() -> None:
    subject = subject_of(NotificationKind.RETURN_RESOLVED, "return", "r-1", {"order_id": "o-1"})
    assert (subject.type, subject.id) == ("return", "r-1")


CONTACTS = [
    {"name": "前台", "phone": None, "email": None},
    {"name": "王经理", "phone": "+8613800138000", "email": "wang@example.cn"},
    {"name": "李会计", "phone": "+8613900139000", "email": "li@example.cn"},
]


def test_the_first_contact_with_an_address_receives() -> None:
    assert customer_recipient(CONTACTS, NotificationChannel.EMAIL, []).address == "wang@example.cn"
    assert customer_recipient(CONTACTS, NotificationChannel.SMS, []).address == "+8613800138000"


def test_opted_out_and_missing_addresses_are_skipped() -> None:
    out = customer_recipient(CONTACTS, NotificationChannel.SMS, [NotificationChannel.SMS])
    assert (out.address, out.skipped) == (None, SkipReason.OPTED_OUT)
    assert customer_recipient(
        CONTACTS, NotificationChannel.EMAIL, [NotificationChannel.SMS]
    ).address
    none = customer_recipient(CONTACTS[:1], NotificationChannel.EMAIL, [])
    assert none.skipped == SkipReason.NO_ADDRESS
    assert staff_recipient([]).skipped == SkipReason.NO_ADDRESS
    assert staff_recipient(["a@x.cn", "b@x.cn"]).address == "a@x.cn, b@x.cn"


def test_an_invoice_gets_the_dunning_step_it_is_at() -> None:
    today = date(2026, 12, 20)
    steps = [14, 1, 7]
    # Step 1: due 1 to 6 days ago; step 7: 7 to 13 days ago; step 14: 14 days ago or more.
    assert due_window(steps, 1, today) == (date(2026, 12, 19), date(2026, 12, 14))
    assert due_window(steps, 7, today) == (date(2026, 12, 13), date(2026, 12, 7))
    assert due_window(steps, 14, today) == (date(2026, 12, 6), None)


def test_the_sandbox_refuses_unsafe_attributes() -> None:
    with pytest.raises(SecurityError):
        render_text("{{ ''.__class__.__mro__[1].__subclasses__() }}", {})
    with pytest.raises(SecurityError):
        render_text("{{ order.number.__class__.__init__.__globals__ }}", {"order": {"number": "x"}})
    with pytest.raises(RuleViolation) as refused:
        check_template("{{ cycler.__init__.__globals__ }}", "ok", {})
    assert [i.field for i in refused.value.issues] == ["subject"]


def test_undefined_variables_and_bad_syntax_are_refused_naming_the_field() -> None:
    with pytest.raises(UndefinedError):
        render_text("{{ order.nope }}", {"order": {}})
    with pytest.raises(RuleViolation) as refused:
        check_template("ok", "{% for x in %}", {})
    assert [(i.field, i.rule) for i in refused.value.issues] == [("body", "renders")]


def test_text_is_not_escaped() -> None:
    assert render_text("{{ name }}", {"name": "A & B <Ltd>"}) == "A & B <Ltd>"


@pytest.mark.parametrize("key", keys())
def test_every_default_renders_against_its_sample(key) -> None:
    kind, channel, language = key
    template = default_template(kind, channel, language)
    assert template is not None
    check_template(
        template.subject, template.body, sample_context(NotificationKind(kind), Settings())
    )
    assert (template.subject is None) == (channel == "sms")


def test_both_languages_exist_for_every_kind_and_channel() -> None:
    for kind in NotificationKind:
        channels = ["email"] if kind is NotificationKind.ALERT_RAISED else ["email", "sms"]
        for channel in channels:
            for language in ("zh-CN", "en"):
                assert (kind.value, channel, language) in keys()


def test_an_email_message_is_utf8_with_the_chinese_subject() -> None:
    email = build_message(
        "Lading <noreply@lading.test>",
        OutboundMessage("wang@example.cn", "订单确认：SO-1", "您好，订单已确认。"),
    )
    parsed = message_from_bytes(email.as_bytes(), policy=default_policy)
    assert parsed["Subject"] == "订单确认：SO-1"
    assert parsed.get_content().strip() == "您好，订单已确认。"
    assert parsed.get_content_charset() == "utf-8"


def test_huge_products_are_refused_by_the_sandbox() -> None:
    with pytest.raises(SecurityError):
        render_text("{{ 'x' * 10000000 }}", {})
    with pytest.raises(SecurityError):
        render_text("{{ 10 ** 100000 }}", {})
    assert render_text("{{ '-' * 10 }}{{ 2 ** 10 }}", {}) == "----------1024"
    with pytest.raises(RuleViolation):
        check_template("{{ 1 / 0 }}", "ok", {})  # not a TemplateError, still refused


def test_phone_numbers_are_sent_without_their_punctuation() -> None:
    contacts = [{"name": "王芳", "phone": "+86 (21) 5080-1234"}]
    assert customer_recipient(contacts, NotificationChannel.SMS, []).address == "+862150801234"


def test_notification_settings_are_checked() -> None:
    from pydantic import ValidationError

    assert Settings(_env_file=None, dunning_days="14, 1,7,7").dunning_days == [1, 7, 14]  # type: ignore[call-arg]
    for bad in (
        {"dunning_days": "0,7"},
        {"staff_emails": {"warehouse": ["not-an-address"]}},
        {"public_base_url": "lading.example.cn"},
    ):
        with pytest.raises(ValidationError):
            Settings(_env_file=None, **bad)  # type: ignore[call-arg]


def _resolved(channel: str, language: str, **facts: object) -> str:
    template = default_template("return_resolved", channel, language)
    assert template is not None
    context = sample_context(NotificationKind.RETURN_RESOLVED, Settings())
    context["return"].update(facts)
    return render_text(template.body, context)


def test_a_resolved_return_says_how_it_was_resolved() -> None:
    assert "已为您退款 200.00 CNY" in _resolved("email", "zh-CN")
    assert "退回商品的货款已记入您的账户" in _resolved("email", "zh-CN", refunded_amount=None)
    replaced = {"resolution": "replacement", "resolution_order_number": "SO-2026-000200"}
    assert "补发订单号 SO-2026-000200" in _resolved("sms", "zh-CN", **replaced)
    exchanged = {"resolution": "exchange", "resolution_order_number": "SO-2026-000201"}
    assert "exchange order SO-2026-000201" in _resolved("email", "en", **exchanged)


@pytest.mark.parametrize(
    ("method", "says"),
    [
        ("drop_off", "请将商品送至杭州仓（浙江省 杭州市 余杭区 文一西路 969 号 311100）"),
        ("carrier_label", "快递寄回。我们将为您准备退货面单"),
        ("pickup", "上门取件。我们将派车上门取回商品（2026-12-09 09:00-12:00）"),
    ],
)
def test_an_approved_return_says_how_the_goods_come_back(method, says) -> None:
    template = default_template("return_approved", "email", "zh-CN")
    assert template is not None
    context = sample_context(NotificationKind.RETURN_APPROVED, Settings())
    context["return"].update(method=method, pickup_on="2026-12-09", pickup_window="09:00-12:00")
    assert says in render_text(template.body, context)
