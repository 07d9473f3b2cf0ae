"""Every label the printed documents show, in each language they are printed in (zh-CN, en):
one table, so a missing translation is one test away. Keys are stable snake_case names."""

from __future__ import annotations

LANGUAGES = ("zh-CN", "en")

LABELS: dict[str, dict[str, str]] = {
    # renderer (every document)
    "number": {"zh-CN": "编号", "en": "No."},
    "continued": {"zh-CN": "续", "en": "continued"},
    "address": {"zh-CN": "地址", "en": "Address"},
    "tax_id": {"zh-CN": "税号", "en": "Tax ID"},
    "phone": {"zh-CN": "电话", "en": "Tel."},
    "signature_date": {"zh-CN": "日期", "en": "Date"},
    # warehouse documents
}


def label(key: str, language: str) -> str:
    """The label ``key`` in ``language`` (zh-CN for any language not in the table)."""
    texts = LABELS[key]
    return texts.get(language) or texts["zh-CN"]
