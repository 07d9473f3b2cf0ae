"""Column headers of the exported reports, in English and in Chinese (zh-CN callers)."""

from __future__ import annotations

from collections.abc import Mapping

ZH: dict[str, str] = {
    "period": "期间",
    "key": "键",
    "label": "名称",
    "currency": "币种",
    "orders": "订单数",
    "units": "数量",
    "net": "净销售额",
    "average_order_value": "平均订单金额",
    "previous_net": "上期净销售额",
    "change": "环比变化",
    "shipped": "已发货订单",
    "in_full": "足量发货",
    "on_time": "准时交付",
    "otif": "准时足量",
    "otif_rate": "准时足量率",
    "on_time_rate": "准时率",
    "fill_rate": "首次分配满足率",
    "approval_p50_hours": "审批时长P50(小时)",
    "approval_p90_hours": "审批时长P90(小时)",
    "allocation_p50_hours": "分配时长P50(小时)",
    "allocation_p90_hours": "分配时长P90(小时)",
    "shipment_p50_hours": "发货时长P50(小时)",
    "shipment_p90_hours": "发货时长P90(小时)",
    "delivery_p50_hours": "配送时长P50(小时)",
    "delivery_p90_hours": "配送时长P90(小时)",
    "total_p50_hours": "总时长P50(小时)",
    "total_p90_hours": "总时长P90(小时)",
    "warehouse": "仓库",
    "sku": "商品编码",
    "on_hand": "在库",
    "reserved": "已锁定",
    "available": "可用",
    "value": "库存金额",
    "issued": "出库数量",
    "days_of_cover": "可供天数",
    "turnover": "周转率",
    "slow_mover": "滞销",
    "below_reorder": "低于再订货点",
}


def wants_chinese(accept_language: str | None) -> bool:
    """Whether the caller's first language is Chinese (``zh-CN``, ``zh``, ``zh-Hans``…)."""
    if not accept_language:
        return False
    first = accept_language.split(",")[0].split(";")[0].strip().lower()
    return first == "zh" or first.startswith("zh-")


def headers(columns: list[str], chinese: bool, own: Mapping[str, str] | None = None) -> list[str]:
    """The columns' headers; in Chinese, a report's ``own`` names first, then the shared ones."""
    if not chinese:
        return list(columns)
    names = {**ZH, **(own or {})}
    return [names.get(c, c) for c in columns]
