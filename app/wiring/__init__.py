"""The bus's command tables, one module per area; ``app/bootstrap.py`` joins them and holds
the one reaction table."""
