"""Pick lists (拣货单): create one for chosen orders or a wave (``create``), assign a picker
(``assign``), confirm what was picked (``confirm``: a short pick takes the missing stock off
the books and the orders are allocated again in the same transaction, so an order never
silently ships short), read them (``queries``). Commands are in ``commands``."""
