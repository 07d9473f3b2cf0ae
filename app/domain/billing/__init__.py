"""Order to cash (开票与结算): invoices, settlement, credit notes and the books they post."""
