"""How the API shows a shipment: its lines, packages, proof of delivery and label."""

from __future__ import annotations

from app.schemas.shipments import (
    CarrierRef,
    LabelRead,
    PackageItemRead,
    PackageRead,
    ShipmentCustomer,
    ShipmentLineRead,
    ShipmentRead,
)
from app.services.shipments.views import ShipmentView


def _label(view: ShipmentView) -> LabelRead:
    s = view.shipment
    rate = s.label_rate or {}
    return LabelRead(
        status=s.label_status,
        reason=s.label_reason,
        attempts=s.label_attempts,
        next_attempt_at=s.label_retry_at if s.label_status == "pending" else None,
        carrier=rate.get("carrier"),
        provider=rate.get("provider"),
        service=s.service or rate.get("service"),
        tracking_number=s.tracking_number,
        cost=s.shipping_cost,
        currency=s.shipping_currency,
        promised_date=s.promised_date,
        document_url=f"/api/v1/shipments/{s.id}/label" if s.label_status == "purchased" else None,
    )


def shipment_read(view: ShipmentView) -> ShipmentRead:
    s = view.shipment
    return ShipmentRead(
        id=s.id,
        number=s.number,
        status=s.status,
        order_id=s.order_id,
        order_number=view.order.number,
        customer=ShipmentCustomer(code=view.order.customer_code, name=view.order.customer_name),
        warehouse_id=s.warehouse_id,
        warehouse=view.warehouse,
        carrier=CarrierRef(code=view.carrier.code, name=view.carrier.name)
        if view.carrier
        else None,
        own_fleet=view.carrier is None,
        ship_to=s.ship_to,
        lines=[ShipmentLineRead.model_validate(x, from_attributes=True) for x in view.lines],
        packages=[
            PackageRead(
                package_no=p.package_no,
                weight_kg=p.weight_kg,
                length_cm=p.length_cm,
                width_cm=p.width_cm,
                height_cm=p.height_cm,
                contents=[
                    PackageItemRead(sku=c["sku"], quantity=c["quantity"]) for c in p.contents
                ],
            )
            for p in view.packages
        ],
        verified_at=s.verified_at,
        verified_by=s.verified_by,
        shipped_at=s.shipped_at,
        shipped_by=s.shipped_by,
        vehicle_plate=s.vehicle_plate,
        driver=s.driver,
        promised_date=s.promised_date,
        promised_at=s.promised_at,
        delivered_at=s.delivered_at,
        delivered_by=s.delivered_by,
        receiver_name=s.receiver_name,
        has_signature=s.signature is not None,
        has_photo=s.photo_content_type is not None,
        label=_label(view),
        tracking_status=s.tracking_status,
        created_by=s.created_by,
        created_at=s.created_at,
        updated_at=s.updated_at,
        version=s.version,
    )
