"""How approved returns come back, in the shipping area because return labels are bought
from the carriers: a return label bought exactly as a shipment's label is (the purchase taken
with a stable idempotency key in one transaction, the carrier asked with none open, the
answer settled in another), the return's tracking from the carriers' webhooks, and own-fleet
pickups. Returns are loaded and updated through ``uow.returns``.

There is no worker retry for return labels: a purchase whose outcome is unknown (carrier
down, timeout, garbled answer) stays ``pending`` with the reason in ``label_error`` and the
endpoint answers 503; calling it again retries with the same key, so it never buys two
labels. A carrier that refuses leaves the label ``failed`` (409 ``label_refused``)."""
