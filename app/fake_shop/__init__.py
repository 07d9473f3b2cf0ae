"""A fake Shopify shop for ``make run DEMO=1`` (``lading fake-shop``): it sends Lading a
signed ``orders/create`` webhook and answers the Admin GraphQL calls Lading makes back."""
