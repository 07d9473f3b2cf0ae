"""Order to cash: invoices, payments, credit notes, statements (one area of the bus)."""
