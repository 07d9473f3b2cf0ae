"""E-invoice providers: who issues and voids invoices with the tax authority (电子发票)."""
