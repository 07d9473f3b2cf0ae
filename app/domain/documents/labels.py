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
    "pick_list": {"zh-CN": "拣货单", "en": "Pick list"},
    "delivery_note": {"zh-CN": "发货单", "en": "Delivery note"},
    "packing_slip": {"zh-CN": "装箱单", "en": "Packing slip"},
    "shipping_label": {"zh-CN": "面单", "en": "Shipping label"},
    "warehouse": {"zh-CN": "仓库", "en": "Warehouse"},
    "picker": {"zh-CN": "拣货员", "en": "Picker"},
    "status": {"zh-CN": "状态", "en": "Status"},
    "created_at": {"zh-CN": "创建时间", "en": "Created"},
    "orders": {"zh-CN": "订单", "en": "Orders"},
    "lines": {"zh-CN": "行数", "en": "Lines"},
    "pick_lines": {"zh-CN": "拣货明细", "en": "Lines to pick"},
    "zone": {"zh-CN": "{zone} 区", "en": "Zone {zone}"},
    "no_location": {"zh-CN": "未指定库位", "en": "No bin location"},
    "location": {"zh-CN": "库位", "en": "Bin"},
    "sku": {"zh-CN": "SKU", "en": "SKU"},
    "product_name": {"zh-CN": "品名", "en": "Product"},
    "spec": {"zh-CN": "规格", "en": "Spec."},
    "quantity": {"zh-CN": "数量", "en": "Qty"},
    "unit": {"zh-CN": "单位", "en": "Unit"},
    "checked": {"zh-CN": "核对", "en": "Check"},
    "barcode": {"zh-CN": "条码", "en": "Barcode"},
    "order_number": {"zh-CN": "订单号", "en": "Order"},
    "customer": {"zh-CN": "客户", "en": "Customer"},
    "ship_to": {"zh-CN": "收货地址", "en": "Ship to"},
    "contact": {"zh-CN": "联系人", "en": "Contact"},
    "receiver": {"zh-CN": "收货人", "en": "Receiver"},
    "carrier": {"zh-CN": "承运商", "en": "Carrier"},
    "own_fleet": {"zh-CN": "自有车队", "en": "Own fleet"},
    "service": {"zh-CN": "服务", "en": "Service"},
    "tracking_number": {"zh-CN": "运单号", "en": "Tracking no."},
    "promised_date": {"zh-CN": "承诺送达", "en": "Promised"},
    "shipment_number": {"zh-CN": "发货单号", "en": "Shipment"},
    "goods": {"zh-CN": "货物明细", "en": "Goods"},
    "packages": {"zh-CN": "包裹", "en": "Packages"},
    "package_no": {"zh-CN": "箱号", "en": "Package"},
    "weight_kg": {"zh-CN": "重量 (kg)", "en": "Weight (kg)"},
    "dimensions_cm": {"zh-CN": "尺寸 (cm)", "en": "Size (cm)"},
    "items": {"zh-CN": "件数", "en": "Items"},
    "package_of": {"zh-CN": "第 {n} 箱 / 共 {m} 箱", "en": "Package {n} of {m}"},
    "contents": {"zh-CN": "箱内物品", "en": "Contents"},
    "total_weight": {"zh-CN": "总重量", "en": "Total weight"},
    "scan_to_track": {"zh-CN": "扫码查询物流", "en": "Scan to track"},
    "warehouse_check": {"zh-CN": "仓库核对", "en": "Checked by (warehouse)"},
    "receipt": {"zh-CN": "收货人签收", "en": "Received by"},
    "sender": {"zh-CN": "寄件", "en": "From"},
    "vehicle": {"zh-CN": "车辆", "en": "Vehicle"},
    "driver": {"zh-CN": "司机", "en": "Driver"},
}


def label(key: str, language: str, **values: object) -> str:
    """The label ``key`` in ``language`` (zh-CN for any language not in the table), with
    ``{placeholders}`` filled from ``values``."""
    texts = LABELS[key]
    text = texts.get(language) or texts["zh-CN"]
    return text.format(**values) if values else text
