"""Who sends and who receives a carrier shipment, and the parcel handed over, from Lading's
master data (for carriers that rate on full addresses, such as EasyPost).

- **Sender**: the shipment's warehouse — its name as the sender's name, its address; the
  company (``LADING_COMPANY_NAME``) and phone (``LADING_SHIPPER_PHONE``) come from settings,
  because warehouses keep neither.
- **Receiver**: the order's ship-to address; the name and phone of the customer's first
  contact that has a phone (else its first contact, else the customer's name), the
  customer's name as the company, and that contact's email.
- **Parcel**: the shipment's package when it has one. EasyPost rates one parcel per
  shipment, so several packages go as one parcel of their total weight with the largest
  package's dimensions; a shipment without packages leaves the parcel to the adapter's
  default dimensions.

Addresses map ``region`` → state, ``postcode`` → zip, ``street`` → first line and
``district`` (区) → second line."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from app.adapters.carriers.base import Parcel, PostalAddress
from app.repositories.customers import Customer
from app.repositories.shipments import ShipmentPackage
from app.repositories.warehouses import Warehouse
from app.settings import Settings


def _postal(address: Mapping[str, Any], **who: str | None) -> PostalAddress:
    def part(key: str) -> str | None:
        value = address.get(key)
        return str(value) if value not in (None, "") else None

    return PostalAddress(
        name=who.pop("name") or "",
        street1=part("street") or "",
        street2=part("district"),
        city=part("city") or "",
        state=part("region"),
        zip=part("postcode"),
        country=part("country") or "",
        **who,
    )


def sender(warehouse: Warehouse, settings: Settings) -> PostalAddress | None:
    """The warehouse as sender; None when it has no address on file."""
    if not warehouse.address:
        return None
    return _postal(
        warehouse.address,
        name=warehouse.name,
        company=settings.company_name,
        phone=settings.shipper_phone,
    )


def _contact(customer: Customer | None) -> Mapping[str, Any]:
    contacts = [c for c in (customer.contacts if customer else []) if isinstance(c, dict)]
    return next((c for c in contacts if c.get("phone")), contacts[0] if contacts else {})


def receiver(
    ship_to: Mapping[str, Any], customer_name: str, customer: Customer | None
) -> PostalAddress | None:
    """The ship-to with the customer's contact; None without a street and city."""
    if not ship_to.get("street") or not ship_to.get("city"):
        return None
    contact = _contact(customer)
    # A shop's order names its own recipient and phone (an account customer's retail orders).
    return _postal(
        ship_to,
        name=ship_to.get("recipient") or contact.get("name") or customer_name,
        company=customer_name,
        phone=ship_to.get("phone") or contact.get("phone"),
        email=contact.get("email"),
    )


def parcel_of(packages: Sequence[ShipmentPackage], weight_kg: Decimal) -> Parcel | None:
    if not packages:
        return None
    largest = max(packages, key=lambda p: (p.length_cm * p.width_cm * p.height_cm, p.package_no))
    return Parcel(weight_kg, largest.length_cm, largest.width_cm, largest.height_cm)
