"""Products: the catalogue every order line, price list and stock level refers to."""
