"""Delivery planning for the own fleet: the travel matrix (``matrix``: port, great-circle
estimate, factory; ``osrm``: OSRM's table service) and the solver (``pyvrp_solver``)."""
