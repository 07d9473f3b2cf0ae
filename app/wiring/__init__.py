"""Parts of the bus's tables, one module per larger area; ``app/bootstrap.py`` joins them."""
