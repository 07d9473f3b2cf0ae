"""Delivery planning for the own fleet (运输计划): the problem handed to a solver, what each
route's timeline looks like, and why a stop could not be planned. Pure values; the solver and
the travel matrix sit behind protocols in ``app.adapters.routing``."""
