"""Shipments (发货单): create one from what was picked for an order (``create``), verify it by
scanning (``verify``), confirm it (``confirm``, 发货确认: the reservations are consumed and the
stock issued, in one transaction) and record the delivery (``deliver``: the own fleet, or the
carrier's report through ``reactions``); read them (``queries``). Commands are in
``commands``; ``views`` is what every shipment use case reads; carriers, rates, labels and
tracking have their own modules."""
