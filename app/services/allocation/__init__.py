"""Allocation and reservation use cases: promise real stock to approved orders, never twice.

Reserving: the stock rows an allocation may touch are locked in one fixed order (product, then
warehouse) before their availability is read, and each reservation is also a guarded UPDATE, so
concurrent orders can neither oversell nor deadlock on each other. Releasing (cancel, reject,
deallocate, expiry, a reduced quantity) gives back reserved stock in the same transaction.

Modules: ``commands`` (what the routers and the worker send), ``allocate`` (allocation of an
approved order), ``explanation`` (why it got what it got), ``release`` (giving stock back,
deallocation, expiry of unpaid reservations), ``backorders`` (stock arrived; the backorder
list), ``reactions`` (the bus's handlers) and ``queries``.
"""
