"""Exchange rates: record a dated rate, read one, list them. The rates in force for converting
carrier quotes are read with ``uow.exchange_rates.in_force``."""
