"""Stock use cases: record a manual movement, list movements and levels, availability.

Modules: ``commands`` (what the router sends), ``movements`` (recording a receipt or an
adjustment), ``queries`` (the ledger, levels, availability), ``views`` (what they answer) and
``lookups`` (the warehouse and product a request names).
"""
